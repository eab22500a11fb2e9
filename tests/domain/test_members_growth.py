"""The growth ledger and the levels that follow it, in exact points (docs/money-and-rules.md, "Members and growth")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain import clock
from domain.errors import CommonError
from domain.members.errors import MemberError
from domain.members.growth import adjust_growth, recompute_growth
from domain.members.service import LevelInput, ensure_default_levels, list_levels, member_summary, save_levels
from domain.models import AuditEntry, GrowthEntry, GrowthKind, User
from domain.orders.lifecycle import auto_receive
from tests.builders import actor, complete, give_growth, make_product, make_staff, make_user, pay, place, refund, ship
from tests.refusals import refused
from tests.support import statements_sent


@pytest.fixture
def levels(db):
    ensure_default_levels(db)  # 普通会员 0 / 银卡会员 1000 / 金卡会员 5000
    return list_levels(db)


def ledger(db, user) -> list[tuple[str, int]]:
    return [(e.kind, e.points) for e in db.scalars(select(GrowthEntry).where(GrowthEntry.user_id == user.id)
                                                    .order_by(GrowthEntry.id))]


def test_completion_gives_one_point_per_whole_yuan_of_net_goods_and_a_partial_refund_takes_back_its_share(
        db, levels, sandbox_url):
    buyer = make_user(db)
    sku = make_product(db, prices=(3333,)).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 3)]), sandbox_url)  # goods 9999 fen + 1000 postage
    assert buyer.growth == 0  # paying gives nothing yet: growth comes with completion
    complete(db, order)
    db.refresh(buyer)
    assert buyer.growth == 99  # ¥99.99 of goods: 99 whole yuan; the postage is no goods
    assert ledger(db, buyer) == [(GrowthKind.ORDER_COMPLETED, 99)]

    refund(db, order, [(order.lines[0].id, 1)])  # 9999 * 1 // 3 = 3333 back: ¥66.66 left, worth 66
    db.refresh(buyer)
    assert buyer.growth == 66
    assert ledger(db, buyer) == [(GrowthKind.ORDER_COMPLETED, 99), (GrowthKind.ORDER_REFUNDED, -33)]
    refund(db, order, [(order.lines[0].id, 2)])  # the rest: what the order gave is all taken back
    db.refresh(buyer)
    assert buyer.growth == 0
    assert ledger(db, buyer)[-1] == (GrowthKind.ORDER_REFUNDED, -66)


def test_a_refund_before_completion_only_lowers_what_completion_gives(db, levels, sandbox_url):
    buyer = make_user(db)
    sku = make_product(db, prices=(5050,)).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url)  # 10100 fen
    ship(db, order)
    refund(db, order, [(order.lines[0].id, 1)])  # 5050 back before receipt: nothing to take back yet
    assert ledger(db, buyer) == []
    complete_at = clock.now() + timedelta(days=8)
    with clock.travel(timedelta(days=8)):
        assert auto_receive(db, days=7) == 1  # the job completes it: the same growth as the buyer's confirmation
    db.refresh(buyer)
    assert ledger(db, buyer) == [(GrowthKind.ORDER_COMPLETED, 50)]  # ¥50.50 net
    assert buyer.growth == 50
    entry = db.scalar(select(GrowthEntry).where(GrowthEntry.user_id == buyer.id))
    assert (entry.ref, entry.order_id) == (order.order_no, order.id)
    assert abs(entry.created_at - complete_at) < timedelta(minutes=1)


def test_a_level_goes_up_with_completion_and_back_down_with_a_refund_at_once(db, levels, sandbox_url):
    buyer = make_user(db)
    sku = make_product(db, prices=(50000,)).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url)  # ¥1000.00 of goods
    assert member_summary(db, buyer).name == "普通会员"
    complete(db, order)
    db.refresh(buyer)
    summary = member_summary(db, buyer)
    assert (summary.growth, summary.level, summary.name, summary.discount_bp) == (1000, 1, "银卡会员", 9800)
    assert summary.next_level_growth == 5000 and summary.next_level_name == "金卡会员"
    # The next cart is priced at the new level in the same moment.
    assert place(db, buyer, [(sku.id, 1)]).member_discount_fen == 50000 - 50000 * 9800 // 10000

    refund(db, order, [(order.lines[0].id, 1)])  # ¥500 left: 500 points, below 银卡's 1000
    db.refresh(buyer)
    summary = member_summary(db, buyer)
    assert (summary.growth, summary.level, summary.name, summary.discount_bp) == (500, 0, "普通会员", 10000)


def test_growth_never_goes_below_zero_and_a_refund_takes_at_most_what_is_left(db, levels, sandbox_url):
    buyer = make_user(db)
    owner = actor(make_staff(db, "owner"))
    sku = make_product(db, prices=(20000,)).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    complete(db, order)
    entry = adjust_growth(db, actor=owner, user_id=buyer.id, points=-150, reason="误发成长值回收")
    assert entry.points == -150
    db.refresh(buyer)
    assert buyer.growth == 50
    refund(db, order, [(order.lines[0].id, 1)])  # the order gave 200, but only 50 are left to take
    db.refresh(buyer)
    assert buyer.growth == 0
    assert ledger(db, buyer) == [(GrowthKind.ORDER_COMPLETED, 200), (GrowthKind.ADJUSTMENT, -150),
                                 (GrowthKind.ORDER_REFUNDED, -50)]
    with refused(MemberError.GROWTH_AT_ZERO):
        adjust_growth(db, actor=owner, user_id=buyer.id, points=-1, reason="再扣")
    big = adjust_growth(db, actor=owner, user_id=buyer.id, points=30, reason="补偿")
    assert big.points == 30
    assert adjust_growth(db, actor=owner, user_id=buyer.id, points=-100, reason="扣除").points == -30


def test_staff_adjustments_need_a_reason_and_the_marketing_permission_and_are_audited(db, levels):
    member = make_user(db)
    operator, support = actor(make_staff(db, "operator")), actor(make_staff(db, "support"))
    with refused(CommonError.FORBIDDEN):
        adjust_growth(db, actor=support, user_id=member.id, points=10, reason="x")
    with refused(MemberError.INVALID_ADJUSTMENT):
        adjust_growth(db, actor=operator, user_id=member.id, points=10, reason="  ")
    with refused(MemberError.INVALID_ADJUSTMENT):
        adjust_growth(db, actor=operator, user_id=member.id, points=0, reason="零")
    with refused(MemberError.MEMBER_NOT_FOUND):
        adjust_growth(db, actor=operator, user_id=999_999, points=10, reason="无此人")
    entry = adjust_growth(db, actor=operator, user_id=member.id, points=1200, reason="线下活动奖励")
    db.refresh(member)
    assert (entry.kind, entry.points, entry.reason, entry.staff_id) == \
        (GrowthKind.ADJUSTMENT, 1200, "线下活动奖励", operator.staff_id)
    assert member_summary(db, member).name == "银卡会员"
    audit = db.scalar(select(AuditEntry).where(AuditEntry.action == "member.growth_adjust"))
    assert (audit.entity_id, audit.before, audit.after) == \
        (str(member.id), {"growth": 0}, {"growth": 1200, "points": 1200, "reason": "线下活动奖励"})


def test_editing_the_levels_re_ranks_everyone_in_one_statement(db, levels):
    owner = actor(make_staff(db, "owner"))
    people = [make_user(db) for _ in range(4)]
    for user, points in zip(people, (0, 1200, 3000, 6000), strict=True):
        if points:
            give_growth(db, user, points)
    assert [member_summary(db, u).name for u in people] == ["普通会员", "银卡会员", "银卡会员", "金卡会员"]

    normal, silver, gold = levels
    with statements_sent(db.get_bind()) as sent:
        save_levels(db, actor=owner, levels=[
            LevelInput(id=normal.id, name="普通会员", growth_threshold=0, discount_bp=10_000),
            LevelInput(id=silver.id, name="银卡会员", growth_threshold=2500, discount_bp=9700, benefits="9.7 折"),
            LevelInput(name="钻石会员", growth_threshold=5500, discount_bp=9000, benefits="9 折，生日礼"),
            LevelInput(id=gold.id, name="金卡会员", growth_threshold=4000, discount_bp=9500),
        ])
    assert len([s for s in sent if s.upper().startswith("UPDATE USERS")]) == 1  # however many members there are
    for user in people:
        db.refresh(user)
    assert [member_summary(db, u).name for u in people] == ["普通会员", "普通会员", "银卡会员", "钻石会员"]
    assert [(lv.name, lv.growth_threshold) for lv in list_levels(db)] == \
        [("普通会员", 0), ("银卡会员", 2500), ("金卡会员", 4000), ("钻石会员", 5500)]
    assert member_summary(db, people[2]).discount_bp == 9700

    # Removing a level moves its members to what their growth reaches among the rest.
    save_levels(db, actor=owner, levels=[LevelInput(id=normal.id, name="普通会员", growth_threshold=0,
                                                    discount_bp=10_000),
                                         LevelInput(id=gold.id, name="金卡会员", growth_threshold=4000,
                                                    discount_bp=9500)])
    for user in people:
        db.refresh(user)
    assert [member_summary(db, u).name for u in people] == ["普通会员", "普通会员", "普通会员", "金卡会员"]
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "member_levels.update")).all()
    assert len(audit) == 2


@pytest.mark.parametrize("levels_in, words", [
    ([], "1–10"),
    ([LevelInput(name="银卡", growth_threshold=100, discount_bp=9800)], "门槛需为 0"),
    ([LevelInput(name="a", growth_threshold=0, discount_bp=10_000),
      LevelInput(name="b", growth_threshold=0, discount_bp=9000)], "不能相同"),
    ([LevelInput(name="a", growth_threshold=0, discount_bp=0)], "折扣"),
    ([LevelInput(name="a", growth_threshold=0, discount_bp=10_001)], "折扣"),
    ([LevelInput(name="a", growth_threshold=0, discount_bp=10_000),
      LevelInput(name="a", growth_threshold=10, discount_bp=9000)], "名称不能重复"),
    ([LevelInput(name="a", growth_threshold=0, discount_bp=10_000, id=999_999)], "等级不存在"),
])
def test_a_level_list_that_makes_no_sense_is_refused_whole(db, levels, levels_in, words):
    owner = actor(make_staff(db, "owner"))
    with refused(MemberError.INVALID_LEVELS) as info:
        save_levels(db, actor=owner, levels=levels_in)
    assert words in info.value.message
    assert [lv.name for lv in list_levels(db)] == ["普通会员", "银卡会员", "金卡会员"]


def test_only_the_settings_permission_edits_levels(db, levels):
    with refused(CommonError.FORBIDDEN):
        save_levels(db, actor=actor(make_staff(db, "operator")),
                    levels=[LevelInput(name="x", growth_threshold=0, discount_bp=10_000)])


def test_recompute_repairs_growth_and_level_from_the_ledger(db, levels):
    user = make_user(db)
    give_growth(db, user, 1500)
    user.growth, user.member_level_id = 7, None  # a row that disagrees with its ledger
    db.flush()
    assert recompute_growth(db) >= 2
    db.refresh(user)
    assert (user.growth, member_summary(db, user).name) == (1500, "银卡会员")
    assert recompute_growth(db) == 0  # nothing left to repair
    assert db.get(User, user.id).growth == 1500


def test_a_new_list_may_replace_every_level_at_the_same_thresholds(db, levels):
    owner = actor(make_staff(db, "owner"))
    member = make_user(db)
    give_growth(db, member, 1200)
    save_levels(db, actor=owner, levels=[LevelInput(name="会员", growth_threshold=0, discount_bp=10_000),
                                         LevelInput(name="高级会员", growth_threshold=1000, discount_bp=9900)])
    db.refresh(member)
    assert [(lv.name, lv.growth_threshold) for lv in list_levels(db)] == [("会员", 0), ("高级会员", 1000)]
    assert (member_summary(db, member).name, member_summary(db, member).discount_bp) == ("高级会员", 9900)
