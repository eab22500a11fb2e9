"""Statements per checkout request (docs/architecture.md, "Performance"): previewing, placing, paying, WeChat's
notification and reading the paid order each run a fixed number of SQL statements, the same for one line and for
twenty. Runs on whichever database the suite uses (SQLite, or PostgreSQL with ``MALL_DATABASE_URL``)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.builders import approve_distributor, make_product, make_user, notification
from tests.support import statements_sent

ADDRESS = {"name": "李四", "phone": "13912345678", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}
STEPS = ("preview", "place", "pay", "notify", "read")
# The requests' own statements. Place-order's target is 12 at most, whatever the number of lines (issue 14). On
# PostgreSQL what placing writes after the token's row is one statement (on SQLite three), and what paying writes
# after the guarded UPDATE one (on SQLite four).
EXPECTED = {"preview": 2, "place": 4, "pay": 2, "notify": 5, "read": 1}
EXPECTED_POSTGRESQL = {**EXPECTED, "place": 2, "notify": 2}


def _checkout(client, db, shopper, sandbox_url, n_lines: int) -> tuple[dict[str, list[str]], dict]:
    """A shopper bound under two distributors (so that paying writes both levels' commissions) previews, places,
    pays (WeChat's notification) and reads an order of ``n_lines`` lines; the statements of each request."""
    from domain.models import User

    level2 = make_user(db)
    level1 = make_user(db, inviter=level2)
    approve_distributor(db, level2)
    approve_distributor(db, level1)
    headers, body = shopper(f"stmt{n_lines}")
    db.get(User, body["user"]["id"]).inviter_id = level1.id
    skus = [make_product(db, prices=(1000 + i,), stock=10).skus[0] for i in range(n_lines)]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=headers).json()
    db.commit()
    items = [{"sku_id": s.id, "quantity": 1} for s in skus]
    out: dict[str, list[str]] = {}
    with statements_sent(db.connection()) as out["preview"]:
        preview = client.post("/api/v1/orders/preview", json={"items": items}, headers=headers)
    assert preview.status_code == 200, preview.text
    with statements_sent(db.connection()) as out["place"]:
        order = client.post("/api/v1/orders", json={"items": items, "address_id": address["id"]},
                            headers={**headers, "Idempotency-Key": f"k{n_lines}"})
    assert order.status_code == 201, order.text
    order = order.json()
    with statements_sent(db.connection()) as out["pay"]:
        pay = client.post(f"/api/v1/orders/{order['id']}/pay", headers=headers)
    assert pay.status_code == 200, pay.text
    body, h = notification(sandbox_url, pay.json()["prepay_id"])
    with statements_sent(db.connection()) as out["notify"]:
        notified = client.post("/api/v1/payments/wechat/notify", content=body, headers=h)
    assert notified.status_code == 200, notified.text
    with statements_sent(db.connection()) as out["read"]:
        paid = client.get(f"/api/v1/orders/{order['id']}", headers=headers)
    assert paid.status_code == 200, paid.text
    return out, {"preview": preview.json(), "order": order, "paid": paid.json(),
                 "skus": [s.id for s in skus], "earners": (level1.id, level2.id)}


def _commissions(db, order_id: int) -> list[tuple[int, int, int]]:
    from domain.models import CommissionRecord

    return db.execute(select(CommissionRecord.level, func.count(), func.sum(CommissionRecord.amount_fen))
                      .where(CommissionRecord.order_id == order_id).group_by(CommissionRecord.level)
                      .order_by(CommissionRecord.level)).all()


def test_each_checkout_request_runs_the_same_statements_for_one_line_and_for_twenty(client, db, shopper,
                                                                                        sandbox_url):
    one, got_one = _checkout(client, db, shopper, sandbox_url, 1)
    twenty, got_twenty = _checkout(client, db, shopper, sandbox_url, 20)

    counts_one = {step: len(one[step]) for step in STEPS}
    counts_twenty = {step: len(twenty[step]) for step in STEPS}
    expected = EXPECTED_POSTGRESQL if db.get_bind().dialect.name == "postgresql" else EXPECTED
    assert counts_one == counts_twenty == expected, (counts_one, counts_twenty)
    assert counts_one["place"] <= 12  # the target (issue 14)
    # The same statements, only with more values in them: one INSERT for every line, one guarded UPDATE for every
    # SKU's stock, one INSERT for every commission record.
    assert [s.split(" ", 2)[:2] for s in one["place"]] == [s.split(" ", 2)[:2] for s in twenty["place"]]
    assert sum("INSERT INTO order_lines" in s for s in twenty["place"]) == 1
    assert sum("UPDATE skus SET stock" in s for s in twenty["place"]) == 1
    assert sum("INSERT INTO orders" in s for s in twenty["place"]) == 1
    assert sum("INSERT INTO commission_records" in s for s in twenty["notify"]) == 1

    # What those statements did. One line of ¥10.00 and ¥10.00 shipping; twenty lines of ¥10.00 … ¥10.19 ship free.
    assert (got_one["order"]["payable_fen"], got_twenty["order"]["payable_fen"]) == (2000, 20190)
    assert got_one["preview"]["payable_fen"] == 2000 and got_twenty["preview"]["payable_fen"] == 20190
    assert [line["sku_id"] for line in got_twenty["order"]["lines"]] == got_twenty["skus"]
    assert got_one["paid"]["status"] == got_twenty["paid"]["status"] == "paid"
    # Both levels earn on every line: 10% and 5% of what each line paid (the default rates).
    assert _commissions(db, got_one["order"]["id"]) == [(1, 1, 100), (2, 1, 50)]
    assert _commissions(db, got_twenty["order"]["id"]) == [
        (1, 20, sum((1000 + i) // 10 for i in range(20))), (2, 20, sum((1000 + i) * 5 // 100 for i in range(20)))]
