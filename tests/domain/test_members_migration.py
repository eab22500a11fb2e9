"""Migration 0007 moves the old growth columns into the ledger: an entry per completed order, an opening entry for
the rest, so nobody's growth goes down; each user's growth and level follow; the downgrade gives them back."""

from __future__ import annotations

import sqlalchemy as sa

from domain.migrations.runner import downgrade, upgrade
from tests.domain.test_migrations import drop_scratch, scratch_url

NOW = "2026-01-02 00:00:00"


def _plant_before_0007(engine) -> None:
    rows = [
        "INSERT INTO member_levels (id, name, growth_threshold, discount_bp) VALUES (1, '普通会员', 0, 10000),"
        " (2, '银卡会员', 1000, 9800)",
        # 1: two completed orders of ¥500.50 and ¥500.70 (the old total floored their sum: 1001) and 50 from activity;
        # 2: nothing; 3: activity only.
        "INSERT INTO users (id, openid, nickname, avatar_url, invite_code, order_growth, activity_growth, created_at)"
        " VALUES (1, 'o1', 'a', '', 'MIG00001', 1001, 50, :now), (2, 'o2', 'b', '', 'MIG00002', 0, 0, :now),"
        " (3, 'o3', 'c', '', 'MIG00003', 0, 1200, :now)",
        "INSERT INTO products (id, title, subtitle, description, images, is_on_shelf, sort, sales,"
        " distribution_enabled, updated_at, created_at, detail_html) VALUES (1, 't', '', '', '[]', true, 0, 0, true,"
        " :now, :now, '')",
        "INSERT INTO skus (id, product_id, specs, price_fen, stock, is_active, image) VALUES (1, 1, '{}', 100, 9, true,"
        " '')",
    ]
    for oid, status, amount in ((1, "completed", 50050), (2, "completed", 50070), (3, "paid", 90000)):
        rows.append(
            "INSERT INTO orders (id, order_no, user_id, status, goods_fen, member_discount_fen, full_reduction_fen,"
            " coupon_discount_fen, shipping_fen, payable_fen, refunded_fen, receiver_name_enc, receiver_phone_enc,"
            " receiver_province, receiver_city, receiver_district, receiver_street_enc, remark, cancel_reason,"
            f" created_at, completed_at) VALUES ({oid}, 'M{oid}', 1, '{status}', {amount}, 0, 0, 0, 0, {amount}, 0,"
            " 'x', 'x', '', '', '', 'x', '', '', :now, :now)")
        rows.append(
            "INSERT INTO order_lines (id, order_id, line_no, product_id, sku_id, title, specs, cover_url,"
            " unit_price_fen, quantity, amount_fen, discount_fen, paid_fen, refunded_fen, refunded_quantity)"
            f" VALUES ({oid}, {oid}, 1, 1, 1, 't', '{{}}', '', {amount}, 1, {amount}, 0, {amount}, 0, 0)")
    with engine.begin() as conn:
        for statement in rows:
            conn.execute(sa.text(statement), {"now": NOW})


def test_old_growth_moves_into_the_ledger_and_comes_back_on_downgrade():
    url = scratch_url()
    engine = sa.create_engine(url)
    try:
        upgrade(url, "0006")
        _plant_before_0007(engine)
        upgrade(url, "0007")
        with engine.connect() as conn:
            entries = conn.execute(sa.text(
                "SELECT user_id, kind, points, ref, key, order_id FROM growth_entries ORDER BY user_id, id")).all()
            users = conn.execute(sa.text("SELECT id, growth, member_level_id FROM users ORDER BY id")).all()
        assert [tuple(e) for e in entries] == [
            (1, "order_completed", 500, "M1", "order:1", 1),
            (1, "order_completed", 500, "M2", "order:2", 2),
            (1, "adjustment", 51, None, None, None),  # 50 of activity + the 1 the old total counted beyond
            (3, "adjustment", 1200, None, None, None),
        ]
        assert [tuple(u) for u in users] == [(1, 1051, 2), (2, 0, 1), (3, 1200, 2)]

        downgrade(url, "0006")
        with engine.connect() as conn:
            back = conn.execute(sa.text("SELECT id, order_growth, activity_growth FROM users ORDER BY id")).all()
            tables = set(sa.inspect(conn).get_table_names())
        assert [tuple(u) for u in back] == [(1, 1000, 51), (2, 0, 0), (3, 0, 1200)]
        assert not tables & {"growth_entries", "check_ins", "shares", "share_visits", "share_rewards"}
        upgrade(url, "0007")  # and up again
    finally:
        engine.dispose()
        drop_scratch(url)
