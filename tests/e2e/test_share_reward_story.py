"""End to end over real HTTP, 分享有礼's story: A shares a product, B opens the share (the visit is recorded and B is
bound to A), nothing is earned yet; B pays in the sandbox and confirms receipt, the settle job runs, and A holds
the reward coupon — while B's growth comes from B's own completed order."""

from __future__ import annotations

import pytest

from domain.db import unit_of_work
from tests.builders import make_product
from tests.e2e.test_shopping_and_distribution_story import ADDRESS, pay_in_sandbox, shopper, staff


@pytest.fixture
def teapot(committed):
    with unit_of_work(committed) as s:
        product = make_product(s, title="紫砂茶壶", prices=(25800,), stock=10)
        return product.id, product.skus[0].id


def test_a_shares_b_visits_and_pays_the_settle_job_gives_a_the_reward_coupon(teapot, api_url, sandbox_url):
    product_id, sku_id = teapot
    owner, operator, finance = staff(api_url, "owner"), staff(api_url, "operator"), staff(api_url, "finance")
    reward = operator.call("POST", "/api/v1/admin/coupons", expect=201, json={
        "name": "邀请有礼", "kind": "fixed", "value_fen": 1000, "threshold_fen": 0, "valid_days": 30,
        "per_user_limit": 100, "claimable": False})
    settings = operator.call("PUT", "/api/v1/admin/share-rewards/settings", json={
        "share_reward_kind": "coupon", "share_reward_coupon_id": reward["id"]})
    assert settings["preview"]["reward"] == "优惠券「邀请有礼」（无门槛减10）"
    owner.call("PUT", "/api/v1/admin/settings", json={"settle_after_days": 0})  # the window ends at completion

    a, a_user = shopper(api_url, "e2e_share_a")
    rules = a.call("GET", "/api/v1/share-rewards/rules")
    assert rules["enabled"] and any("分享本身" in line for line in rules["rules"])
    share = a.call("POST", "/api/v1/shares", expect=201,
                   json={"target": "product", "product_id": product_id, "channel": "friend"})
    assert share["path"] == f"pages/product/detail?id={product_id}&invite={a_user['invite_code']}&s={share['share_id']}"

    # B opens the shared card: the mini-program logs in with the invite code and records the visit.
    b, b_user = shopper(api_url, "e2e_share_b", invite_code=a_user["invite_code"])
    assert b_user["inviter_id"] == a_user["id"]
    b.call("POST", f"/api/v1/shares/{share['share_id']}/visits", expect=204)
    b.call("POST", f"/api/v1/shares/{share['share_id']}/visits", expect=204)  # counted once
    assert a.call("GET", "/api/v1/me/share-rewards") == {"items": [], "total": 0}  # sharing, visit, binding: nothing
    assert a.call("GET", "/api/v1/me")["member"]["growth"] == 0
    funnel = operator.call("GET", "/api/v1/admin/share-rewards/funnel")
    assert (funnel["shares"], funnel["visits"], funnel["bound"], funnel["first_orders"]) == (1, 1, 1, 0)

    address = b.call("POST", "/api/v1/addresses", expect=201, json=ADDRESS)
    order = b.call("POST", "/api/v1/orders", expect=201,
                   json={"items": [{"sku_id": sku_id, "quantity": 1}], "address_id": address["id"]})
    pay_in_sandbox(b, sandbox_url, order["id"])
    [pending] = a.call("GET", "/api/v1/me/share-rewards")["items"]
    assert (pending["status"], pending["order_no"], pending["kind"], pending["coupon_template_id"]) == \
        ("pending", order["order_no"], "coupon", reward["id"])
    assert finance.call("POST", "/api/v1/admin/jobs/settle-share-rewards/run") == \
        {"job": "settle-share-rewards", "processed": 0}  # paid, not complete

    owner.call("POST", f"/api/v1/admin/orders/{order['id']}/ship", json={"carrier": "顺丰速运", "tracking_no": "SF9"})
    b.call("POST", f"/api/v1/orders/{order['id']}/confirm-receipt")
    assert finance.call("POST", "/api/v1/admin/jobs/settle-share-rewards/run") == \
        {"job": "settle-share-rewards", "processed": 1}

    [granted] = a.call("GET", "/api/v1/me/share-rewards")["items"]
    assert granted["status"] == "granted"
    [coupon] = a.call("GET", "/api/v1/me/coupons", params={"status": "unused"})["items"]
    assert (coupon["template_id"], coupon["source"], coupon["value_fen"]) == (reward["id"], "reward", 1000)
    assert a.call("GET", "/api/v1/me")["member"]["growth"] == 0  # a coupon reward: no growth for A
    growth = b.call("GET", "/api/v1/me/growth")["items"]
    assert [(e["kind"], e["points"], e["ref"]) for e in growth] == [("order_completed", 258, order["order_no"])]
    funnel = operator.call("GET", "/api/v1/admin/share-rewards/funnel")
    assert (funnel["first_orders"], funnel["rewards_granted"], funnel["granted_coupons"]) == (1, 1, 1)
