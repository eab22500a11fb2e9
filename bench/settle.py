"""Settling 200,000 due commission records on PostgreSQL.

The records are made directly in SQL (orders completed 30 days ago, one line each, two records per line), then
the real job settles them: ``domain.distribution.settlement.settle_commissions_job``. Reported: records per
second, peak Python memory and process RSS, and the SQL statements issued — which must not grow with N (the
same run at N = 20,000 shows it): one set-based statement settles every due record and writes its ledger entry.

Targets: 200,000 records settled in ≤ 8 s (25,000 records/s: a shop with 100,000 paid lines a day settles them in
a few seconds, in a job that runs every minute); peak Python memory < 50 MB; the same number of statements at
N = 20,000 and N = 200,000. Most of the time is PostgreSQL maintaining the record's indexes and the ledger's foreign
keys, not Python.
"""

from __future__ import annotations

import os
import resource
import sys
import time
import tracemalloc

from sqlalchemy import event, func, select, text

from bench.common import bench_database, load_average, postgres_cpu, postgres_cpu_since, verdict

TARGET_SECONDS = 8.0
TARGET_PEAK_MB = 50

_FIXTURE = """
INSERT INTO users (id, openid, nickname, avatar_url, invite_code, created_at)
SELECT g, 'o_bench_' || g, 'user' || g, '', lpad(to_hex(g), 8, 'Z'), now() FROM generate_series(1, :users) g;
INSERT INTO distributors (user_id, is_enabled, disabled_reason, created_at) SELECT g, true, '', now()
FROM generate_series(1, 1000) g;
INSERT INTO products (id, title, subtitle, description, images, is_on_shelf, sort, sales, distribution_enabled,
                      updated_at, created_at)
VALUES (1, 'bench', '', '', '[]', true, 0, 0, true, now(), now());
INSERT INTO skus (id, product_id, specs, price_fen, stock, is_active) VALUES (1, 1, '{}', 10000, 0, true);
INSERT INTO orders (id, order_no, user_id, status, goods_fen, member_discount_fen, full_reduction_fen,
                    coupon_discount_fen, shipping_fen, payable_fen, refunded_fen, receiver_name_enc, receiver_phone_enc,
                    receiver_street_enc, remark, cancel_reason, created_at, completed_at)
SELECT g, 'B' || g, 1000 + g, 'completed', 10000, 0, 0, 0, 0, 10000, 0, 'x', 'x', 'x', '', '',
       now() - interval '40 days', now() - interval '30 days'
FROM generate_series(1, :orders) g;
INSERT INTO order_lines (id, order_id, line_no, product_id, sku_id, title, specs, cover_url, unit_price_fen, quantity,
                         amount_fen, discount_fen, paid_fen, refunded_fen, refunded_quantity, buyer_id)
SELECT g, g, 1, 1, 1, 'bench', '{}', '', 10000, 1, 10000, 0, 10000, 0, 0, 1000 + g FROM generate_series(1, :orders) g;
INSERT INTO commission_records (order_id, order_line_id, buyer_id, beneficiary_id, level, rate_bp, base_fen,
                                amount_fen, clawed_back_fen, status, created_at)
SELECT g, g, 1000 + g, 1 + (g % 1000), lvl, CASE lvl WHEN 1 THEN 1000 ELSE 500 END, 10000,
       CASE lvl WHEN 1 THEN 1000 ELSE 500 END, 0, 'frozen', now() - interval '40 days'
FROM generate_series(1, :orders) g, (VALUES (1), (2)) AS levels(lvl);
"""


def measure(n_records: int) -> dict:
    url = bench_database(f"settle_{n_records}")
    os.environ["MALL_DATABASE_URL"] = url
    from domain.config import reset_config
    from domain.db import get_engine, reset_engines, unit_of_work

    reset_config()
    reset_engines()
    engine = get_engine()
    orders = n_records // 2
    with engine.begin() as conn:
        for statement in _FIXTURE.split(";"):
            if statement.strip():
                conn.execute(text(statement), {"users": 1000 + orders, "orders": orders})
        conn.execute(text("ANALYZE"))
    from domain.settings.service import get_settings

    # The settings are validated once per process for what is stored (docs/architecture.md, "What is cached"):
    # read them once before counting, so that both sizes count the same job and not the first run's validation.
    with unit_of_work() as s:
        get_settings(s)

    from domain.distribution.settlement import settle_commissions_job
    from domain.models import EntryType, WalletEntry

    statements = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    tracemalloc.start()
    load = load_average()
    pg_before = postgres_cpu()
    started = time.perf_counter()
    settled = settle_commissions_job()
    elapsed = time.perf_counter() - started
    pg_cpu = postgres_cpu_since(pg_before)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    event.remove(engine, "before_cursor_execute", count)
    with unit_of_work() as s:
        credited = s.scalar(select(func.count()).where(WalletEntry.entry_type == EntryType.COMMISSION_SETTLED))
    engine.dispose()
    return {"n": n_records, "settled": settled, "credited": credited, "seconds": elapsed, "pg_cpu": pg_cpu,
            "load": load,
            "rate": settled / elapsed, "peak_mb": peak / 2**20, "statements": len(statements),
            "settle_statements": sum("commission_records" in s and "UPDATE" in s for s in statements)}


def main() -> bool:
    small = measure(20_000)
    big = measure(200_000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for r in (small, big):
        print(f"settle N={r['n']:>7,}: {r['settled']:,} settled, {r['credited']:,} ledger credits in {r['seconds']:.2f} s"
              f" → {r['rate']:,.0f} records/s; SQL statements {r['statements']} "
              f"({r['settle_statements']} settling); peak Python memory {r['peak_mb']:.1f} MB; PostgreSQL's CPU "
              f"{r['pg_cpu']:.2f} s (load average before {r['load']:.2f}: on a shared machine the CPU is the steadier "
              "figure)")
    ok_rate = big["seconds"] <= TARGET_SECONDS
    ok_mem = big["peak_mb"] < TARGET_PEAK_MB
    ok_queries = big["statements"] == small["statements"] and big["settled"] == big["credited"] == big["n"]
    print(f"  200,000 records in   {big['seconds']:10.2f} s  target ≤ {TARGET_SECONDS:.0f} s ({big['rate']:,.0f} "
          f"records/s)  {verdict(ok_rate)}")
    print(f"  peak Python memory   {big['peak_mb']:10.1f} MB target < {TARGET_PEAK_MB} MB  {verdict(ok_mem)}"
          f"  (process max RSS {rss_mb:.0f} MB)")
    print(f"  statements           {small['statements']} at N=20,000 and {big['statements']} at N=200,000 "
          f"(the settings read and one settling statement)  {verdict(ok_queries)}")
    return ok_rate and ok_mem and ok_queries


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
