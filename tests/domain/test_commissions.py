"""Two-level commissions, to the fen: who earns, at which rate, and what refunds and settlement do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from domain import clock
from domain.catalog.service import update_product
from domain.distribution.distributors import set_enabled
from domain.distribution.rates import CommissionRates, viewer_rates
from domain.distribution.settlement import settle_due_commissions
from domain.models import CommissionRecord, CommissionStatus, Product
from domain.security.actor import SYSTEM
from domain.settings.errors import SettingsError
from domain.settings.service import get_settings, update_settings
from domain.wallet.errors import WalletError
from domain.wallet.service import balances
from tests.builders import (
    approve_distributor,
    complete,
    make_product,
    make_user,
    pay,
    place,
    refund,
)
from tests.refusals import refused


@pytest.fixture
def chain(db):
    """The seed's example: A invites B, B invites C; A and B are approved distributors."""
    a = make_user(db, "A")
    b = make_user(db, "B", inviter=a)
    c = make_user(db, "C", inviter=b)
    approve_distributor(db, a)
    approve_distributor(db, b)
    return a, b, c


def records(db, order) -> dict[int, tuple[int, int, int, int, str]]:
    db.expire_all()
    rows = db.query(CommissionRecord).filter_by(order_id=order.id).all()
    return {r.level: (r.beneficiary_id, r.rate_bp, r.base_fen, r.amount_fen, r.status) for r in rows}


def test_c_buys_and_b_earns_level_one_and_a_level_two_frozen_then_settled(db, chain, sandbox_url):
    a, b, c = chain
    sku = make_product(db, prices=(9999,), stock=10).skus[0]
    order = pay(db, place(db, c, [(sku.id, 3)]), sandbox_url)
    assert records(db, order) == {1: (b.id, 1000, 29997, 2999, "frozen"), 2: (a.id, 500, 29997, 1499, "frozen")}
    assert balances(db, b.id).frozen_fen == 2999 and balances(db, a.id).frozen_fen == 1499
    assert balances(db, b.id).available_fen == 0

    complete(db, order)
    with clock.travel(timedelta(days=6)):
        assert settle_due_commissions(db) == 0  # the after-sale window is 7 days
    with clock.travel(timedelta(days=7, seconds=1)):
        assert settle_due_commissions(db) == 2
        assert settle_due_commissions(db) == 0  # each record settles once
    assert records(db, order) == {1: (b.id, 1000, 29997, 2999, "settled"), 2: (a.id, 500, 29997, 1499, "settled")}
    assert (balances(db, b.id).available_fen, balances(db, b.id).frozen_fen) == (2999, 0)
    assert balances(db, a.id).available_fen == 1499


def test_refund_of_one_of_three_units_before_settlement_recomputes_on_the_remaining_base(db, chain, sandbox_url):
    _, b, c = chain
    sku = make_product(db, prices=(9999,), stock=10).skus[0]
    order = pay(db, place(db, c, [(sku.id, 3)]), sandbox_url)
    assert order.lines[0].paid_fen == 29997
    refund(db, order, [(order.lines[0].id, 1)])
    got = records(db, order)
    # (29997 - 9999) * 1000 // 10000 = 1999 and * 500 // 10000 = 999: recomputed, not reduced pro rata.
    assert (got[1][2], got[1][3], got[1][4]) == (19998, 1999, "frozen")
    assert (got[2][2], got[2][3], got[2][4]) == (19998, 999, "frozen")


def test_a_fully_refunded_line_cancels_its_frozen_records(db, chain, sandbox_url):
    _, _, c = chain
    sku = make_product(db, prices=(5000,), stock=10).skus[0]
    order = pay(db, place(db, c, [(sku.id, 2)]), sandbox_url)
    refund(db, order, [(order.lines[0].id, 2)])
    assert {level: (r[3], r[4]) for level, r in records(db, order).items()} == {1: (0, "cancelled"), 2: (0, "cancelled")}


def test_a_refund_after_settlement_claws_back_and_a_negative_balance_blocks_withdrawals(db, chain, sandbox_url):
    from domain.wallet.service import request_withdrawal

    a, b, c = chain
    update_settings(db, {"after_sale_days": 30})  # refunds still allowed 8 days after completion
    sku = make_product(db, prices=(9999,), stock=10).skus[0]
    order = pay(db, place(db, c, [(sku.id, 3)]), sandbox_url)
    complete(db, order)
    with clock.travel(timedelta(days=8)):
        settle_due_commissions(db)
        # B withdraws everything, then C returns the whole line after settlement.
        request_withdrawal(db, user=b, amount_fen=2999, method="wechat")
        refund(db, order, [(order.lines[0].id, 3)])
    got = records(db, order)
    assert got[1][4] == "settled"
    assert balances(db, b.id).available_fen == -2999  # the whole 2999 was clawed back after the hold
    assert balances(db, a.id).available_fen == 0
    with refused(WalletError.NEGATIVE_BALANCE):
        request_withdrawal(db, user=b, amount_fen=100, method="wechat")


def test_partial_refund_after_settlement_claws_back_the_difference_only(db, chain, sandbox_url):
    _, b, c = chain
    sku = make_product(db, prices=(9999,), stock=10).skus[0]
    order = pay(db, place(db, c, [(sku.id, 3)]), sandbox_url)
    complete(db, order)
    with clock.travel(timedelta(days=8)):
        settle_due_commissions(db)
    refund(db, order, [(order.lines[0].id, 1)])
    db.expire_all()
    record = db.query(CommissionRecord).filter_by(order_id=order.id, level=1).one()
    assert (record.amount_fen, record.clawed_back_fen) == (2999, 1000)  # 2999 → 1999
    assert balances(db, b.id).available_fen == 1999


def test_a_disabled_or_unapproved_inviter_earns_nothing_and_the_other_level_still_pays(db, sandbox_url):
    a = make_user(db)
    b = make_user(db, inviter=a)
    c = make_user(db, inviter=b)
    approve_distributor(db, a)  # B never applied
    sku = make_product(db, prices=(10000,), stock=10).skus[0]
    order = pay(db, place(db, c, [(sku.id, 1)]), sandbox_url)
    assert records(db, order) == {2: (a.id, 500, 10000, 500, "frozen")}  # nobody moves up to level 1

    approve_distributor(db, b)
    set_enabled(db, actor=SYSTEM, user_id=a.id, enabled=False, reason="违规推广")
    order2 = pay(db, place(db, c, [(sku.id, 1)]), sandbox_url)
    assert records(db, order2) == {1: (b.id, 1000, 10000, 1000, "frozen")}


def test_product_overrides_and_opt_out(db, chain, sandbox_url):
    a, b, c = chain
    special = make_product(db, prices=(20000,), commission_level1_bp=1500, commission_level2_bp=800)
    excluded = make_product(db, prices=(20000,), distribution_enabled=False)
    order = pay(db, place(db, c, [(special.skus[0].id, 1), (excluded.skus[0].id, 1)]), sandbox_url)
    assert records(db, order) == {1: (b.id, 1500, 20000, 3000, "frozen"), 2: (a.id, 800, 20000, 1600, "frozen")}
    with refused(SettingsError.COMMISSION_CAP_EXCEEDED):
        update_product(db, actor=SYSTEM, product_id=special.id,
                       changes={"commission_level1_bp": 2500, "commission_level2_bp": 600})


def test_self_purchase_rebate_makes_the_buyer_level_one(db, chain, sandbox_url):
    a, b, _ = chain
    sku = make_product(db, prices=(10000,)).skus[0]
    plain = pay(db, place(db, b, [(sku.id, 1)]), sandbox_url)
    assert records(db, plain) == {1: (a.id, 1000, 10000, 1000, "frozen")}  # A is B's inviter; no level 2
    update_settings(db, {"self_purchase_rebate": True})
    rebate = pay(db, place(db, b, [(sku.id, 1)]), sandbox_url)
    assert records(db, rebate) == {1: (b.id, 1000, 10000, 1000, "frozen"), 2: (a.id, 500, 10000, 500, "frozen")}


def test_global_rates_apply_and_there_is_never_a_third_level(db, sandbox_url):
    update_settings(db, {"commission_cap_bp": 5000, "commission_level1_bp": 2000, "commission_level2_bp": 1000})
    z = make_user(db)
    a = make_user(db, inviter=z)
    b = make_user(db, inviter=a)
    c = make_user(db, inviter=b)
    for u in (z, a, b):
        approve_distributor(db, u)
    sku = make_product(db, prices=(12345,)).skus[0]
    order = pay(db, place(db, c, [(sku.id, 1)]), sandbox_url)
    assert records(db, order) == {1: (b.id, 2000, 12345, 2469, "frozen"), 2: (a.id, 1000, 12345, 1234, "frozen")}


def test_an_open_refund_holds_settlement_until_it_is_decided(db, chain, sandbox_url):
    from domain.orders.refunds import reject_refund

    _, b, c = chain
    sku = make_product(db, prices=(9999,), stock=10).skus[0]
    order = pay(db, place(db, c, [(sku.id, 1)]), sandbox_url)
    complete(db, order)
    pending = refund(db, order, [(order.lines[0].id, 1)], approve=False)
    with clock.travel(timedelta(days=8)):
        assert settle_due_commissions(db) == 0
        reject_refund(db, actor=SYSTEM, refund_id=pending.id, reason="已超过售后期")
        assert settle_due_commissions(db) == 2
    assert records(db, order)[1][4] == CommissionStatus.SETTLED



# --- the cap binds at payment (docs/money-and-rules.md, Rates and the cap) ----------------------------------

def line_records(db, order) -> dict[int, dict[int, tuple[int, int, int]]]:
    """{product_id: {level: (beneficiary, rate_bp, amount_fen)}} for an order of several lines."""
    db.expire_all()
    product_of = {line.id: line.product_id for line in order.lines}
    out: dict[int, dict[int, tuple[int, int, int]]] = {}
    for r in db.scalars(select(CommissionRecord).where(CommissionRecord.order_id == order.id)):
        out.setdefault(product_of[r.order_line_id], {})[r.level] = (r.beneficiary_id, r.rate_bp, r.amount_fen)
    return out


def test_the_cap_binds_when_commission_is_written_whatever_a_product_says(db, chain, sandbox_url):
    """A product whose own pair was saved under a higher cap (a save that raced the cap being lowered) still pays
    within today's cap: level 1 keeps its rate up to the cap, level 2 gets what is left, and rate_bp says so."""
    a, b, c = chain
    update_settings(db, {"commission_cap_bp": 1500})
    greedy = make_product(db, prices=(20000,))
    shared = make_product(db, prices=(12345,))
    for product, pair in ((greedy, (2000, 1000)), (shared, (1000, 1000))):
        db.execute(update(Product).where(Product.id == product.id)
                   .values(commission_level1_bp=pair[0], commission_level2_bp=pair[1]))
    db.expire_all()

    order = pay(db, place(db, c, [(greedy.skus[0].id, 1), (shared.skus[0].id, 1)]), sandbox_url)
    assert line_records(db, order) == {
        greedy.id: {1: (b.id, 1500, 3000)},  # 20% + 10% under a 15% cap: level 1 takes 15%, level 2 nothing
        shared.id: {1: (b.id, 1000, 1234), 2: (a.id, 500, 617)},  # 10% + 10%: level 2 gets the 5% left
    }
    assert viewer_rates(db, db.get(Product, greedy.id), b) == CommissionRates(1500, 0)  # the 分享赚 figure agrees


def test_lowering_the_cap_below_a_products_own_rates_is_refused_naming_the_products(db, chain, sandbox_url):
    a, b, c = chain
    tea = make_product(db, title="明前龙井礼盒", prices=(20000,), commission_level1_bp=2000, commission_level2_bp=800)
    cake = make_product(db, title="云南普洱茶饼", prices=(9000,), commission_level1_bp=1500, commission_level2_bp=1000)
    make_product(db, title="普通绿茶", prices=(5000,), commission_level1_bp=1000, commission_level2_bp=500)

    with refused(SettingsError.COMMISSION_CAP_EXCEEDED) as info:
        update_settings(db, {"commission_cap_bp": 2400})
    message = info.value.message
    assert f"《明前龙井礼盒》(#{tea.id}，28%)" in message and f"《云南普洱茶饼》(#{cake.id}，25%)" in message
    assert "普通绿茶" not in message and "24%" in message
    assert get_settings(db).commission_cap_bp == 3000

    update_settings(db, {"commission_cap_bp": 2800})  # exactly the highest pair: allowed
    order = pay(db, place(db, c, [(tea.skus[0].id, 1)]), sandbox_url)
    assert line_records(db, order) == {tea.id: {1: (b.id, 2000, 4000), 2: (a.id, 800, 1600)}}


def test_a_product_saved_after_the_cap_was_lowered_stays_within_it(db, chain, sandbox_url):
    a, b, c = chain
    update_settings(db, {"commission_cap_bp": 2000})
    with refused(SettingsError.COMMISSION_CAP_EXCEEDED):
        make_product(db, title="新品", prices=(10000,), commission_level1_bp=1500, commission_level2_bp=800)
    product = make_product(db, prices=(10000,), commission_level1_bp=1200, commission_level2_bp=800)
    with refused(SettingsError.COMMISSION_CAP_EXCEEDED):
        update_product(db, actor=SYSTEM, product_id=product.id,
                       changes={"commission_level1_bp": 1500, "commission_level2_bp": 600})
    db.expire_all()
    assert (db.get(Product, product.id).commission_level1_bp, db.get(Product, product.id).commission_level2_bp) \
        == (1200, 800)
    order = pay(db, place(db, c, [(product.skus[0].id, 1)]), sandbox_url)
    assert line_records(db, order) == {product.id: {1: (b.id, 1200, 1200), 2: (a.id, 800, 800)}}


def test_paying_counts_each_products_sales_and_marks_which_lines_earn(db, chain, sandbox_url):
    a, b, c = chain
    earning = make_product(db, prices=(10000,), stock=10).skus[0]
    opted_out = make_product(db, prices=(5000,), stock=10).skus[0]
    db.execute(update(Product).where(Product.id == opted_out.product_id).values(distribution_enabled=False))
    single = pay(db, place(db, c, [(earning.id, 2)]), sandbox_url)
    both = pay(db, place(db, c, [(earning.id, 1), (opted_out.id, 3)]), sandbox_url)

    db.expire_all()
    assert (db.get(Product, earning.product_id).sales, db.get(Product, opted_out.product_id).sales) == (3, 3)
    lines = {line.sku_id: (line.earns_commission, line.paid_at == both.paid_at) for line in both.lines}
    assert lines == {earning.id: (True, True), opted_out.id: (False, True)}
    assert [line.earns_commission for line in single.lines] == [True]
    assert sorted(records(db, both).values())[0][2] == 10000  # commission on the earning line's 10000 only
    assert records(db, both) == {1: (b.id, 1000, 10000, 1000, "frozen"), 2: (a.id, 500, 10000, 500, "frozen")}
