"""The hand-written SQL queries ``bench/analytics.py`` times beside each workbench figure: the same figure, as a
person would write it against the same schema, run in the same transaction with the same settings."""

from __future__ import annotations

PAID = "('paid', 'shipped', 'completed', 'closed')"

H_SALES = """
SELECT sum(paid_fen - refunded_fen), sum(refunded_fen), sum(paid_fen - refunded_fen) FILTER (WHERE earns_commission)
FROM order_lines WHERE paid_at >= :a AND paid_at < :b"""
H_BUYERS = f"""SELECT count(*), count(DISTINCT user_id) FROM orders
WHERE paid_at >= :a AND paid_at < :b AND status IN {PAID}"""
H_COMMISSION = """SELECT sum(amount_fen - clawed_back_fen) FROM commission_records
WHERE paid_at >= :a AND paid_at < :b AND status <> 'cancelled'"""
H_NEW = """SELECT (SELECT count(*) FROM distributors WHERE created_at >= :a AND created_at < :b),
                   (SELECT count(*) FROM users WHERE bound_at >= :a AND bound_at < :b)"""
H_LIABILITY = """SELECT (SELECT sum(amount_fen) FROM commission_records WHERE status = 'frozen'),
    (SELECT sum(amount_fen) FROM wallet_ledger),
    (SELECT sum(amount_fen) FROM withdrawals WHERE status IN ('pending', 'approved', 'awaiting_confirmation'))"""
DAY = "to_char(paid_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
H_SALES_SERIES = f"""
SELECT {DAY} AS d, count(DISTINCT order_id), sum(paid_fen - refunded_fen), sum(refunded_fen),
       sum(paid_fen - refunded_fen) FILTER (WHERE earns_commission)
FROM order_lines WHERE paid_at >= :a AND paid_at < :b GROUP BY d ORDER BY d"""
H_COMMISSION_SERIES = f"""
SELECT {DAY} AS d, level, status, count(*), sum(amount_fen - clawed_back_fen) FROM commission_records
WHERE paid_at >= :a AND paid_at < :b GROUP BY d, level, status ORDER BY 1, 2, 3"""
H_GROWTH_SERIES = """
SELECT (SELECT count(*) FROM users WHERE bound_at >= :a AND bound_at < :b),
       (SELECT count(*) FROM distributors WHERE created_at >= :a AND created_at < :b),
       (SELECT count(DISTINCT to_char(bound_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')) FROM users
        WHERE bound_at >= :a AND bound_at < :b)"""
H_RANKING = """
WITH earned AS (
  SELECT beneficiary_id AS user_id, sum(base_fen) FILTER (WHERE level = 1) AS level1,
         sum(base_fen) FILTER (WHERE level = 2) AS level2,
         sum(amount_fen - clawed_back_fen) FILTER (WHERE status <> 'cancelled') AS commission
  FROM commission_records WHERE paid_at >= :a AND paid_at < :b GROUP BY beneficiary_id),
page AS (
  SELECT d.user_id, u.nickname, coalesce(e.level1, 0) AS level1, coalesce(e.level2, 0) AS level2,
         coalesce(e.commission, 0) AS commission
  FROM distributors d JOIN users u ON u.id = d.user_id LEFT JOIN earned e ON e.user_id = d.user_id
  ORDER BY commission DESC, d.user_id LIMIT 20)
SELECT p.user_id, p.commission,
       (SELECT count(*) FROM users m WHERE m.inviter_id = p.user_id),
       (SELECT count(*) FROM users m JOIN users f ON f.id = m.inviter_id WHERE f.inviter_id = p.user_id)
FROM page p ORDER BY p.commission DESC, p.user_id"""
H_DRILLDOWN = f"""
SELECT {DAY} AS d, sum(base_fen) FILTER (WHERE level = 1), sum(base_fen) FILTER (WHERE level = 2),
       coalesce(sum(amount_fen - clawed_back_fen) FILTER (WHERE status <> 'cancelled'), 0)
FROM commission_records WHERE beneficiary_id = :user_id AND paid_at >= :a AND paid_at < :b GROUP BY d"""
H_DRILLDOWN_TEAM = f"""
WITH team AS (SELECT m.id, m.bound_at, 1 AS level FROM users m WHERE m.inviter_id = :user_id
              UNION ALL SELECT m.id, m.bound_at, 2 FROM users m JOIN users f ON f.id = m.inviter_id
              WHERE f.inviter_id = :user_id)
SELECT to_char(bound_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS d, count(*),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = team.id AND o.status IN {PAID})),
       count(*) FILTER (WHERE level = 1), count(*) FILTER (WHERE level = 2)
FROM team GROUP BY d"""
H_FUNNEL = f"""
SELECT (SELECT count(*) FROM shares WHERE created_at >= :a AND created_at < :b),
       (SELECT count(*) FROM share_visits WHERE created_at >= :a AND created_at < :b),
       count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id)),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND o.status IN {PAID})),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND o.status = 'completed'))
FROM users u WHERE u.bound_at >= :a AND u.bound_at < :b AND u.inviter_id IS NOT NULL"""
H_FUNNEL_BY_DISTRIBUTOR = f"""
WITH shared AS (SELECT user_id, count(*) AS n FROM shares WHERE created_at >= :a AND created_at < :b GROUP BY user_id),
visited AS (SELECT s.user_id, count(*) AS n FROM share_visits v JOIN shares s ON s.id = v.share_id
            WHERE v.created_at >= :a AND v.created_at < :b GROUP BY s.user_id),
bound AS (SELECT u.inviter_id AS user_id, count(*) AS n,
                 count(*) FILTER (WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id)) AS ordered,
                 count(*) FILTER (WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id
                                                AND o.status IN {PAID})) AS paid,
                 count(*) FILTER (WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id
                                                AND o.status = 'completed')) AS completed
          FROM users u WHERE u.bound_at >= :a AND u.bound_at < :b AND u.inviter_id IS NOT NULL GROUP BY u.inviter_id)
SELECT d.user_id, coalesce(b.n, 0) AS bound, coalesce(v.n, 0) AS visits, coalesce(s.n, 0) AS shares,
       b.ordered, b.paid, b.completed, u.nickname
FROM distributors d JOIN users u ON u.id = d.user_id LEFT JOIN shared s ON s.user_id = d.user_id
LEFT JOIN visited v ON v.user_id = d.user_id LEFT JOIN bound b ON b.user_id = d.user_id
ORDER BY bound DESC, visits DESC, shares DESC, d.user_id LIMIT 20"""
H_COHORTS = f"""
SELECT to_char(date_trunc('week', u.bound_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD') AS w,
       to_char(date_trunc('week', f.first AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD') AS b, count(*)
FROM users u LEFT JOIN (SELECT user_id, min(paid_at) AS first FROM orders WHERE status IN {PAID}
                        GROUP BY user_id) f ON f.user_id = u.id
WHERE u.bound_at >= :a AND u.bound_at < :b GROUP BY w, b"""
H_REPEAT = f"""
SELECT count(*), count(*) FILTER (WHERE n >= 2) FROM (SELECT user_id, count(*) AS n FROM orders
WHERE paid_at >= :a AND paid_at < :b AND status IN {PAID} GROUP BY user_id) s"""
H_PRODUCT_REFUNDS = """
SELECT product_id, count(*) FILTER (WHERE first_of_product), sum(paid_fen), sum(refunded_fen) AS refunded
FROM order_lines WHERE paid_at >= :a AND paid_at < :b
GROUP BY product_id ORDER BY refunded DESC, product_id LIMIT 20"""
H_TEAM_REFUNDS = """
WITH buyer AS (SELECT buyer_id AS user_id, count(*) FILTER (WHERE line_no = 1) AS n, sum(paid_fen) AS paid,
                      sum(refunded_fen) AS refunded
               FROM order_lines WHERE paid_at >= :a AND paid_at < :b GROUP BY buyer_id),
team AS (SELECT u.inviter_id AS d, u.id AS member FROM users u WHERE u.inviter_id IS NOT NULL
         UNION ALL SELECT f.inviter_id, u.id FROM users u JOIN users f ON f.id = u.inviter_id
         WHERE f.inviter_id IS NOT NULL)
SELECT t.d, sum(b.n), sum(b.paid), sum(b.refunded) FROM team t JOIN buyer b ON b.user_id = t.member
GROUP BY t.d ORDER BY coalesce(sum(b.refunded) * 10000.0 / nullif(sum(b.paid), 0), 0) DESC, sum(b.refunded) DESC,
t.d LIMIT 20"""
H_REPRICED = """FROM commission_records c
WHERE c.paid_at >= :a AND c.paid_at < :b AND c.status <> 'cancelled'"""
H_SIMULATED = """sum(c.base_fen * CASE WHEN c.own_rates THEN c.rate_bp WHEN c.level = 1 THEN :l1 ELSE :l2 END / 10000)"""
H_SIMULATOR = f"""
WITH changes AS (SELECT c.beneficiary_id, count(*) AS n, sum(c.amount_fen - c.clawed_back_fen) AS actual,
                        {H_SIMULATED} AS simulated {H_REPRICED} GROUP BY c.beneficiary_id)
SELECT changes.beneficiary_id, u.nickname, n, actual, simulated FROM changes
JOIN users u ON u.id = changes.beneficiary_id"""
H_SIMULATOR_WEEKS = f"""
SELECT to_char(date_trunc('week', c.paid_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD') AS w,
       count(DISTINCT c.order_id), sum(c.amount_fen - c.clawed_back_fen), {H_SIMULATED}
{H_REPRICED} GROUP BY w"""
H_NET_SALES = """SELECT sum(paid_fen - refunded_fen) FROM order_lines WHERE paid_at >= :a AND paid_at < :b"""
