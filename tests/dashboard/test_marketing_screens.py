"""营销: an operator makes, edits, issues and stops coupons, and runs 满减 and limited-time activities, on the dashboard.
Every save goes through the domain (checked there, audited there); the screens show its answers — the preview of a
¥X cart, the refusals beside their fields, the buttons it offers — in exact yuan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from streamlit.testing.v1.element_tree import Block

from dashboard import state
from dashboard.components.plain import plain
from domain import clock
from domain.db import unit_of_work
from domain.marketing.errors import CouponError
from domain.marketing.queries import sku_promos
from domain.members.service import ensure_default_levels
from domain.models import (
    AuditEntry,
    CouponSource,
    CouponTemplate,
    Promotion,
    PromotionStatus,
    TemplateStatus,
    UserCoupon,
)
from domain.security.actor import Actor
from domain.users.service import set_phone
from tests.builders import (
    give_coupon,
    give_growth,
    make_category,
    make_coupon,
    make_product,
    make_promotion,
    make_staff,
    make_user,
    pay,
    place,
)
from tests.dashboard.conftest import new_app, open_screen, table, texts

COUPONS, PROMOTIONS = "views/coupons.py", "views/promotions.py"
NEW_COUPON = state.COUPONS_NEW_FORM
NEW_LADDER, NEW_FLASH = state.promotion_new_form("full_reduction"), state.promotion_new_form("time_limited")


def key(form: str, field: str, version: int = 0) -> str:
    return state.widget_key(form, field, version)


def audit(committed, entity_type: str) -> list[tuple[str, dict | None, dict | None]]:
    with unit_of_work(committed) as session:
        return [(e.action, e.before, e.after) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == entity_type).order_by(AuditEntry.id))]


def fill(at, form: str, values: dict[str, str], version: int = 0):
    for field, value in values.items():
        at.text_input(key=key(form, field, version)).set_value(value)
    return at


def field_above(at, message: str) -> str | None:
    """The label of the last input drawn before the error ``message``: the field it is shown under."""
    def walk(node):
        if isinstance(node, Block):
            for i in sorted(node.children):
                yield from walk(node.children[i])
        else:
            yield node

    last = None
    for node in walk(at.main):
        if node.type == "error" and node.value == message:
            return last
        if node.type in INPUTS:
            last = node.label
    raise AssertionError(f"no error {message!r}")


INPUTS = {"text_input", "text_area", "number_input", "radio", "multiselect", "selectbox", "date_input", "time_input",
          "checkbox", "toggle", "button"}


def editor_key(at, form: str, part: str) -> str:
    [editor] = [e.key for e in at.data_editor if e.key.startswith(f"{form}.v") and f".{part}" in e.key]
    return editor


@pytest.fixture
def shop(committed):
    with unit_of_work(committed) as session:
        fresh = make_category(session, "生鲜")
        apple = make_product(session, title="红富士苹果", prices=(5000, 8000), stock=30, category_id=fresh.id)
        return {"fresh": fresh.id, "apple": apple.id, "small": apple.skus[0].id, "large": apple.skus[1].id}


# --- coupons -----------------------------------------------------------------------------------------------------

def test_a_percent_coupon_with_a_cap_previews_each_cart_and_is_created_as_typed(committed, shop, open_as):
    at = open_as("operator", COUPONS)
    assert [h.value for h in at.header] == ["优惠券"]
    at.radio(key=key(NEW_COUPON, "kind")).set_value("percent").run()
    fill(at, NEW_COUPON, {"name": "生鲜满100享8.5折", "percent_off": "15", "cap": "30", "threshold": "100",
                          "total_quantity": "50"})
    at.multiselect(key=key(NEW_COUPON, "scope.categories")).set_value([shop["fresh"]])
    at.number_input(key=key(NEW_COUPON, "per_user_limit")).set_value(2)
    at.text_input(key=key(NEW_COUPON, "preview.cart")).set_value("300").run()
    assert "即 8.5折" in texts(at, "caption")
    # 15% of ¥300 is ¥45, capped at ¥30; ¥100 is exactly the threshold; ¥99.99 is a fen short.
    assert "¥300.00 的购物车：减 ¥30.00，实付 ¥270.00（不含运费）" in texts(at, "success")
    at.text_input(key=key(NEW_COUPON, "preview.cart")).set_value("100").run()
    assert "¥100.00 的购物车：减 ¥15.00，实付 ¥85.00（不含运费）" in texts(at, "success")
    at.text_input(key=key(NEW_COUPON, "preview.cart")).set_value("99.99").run()
    assert "¥99.99 的购物车：不享受优惠。未达到使用门槛（满¥100.00）" in texts(at, "warning")

    at.button(key=key(NEW_COUPON, "submit")).click().run()
    assert not at.exception, at.exception
    assert f"已创建优惠券“{plain('生鲜满100享8.5折')}”。" in texts(at, "success")  # a name is shown as typed
    with unit_of_work(committed) as session:
        [coupon] = session.scalars(select(CouponTemplate)).all()
        assert (coupon.kind, coupon.percent_off_bp, coupon.cap_fen, coupon.threshold_fen, coupon.value_fen) == (
            "percent", 1500, 3000, 10000, 0)
        assert (coupon.category_ids, coupon.product_ids, coupon.valid_days, coupon.valid_to) == (
            [shop["fresh"]], [], 30, None)
        assert (coupon.total_quantity, coupon.per_user_limit, coupon.claimable) == (50, 2, True)
    assert [a for a, _, _ in audit(committed, "coupon_template")] == ["coupon.create"]
    # The form starts afresh, and the list shows the new coupon with nothing claimed yet.
    assert at.text_input(key=key(NEW_COUPON, "name", 1)).value == ""
    [row] = table(at, "summary")
    assert (row["name"], row["summary"], row["state"], row["claimed"], row["validity"]) == (
        "生鲜满100享8.5折", "满100享8.5折 最高减30", "发放中", "0 / 50", "领取后 30 天内")


def test_every_mistake_is_shown_beside_its_field_and_what_was_typed_stays(committed, shop, open_as):
    at = open_as("operator", COUPONS)
    fill(at, NEW_COUPON, {"name": "", "value": "二十", "threshold": "-5", "total_quantity": "十张"})
    at.button(key=key(NEW_COUPON, "submit")).click().run()
    # In the order of the fields, each in the slot under its own field (the form's own slot is below the button).
    assert texts(at, "error") == ["“二十”不是金额，请填写如 19.90 的元数", "金额不能为负数", "“十张”不是整数"]
    assert [field_above(at, e) for e in texts(at, "error")] == [
        "减免金额（元）", "使用门槛：满多少元可用（选填）", "发放总量（张）"]
    assert at.text_input(key=key(NEW_COUPON, "value")).value == "二十"
    assert "填好优惠内容后，这里显示一个购物车能减多少。" in texts(at, "info")

    # What parses goes to the domain, whose refusal names its field: the name first.
    fill(at, NEW_COUPON, {"value": "20", "threshold": "199", "total_quantity": ""})
    at.button(key=key(NEW_COUPON, "submit")).click().run()
    assert texts(at, "error") == ["请填写优惠券名称（不超过 32 字）"]
    assert field_above(at, "请填写优惠券名称（不超过 32 字）") == "名称"
    at.text_input(key=key(NEW_COUPON, "name")).set_value("满199减20")
    at.radio(key=key(NEW_COUPON, "validity")).set_value("window").run()
    yesterday = clock.local(clock.now()).date() - timedelta(days=1)
    at.date_input(key=key(NEW_COUPON, "valid_to") + ".day").set_value(yesterday)
    at.button(key=key(NEW_COUPON, "submit")).click().run()
    assert texts(at, "error") == ["有效期的结束时间需晚于现在"]
    assert field_above(at, "有效期的结束时间需晚于现在") == "时间"  # under the end date and time
    assert at.text_input(key=key(NEW_COUPON, "name")).value == "满199减20"
    with unit_of_work(committed) as session:
        assert session.scalars(select(CouponTemplate)).all() == []
    assert audit(committed, "coupon_template") == []


def test_a_claimed_coupon_keeps_its_terms_but_its_total_can_change(committed, shop, open_as):
    with unit_of_work(committed) as session:
        coupon = make_coupon(session, name="满100减20")
        give_coupon(session, coupon, make_user(session, "林晓"))
        form = state.coupon_form(coupon.id, "edit")
    at = open_as("owner", COUPONS)
    assert at.text_input(key=key(form, "value")).disabled and at.radio(key=key(form, "kind")).disabled
    assert not at.text_input(key=key(form, "total_quantity")).disabled
    assert any(i.startswith("已有顾客领取：优惠内容") for i in texts(at, "info"))

    at.text_input(key=key(form, "total_quantity")).set_value("0")
    at.button(key=key(form, "submit")).click().run()
    assert texts(at, "error") == ["发放总量至少为 1（不限量请留空）"]
    assert field_above(at, "发放总量至少为 1（不限量请留空）") == "发放总量（张）"
    at.text_input(key=key(form, "total_quantity")).set_value("5")
    at.text_input(key=key(form, "name")).set_value("老客满100减20")
    at.button(key=key(form, "submit")).click().run()
    assert "已保存“满100减20”。" in texts(at, "success")
    with unit_of_work(committed) as session:
        saved = session.get(CouponTemplate, coupon.id)
        assert (saved.name, saved.total_quantity, saved.value_fen, saved.threshold_fen) == ("老客满100减20", 5, 2000, 10000)
    [(action, before, after)] = audit(committed, "coupon_template")[1:]
    assert (action, before, after) == ("coupon.update", {"name": "满100减20", "total_quantity": None},
                                       {"name": "老客满100减20", "total_quantity": 5})
    assert at.text_input(key=key(form, "total_quantity", 1)).value == "5"  # the form shows the saved coupon


def test_a_coupon_is_issued_to_shoppers_found_by_nickname_phone_or_level_with_a_reason(committed, shop, open_as):
    with unit_of_work(committed) as session:
        ensure_default_levels(session)
        lin, wang, chen = make_user(session, "林晓"), make_user(session, "王芳"), make_user(session, "陈明")
        set_phone(session, user=wang, phone="13912345678")
        give_growth(session, chen, 1200)  # 银卡会员
        coupon = make_coupon(session, name="会员日满100减20", claimable=False)
        give_coupon(session, coupon, wang)
        form, ids = state.coupon_form(coupon.id, "issue"), {"林晓": lin.id, "王芳": wang.id, "陈明": chen.id}
    at = open_as("operator", COUPONS)
    at.text_input(key=key(form, "q")).set_value("13912345678").run()
    assert [r["昵称"] for r in table(at, "成长值")] == ["王芳"]
    assert table(at, "成长值")[0]["手机号"] == "139****5678"
    at.text_input(key=key(form, "q")).set_value("").run()
    at.selectbox(key=key(form, "level")).set_value(1).run()
    assert [(r["昵称"], r["会员等级"]) for r in table(at, "成长值")] == [("陈明", "银卡会员")]

    at.selectbox(key=key(form, "level")).set_value(None).run()
    at.checkbox(key=key(form, "all")).check().run()
    assert at.button(key=key(form, "submit")).label == "发放给 3 位"
    at.button(key=key(form, "submit")).click().run()
    assert texts(at, "error") == ["请填写发放原因（不超过 200 字）"]  # reason_required, beside the button
    assert field_above(at, "请填写发放原因（不超过 200 字）") == "发放给 3 位"
    at.text_input(key=key(form, "reason")).set_value("会员日回馈")
    at.button(key=key(form, "submit")).click().run()
    assert "已发放 2 张“会员日满100减20”。" in texts(at, "success")
    assert "跳过 1 位：王芳（已达每人限领张数）" in texts(at, "warning")
    with unit_of_work(committed) as session:
        issued = session.scalars(select(UserCoupon).where(UserCoupon.template_id == coupon.id,
                                                          UserCoupon.reason == "会员日回馈")).all()
        assert sorted(c.user_id for c in issued) == sorted([ids["林晓"], ids["陈明"]])
        assert {c.source for c in issued} == {CouponSource.ISSUE}
        assert session.get(CouponTemplate, coupon.id).claimed == 3
    [(action, _, after)] = audit(committed, "coupon_template")[1:]
    assert action == "coupon.issue" and after["reason"] == "会员日回馈"
    assert after["skipped"] == [{"user_id": ids["王芳"], "code": CouponError.COUPON_LIMIT_REACHED}]


def test_the_list_shows_what_each_coupon_drove_and_stopping_asks_first(committed, shop, open_as, sandbox_url):
    with unit_of_work(committed) as session:
        coupon = make_coupon(session, name="满100减20")
        buyer = make_user(session, "陈明")
        held = give_coupon(session, coupon, buyer)
        order = place(session, buyer, [(shop["large"], 2)], coupon_id=held.id)  # ¥160 of goods, ¥20 off
        pay(session, order, sandbox_url)
        form = state.coupon_form(coupon.id, "stop")
    at = open_as("operator", COUPONS)
    [row] = table(at, "summary")
    assert (row["claimed"], row["used"], row["orders"], row["sales"], row["off"]) == ("1 / 不限", 1, 1, "¥140.00",
                                                                                      "¥20.00")
    assert [m.value for m in at.metric] == ["1", "1", "1", "¥140.00", "¥20.00"]

    assert at.button(key=key(form, "submit")).disabled  # until it is confirmed
    at.checkbox(key=key(form, "confirm")).check().run()
    at.button(key=key(form, "submit")).click().run()
    assert texts(at, "success") == ["已停止“满100减20”。已领取的券在有效期内仍可使用。"]
    assert "已停止发放：已领取的券在有效期内仍可使用。" in texts(at, "info")  # the domain offers nothing more
    assert not [b for b in at.button if b.key and b.key.startswith(f"coupons.edit.{coupon.id}.")]
    with unit_of_work(committed) as session:
        assert session.get(CouponTemplate, coupon.id).status == TemplateStatus.STOPPED
    assert [a for a, _, _ in audit(committed, "coupon_template")][-1] == "coupon.stop"


# --- 满减 and limited-time activities --------------------------------------------------------------------------

def test_a_ladder_full_reduction_previews_its_tiers_and_is_created(committed, shop, open_as):
    at = open_as("operator", PROMOTIONS)
    assert [h.value for h in at.header] == ["满减与限时折扣"]
    at.text_input(key=key(NEW_LADDER, "name")).set_value("春季满减")
    at.session_state[editor_key(at, NEW_LADDER, "tiers")] = {
        "edited_rows": {0: {"threshold_yuan": "199", "off_yuan": "20"}}, "deleted_rows": [],
        "added_rows": [{"threshold_yuan": "299", "off_yuan": "50"}]}
    at.text_input(key=key(NEW_LADDER, "preview.cart")).set_value("299").run()
    assert "¥299.00 的购物车：减 ¥50.00，实付 ¥249.00（不含运费）" in texts(at, "success")
    at.text_input(key=key(NEW_LADDER, "preview.cart")).set_value("298.99").run()
    assert "¥298.99 的购物车：减 ¥20.00，实付 ¥278.99（不含运费）" in texts(at, "success")
    at.text_input(key=key(NEW_LADDER, "preview.cart")).set_value("198.99").run()
    assert "¥198.99 的购物车：不享受优惠。未达到满减门槛" in texts(at, "warning")

    at.multiselect(key=key(NEW_LADDER, "scope.categories")).set_value([shop["fresh"]])
    at.button(key=key(NEW_LADDER, "submit")).click().run()
    assert not at.exception, at.exception
    assert "已创建活动“春季满减”。" in texts(at, "success")
    with unit_of_work(committed) as session:
        [promotion] = session.scalars(select(Promotion)).all()
        assert (promotion.tiers, promotion.repeat, promotion.category_ids, promotion.stack_with_coupon) == (
            [[19900, 2000], [29900, 5000]], False, [shop["fresh"]], True)
        today = clock.local(clock.now()).date()
        assert (clock.local(promotion.starts_at).date(), clock.local(promotion.ends_at).date()) == (
            today, today + timedelta(days=8))
    [row] = table(at, "content")
    assert (row["name"], row["kind"], row["state"], row["content"]) == ("春季满减", "满减", "进行中", "满199减20，满299减50")
    assert [a for a, _, _ in audit(committed, "promotion")] == ["promotion.create"]


def test_a_wrong_tier_is_named_by_its_row_and_repeat_mode_takes_one_tier(committed, shop, open_as):
    at = open_as("operator", PROMOTIONS)
    at.text_input(key=key(NEW_LADDER, "name")).set_value("每满100减10")
    at.radio(key=key(NEW_LADDER, "mode")).set_value("repeat")
    at.session_state[editor_key(at, NEW_LADDER, "tiers")] = {
        "edited_rows": {0: {"threshold_yuan": "100", "off_yuan": "十"}}, "deleted_rows": [], "added_rows": []}
    at.run()
    at.button(key=key(NEW_LADDER, "submit")).click().run()
    assert texts(at, "error") == ["第 1 档：“十”不是金额，请填写如 19.90 的元数"]
    at.session_state[editor_key(at, NEW_LADDER, "tiers")] = {
        "edited_rows": {0: {"threshold_yuan": "100", "off_yuan": "10"}}, "deleted_rows": [],
        "added_rows": [{"threshold_yuan": "200", "off_yuan": "30"}]}
    at.run()
    at.button(key=key(NEW_LADDER, "submit")).click().run()
    assert texts(at, "error") == ["每满减只设一档：每满多少减多少"]  # the domain's refusal, beside the tiers
    at.session_state[editor_key(at, NEW_LADDER, "tiers")] = {
        "edited_rows": {0: {"threshold_yuan": "100", "off_yuan": "10"}}, "deleted_rows": [], "added_rows": []}
    at.text_input(key=key(NEW_LADDER, "max_off")).set_value("30")
    at.text_input(key=key(NEW_LADDER, "preview.cart")).set_value("450").run()
    assert "¥450.00 的购物车：减 ¥30.00，实付 ¥420.00（不含运费）" in texts(at, "success")  # 4 × ¥10, at most ¥30
    at.button(key=key(NEW_LADDER, "submit")).click().run()
    with unit_of_work(committed) as session:
        [promotion] = session.scalars(select(Promotion)).all()
        assert (promotion.tiers, promotion.repeat, promotion.max_off_fen) == ([[10000, 1000]], True, 3000)


def test_a_limited_time_activity_picks_skus_with_their_stock_and_keeps_typed_rows(committed, shop, open_as):
    at = open_as("operator", PROMOTIONS)
    at.segmented_control(key=state.PROMOTIONS_NEW_KIND).set_value("time_limited").run()
    at.text_input(key=key(NEW_FLASH, "name")).set_value("周末特价")
    at.text_input(key=key(NEW_FLASH, "sku_q")).set_value("苹果").run()
    skus = at.multiselect(key=key(NEW_FLASH, "skus"))
    assert skus.options == ["红富士苹果 · 款1 · ¥50.00 · 库存 30", "红富士苹果 · 款2 · ¥80.00 · 库存 30"]
    skus.set_value([shop["small"]]).run()
    at.session_state[editor_key(at, NEW_FLASH, "items")] = {
        "edited_rows": {0: {"promo_yuan": "39", "activity_stock": "10", "per_user_limit": "2"}},
        "deleted_rows": [], "added_rows": []}
    at.run()
    # A second SKU: the first row keeps what was typed.
    at.multiselect(key=key(NEW_FLASH, "skus")).set_value([shop["small"], shop["large"]]).run()
    rows = at.data_editor(key=editor_key(at, NEW_FLASH, "items")).value.to_dict("records")
    assert [(r["title"], r["price"], r["stock"], r["promo_yuan"], r["activity_stock"]) for r in rows] == [
        ("红富士苹果", "50.00", 30, "39", "10"), ("红富士苹果", "80.00", 30, "", "")]
    at.session_state[editor_key(at, NEW_FLASH, "items")] = {
        "edited_rows": {1: {"promo_yuan": "90", "activity_stock": "5"}}, "deleted_rows": [], "added_rows": []}
    at.run()
    at.button(key=key(NEW_FLASH, "submit")).click().run()
    assert texts(at, "error") == ["“红富士苹果”的活动价需低于原价"]
    assert field_above(at, "“红富士苹果”的活动价需低于原价") == "参加活动的规格"  # under the SKUs and their table
    at.session_state[editor_key(at, NEW_FLASH, "items")] = {
        "edited_rows": {1: {"promo_yuan": "59.90", "activity_stock": "5"}}, "deleted_rows": [], "added_rows": []}
    at.run()
    at.button(key=key(NEW_FLASH, "submit")).click().run()
    assert "已创建活动“周末特价”。" in texts(at, "success")
    with unit_of_work(committed) as session:
        [promotion] = session.scalars(select(Promotion)).all()
        assert sorted((i.sku_id, i.promo_price_fen, i.activity_stock, i.per_user_limit) for i in promotion.items) == [
            (shop["small"], 3900, 10, 2), (shop["large"], 5990, 5, None)]
        assert {s: p.promo_price_fen for s, p in sku_promos(session, [shop["small"], shop["large"]]).items()} == {
            shop["small"]: 3900, shop["large"]: 5990}


def test_a_running_activity_shows_its_sales_and_once_stopped_offers_nothing(committed, shop, open_as, sandbox_url):
    with unit_of_work(committed) as session:
        promotion = make_promotion(session, "time_limited", name="限时苹果", items=[(shop["small"], 3900, 10, 3)])
        buyer = make_user(session, "陈明")
        pay(session, place(session, buyer, [(shop["small"], 2)]), sandbox_url)
        place(session, make_user(session, "王芳"), [(shop["small"], 1)])  # not paid: holds a unit
        form = state.promotion_form(promotion.id, "stop")
    at = open_as("operator", PROMOTIONS)
    assert {m.label: m.value for m in at.metric} == {
        "付款订单": "1", "购买人数": "1", "活动价件数": "2", "销售额": "¥78.00", "优惠金额": "¥22.00",
        "已退款": "¥0.00", "待付款订单": "1"}
    [item] = table(at, "活动库存剩余")
    assert (item["原价（元）"], item["活动价（元）"], item["活动库存"], item["已售"], item["活动库存剩余"],
            item["商品库存"], item["已付款件数"], item["销售额"]) == ("¥50.00", "¥39.00", 10, 3, 7, 27, 2, "¥78.00")

    at.checkbox(key=key(form, "confirm")).check().run()
    at.button(key=key(form, "submit")).click().run()
    assert texts(at, "success") == ["已停止活动“限时苹果”。"]
    assert "活动已结束或已停止，不能再修改。" in texts(at, "caption")
    assert not [b for b in at.button if b.key and b.key.startswith(f"promotions.edit.{promotion.id}.")]
    with unit_of_work(committed) as session:
        assert session.get(Promotion, promotion.id).status == PromotionStatus.STOPPED
        assert sku_promos(session, [shop["small"]]) == {}  # back at its normal price
    assert [a for a, _, _ in audit(committed, "promotion")][-1] == "promotion.stop"


def test_an_edit_that_overlaps_another_activity_is_refused_beside_the_skus(committed, shop, open_as):
    with unit_of_work(committed) as session:
        make_promotion(session, "time_limited", name="限时小果", items=[(shop["small"], 3900, 10, None)])
        later = make_promotion(session, "time_limited", name="限时大果", starts_in=timedelta(days=1),
                               items=[(shop["large"], 6900, 5, None)])
        form = state.promotion_form(later.id, "edit")
    at = open_as("operator", PROMOTIONS)  # the newest first: 限时大果 is open
    at.multiselect(key=key(form, "skus")).set_value([shop["large"], shop["small"]]).run()
    assert any(c.startswith("红富士苹果 · 款1 · ¥50.00 · 库存 30 正在活动 #") for c in texts(at, "caption"))
    at.session_state[editor_key(at, form, "items")] = {
        "edited_rows": {1: {"promo_yuan": "45", "activity_stock": "3"}}, "deleted_rows": [], "added_rows": []}
    at.run()
    at.button(key=key(form, "submit")).click().run()
    [error] = texts(at, "error")
    assert error.startswith("“红富士苹果”（规格 ") and error.endswith("）已在同一时段的活动「限时小果」中")
    with unit_of_work(committed) as session:
        assert [i.sku_id for i in session.get(Promotion, later.id).items] == [shop["large"]]
    assert [a for a, _, _ in audit(committed, "promotion")] == ["promotion.create", "promotion.create"]


def english(committed, role: str, screen: str):
    """The screen opened in English from the start. (Switching with options already chosen is for a browser: AppTest
    formats a widget's options outside the app's session, in the default language.)"""
    with unit_of_work(committed) as session:
        member = make_staff(session, role)
        who = state.SignedIn(actor=Actor.of(member), display_name=member.username)
    at = new_app()
    at.session_state[state.SIGNED_IN] = who
    at.session_state[state.LANG] = "en"
    return open_screen(at.run(), screen)


def test_the_marketing_screens_speak_english(committed, shop):
    with unit_of_work(committed) as session:
        make_coupon(session, name="满100减20")
        make_promotion(session, "full_reduction", name="满199减20", tiers=((19900, 2000),))
    at = english(committed, "owner", COUPONS)
    assert at.header[0].value == "Coupons"
    [row] = table(at, "summary")
    assert (row["state"], row["validity"], row["claimable"]) == ("Active", "7 days from claiming", "Yes")
    assert at.button(key=key(NEW_COUPON, "submit")).label == "Create coupon"
    assert at.radio(key=key(NEW_COUPON, "kind") + "@en").options == ["Fixed amount off", "Percentage off"]
    at = english(committed, "operator", PROMOTIONS)
    assert at.header[0].value == "Promotions"
    [row] = table(at, "content")
    assert (row["kind"], row["state"], row["stacking"]) == ("Spend & save", "Running", "Coupons may follow")
    assert [m.label for m in at.metric][:2] == ["Paid orders", "Buyers"]


def test_window_moments_are_shanghai_days_and_times():
    """A date and time picked on the screen are Asia/Shanghai (UTC+8), whatever the server's zone."""
    from dashboard.components.marketing_fields import day_start_in

    start = day_start_in(0)
    assert start.utcoffset() == timedelta(hours=8) and (start.hour, start.minute) == (0, 0)
    assert start.date() == clock.local(clock.now()).date() and isinstance(start.date(), date)
