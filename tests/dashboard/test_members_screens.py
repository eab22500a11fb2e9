"""会员, 会员等级 and 分享有礼 on the dashboard: staff find members by nickname or phone and read their level, growth,
paid orders and spend in exact yuan; adjust growth with a reason (the domain takes what there is, moves the level and
audits); the owner edits the levels, typed as a percent of the price, and saving re-ranks everyone; marketing staff
set the share reward, see the rules shoppers read, the rewards and the funnel shares → visits → bindings → first
orders. Every save goes through the domain; the screens show its answers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from dashboard import state
from dashboard.views.member_levels import discount_text
from domain import clock
from domain.db import unit_of_work
from domain.members.reward_settings import SHARE_REWARD_KEYS
from domain.members.rewards import grant_due_rewards
from domain.members.service import ensure_default_levels, list_levels
from domain.members.shares import record_share, record_visit
from domain.models import (
    AuditEntry,
    GrowthEntry,
    GrowthKind,
    ShareReward,
    ShareRewardKind,
    ShareRewardStatus,
    User,
)
from domain.settings.service import get_settings, update_settings
from domain.users.service import set_phone
from tests.builders import complete, give_growth, make_coupon, make_product, make_user, pay, place, refund
from tests.dashboard.conftest import table, texts

MEMBERS, LEVELS, SHARE_REWARDS = "views/members.py", "views/member_levels.py", "views/share_rewards.py"


def key(form: str, field: str, version: int = 0) -> str:
    return state.widget_key(form, field, version)


def audit(committed, action: str) -> list[tuple[dict | None, dict | None]]:
    with unit_of_work(committed) as session:
        return [(e.before, e.after) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def member(committed, user_id: int) -> tuple[int, str]:
    with unit_of_work(committed) as session:
        user = session.get(User, user_id)
        levels = {lv.id: lv.name for lv in list_levels(session)}
        return user.growth, levels.get(user.member_level_id, "")


def nicknames(at) -> list[str]:
    return [r["nickname"] for r in table(at, "nickname")]


@pytest.fixture
def shop(committed, sandbox_url):
    """The default levels (普通 0, 银卡 1000 at 98%, 金卡 5000 at 95%); 王芳 at 银卡 with a phone and a paid order of
    ¥120.00 at her 98%, ¥60.00 of it refunded; 陈明 at 900 growth; 周杰 with nothing."""
    with unit_of_work(committed) as session:
        ensure_default_levels(session)
        sku = make_product(session, title="保温杯", prices=(6000,), stock=50).skus[0]
        wang, chen, zhou = make_user(session, "王芳"), make_user(session, "陈明"), make_user(session, "周杰")
        set_phone(session, user=wang, phone="13812345678")
        give_growth(session, wang, 1200)
        give_growth(session, chen, 900)
        order = pay(session, place(session, wang, [(sku.id, 2)]), sandbox_url)
        refund(session, order, [(order.lines[0].id, 1)])
        return {"wang": wang.id, "chen": chen.id, "zhou": zhou.id, "sku": sku.id, "order": order.order_no}


# --- 会员 --------------------------------------------------------------------------------------------------------

def test_members_are_found_by_nickname_or_whole_phone_with_level_growth_paid_orders_and_spend(committed, shop,
                                                                                               open_as):
    at = open_as("operator", MEMBERS)
    assert [h.value for h in at.header] == ["会员"]
    assert "共 3 位会员" in texts(at, "caption")
    rows = {r["nickname"]: r for r in table(at, "nickname")}
    # ¥60.00 × 2 at 98% is ¥117.60 paid; one cup refunded (¥58.80) leaves ¥58.80 spent.
    assert (rows["王芳"]["phone"], rows["王芳"]["level"], rows["王芳"]["growth"], rows["王芳"]["orders"],
            rows["王芳"]["spend"]) == ("138****5678", "银卡会员", 1200, 1, "¥58.80")
    assert (rows["陈明"]["level"], rows["陈明"]["growth"], rows["陈明"]["orders"], rows["陈明"]["spend"]) == \
        ("普通会员", 900, 0, "¥0.00")

    at.text_input(key=state.MEMBERS_FILTER_Q).set_value("13812345678").run()
    assert nicknames(at) == ["王芳"]
    at.text_input(key=state.MEMBERS_FILTER_Q).set_value("1381234").run()  # phones are never searched in part
    assert texts(at, "info") == ["没有符合条件的会员。"]
    at.text_input(key=state.MEMBERS_FILTER_Q).set_value("陈").run()
    assert nicknames(at) == ["陈明"]
    at.text_input(key=state.MEMBERS_FILTER_Q).set_value("").run()
    at.selectbox(key=state.MEMBERS_FILTER_LEVEL).set_value(1).run()
    assert nicknames(at) == ["王芳"]
    at.selectbox(key=state.MEMBERS_FILTER_LEVEL).set_value(0).run()
    assert sorted(nicknames(at)) == ["周杰", "陈明"]


def test_growth_is_adjusted_with_a_reason_moving_the_level_both_ways_and_audited(committed, shop, open_as):
    at = open_as("operator", MEMBERS)
    at.text_input(key=state.MEMBERS_FILTER_Q).set_value("陈明").run()
    form = state.growth_adjust_form(shop["chen"])
    [metrics] = [[(m.label, m.value) for m in at.metric]]
    assert metrics == [("会员等级", "普通会员"), ("成长值", "900"), ("付款订单", "0"), ("消费金额", "¥0.00")]

    at.number_input(key=key(form, "points")).set_value(100)
    at.text_input(key=key(form, "reason")).set_value("线下活动奖励")
    at.button(key=key(form, "submit")).click().run()
    assert not at.error, texts(at, "error")
    assert "已为 陈明 调整成长值 +100。" in texts(at, "success")
    assert member(committed, shop["chen"]) == (1000, "银卡会员")  # 1000 is exactly 银卡's threshold
    # Newest first; the 900 came from a test builder, with no member of staff.
    [mine, earlier] = table(at, "来源")
    assert (mine["来源"], mine["成长值"], mine["原因"]) == ("人工调整", "+100", "线下活动奖励")
    assert mine["操作人"].startswith("operator")
    assert (earlier["成长值"], earlier["原因"], earlier["操作人"]) == ("+900", "测试", "")
    assert [m.value for m in at.metric][:2] == ["银卡会员", "1000"]

    # Taking more than there is takes what there is, and says so; the level follows down.
    at.number_input(key=key(form, "points", 1)).set_value(-5000)
    at.text_input(key=key(form, "reason", 1)).set_value("误操作更正")
    at.button(key=key(form, "submit", 1)).click().run()
    assert "已为 陈明 调整成长值 -1000（申请 -5000，成长值最低为 0）。" in texts(at, "success")
    assert member(committed, shop["chen"]) == (0, "普通会员")
    assert [(r["来源"], r["成长值"]) for r in table(at, "来源")] == [("人工调整", "-1000"), ("人工调整", "+100"),
                                                                 ("人工调整", "+900")]
    assert [after for _, after in audit(committed, "member.growth_adjust")] == [
        {"growth": 1000, "points": 100, "reason": "线下活动奖励"},
        {"growth": 0, "points": -1000, "reason": "误操作更正"}]

    # The domain's refusals, in its words: nothing left to take, no points, no reason.
    at.number_input(key=key(form, "points", 2)).set_value(-1)
    at.text_input(key=key(form, "reason", 2)).set_value("再扣")
    at.button(key=key(form, "submit", 2)).click().run()
    assert texts(at, "error") == ["该会员成长值已为 0，无法再扣减"]
    at.number_input(key=key(form, "points", 2)).set_value(0)
    at.button(key=key(form, "submit", 2)).click().run()
    assert texts(at, "error") == ["请填写调整的成长值（非 0 的整数，绝对值不超过 1000000）"]
    at.number_input(key=key(form, "points", 2)).set_value(10)
    at.text_input(key=key(form, "reason", 2)).set_value("  ")
    at.button(key=key(form, "submit", 2)).click().run()
    assert texts(at, "error") == ["请填写调整原因（不超过 200 字）"]
    assert member(committed, shop["chen"]) == (0, "普通会员")
    assert len(audit(committed, "member.growth_adjust")) == 2


def test_the_ledger_names_each_source_with_its_reference(committed, shop, open_as, sandbox_url):
    with unit_of_work(committed) as session:
        zhou = session.get(User, shop["zhou"])
        order = pay(session, place(session, zhou, [(shop["sku"], 1)]), sandbox_url)
        complete(session, order)
        order_no = order.order_no
    at = open_as("owner", MEMBERS)
    at.text_input(key=state.MEMBERS_FILTER_Q).set_value("周杰").run()
    # ¥60.00 of goods is 60 points at completion.
    assert [(r["来源"], r["成长值"], r["关联"]) for r in table(at, "来源")] == [("订单完成", "+60", order_no)]
    assert member(committed, shop["zhou"]) == (60, "普通会员")


# --- 会员等级 ----------------------------------------------------------------------------------------------------

LEVELS_EDITOR = key(state.MEMBER_LEVELS_FORM, "levels")


def levels_of(committed) -> list[tuple[str, int, int, str]]:
    with unit_of_work(committed) as session:
        return [(lv.name, lv.growth_threshold, lv.discount_bp, lv.benefits) for lv in list_levels(session)]


@pytest.mark.parametrize(("bp", "text"), [(9800, "98%（9.8折）"), (9500, "95%（9.5折）"), (8850, "88.5%（8.85折）"),
                                          (10000, "100%（不打折）"), (1, "0.01%（0.001折）")])
def test_a_discount_reads_as_the_percent_of_the_price_paid_and_as_zhe(bp, text):
    assert discount_text(bp) == text


def test_the_owner_edits_the_levels_as_a_percent_of_the_price_and_saving_reranks_everyone(committed, shop, open_as):
    at = open_as("owner", LEVELS)
    assert [(r["name"], r["threshold"], r["discount"]) for r in table(at, "discount")] == [
        ("普通会员", 0, "100%（不打折）"), ("银卡会员", 1000, "98%（9.8折）"), ("金卡会员", 5000, "95%（9.5折）")]
    # 银卡 from 800 at 97.5%; a new 钻石会员 from 10000 at 90%.
    at.session_state[LEVELS_EDITOR] = {
        "edited_rows": {1: {"growth_threshold": "800", "discount": "97.5"}}, "deleted_rows": [],
        "added_rows": [{"name": "钻石会员", "growth_threshold": "10000", "discount": "90", "benefits": "专属客服"}]}
    at.run()
    [preview] = [c for c in texts(at, "caption") if c.startswith("保存后：")]
    assert preview.split("  \n")[1:] == ["普通会员：成长值满 0，付原价的 100%（不打折）",
                                         "银卡会员：成长值满 800，付原价的 97.5%（9.75折）",
                                         "金卡会员：成长值满 5000，付原价的 95%（9.5折）",
                                         "钻石会员：成长值满 10000，付原价的 90%（9折）"]
    assert member(committed, shop["chen"]) == (900, "普通会员")
    at.button(key=key(state.MEMBER_LEVELS_FORM, "submit")).click().run()
    assert not at.error, texts(at, "error")
    assert texts(at, "success") == ["已保存 4 个会员等级，所有会员已按新门槛重新评定。"]
    assert levels_of(committed) == [("普通会员", 0, 10000, "签到领成长值"), ("银卡会员", 800, 9750, "全场商品 9.8 折"),
                                    ("金卡会员", 5000, 9500, "全场商品 9.5 折"), ("钻石会员", 10000, 9000, "专属客服")]
    assert member(committed, shop["chen"]) == (900, "银卡会员")  # 900 now meets 银卡's 800
    [(before, after)] = audit(committed, "member_levels.update")
    assert [lv["growth_threshold"] for lv in before["levels"]] == [0, 1000, 5000]
    assert [lv["growth_threshold"] for lv in after["levels"]] == [0, 800, 5000, 10000]
    # The editor opens again on what is stored now.
    assert at.data_editor(key=key(state.MEMBER_LEVELS_FORM, "levels", 1)).value["discount"].tolist() == [
        "100", "97.5", "95", "90"]


def test_what_cannot_be_read_is_named_by_row_and_the_domain_refuses_the_rest(committed, shop, open_as):
    at = open_as("owner", LEVELS)
    at.session_state[LEVELS_EDITOR] = {
        "edited_rows": {1: {"discount": "9.8折"}, 2: {"growth_threshold": "五千"}}, "deleted_rows": [],
        "added_rows": [{"name": "钻石会员"}]}
    at.run()
    assert texts(at, "error") == ["第 2 行：会员价“9.8折”需为原价的百分数，如 98（即 9.8折）",
                                  "第 3 行：成长值门槛“五千”需为 0 或正整数",
                                  "第 4 行：请填写成长值门槛", "第 4 行：请填写会员价（原价的 %，100 为不打折）"]
    assert at.button(key=key(state.MEMBER_LEVELS_FORM, "submit")).disabled
    # Readable, but not a ladder: the lowest level must start at 0.
    at.session_state[LEVELS_EDITOR] = {"edited_rows": {0: {"growth_threshold": "10"}}, "deleted_rows": [],
                                       "added_rows": []}
    at.run()
    at.button(key=key(state.MEMBER_LEVELS_FORM, "submit")).click().run()
    assert texts(at, "error") == ["最低等级的成长值门槛需为 0（每位会员都有等级）"]
    at.session_state[LEVELS_EDITOR] = {"edited_rows": {2: {"discount": "0"}}, "deleted_rows": [], "added_rows": []}
    at.run()
    at.button(key=key(state.MEMBER_LEVELS_FORM, "submit")).click().run()
    assert texts(at, "error") == ["“金卡会员”的折扣需在 0.01%–100% 之间（100% 为不打折）"]
    assert [lv[1:3] for lv in levels_of(committed)] == [(0, 10000), (1000, 9800), (5000, 9500)]
    assert audit(committed, "member_levels.update") == []


def test_removing_a_level_moves_its_members_to_the_level_their_growth_reaches(committed, shop, open_as):
    at = open_as("owner", LEVELS)
    at.session_state[LEVELS_EDITOR] = {"edited_rows": {}, "deleted_rows": [1], "added_rows": []}
    at.run()
    at.button(key=key(state.MEMBER_LEVELS_FORM, "submit")).click().run()
    assert texts(at, "success") == ["已保存 2 个会员等级，所有会员已按新门槛重新评定。"]
    assert [lv[0] for lv in levels_of(committed)] == ["普通会员", "金卡会员"]
    assert member(committed, shop["wang"]) == (1200, "普通会员")  # 1200 is below 金卡's 5000


def test_an_operator_reads_the_levels_and_only_the_owner_edits_them(committed, shop, open_as):
    at = open_as("operator", LEVELS)
    assert [r["name"] for r in table(at, "discount")] == ["普通会员", "银卡会员", "金卡会员"]
    assert texts(at, "info") == ["只有店主可以修改会员等级。"]
    assert not at.data_editor and not at.main.button


# --- 分享有礼 ----------------------------------------------------------------------------------------------------

SHARE_FORM = state.SHARE_REWARDS_FORM


def share_settings(committed) -> dict:
    with unit_of_work(committed) as session:
        return {k: getattr(get_settings(session), k) for k in SHARE_REWARD_KEYS}


def test_the_reward_is_set_to_a_coupon_with_caps_and_the_rules_shoppers_read_follow(committed, open_as):
    with unit_of_work(committed) as session:
        coupon = make_coupon(session, name="邀请有礼券", value_fen=1000, threshold_fen=5000, per_user_limit=20).id
        make_coupon(session, name="新人券", per_user_limit=1)
    at = open_as("operator", SHARE_REWARDS)
    assert [h.value for h in at.header] == ["分享有礼"]
    assert texts(at, "info")[0] == "分享有礼未开启。"
    at.radio(key=key(SHARE_FORM, "share_reward_kind")).set_value(ShareRewardKind.COUPON).run()
    picker = at.selectbox(key=key(SHARE_FORM, "share_reward_coupon_id"))
    assert picker.options == ["新人券（满100减20）· 每人限领 1 张", "邀请有礼券（满50减10）· 每人限领 20 张"]
    picker.set_value(coupon)
    at.number_input(key=key(SHARE_FORM, "share_reward_daily_cap")).set_value(2)
    at.number_input(key=key(SHARE_FORM, "share_reward_lifetime_cap")).set_value(20)
    at.text_area(key=key(SHARE_FORM, "share_reward_rules")).set_value("**刷单** 不予发放 [详情](http://x.cn)")
    at.button(key=key(SHARE_FORM, "submit")).click().run()
    assert not at.error, texts(at, "error")
    assert "分享有礼设置已保存。" in texts(at, "success")
    assert share_settings(committed) == {
        "share_reward_kind": "coupon", "share_reward_coupon_id": coupon, "share_reward_growth_points": 100,
        "share_reward_daily_cap": 2, "share_reward_lifetime_cap": 20,
        "share_reward_rules": "**刷单** 不予发放 [详情](http://x.cn)", "share_text": "好物推荐，一起来逛逛"}
    [(before, after)] = audit(committed, "share_rewards.settings")
    assert after == {"share_reward_kind": "coupon", "share_reward_coupon_id": coupon, "share_reward_daily_cap": 2,
                     "share_reward_lifetime_cap": 20, "share_reward_rules": "**刷单** 不予发放 [详情](http://x.cn)"}
    assert before["share_reward_kind"] == "none"
    # The rules as the 分享有礼 page shows them, written from what was saved; the note as typed, never Markdown.
    assert "每份奖励：优惠券「邀请有礼券」（满50减10）" in texts(at, "success")
    rules = "\n".join(texts(at, "markdown"))
    assert "每天最多获得 2 份奖励（按好友支付的日期计），累计最多 20 份" in rules
    assert "分享本身、好友访问、好友绑定均不获得奖励；分享到朋友圈不获得任何奖励。" in rules
    assert r"\*\*刷单\*\* 不予发放 \[详情\]\(http\:" in rules


def test_the_domain_refuses_a_coupon_its_limit_cannot_give_and_a_coupon_reward_without_a_coupon(committed, open_as):
    with unit_of_work(committed) as session:
        once = make_coupon(session, name="新人券", per_user_limit=1).id
    at = open_as("operator", SHARE_REWARDS)
    at.radio(key=key(SHARE_FORM, "share_reward_kind")).set_value(ShareRewardKind.COUPON).run()
    at.button(key=key(SHARE_FORM, "submit")).click().run()
    assert texts(at, "error") == ["分享有礼奖励为优惠券时，请选择优惠券"]
    at.selectbox(key=key(SHARE_FORM, "share_reward_coupon_id")).set_value(once)
    at.button(key=key(SHARE_FORM, "submit")).click().run()
    assert texts(at, "error") == ["优惠券「新人券」每人限领 1 张，少于累计奖励上限 100 份：请提高其每人限领张数，或降低累计上限"]
    at.number_input(key=key(SHARE_FORM, "share_reward_daily_cap")).set_value(0)
    at.button(key=key(SHARE_FORM, "submit")).click().run()
    assert texts(at, "error") == ["每日奖励上限：不能小于 1"]
    assert share_settings(committed)["share_reward_kind"] == "none"
    assert audit(committed, "share_rewards.settings") == []


def test_growth_points_as_the_reward_and_every_setting_has_its_field(committed, open_as):
    at = open_as("owner", SHARE_REWARDS)
    shown = set()

    def fields() -> set[str]:
        return {w.key for kind in ("radio", "selectbox", "number_input", "text_area", "text_input")
                for w in getattr(at, kind) if w.key and w.key.startswith(f"{SHARE_FORM}.v")}

    at.radio(key=key(SHARE_FORM, "share_reward_kind")).set_value(ShareRewardKind.GROWTH).run()
    shown |= fields()
    at.number_input(key=key(SHARE_FORM, "share_reward_growth_points")).set_value(50)
    at.text_input(key=key(SHARE_FORM, "share_text")).set_value("春季上新，一起逛逛")
    at.button(key=key(SHARE_FORM, "submit")).click().run()
    assert not at.error, texts(at, "error")
    assert "每份奖励：50 成长值" in texts(at, "success")
    assert "分享卡片：优选生活馆 · 春季上新，一起逛逛" in texts(at, "caption")
    saved = share_settings(committed)
    assert (saved["share_reward_kind"], saved["share_reward_growth_points"], saved["share_text"]) == \
        ("growth", 50, "春季上新，一起逛逛")
    with unit_of_work(committed) as session:
        coupon = make_coupon(session, name="邀请有礼券", per_user_limit=100).id
    at.radio(key=key(SHARE_FORM, "share_reward_kind", 1)).set_value(ShareRewardKind.COUPON).run()
    shown |= fields()
    at.selectbox(key=key(SHARE_FORM, "share_reward_coupon_id", 1)).set_value(coupon)
    at.button(key=key(SHARE_FORM, "submit", 1)).click().run()
    assert not at.error, texts(at, "error")
    # Every 分享有礼 setting is on this screen (系统设置 holds the others).
    assert {k.split(".")[-1] for k in shown} >= set(SHARE_REWARD_KEYS)


@pytest.fixture
def shared(committed, sandbox_url):
    """林晓 shares a product with friends and the shop on a poster, ten days ago. 陈明 (bound to her) opens both and
    pays a first order, completed then: his reward is granted now. 王芳 (bound) opens the product and pays today: hers
    waits. 吴磊 (bound) opens the poster and buys nothing; 周杰, bound to nobody, opens the product."""
    with unit_of_work(committed) as session:
        update_settings(session, {"share_reward_kind": "growth", "share_reward_growth_points": 100})
        sku = make_product(session, title="蓝牙耳机", prices=(12000,), stock=50).skus[0]
        lin = make_user(session, "林晓")
        chen, wang, wu = (make_user(session, name, inviter=lin) for name in ("陈明", "王芳", "吴磊"))
        zhou = make_user(session, "周杰")
        with clock.travel(timedelta(days=-10)):
            product = record_share(session, user=lin, target="product", product_id=sku.product_id, channel="friend")
            poster = record_share(session, user=lin, target="shop", channel="poster")
            for visitor, share in ((chen, product), (chen, poster), (wang, product), (wu, poster), (zhou, product)):
                record_visit(session, visitor=visitor, share_id=share.share_id)
            first = pay(session, place(session, chen, [(sku.id, 1)]), sandbox_url)
            complete(session, first)
        pay(session, place(session, wang, [(sku.id, 1)]), sandbox_url)
        assert grant_due_rewards(session)[0] == 1
        return {"first_order": first.order_no}


def test_the_funnel_shows_shares_visits_bindings_and_first_orders_and_the_rewards_given(committed, shared, open_as):
    at = open_as("operator", SHARE_REWARDS)
    [spec] = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    [funnel] = spec["data"]
    assert (funnel["type"], funnel["y"], funnel["x"]) == ("funnel", ["分享", "访问", "绑定", "首单"], [2, 5, 3, 2])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"分享给好友": "1", "分享到朋友圈": "0", "海报": "1", "访客": "4", "绑定": "3", "首单": "2",
                       "待发放奖励": "1", "已发放奖励": "1", "已取消奖励": "0", "发放的成长值": "100",
                       "发放的优惠券（张）": "0"}
    assert "共 2 份奖励" in texts(at, "caption")
    rows = [(r["邀请人"], r["好友"], r["奖励"], r["状态"]) for r in table(at, "邀请人")]
    assert rows == [("林晓", "王芳", "100 成长值", "待发放"), ("林晓", "陈明", "100 成长值", "已发放")]
    at.segmented_control(key=state.SHARE_REWARDS_STATUS).set_value(ShareRewardStatus.GRANTED).run()
    assert [(r["好友"], r["首单"]) for r in table(at, "邀请人")] == [("陈明", shared["first_order"])]
    with unit_of_work(committed) as session:
        assert session.scalar(select(GrowthEntry.points).where(GrowthEntry.kind == GrowthKind.SHARE_REWARD)) == 100
        assert len(session.scalars(select(ShareReward)).all()) == 2


def test_a_range_before_the_shares_shows_no_funnel(committed, shared, open_as):
    at = open_as("operator", SHARE_REWARDS)
    today = clock.local(clock.now()).date()
    at.date_input(key=state.SHARE_REWARDS_DAYS).set_value((today - timedelta(days=40), today - timedelta(days=20)))
    at.run()
    assert "期间内没有分享。" in texts(at, "info")
    assert not at.get("plotly_chart")


@pytest.mark.parametrize(("screen", "header", "label"), [
    (MEMBERS, "Members", "Search members"), (LEVELS, "Member levels", "Save levels"),
    (SHARE_REWARDS, "Share rewards", "Save settings")])
def test_the_screens_speak_english_too(committed, shop, open_as, screen, header, label):
    at = open_as("owner", screen)
    at.session_state[state.LANG] = "en"
    at.run()
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == [header]
    assert label in [w.label for w in (*at.text_input, *at.button)]
