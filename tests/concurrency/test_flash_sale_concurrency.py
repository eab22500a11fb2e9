"""A flash sale on PostgreSQL (bench/flash_sale.py at a smaller size): a limited-time SKU whose whole stock is the
activity's, 300 buyers at once for 100 units. Exactly the units are sold, each at the promo price, and every other
buyer is refused with a stable code; once sold out, a buyer is refused before any row lock (docs/architecture.md,
"Performance")."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select, text

from domain.db import unit_of_work
from domain.errors import DomainError
from domain.marketing.errors import PromotionError
from domain.models import Order, OrderLine, PromotionItem, Sku, User
from domain.orders.checkout import OrderItem, place_order
from domain.orders.errors import OrderError
from tests.builders import make_product, make_promotion
from tests.concurrency.test_postgres_concurrency import make_buyers, run_at_once
from tests.conftest import requires_postgres

pytestmark = requires_postgres

UNITS, BUYERS = 100, 300


def rush(committed, sku_id: int, buyers: list[tuple[int, int]], *, workers: int) -> tuple[list[int], Counter]:
    """Every buyer (user id, address id) orders one unit of the SKU at once: the orders placed, the refusals' codes."""

    def buy(i):
        user_id, address_id = buyers[i]
        with unit_of_work(committed) as s:
            return place_order(s, user=s.get(User, user_id), items=[OrderItem(sku_id, 1)],
                               address_id=address_id, idempotency_key=f"rush-{sku_id}-{i}").id

    results = run_at_once(len(buyers), buy, workers=workers)
    return ([r for r in results if isinstance(r, int)],
            Counter(r.code for r in results if isinstance(r, DomainError)))


def test_three_hundred_buyers_for_a_hundred_flash_sale_units_buy_exactly_a_hundred(committed):
    with unit_of_work(committed) as s:
        sku_id = make_product(s, prices=(9900,), stock=UNITS).skus[0].id
        item_id = make_promotion(s, "time_limited", items=[(sku_id, 4900, UNITS, 1)]).items[0].id
        buyers = make_buyers(s, BUYERS + 1, "flash_units_")

    placed, refused = rush(committed, sku_id, buyers[:BUYERS], workers=60)
    assert len(placed) == UNITS and len(set(placed)) == UNITS
    # Refused while units were being taken (short) or once they were gone (the SKU's stock is 0): never an error.
    assert sum(refused.values()) == BUYERS - UNITS
    assert set(refused) <= {OrderError.OUT_OF_STOCK, PromotionError.PROMOTION_STOCK_SHORT}, refused
    with unit_of_work(committed) as s:
        assert Counter(s.scalars(select(OrderLine.unit_price_fen))) == {4900: UNITS}
        assert s.scalar(select(func.sum(Order.goods_fen))) == UNITS * 4900
        assert s.get(Sku, sku_id).stock == 0
        item = s.get(PromotionItem, item_id)
        assert (item.sold, item.remaining) == (UNITS, 0)

    # Sold out: the next buyer is refused from what it reads, before locking anything. Another transaction holds
    # both rows meanwhile, and the buyer may wait for no lock at all.
    late_user, late_address = buyers[BUYERS]
    with committed() as holder:
        holder.execute(text("SELECT 1 FROM skus WHERE id = :s FOR UPDATE"), {"s": sku_id})
        holder.execute(text("SELECT 1 FROM promotion_items WHERE id = :i FOR UPDATE"), {"i": item_id})
        try:
            with unit_of_work(committed) as s:
                s.execute(text("SET LOCAL lock_timeout = '1ms'"))
                try:
                    place_order(s, user=s.get(User, late_user), items=[OrderItem(sku_id, 1)], address_id=late_address)
                except DomainError as exc:
                    assert exc.code == OrderError.OUT_OF_STOCK
                else:
                    raise AssertionError("a sold-out flash sale took an order")
        finally:
            holder.rollback()


def test_when_the_sku_runs_out_before_the_activity_the_units_taken_with_it_go_back(committed):
    """Activity units and SKU stock are taken by one statement (domain/orders/place_writes.py): a buyer whose
    activity units were available but whose SKU stock was not is refused ``out_of_stock``, and the units are not
    kept sold."""
    stock, buyers_n = 30, 80
    with unit_of_work(committed) as s:
        sku_id = make_product(s, prices=(9900,), stock=stock).skus[0].id
        item_id = make_promotion(s, "time_limited", items=[(sku_id, 4900, 100, 1)]).items[0].id
        buyers = make_buyers(s, buyers_n, "flash_short_")

    placed, refused = rush(committed, sku_id, buyers, workers=40)
    assert len(placed) == stock and refused == {OrderError.OUT_OF_STOCK: buyers_n - stock}
    with unit_of_work(committed) as s:
        assert s.get(Sku, sku_id).stock == 0
        assert s.get(PromotionItem, item_id).sold == stock  # only the units of the orders placed


def _placement_meets_a_change(committed, change: str, expected_code: str) -> None:
    """A buyer's placement reaches the guarded take while another transaction holds the rows, and that transaction
    then commits ``change`` (the units or the stock gone): the one-statement take (domain/orders/place_writes.py)
    finds the rows short after its pricing read found them there, and must leave nothing: no order, no use, nothing
    taken."""
    import threading
    import time

    from domain.models import PromotionUse

    with unit_of_work(committed) as s:
        sku_id = make_product(s, prices=(9900,), stock=5).skus[0].id
        item_id = make_promotion(s, "time_limited", items=[(sku_id, 4900, 5, 1)]).items[0].id
        (user_id, address_id), = make_buyers(s, 1, f"flash_meets_{expected_code}_")
    outcome: list = []

    def buy() -> None:
        try:
            with unit_of_work(committed) as s:
                outcome.append(place_order(s, user=s.get(User, user_id), items=[OrderItem(sku_id, 1)],
                                           address_id=address_id).id)
        except DomainError as exc:
            outcome.append(exc.code)

    with committed() as holder:
        holder.execute(text("SELECT 1 FROM promotion_items WHERE id = :i FOR UPDATE"), {"i": item_id})
        holder.execute(text("SELECT 1 FROM skus WHERE id = :s FOR UPDATE"), {"s": sku_id})
        buyer = threading.Thread(target=buy)
        buyer.start()
        for _ in range(100):  # until the buyer waits for the rows
            waiting = holder.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                          "AND datname = current_database()")).scalar_one()
            if waiting:
                break
            time.sleep(0.05)
        assert waiting, "the buyer never reached the guarded take"
        holder.execute(text(change), {"i": item_id, "s": sku_id})
        holder.commit()
    buyer.join(10)
    assert outcome == [expected_code]
    with unit_of_work(committed) as s:
        assert s.scalar(select(func.count()).select_from(Order).where(Order.user_id == user_id)) == 0
        assert s.scalar(select(func.count()).select_from(PromotionUse).where(PromotionUse.user_id == user_id)) == 0
        item = s.get(PromotionItem, item_id)
        sku = s.get(Sku, sku_id)
        return item.sold, sku.stock


def test_a_take_that_finds_the_units_gone_commits_nothing(committed):
    sold, stock = _placement_meets_a_change(committed, "UPDATE promotion_items SET sold = activity_stock WHERE id = :i",
                                            PromotionError.PROMOTION_STOCK_SHORT)
    assert (sold, stock) == (5, 5)  # the change's own, nothing taken by the buyer


def test_a_take_that_finds_the_stock_gone_commits_nothing(committed):
    sold, stock = _placement_meets_a_change(committed, "UPDATE skus SET stock = 0 WHERE id = :s",
                                            OrderError.OUT_OF_STOCK)
    assert (sold, stock) == (0, 0)
