"""Street addresses at rest (docs/security.md, "At rest"): encrypted in the address book and in every order's
snapshot, like the receiver's name and phone, while the province, city and district stay in clear. What someone
holding the database sees is checked on the real thing: a ``pg_dump`` on PostgreSQL, the file on SQLite."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import create_engine, make_url, select

from domain.backup import pg_command
from domain.config import get_config
from domain.db import unit_of_work
from domain.migrations.runner import downgrade, upgrade
from domain.models import Order
from domain.orders.addresses import address_book
from domain.orders.queries import order_detail
from domain.security import crypto
from domain.security.actor import Actor, Shopper
from domain.security.disclosure import Field, show
from domain.security.roles import Role
from tests.builders import make_address, make_product, make_user, place
from tests.domain.test_migrations import drop_scratch, scratch_url

STREET = "梧桐巷保密弄 8848 号"
PHONE = "13566667777"
NICKNAME = "街道测试的买家昵称"  # stored in clear: proves the dump is searched at all
SUPPORT = Actor(staff_id=None, username="support", role=Role.SUPPORT)
ANALYST = Actor(staff_id=None, username="analyst", role=Role.ANALYST)


def what_the_database_holds() -> bytes:
    """Everything committed, as bytes: a plain ``pg_dump``, or the SQLite file and its write-ahead log."""
    url = make_url(get_config().resolved_database_url)
    if url.get_backend_name() == "sqlite":
        # Read by another process: closing a file descriptor of the database in this one would drop the POSIX
        # locks SQLite holds on it here, and the API's processes could then write over each other (a corrupt file).
        path = Path(url.database)
        files = [str(p) for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
        return subprocess.run(["cat", *files], check=True, capture_output=True).stdout
    args, env = pg_command("pg_dump", url, "--format=plain", "--no-owner")
    return subprocess.run(args, env=env, check=True, capture_output=True).stdout


def test_a_dump_of_the_database_holds_no_street_and_no_phone(committed):
    with unit_of_work(committed) as s:
        buyer = make_user(s, "street_buyer")
        buyer.nickname = NICKNAME
        address = make_address(s, buyer, phone=PHONE, province="浙江省", city="杭州市", district="西湖区",
                               detail=STREET)
        order_id = place(s, buyer, [(make_product(s).skus[0].id, 1)], address=address).id
        buyer_id = buyer.id

    dump = what_the_database_holds()
    assert NICKNAME.encode() in dump
    assert dump.count(STREET.encode()) == 0
    assert dump.count(PHONE.encode()) == 0
    assert "西湖区".encode() in dump  # the region stays in clear for regional analytics

    with unit_of_work(committed) as s:
        [mine] = address_book(s, viewer=Shopper(buyer_id))
        assert (mine.province, mine.city, mine.district, mine.detail) == ("浙江省", "杭州市", "西湖区", STREET)
        order = s.get(Order, order_id)
        assert (order.receiver_province, order.receiver_city, order.receiver_district) == ("浙江省", "杭州市", "西湖区")
        expected = f"浙江省杭州市西湖区{STREET}"
        assert order_detail(s, order_id, viewer=Shopper(buyer_id)).receiver_address == expected
        assert order_detail(s, order_id, viewer=SUPPORT).receiver_address == expected  # support reads orders


def test_the_street_is_disclosed_through_the_viewer_rule(db):
    buyer = make_user(db)
    address = make_address(db, buyer, detail=STREET)
    assert STREET not in address.detail_enc and crypto.decrypt(address.detail_enc) == STREET
    order = place(db, buyer, [(make_product(db).skus[0].id, 1)], address=address)
    assert order.receiver_street_enc == address.detail_enc  # the snapshot copies the ciphertext
    [seen] = address_book(db, viewer=Shopper.of(buyer))
    assert seen.detail == STREET
    # A viewer the rule does not clear sees the street masked (analysts read no orders at all).
    assert show(ANALYST, Field.RECEIVER_STREET, order.receiver_street_enc) == "****"


def test_migration_0002_encrypts_existing_streets_and_the_downgrade_brings_them_back():
    url = scratch_url()
    engine = create_engine(url)
    try:
        upgrade(url, "0001")
        _plant_before_0002(engine)
        upgrade(url, "0002")
        with engine.connect() as conn:
            (detail_enc,) = conn.execute(sa.text("SELECT detail_enc FROM addresses")).one()
            order = conn.execute(sa.text(
                "SELECT receiver_province, receiver_city, receiver_district, receiver_street_enc FROM orders")).one()
            lines = conn.execute(sa.text("SELECT count(*) FROM order_lines")).scalar()
            payment = conn.execute(sa.text("SELECT refund_attempts, refund_retry_at FROM payments")).one()
        assert crypto.decrypt(detail_enc) == STREET
        # The old text cannot be split into region and street: all of it is kept, encrypted, and reads the same.
        assert order[:3] == ("", "", "") and crypto.decrypt(order[3]) == f"浙江省杭州市西湖区{STREET}"
        assert lines == 1  # changing orders in place: its lines are untouched
        assert payment[0] == 0 and payment[1] is not None  # the old orphaned payment is retried at once

        downgrade(url, "0001")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT detail FROM addresses")).scalar() == STREET
            assert conn.execute(sa.text("SELECT receiver_address FROM orders")).scalar() == f"浙江省杭州市西湖区{STREET}"
            assert conn.execute(sa.text("SELECT count(*) FROM order_lines")).scalar() == 1
    finally:
        engine.dispose()
        drop_scratch(url)


def _plant_before_0002(engine) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
    rows = [
        ("INSERT INTO users (id, openid, nickname, avatar_url, invite_code, order_growth, activity_growth, created_at)"
         " VALUES (1, 'o_m', 'm', '', 'MIGRATE1', 0, 0, :now)"),
        ("INSERT INTO addresses (id, user_id, name_enc, phone_enc, province, city, district, detail, is_default,"
         " created_at) VALUES (1, 1, 'x', 'x', '浙江省', '杭州市', '西湖区', :street, true, :now)"),
        ("INSERT INTO products (id, title, subtitle, description, images, is_on_shelf, sort, sales,"
         " distribution_enabled, updated_at, created_at) VALUES (1, 't', '', '', '[]', true, 0, 0, true, :now, :now)"),
        "INSERT INTO skus (id, product_id, specs, price_fen, stock, is_active) VALUES (1, 1, '{}', 100, 1, true)",
        ("INSERT INTO orders (id, order_no, user_id, status, goods_fen, member_discount_fen, full_reduction_fen,"
         " coupon_discount_fen, shipping_fen, payable_fen, refunded_fen, receiver_name_enc, receiver_phone_enc,"
         " receiver_address, remark, cancel_reason, created_at) VALUES (1, 'M1', 1, 'cancelled', 100, 0, 0, 0, 0,"
         " 100, 0, 'x', 'x', :address, '', 'timeout', :now)"),
        ("INSERT INTO order_lines (id, order_id, line_no, product_id, sku_id, title, specs, cover_url, unit_price_fen,"
         " quantity, amount_fen, discount_fen, paid_fen, refunded_fen, refunded_quantity)"
         " VALUES (1, 1, 1, 1, 1, 't', '{}', '', 100, 1, 100, 0, 100, 0, 0)"),
        ("INSERT INTO payments (id, order_id, out_trade_no, transaction_id, amount_fen, paid_at, status, raw,"
         " created_at) VALUES (1, 1, 'M1', '4200', 100, :now, 'orphaned', '{}', :now)"),
    ]
    with engine.begin() as conn:
        for statement in rows:
            conn.execute(sa.text(statement), {"now": now, "street": STREET, "address": f"浙江省杭州市西湖区{STREET}"})
        assert conn.scalar(select(sa.func.count()).select_from(sa.table("orders"))) == 1
