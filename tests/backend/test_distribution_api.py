"""The distribution centre and its staff screens over HTTP."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from domain.audit.service import list_actions
from domain.distribution.errors import DistributionError
from domain.errors import CommonError
from domain.models import EntryType, WalletEntry
from domain.wallet.errors import WalletError
from tests.builders import deliver_notification, make_product
from tests.refusals import refused

ADDRESS = {"name": "陈明", "phone": "13700137000", "province": "广东省", "city": "广州市", "district": "天河区",
           "detail": "天河路 1 号"}


def apply_and_approve(client, headers, owner, name="王芳"):
    res = client.post("/api/v1/distribution/apply", headers=headers,
                      json={"real_name": name, "phone": "138 0013 8000", "reason": "朋友多"})
    assert res.status_code == 201, res.text
    approved = client.post(f"/api/v1/admin/distributor-applications/{res.json()['id']}/approve", headers=owner)
    assert approved.status_code == 200, approved.text
    return approved.json()


def test_application_states_from_none_to_approved_and_review_refusals(client, shopper, staff_headers):
    h, me = shopper("dist_apply")
    assert client.get("/api/v1/distribution/me", headers=h).json()["status"] == "none"
    bad = client.post("/api/v1/distribution/apply", headers=h, json={"real_name": "王", "phone": "138"})
    assert bad.status_code == 422
    app = client.post("/api/v1/distribution/apply", headers=h,
                      json={"real_name": "王芳", "phone": "13800138000", "reason": "想分享"}).json()
    assert app["status"] == "pending"
    twice = client.post("/api/v1/distribution/apply", headers=h, json={"real_name": "王芳", "phone": "13800138000"})
    refused(DistributionError.APPLICATION_PENDING, twice, status=409)
    owner = staff_headers("owner")
    queue = client.get("/api/v1/admin/distributor-applications", params={"status": "pending"}, headers=owner).json()
    mine = next(a for a in queue["items"] if a["id"] == app["id"])
    assert (mine["real_name"], mine["phone"], mine["nickname"]) == ("王芳", "13800138000", me["user"]["nickname"])
    rejected = client.post(f"/api/v1/admin/distributor-applications/{app['id']}/reject", headers=owner,
                           json={"reason": "资料不完整"}).json()
    assert rejected["status"] == "rejected"
    state = client.get("/api/v1/distribution/me", headers=h).json()
    assert (state["status"], state["application"]["reject_reason"]) == ("rejected", "资料不完整")
    again = client.post("/api/v1/distribution/apply", headers=h, json={"real_name": "王芳", "phone": "13800138000"})
    client.post(f"/api/v1/admin/distributor-applications/{again.json()['id']}/approve", headers=owner)
    assert client.get("/api/v1/distribution/me", headers=h).json()["status"] == "approved"
    reviewed = client.post(f"/api/v1/admin/distributor-applications/{again.json()['id']}/approve", headers=owner)
    refused(DistributionError.APPLICATION_ALREADY_REVIEWED, reviewed, status=409)
    support = staff_headers("support")
    assert client.get("/api/v1/admin/distributor-applications", headers=support).status_code == 403


def test_share_qrcode_is_fetched_once_and_the_poster_is_a_png(client, shopper, staff_headers, sandbox_url):
    h, me = shopper("dist_share")
    assert client.get("/api/v1/distribution/qrcode", headers=h).status_code == 403  # not a distributor yet
    apply_and_approve(client, h, staff_headers("owner"))
    info = client.get("/api/v1/distribution/me", headers=h).json()
    assert info["share_path"] == f"pages/index/index?invite={me['user']['invite_code']}"
    scene = f"i={me['user']['invite_code']}"
    before = [r for r in httpx.get(sandbox_url + "records", params={"kind": "wxacode"}).json()["items"]
              if r["scene"] == scene]
    first = client.get("/api/v1/distribution/qrcode", headers=h)
    second = client.get("/api/v1/distribution/qrcode", headers=h)
    assert first.headers["content-type"] == "image/png" and first.content == second.content
    after = [r for r in httpx.get(sandbox_url + "records", params={"kind": "wxacode"}).json()["items"]
             if r["scene"] == scene]
    assert len(after) - len(before) == 1  # cached after the first fetch
    poster = client.get("/api/v1/distribution/poster", headers=h)
    image = Image.open(io.BytesIO(poster.content))
    assert image.format == "PNG" and image.size == (600, 900)
    assert len(set(image.convert("RGB").getdata())) > 20  # text, colours and the code, not a blank


def test_team_commissions_and_withdrawals_for_the_a_b_c_story(client, db, shopper, staff_headers, sandbox_url,
                                                               pay_api):
    owner, finance = staff_headers("owner"), staff_headers("finance")
    ha, a = shopper("story_a")
    hb, b = shopper("story_b", invite_code=a["user"]["invite_code"])
    hc, c = shopper("story_c", invite_code=b["user"]["invite_code"])
    apply_and_approve(client, ha, owner, "林晓")
    apply_and_approve(client, hb, owner, "王芳")
    sku = make_product(db, title="降噪蓝牙耳机", prices=(9999,), stock=10).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=hc).json()
    order = client.post("/api/v1/orders", headers=hc, json={"items": [{"sku_id": sku.id, "quantity": 3}],
                                                             "address_id": address["id"]}).json()
    pay = client.post(f"/api/v1/orders/{order['id']}/pay", headers=hc).json()
    assert "SUCCESS" in deliver_notification(client, sandbox_url, pay["prepay_id"]).text

    b_me = client.get("/api/v1/distribution/me", headers=hb).json()
    assert b_me["balance"]["frozen_fen"] == 2999 and b_me["team"] == {"level1_count": 1, "level2_count": 0}
    a_me = client.get("/api/v1/distribution/me", headers=ha).json()
    assert a_me["balance"]["frozen_fen"] == 1499 and a_me["team"] == {"level1_count": 1, "level2_count": 1}
    level2 = client.get("/api/v1/distribution/team", params={"level": 2}, headers=ha).json()
    assert [(m["nickname"], m["order_count"], m["order_amount_fen"]) for m in level2["items"]] == \
        [(c["user"]["nickname"], 1, 29997)]
    commissions = client.get("/api/v1/distribution/commissions", params={"status": "frozen"}, headers=hb).json()
    assert [(x["level"], x["base_fen"], x["rate_bp"], x["amount_fen"]) for x in commissions["items"]] == \
        [(1, 29997, 1000, 2999)]
    promo = client.get("/api/v1/distribution/orders", headers=ha).json()
    assert [(o["order_no"], o["commission_fen"], o["level"]) for o in promo["items"]] == [(order["order_no"], 1499, 2)]

    # Money B can withdraw (as if settled) — then the withdrawal is held, paid by finance and recorded by WeChat.
    db.add(WalletEntry(user_id=b["user"]["id"], entry_type=EntryType.ADJUSTMENT, amount_fen=2999, note="测试"))
    db.commit()  # a savepoint in this test's transaction, so that refused requests below do not roll it back
    below = client.post("/api/v1/distribution/withdrawals", headers=hb, json={"amount_fen": 99, "method": "wechat"})
    refused(WalletError.WITHDRAW_BELOW_MINIMUM, below, status=409)
    over = client.post("/api/v1/distribution/withdrawals", headers=hb, json={"amount_fen": 3000, "method": "wechat"})
    refused(WalletError.INSUFFICIENT_BALANCE, over, status=409)
    w = client.post("/api/v1/distribution/withdrawals", headers=hb, json={"amount_fen": 2999, "method": "wechat"})
    assert w.status_code == 201 and w.json()["status"] == "pending"
    queue = client.get("/api/v1/admin/withdrawals", params={"status": "pending"}, headers=finance).json()
    assert w.json()["id"] in [x["id"] for x in queue["items"]]
    paid = client.post(f"/api/v1/admin/withdrawals/{w.json()['id']}/approve", headers=finance).json()
    if pay_api == "v3":  # 商家转账: the bill waits for B's 确认收款, then WeChat's notification pays it
        assert (paid["status"], paid["actions"]) == ("awaiting_confirmation", [])
        waiting = client.get("/api/v1/distribution/withdrawals", headers=hb).json()["items"]
        assert [(x["status"], x["actions"]) for x in waiting] == [("awaiting_confirmation", ["confirm_receipt"])]
        transfer = client.get(f"/api/v1/distribution/withdrawals/{w.json()['id']}/transfer", headers=hb).json()
        assert transfer["package"] and transfer["mch_id"] and transfer["app_id"]
        confirmed = httpx.post(sandbox_url + "transfer/confirm",
                               json={"out_bill_no": w.json()["withdrawal_no"], "deliver": False}).json()
        notified = client.post("/api/v1/payments/wechat/transfer-notify", content=confirmed["body"].encode(),
                               headers=confirmed["headers"])
        assert notified.status_code == 200, notified.text
        listed = client.get("/api/v1/admin/withdrawals", headers=finance).json()["items"]
        paid = next(x for x in listed if x["id"] == w.json()["id"])
    assert paid["status"] == "paid" and paid["payout_ref"]
    mine = client.get("/api/v1/distribution/withdrawals", headers=hb).json()
    assert [x["status"] for x in mine["items"]] == ["paid"]
    balance = client.get("/api/v1/distribution/me", headers=hb).json()["balance"]
    assert (balance["available_fen"], balance["withdrawn_fen"]) == (0, 2999)

    listed = client.get("/api/v1/admin/distributors", params={"q": a["user"]["invite_code"]}, headers=owner).json()
    assert [(d["level1_count"], d["level2_count"], d["frozen_fen"]) for d in listed["items"]] == [(1, 1, 1499)]
    disabled = client.post(f"/api/v1/admin/distributors/{a['user']['id']}/disable", headers=owner,
                           json={"reason": "违规"}).json()
    assert disabled["is_enabled"] is False
    assert client.get("/api/v1/distribution/me", headers=ha).json()["status"] == "disabled"
    records = client.get("/api/v1/admin/commissions", params={"level": 2}, headers=finance).json()
    assert any(r["order_no"] == order["order_no"] and r["amount_fen"] == 1499 for r in records["items"])


def test_product_detail_shows_what_a_distributor_earns(client, db, shopper, staff_headers):
    sku_product = make_product(db, prices=(12900, 15900))
    h, _ = shopper("dist_detail")
    assert client.get(f"/api/v1/products/{sku_product.id}", headers=h).json()["commission"] is None
    apply_and_approve(client, h, staff_headers("owner"))
    detail = client.get(f"/api/v1/products/{sku_product.id}", headers=h).json()
    assert detail["commission"] == {"level1_fen": 1290, "level2_fen": 645}
    assert [s["commission_level1_fen"] for s in detail["skus"]] == [1290, 1590]


def test_admin_withdrawals_offer_actions_mask_the_account_and_reveal_it_with_an_audit_entry(client, db, shopper,
                                                                                          staff_headers):
    owner, finance, support = staff_headers("owner"), staff_headers("finance"), staff_headers("support")
    h, me = shopper("bank_payee")
    apply_and_approve(client, h, owner, "钱多多")
    db.add(WalletEntry(user_id=me["user"]["id"], entry_type=EntryType.ADJUSTMENT, amount_fen=5000, note="测试"))
    db.commit()
    bank = {"bank_name": "招商银行", "account_name": "钱多多", "account_no": "6225 8801 2345 6789"}
    created = client.post("/api/v1/distribution/withdrawals", headers=h,
                          json={"amount_fen": 4000, "method": "bank", "bank": bank})
    assert created.status_code == 201, created.text
    w = created.json()
    assert (w["account_no_masked"], w["status"]) == ("**** 6789", "pending")  # as the mini-program shows it

    listed = client.get("/api/v1/admin/withdrawals", params={"status": "pending"}, headers=finance)
    [row] = [x for x in listed.json()["items"] if x["id"] == w["id"]]
    assert (row["nickname"], row["account_no_masked"], row["account_holder_masked"], row["actions"]) == (
        me["user"]["nickname"], "**** 6789", "钱**", ["approve", "reject", "reveal_account"])
    assert "6225880123456789" not in listed.text and "钱多多" not in listed.text

    refused(WalletError.WITHDRAWAL_NOT_APPROVED, client.post(f"/api/v1/admin/withdrawals/{w['id']}/mark-paid",
                                                             headers=finance, json={"reference": "CMB1"}), status=409)
    approved = client.post(f"/api/v1/admin/withdrawals/{w['id']}/approve", headers=finance).json()
    assert (approved["status"], approved["actions"]) == ("approved", ["mark_paid", "reject", "reveal_account"])

    for _ in range(2):
        revealed = client.post(f"/api/v1/admin/withdrawals/{w['id']}/reveal-account", headers=finance)
        assert revealed.json() == {"withdrawal_id": w["id"], "bank_name": "招商银行", "account_name": "钱多多",
                                   "account_no": "6225880123456789"}
    refused(CommonError.FORBIDDEN, client.post(f"/api/v1/admin/withdrawals/{w['id']}/reveal-account",
                                               headers=support), status=403)
    _, total = list_actions(db, entity_type="withdrawal", entity_id=w["id"], action_prefix="withdrawal.reveal")
    assert total == 2

    paid = client.post(f"/api/v1/admin/withdrawals/{w['id']}/mark-paid", headers=finance,
                       json={"reference": "CMB20261201"}).json()
    assert (paid["status"], paid["payout_ref"], paid["actions"]) == ("paid", "CMB20261201", ["reveal_account"])


def test_admin_applications_and_distributors_offer_actions_and_disabling_needs_a_reason(client, shopper,
                                                                                       staff_headers):
    owner = staff_headers("owner")
    h, me = shopper("review_me")
    application = client.post("/api/v1/distribution/apply", headers=h,
                              json={"real_name": "赵磊", "phone": "13700137001"}).json()
    queue = client.get("/api/v1/admin/distributor-applications", params={"status": "pending"}, headers=owner).json()
    [row] = [a for a in queue["items"] if a["id"] == application["id"]]
    assert (row["real_name"], row["phone"], row["actions"]) == ("赵磊", "13700137001", ["approve", "reject"])
    approved = client.post(f"/api/v1/admin/distributor-applications/{application['id']}/approve", headers=owner)
    assert (approved.json()["status"], approved.json()["actions"]) == ("approved", [])

    user_id = me["user"]["id"]
    listed = client.get("/api/v1/admin/distributors", params={"q": me["user"]["invite_code"]}, headers=owner).json()
    assert [(d["is_enabled"], d["actions"]) for d in listed["items"]] == [(True, ["disable"])]
    refused(DistributionError.REASON_REQUIRED, client.post(f"/api/v1/admin/distributors/{user_id}/disable",
                                                           headers=owner), status=422)
    refused(DistributionError.DISTRIBUTOR_ALREADY_ENABLED,
            client.post(f"/api/v1/admin/distributors/{user_id}/enable", headers=owner), status=409)
    disabled = client.post(f"/api/v1/admin/distributors/{user_id}/disable", headers=owner, json={"reason": "违规"})
    assert (disabled.json()["is_enabled"], disabled.json()["disabled_reason"], disabled.json()["actions"]) == (
        False, "违规", ["enable"])
    assert client.get(f"/api/v1/admin/distributors/{user_id}/team", headers=owner).json() == {"items": [], "total": 0}
    refused(DistributionError.DISTRIBUTOR_NOT_FOUND,
            client.get(f"/api/v1/admin/distributors/{user_id + 10_000}/team", headers=owner), status=404)


def test_every_distribution_endpoint_documents_its_refusals(client):
    paths = client.get("/openapi.json").json()["paths"]
    ours = {(path, method): op for path, ops in paths.items() for method, op in ops.items()
            if path.startswith(("/api/v1/distribution", "/api/v1/admin/distributor", "/api/v1/admin/withdrawals",
                                "/api/v1/admin/commissions"))}
    assert len(ours) >= 20
    for (path, method), op in ours.items():
        assert {"401", "422"} <= set(op["responses"]), (method, path)
        if path.startswith("/api/v1/admin"):
            assert "403" in op["responses"], (method, path)
    reveal = paths["/api/v1/admin/withdrawals/{withdrawal_id}/reveal-account"]["post"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(reveal)
