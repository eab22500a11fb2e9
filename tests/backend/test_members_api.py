"""Members over HTTP: levels, my growth, check-in, shares and visits, my share rewards and invitees, the rules; and
the staff side: levels, member search and ledger, adjustments, rewards, their settings and the funnel."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from domain import clock
from domain.errors import CommonError
from domain.members.errors import MemberError, ShareError
from domain.members.rewards import grant_due_rewards
from domain.members.service import ensure_default_levels
from domain.models import AuditEntry, User
from domain.security import crypto
from domain.settings.errors import SettingsError
from domain.wechat.errors import WeChatError
from tests.builders import complete, give_growth, make_coupon, make_product, make_user, pay, place
from tests.refusals import refused


@pytest.fixture(autouse=True)
def levels(db):
    ensure_default_levels(db)


@pytest.fixture
def owner(staff_headers):
    return staff_headers("owner")


@pytest.fixture
def operator(staff_headers):
    return staff_headers("operator")


def test_levels_are_public_with_their_benefits(client):
    levels = client.get("/api/v1/members/levels").json()
    assert [(lv["level"], lv["name"], lv["growth_threshold"], lv["discount_bp"]) for lv in levels] == [
        (0, "普通会员", 0, 10000), (1, "银卡会员", 1000, 9800), (2, "金卡会员", 5000, 9500)]
    assert levels[1]["benefits"] == "全场商品 9.8 折"


def test_check_in_twice_the_same_day_answers_409_and_me_shows_the_growth(client, shopper):
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI))
    headers, _ = shopper("checker")
    before = client.get("/api/v1/me/check-in", headers=headers).json()
    assert (before["checked_in_today"], before["streak"], before["points_today"], before["month"]) == \
        (False, 0, 5, [])
    done = client.post("/api/v1/me/check-in", headers=headers)
    assert done.status_code == 200
    assert (done.json()["checked_in_today"], done.json()["streak"], done.json()["month"]) == \
        (True, 1, ["2026-03-02"])
    refused(MemberError.ALREADY_CHECKED_IN, client.post("/api/v1/me/check-in", headers=headers), status=409)
    me = client.get("/api/v1/me", headers=headers).json()
    assert (me["member"]["growth"], me["member"]["name"], me["member"]["next_level_growth"]) == (5, "普通会员", 1000)
    history = client.get("/api/v1/me/growth", headers=headers).json()
    assert history["total"] == 1
    assert [(e["kind"], e["points"], e["ref"]) for e in history["items"]] == [("check_in", 5, "2026-03-02")]
    assert client.get("/api/v1/me/check-in", params={"month": "2026-02"}, headers=headers).json()["month"] == []
    assert client.get("/api/v1/me/check-in", params={"month": "March"}, headers=headers).status_code == 422
    assert client.post("/api/v1/me/check-in").status_code == 401


def test_a_share_gives_its_path_and_a_visit_is_counted_once_and_earns_nothing(client, shopper, db):
    a_headers, a = shopper("sharer_a")
    b_headers, _ = shopper("visitor_b", invite_code=a["user"]["invite_code"])
    product = make_product(db, title="分享测试商品")
    res = client.post("/api/v1/shares", json={"target": "product", "product_id": product.id, "channel": "friend"},
                      headers=a_headers)
    assert res.status_code == 201, res.text
    share = res.json()
    assert share["path"] == (f"pages/product/detail?id={product.id}&invite={a['user']['invite_code']}"
                             f"&s={share['share_id']}")
    assert share["title"] == "分享测试商品"
    for _ in range(2):
        assert client.post(f"/api/v1/shares/{share['share_id']}/visits", headers=b_headers).status_code == 204
    refused(ShareError.SHARE_NOT_FOUND, client.post("/api/v1/shares/999999/visits", headers=b_headers), status=404)
    refused(ShareError.INVALID_SHARE, client.post("/api/v1/shares", json={"target": "product", "channel": "friend"},
                                                  headers=a_headers), status=422)
    assert client.post("/api/v1/shares", json={"target": "shop", "channel": "moments"},
                       headers=a_headers).status_code == 422
    for headers in (a_headers, b_headers):
        assert client.get("/api/v1/me/growth", headers=headers).json()["total"] == 0
        assert client.get("/api/v1/me", headers=headers).json()["member"]["growth"] == 0
    assert client.get("/api/v1/me/share-rewards", headers=a_headers).json() == {"items": [], "total": 0}
    invitees = client.get("/api/v1/me/invitees", headers=a_headers).json()
    assert [(i["first_order_paid"], i["reward_status"]) for i in invitees["items"]] == [(False, None)]


def test_the_rules_are_written_from_the_settings(client, operator, db):
    off = client.get("/api/v1/share-rewards/rules").json()
    assert (off["enabled"], off["kind"]) == (False, "none")
    assert any("均不获得任何奖励" in line for line in off["rules"])
    template = make_coupon(db, name="邀请礼", value_fen=1000, threshold_fen=0, per_user_limit=100)
    res = client.put("/api/v1/admin/share-rewards/settings", headers=operator, json={
        "share_reward_kind": "coupon", "share_reward_coupon_id": template.id, "share_reward_daily_cap": 2,
        "share_reward_lifetime_cap": 20, "share_reward_rules": "如有疑问请联系客服"})
    assert res.status_code == 200, res.text
    assert res.json()["share_reward_daily_cap"] == 2
    rules = client.get("/api/v1/share-rewards/rules").json()
    assert (rules["enabled"], rules["kind"], rules["coupon_template_id"], rules["daily_cap"], rules["lifetime_cap"]) \
        == (True, "coupon", template.id, 2, 20)
    assert rules["reward"] == "优惠券「邀请礼」（无门槛减10）"
    assert any("确认收货满 7 天" in line for line in rules["rules"])
    assert any("分享到朋友圈不获得任何奖励" in line for line in rules["rules"])
    assert rules["note"] == "如有疑问请联系客服"
    audit = db.scalar(select(AuditEntry).where(AuditEntry.action == "share_rewards.settings"))
    assert audit.after["share_reward_kind"] == "coupon"


def test_a_reward_coupon_must_be_active_and_allow_the_lifetime_cap(client, operator, db, staff_headers):
    stingy = make_coupon(db, per_user_limit=1)
    res = client.put("/api/v1/admin/share-rewards/settings", headers=operator,
                     json={"share_reward_kind": "coupon", "share_reward_coupon_id": stingy.id})
    refused(ShareError.INVALID_SHARE_REWARD_SETTINGS, res, status=422)
    assert "每人限领 1 张" in res.json()["error"]["message"]
    refused(SettingsError.INVALID_SETTINGS, client.put("/api/v1/admin/share-rewards/settings", headers=operator,
                                                       json={"share_reward_kind": "coupon"}), status=422)
    assert client.put("/api/v1/admin/share-rewards/settings", headers=operator,
                      json={"checkin_points": [1]}).status_code == 422
    support = staff_headers("support")
    refused(CommonError.FORBIDDEN, client.get("/api/v1/admin/share-rewards/settings", headers=support), status=403)


def test_staff_find_members_by_nickname_phone_and_level_with_orders_and_spend(client, operator, db, sandbox_url):
    a, b = make_user(db, "会员甲"), make_user(db, "会员乙")
    b.phone_enc, b.phone_bidx = crypto.encrypt("13922223333"), crypto.phone_index("13922223333")
    sku = make_product(db, prices=(150000,)).skus[0]
    complete(db, pay(db, place(db, a, [(sku.id, 1)]), sandbox_url))  # ¥1500: 1500 points, 银卡
    db.flush()
    found = client.get("/api/v1/admin/members", params={"q": "会员甲"}, headers=operator).json()
    assert [(m["user_id"], m["level_name"], m["growth"], m["orders"], m["spend_fen"]) for m in found["items"]] == [
        (a.id, "银卡会员", 1500, 1, 150000)]
    by_phone = client.get("/api/v1/admin/members", params={"q": "139 2222 3333"}, headers=operator).json()
    assert [(m["user_id"], m["phone_masked"], m["orders"]) for m in by_phone["items"]] == [(b.id, "139****3333", 0)]
    silver = client.get("/api/v1/admin/members", params={"level": 1}, headers=operator).json()
    assert [m["user_id"] for m in silver["items"]] == [a.id]
    assert b.id in [m["user_id"] for m in client.get("/api/v1/admin/members", params={"level": 0, "page_size": 100},
                                                     headers=operator).json()["items"]]
    top = client.get("/api/v1/admin/members", params={"sort": "spend"}, headers=operator).json()
    assert top["items"][0]["user_id"] == a.id
    assert client.get(f"/api/v1/admin/members/{a.id}", headers=operator).json()["spend_fen"] == 150000
    refused(MemberError.MEMBER_NOT_FOUND, client.get("/api/v1/admin/members/999999", headers=operator), status=404)


def test_staff_adjust_growth_with_a_reason_and_see_the_ledger(client, operator, db):
    member = make_user(db, "调整对象")
    res = client.post(f"/api/v1/admin/members/{member.id}/growth", headers=operator,
                      json={"points": 1200, "reason": "线下活动"})
    assert res.status_code == 201, res.text
    assert (res.json()["kind"], res.json()["points"], res.json()["reason"]) == ("adjustment", 1200, "线下活动")
    assert res.json()["staff_username"].startswith("operator")
    ledger = client.get(f"/api/v1/admin/members/{member.id}/growth", headers=operator).json()
    assert [(e["points"], e["reason"]) for e in ledger["items"]] == [(1200, "线下活动")]
    assert client.get(f"/api/v1/admin/members/{member.id}", headers=operator).json()["level_name"] == "银卡会员"
    refused(MemberError.INVALID_ADJUSTMENT, client.post(f"/api/v1/admin/members/{member.id}/growth", headers=operator,
                                                        json={"points": 0, "reason": "零"}), status=422)
    assert client.post(f"/api/v1/admin/members/{member.id}/growth", headers=operator,
                       json={"points": "5", "reason": "x"}).status_code == 422
    refused(MemberError.MEMBER_NOT_FOUND, client.post("/api/v1/admin/members/999999/growth", headers=operator,
                                                      json={"points": 5, "reason": "x"}), status=404)
    take = client.post(f"/api/v1/admin/members/{member.id}/growth", headers=operator,
                       json={"points": -5000, "reason": "回收"}).json()
    assert take["points"] == -1200  # never below 0
    refused(MemberError.GROWTH_AT_ZERO, client.post(f"/api/v1/admin/members/{member.id}/growth", headers=operator,
                                                    json={"points": -1, "reason": "再扣"}), status=409)


def test_the_levels_are_replaced_whole_by_the_owner_only(client, owner, operator, db):
    member = make_user(db)
    give_growth(db, member, 800)
    current = client.get("/api/v1/admin/member-levels", headers=operator).json()
    body = [{"id": lv["id"], "name": lv["name"], "growth_threshold": lv["growth_threshold"],
             "discount_bp": lv["discount_bp"], "benefits": lv["benefits"]} for lv in current]
    body[1]["growth_threshold"] = 500
    refused(CommonError.FORBIDDEN, client.put("/api/v1/admin/member-levels", headers=operator, json=body), status=403)
    res = client.put("/api/v1/admin/member-levels", headers=owner, json=body)
    assert res.status_code == 200, res.text
    assert [lv["growth_threshold"] for lv in res.json()] == [0, 500, 5000]
    assert client.get(f"/api/v1/admin/members/{member.id}", headers=owner).json()["level_name"] == "银卡会员"
    body[0]["growth_threshold"] = 10
    refused(MemberError.INVALID_LEVELS, client.put("/api/v1/admin/member-levels", headers=owner, json=body),
            status=422)


def test_my_share_rewards_and_the_funnel(client, shopper, operator, db, sandbox_url):
    template = make_coupon(db, name="邀请礼", value_fen=1000, threshold_fen=0, per_user_limit=100)
    client.put("/api/v1/admin/share-rewards/settings", headers=operator,
               json={"share_reward_kind": "coupon", "share_reward_coupon_id": template.id})
    a_headers, a = shopper("funnel_a")
    share = client.post("/api/v1/shares", json={"target": "shop", "channel": "poster"}, headers=a_headers).json()
    visitors = [shopper(f"funnel_v{i}", invite_code=a["user"]["invite_code"]) for i in range(3)]
    outsider_headers, _ = shopper("funnel_outsider")
    for headers, _ in visitors:
        client.post(f"/api/v1/shares/{share['share_id']}/visits", headers=headers)
    client.post(f"/api/v1/shares/{share['share_id']}/visits", headers=outsider_headers)
    sku = make_product(db, prices=(8800,)).skus[0]
    buyer = db.get(User, visitors[0][1]["user"]["id"])
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    mine = client.get("/api/v1/me/share-rewards", headers=a_headers).json()
    assert [(r["invitee_nickname"], r["order_no"], r["kind"], r["coupon_template_id"], r["status"])
            for r in mine["items"]] == [(buyer.nickname, order.order_no, "coupon", template.id, "pending")]
    complete(db, order)
    with clock.travel(timedelta(days=8)):
        assert grant_due_rewards(db)[0] == 1
    granted_day = clock.local(clock.now() + timedelta(days=8)).date().isoformat()  # the grant counts on its day
    funnel = client.get("/api/v1/admin/share-rewards/funnel", params={"to": granted_day}, headers=operator).json()
    assert client.get("/api/v1/me/share-rewards", params={"status": "granted"}, headers=a_headers).json()["total"] == 1
    totals = client.get("/api/v1/me/share-rewards/summary", headers=a_headers).json()
    assert totals == {"invitees": 3, "pending": 0, "granted": 1, "cancelled": 0, "granted_points": 0,
                      "granted_coupons": 1}
    assert client.get("/api/v1/me/coupons", headers=a_headers).json()["items"][0]["source"] == "reward"
    assert {k: funnel[k] for k in ("shares", "visits", "visitors", "bound", "first_orders", "rewards_granted",
                                   "granted_coupons")} == {"shares": 1, "visits": 4, "visitors": 4, "bound": 3,
                                                           "first_orders": 1, "rewards_granted": 1,
                                                           "granted_coupons": 1}
    assert funnel["shares_by_channel"] == {"friend": 0, "timeline": 0, "poster": 1}
    staff_list = client.get("/api/v1/admin/share-rewards", headers=operator).json()
    assert [(r["inviter_id"], r["status"]) for r in staff_list["items"]] == [(a["user"]["id"], "granted")]
    refused(MemberError.INVALID_RANGE, client.get("/api/v1/admin/share-rewards/funnel", headers=operator,
                                                  params={"from": "2026-03-05", "to": "2026-03-01"}), status=422)



@pytest.mark.parametrize("params", [{"from": "0001-01-01"}, {"to": "9999-12-31"}])
def test_the_funnel_refuses_dates_outside_the_calendar_it_counts(client, operator, params):
    refused(MemberError.INVALID_RANGE, client.get("/api/v1/admin/share-rewards/funnel", headers=operator,
                                                  params=params), status=422)


def test_the_phone_binds_through_the_sandbox_and_staff_find_the_member_by_it(client, shopper, operator):
    headers, body = shopper("phone_binder")
    res = client.post("/api/v1/me/phone", json={"code": "sandbox-phone-13812345678"}, headers=headers)
    assert res.status_code == 200, res.text
    assert res.json()["phone_masked"] == "138****5678"
    found = client.get("/api/v1/admin/members", params={"q": "13812345678"}, headers=operator).json()
    assert [(m["user_id"], m["phone_masked"]) for m in found["items"]] == [(body["user"]["id"], "138****5678")]
    bad = client.post("/api/v1/me/phone", json={"code": "not-a-phone-code"}, headers=headers)
    refused(WeChatError.INVALID_PHONE_CODE, bad, status=422)
    assert client.get("/api/v1/me", headers=headers).json()["phone_masked"] == "138****5678"
