"""Concurrency on PostgreSQL: real transactions at once, from threads and processes."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from domain import clock
from domain.db import unit_of_work
from domain.errors import DomainError
from domain.models import (
    CommissionRecord,
    EntryType,
    Order,
    OrderStatus,
    Payment,
    Sku,
    User,
    WalletEntry,
    Withdrawal,
)
from domain.orders.checkout import OrderItem, place_order
from domain.orders.errors import OrderError
from domain.wallet.errors import WalletError
from domain.wallet.service import available_balance, request_withdrawal
from tests.builders import approve_distributor, make_address, make_product, make_user, notification
from tests.conftest import requires_postgres
from tests.support import ROOT

pytestmark = requires_postgres


def run_at_once(n: int, fn, workers: int | None = None) -> list:
    """Run fn(i) n times, all released together by a barrier; returns results or the DomainErrors raised."""
    barrier = threading.Barrier(min(n, workers or n))

    def call(i):
        if (workers or n) >= n:
            barrier.wait()
        try:
            return fn(i)
        except DomainError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=workers or n) as pool:
        return list(pool.map(call, range(n)))


def make_buyers(session, n: int, prefix: str):
    buyers = [make_user(session, f"{prefix}{i}") for i in range(n)]
    addresses = [make_address(session, b) for b in buyers]
    return [(b.id, a.id) for b, a in zip(buyers, addresses, strict=True)]


def buyer_of_one(sessions, sku_id: int, buyers: list[tuple[int, int]]):
    """Buyer i places an order for one unit, in a transaction of its own."""

    def buy(i):
        user_id, address_id = buyers[i]
        with unit_of_work(sessions) as s:
            return place_order(s, user=s.get(User, user_id), items=[OrderItem(sku_id, 1)], address_id=address_id).id

    return buy


def test_fifty_buyers_for_the_last_ten_units_make_exactly_ten_orders(committed):
    with unit_of_work(committed) as s:
        sku_id = make_product(s, prices=(9900,), stock=10).skus[0].id
        buyers = make_buyers(s, 50, "last10_")

    results = run_at_once(50, buyer_of_one(committed, sku_id, buyers))
    orders = [r for r in results if isinstance(r, int)]
    refusals = {r.code for r in results if isinstance(r, DomainError)}
    assert len(orders) == 10 and refusals == {OrderError.OUT_OF_STOCK}
    with unit_of_work(committed) as s:
        assert s.get(Sku, sku_id).stock == 0
        assert s.scalar(select(func.count()).select_from(Order)) == 10


def test_flash_sale_five_hundred_buyers_one_hundred_units(committed):
    with unit_of_work(committed) as s:
        sku_id = make_product(s, prices=(1990,), stock=100).skus[0].id
        buyers = make_buyers(s, 500, "flash_")

    results = run_at_once(500, buyer_of_one(committed, sku_id, buyers), workers=60)
    assert sum(isinstance(r, int) for r in results) == 100
    assert all(r.code == OrderError.OUT_OF_STOCK for r in results if not isinstance(r, int))
    with unit_of_work(committed) as s:
        assert s.get(Sku, sku_id).stock == 0
        assert s.scalar(select(func.coalesce(func.sum(Order.goods_fen), 0))) == 100 * 1990


def test_one_idempotency_key_sent_ten_times_at_once_gives_one_order(committed):
    with unit_of_work(committed) as s:
        sku_id = make_product(s, stock=50).skus[0].id
        (user_id, address_id), = make_buyers(s, 1, "idem_")

    def tap(_):
        with unit_of_work(committed) as s:
            return place_order(s, user=s.get(User, user_id), items=[OrderItem(sku_id, 2)], address_id=address_id,
                               idempotency_key="double-tap-1").id

    ids = run_at_once(10, tap)
    assert len(set(ids)) == 1 and all(isinstance(i, int) for i in ids)
    with unit_of_work(committed) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 1
        assert s.get(Sku, sku_id).stock == 48


@pytest.mark.parametrize("api", ["v3", "v2"])
def test_double_tapped_pay_and_twenty_identical_notifications_pay_once(committed, sandbox_url, request, api):
    api_url = request.getfixturevalue("api_url" if api == "v3" else "api_url_v2")
    with unit_of_work(committed) as s:
        sku_id = make_product(s, prices=(15800,), stock=5).skus[0].id
    login = httpx.post(f"{api_url}/api/v1/auth/login", json={"code": "sandbox-pay_racer"}).json()
    h = {"Authorization": f"Bearer {login['token']}"}
    address = httpx.post(f"{api_url}/api/v1/addresses", headers=h, json={
        "name": "赵六", "phone": "13600136000", "province": "北京市", "city": "北京市", "district": "朝阳区",
        "detail": "建国路 88 号"}).json()
    order = httpx.post(f"{api_url}/api/v1/orders", headers=h, json={
        "items": [{"sku_id": sku_id, "quantity": 1}], "address_id": address["id"]}).json()
    pays = run_at_once(2, lambda _: httpx.post(f"{api_url}/api/v1/orders/{order['id']}/pay", headers=h, timeout=30))
    assert [p.status_code for p in pays] == [200, 200]
    prepay_ids = {p.json()["prepay_id"] for p in pays}
    assert len(prepay_ids) == 1  # the same WeChat order behind both taps
    body, headers = notification(sandbox_url, prepay_ids.pop())
    assert ("Wechatpay-Signature" in headers) == (api == "v3")
    acks = run_at_once(20, lambda _: httpx.post(f"{api_url}/api/v1/payments/wechat/notify", content=body,
                                                headers=headers, timeout=30))
    assert all(a.status_code == 200 and "SUCCESS" in a.text for a in acks)
    with unit_of_work(committed) as s:
        assert s.get(Order, order["id"]).status == OrderStatus.PAID
        assert s.scalar(select(func.count()).select_from(Payment)) == 1


def test_twenty_withdrawals_of_the_whole_balance_give_exactly_one_hold(committed):
    with unit_of_work(committed) as s:
        user = make_user(s, "racer")
        approve_distributor(s, user)
        s.add(WalletEntry(user_id=user.id, entry_type=EntryType.ADJUSTMENT, amount_fen=8888))
        user_id = user.id

    def withdraw(_):
        with unit_of_work(committed) as s:
            return request_withdrawal(s, user=s.get(User, user_id), amount_fen=8888, method="wechat").id

    results = run_at_once(20, withdraw)
    assert sum(isinstance(r, int) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {WalletError.INSUFFICIENT_BALANCE}
    with unit_of_work(committed) as s:
        assert available_balance(s, user_id) == 0
        holds = s.scalar(select(func.count()).where(WalletEntry.entry_type == EntryType.WITHDRAWAL_HOLD))
        assert holds == 1 and s.scalar(select(func.count()).select_from(Withdrawal)) == 1


def test_settle_job_in_four_processes_settles_each_record_exactly_once(committed):
    n_orders = 300
    with unit_of_work(committed) as s:
        a = make_user(s, "settle_a")
        b = make_user(s, "settle_b", inviter=a)
        approve_distributor(s, a)
        approve_distributor(s, b)
        product = make_product(s, prices=(10000,), stock=10_000)
        buyers = [make_user(s, f"settle_c{i}", inviter=b) for i in range(n_orders)]
        now = clock.now()
        for i, buyer in enumerate(buyers):
            order = Order(order_no=f"S{i:017d}", user_id=buyer.id, status=OrderStatus.COMPLETED, goods_fen=10000,
                          payable_fen=10000, receiver_name_enc="x", receiver_phone_enc="x", receiver_street_enc="x",
                          completed_at=now - timedelta(days=10))
            s.add(order)
            s.flush()
            from domain.models import OrderLine

            line = OrderLine(order_id=order.id, line_no=1, product_id=product.id, sku_id=product.skus[0].id,
                             title="t", unit_price_fen=10000, quantity=1, amount_fen=10000, paid_fen=10000,
                             buyer_id=buyer.id)
            s.add(line)
            s.flush()
            for level, uid, bp in ((1, b.id, 1000), (2, a.id, 500)):
                s.add(CommissionRecord(order_id=order.id, order_line_id=line.id, buyer_id=buyer.id,
                                       beneficiary_id=uid, level=level, rate_bp=bp, base_fen=10000,
                                       amount_fen=10000 * bp // 10000))
    code = ("import sys; from domain.distribution.settlement import settle_commissions_job as job; "
            "print(job(batch_size=37))")
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    counts = [int(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
    assert sum(counts) == 2 * n_orders
    with unit_of_work(committed) as s:
        settled = s.scalar(select(func.count()).where(WalletEntry.entry_type == EntryType.COMMISSION_SETTLED))
        distinct = s.scalar(select(func.count(func.distinct(WalletEntry.commission_record_id)))
                            .where(WalletEntry.entry_type == EntryType.COMMISSION_SETTLED))
        assert settled == distinct == 2 * n_orders
        assert available_balance(s, b.id) == 1000 * n_orders and available_balance(s, a.id) == 500 * n_orders
        s.execute(update(CommissionRecord).values(status="frozen"))  # would settle again if the guard failed
        s.rollback()


def test_an_address_edited_while_it_is_deleted_answers_not_found_instead_of_a_server_error(committed):
    """The fuzz run's 500: PATCH read the address, a DELETE of it committed, and PATCH's UPDATE matched no row
    (SQLAlchemy's StaleDataError). Editing and deleting lock the address first, so the edit waits for the delete
    and then finds nothing: 404 ``address_not_found``, and the address stays deleted."""
    from domain.models import Address
    from domain.orders.addresses import delete_address, update_address
    from domain.orders.errors import AddressError

    with unit_of_work(committed) as s:
        owner = make_user(s, "address_race")
        address_id = make_address(s, owner).id
        owner_id = owner.id
    deleting = committed()
    deleting.begin()
    delete_address(deleting, user=deleting.get(User, owner_id), address_id=address_id)  # row locked, not committed
    started = threading.Event()

    def edit():
        with unit_of_work(committed) as s:
            started.set()
            return update_address(s, user=s.get(User, owner_id), address_id=address_id, changes={"city": "广州市"})

    with ThreadPoolExecutor(max_workers=1) as pool:
        edited = pool.submit(edit)
        started.wait(5)
        with pytest.raises(TimeoutError):
            edited.result(timeout=0.5)  # the edit waits for the delete's lock
        deleting.commit()
        deleting.close()
        with pytest.raises(DomainError) as refused:
            edited.result(timeout=10)
    assert (refused.value.code, refused.value.status) == (AddressError.ADDRESS_NOT_FOUND, 404)
    with unit_of_work(committed) as s:
        assert s.get(Address, address_id) is None
