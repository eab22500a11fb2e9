"""End to end over real HTTP: the API, the sandbox and the CLI run as processes, as in production."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from domain.config import get_config
from domain.db import unit_of_work
from tests.builders import make_product
from tests.support import ROOT

ADDRESS = {"name": "陈明", "phone": "13700137000", "province": "广东省", "city": "广州市", "district": "天河区",
           "detail": "天河路 1 号"}


class Api:
    def __init__(self, base: str, token: str | None = None) -> None:
        self.base, self.headers = base, {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method: str, path: str, expect: int = 200, **kwargs):
        res = httpx.request(method, self.base + path, headers={**self.headers, **kwargs.pop("headers", {})},
                            timeout=30, **kwargs)
        assert res.status_code == expect, f"{method} {path} → {res.status_code} {res.text}"
        return res.json() if "json" in res.headers.get("content-type", "") else res


def shopper(api_url: str, name: str, invite_code: str | None = None) -> tuple[Api, dict]:
    body = Api(api_url).call("POST", "/api/v1/auth/login", json={"code": f"sandbox-{name}", "invite_code": invite_code})
    return Api(api_url, body["token"]), body["user"]


def staff(api_url: str, role: str) -> Api:
    """Create the account with the real CLI (password on stdin), then log in over HTTP."""
    username, password = f"e2e_{role}", f"{role}-password-1"
    done = subprocess.run([sys.executable, "-m", "backend", "create-staff", username, "--role", role],
                          input=password + "\n", text=True, capture_output=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    token = Api(api_url).call("POST", "/api/v1/admin/auth/login",
                              json={"username": username, "password": password})["token"]
    return Api(api_url, token)


def pay_in_sandbox(buyer: Api, sandbox_url: str, order_id: int) -> None:
    pay = buyer.call("POST", f"/api/v1/orders/{order_id}/pay")
    confirm = httpx.post(sandbox_url + "pay/confirm", json={"prepay_id": pay["prepay_id"]}, timeout=30).json()
    assert confirm["delivered"] and confirm["status_code"] == 200 and "SUCCESS" in confirm["answer"]


@pytest.fixture
def catalog(committed):
    with unit_of_work(committed) as s:
        earphones = make_product(s, title="降噪蓝牙耳机", prices=(9999,), stock=20)
        mug = make_product(s, title="陶瓷马克杯", prices=(4900, 5900), stock=20)
        return {"earphones": earphones.skus[0].id, "mug_white": mug.skus[0].id, "mug_blue": mug.skus[1].id}


def test_a_shopper_buys_pays_gets_the_parcel_and_returns_one_item(catalog, api_url, sandbox_url):
    operator, support = staff(api_url, "operator"), staff(api_url, "support")
    buyer, _ = shopper(api_url, "e2e_buyer")
    buyer.call("POST", "/api/v1/cart/items", expect=201, json={"sku_id": catalog["mug_white"], "quantity": 2})
    buyer.call("POST", "/api/v1/cart/items", expect=201, json={"sku_id": catalog["mug_blue"], "quantity": 1})
    items = [{"sku_id": i["sku_id"], "quantity": i["quantity"]} for i in buyer.call("GET", "/api/v1/cart")["items"]]
    preview = buyer.call("POST", "/api/v1/orders/preview", json={"items": items})
    assert (preview["goods_fen"], preview["shipping_fen"], preview["payable_fen"]) == (15700, 0, 15700)
    address = buyer.call("POST", "/api/v1/addresses", expect=201, json=ADDRESS)
    order = buyer.call("POST", "/api/v1/orders", expect=201, headers={"Idempotency-Key": "e2e-1"},
                       json={"items": items, "address_id": address["id"], "from_cart": True})
    assert order["payable_fen"] == preview["payable_fen"]

    pay_in_sandbox(buyer, sandbox_url, order["id"])  # the sandbox calls our notify URL, as WeChat does
    assert buyer.call("GET", f"/api/v1/orders/{order['id']}")["status"] == "paid"

    operator.call("POST", f"/api/v1/admin/orders/{order['id']}/ship",
                  json={"carrier": "顺丰速运", "tracking_no": "SFE2E000001"})
    operator.call("POST", f"/api/v1/admin/orders/{order['id']}/tracking-events", expect=201,
                  json={"text": "【广州】快件已到达天河营业部"})
    logistics = buyer.call("GET", f"/api/v1/orders/{order['id']}/logistics")
    assert [e["text"] for e in logistics["events"]] == ["【广州】快件已到达天河营业部", "商家已发货，顺丰速运 运单号 SFE2E000001"]
    received = buyer.call("POST", f"/api/v1/orders/{order['id']}/confirm-receipt")
    assert received["status"] == "completed"

    white = next(line for line in received["lines"] if line["sku_id"] == catalog["mug_white"])
    asked = buyer.call("POST", f"/api/v1/orders/{order['id']}/refunds", expect=201,
                       json={"lines": [{"order_line_id": white["id"], "quantity": 1}], "reason": "杯子有裂纹"})
    done = support.call("POST", f"/api/v1/admin/refunds/{asked['id']}/approve")
    assert (done["status"], done["amount_fen"]) == ("refunded", 4900)

    refunds = httpx.get(sandbox_url + "records", params={"kind": "refund"}).json()["items"]
    assert [(r["out_trade_no"], r["refund_fee"]) for r in refunds if r["out_refund_no"] == asked["refund_no"]] == \
        [(order["order_no"], 4900)]
    shipping = httpx.get(sandbox_url + "records", params={"kind": "shipping"}).json()["items"]
    assert any(s["shipping_list"][0]["tracking_no"] == "SFE2E000001" for s in shipping)


def test_a_invites_b_b_invites_c_c_buys_and_both_withdraw_their_commission(catalog, api_url, sandbox_url):
    owner, finance = staff(api_url, "owner"), staff(api_url, "finance")
    a, a_user = shopper(api_url, "e2e_a")
    b, b_user = shopper(api_url, "e2e_b", invite_code=a_user["invite_code"])
    c, c_user = shopper(api_url, "e2e_c", invite_code=b_user["invite_code"])
    assert (b_user["inviter_id"], c_user["inviter_id"]) == (a_user["id"], b_user["id"])
    for person, name in ((a, "林晓"), (b, "王芳")):
        application = person.call("POST", "/api/v1/distribution/apply", expect=201,
                                  json={"real_name": name, "phone": "13800138000"})
        owner.call("POST", f"/api/v1/admin/distributor-applications/{application['id']}/approve")
    owner.call("PUT", "/api/v1/admin/settings", json={"settle_after_days": 0})

    address = c.call("POST", "/api/v1/addresses", expect=201, json=ADDRESS)
    order = c.call("POST", "/api/v1/orders", expect=201,
                   json={"items": [{"sku_id": catalog["earphones"], "quantity": 3}], "address_id": address["id"]})
    pay_in_sandbox(c, sandbox_url, order["id"])
    assert b.call("GET", "/api/v1/distribution/me")["balance"]["frozen_fen"] == 2999
    assert a.call("GET", "/api/v1/distribution/me")["balance"]["frozen_fen"] == 1499

    owner.call("POST", f"/api/v1/admin/orders/{order['id']}/ship", json={"carrier": "中通快递", "tracking_no": "ZT1"})
    c.call("POST", f"/api/v1/orders/{order['id']}/confirm-receipt")
    settled = finance.call("POST", "/api/v1/admin/jobs/settle-commissions/run")
    assert settled == {"job": "settle-commissions", "processed": 2}
    assert b.call("GET", "/api/v1/distribution/commissions", params={"status": "settled"})["items"][0]["amount_fen"] == 2999

    for person, amount in ((b, 2999), (a, 1499)):
        w = person.call("POST", "/api/v1/distribution/withdrawals", expect=201, json={"amount_fen": amount})
        paid = finance.call("POST", f"/api/v1/admin/withdrawals/{w['id']}/approve")
        if get_config().pay_v3:
            paid = confirm_receipt(person, sandbox_url, w, paid, amount)
        assert paid["status"] == "paid"
        balance = person.call("GET", "/api/v1/distribution/me")["balance"]
        assert (balance["available_fen"], balance["withdrawn_fen"], balance["total_earned_fen"]) == (0, amount, amount)
        transfers = httpx.get(sandbox_url + "records", params={"kind": "transfer"}).json()["items"]
        assert [t["amount"] for t in transfers
                if w["withdrawal_no"] in (t.get("partner_trade_no"), t.get("out_bill_no"))] == [amount]


def confirm_receipt(person: Api, sandbox_url: str, w: dict, approved: dict, amount: int) -> dict:
    """商家转账 (v3): the bill waits for the distributor; 确认收款 in the mini-program hands WeChat the bill's
    package, WeChat notifies the API over HTTP, and the withdrawal is paid. Returns it as the distributor sees it."""
    assert approved["status"] == "awaiting_confirmation"
    [mine] = [x for x in person.call("GET", "/api/v1/distribution/withdrawals")["items"] if x["id"] == w["id"]]
    assert (mine["status"], mine["actions"]) == ("awaiting_confirmation", ["confirm_receipt"])
    assert person.call("GET", "/api/v1/distribution/me")["balance"]["withdrawing_fen"] == amount
    transfer = person.call("GET", f"/api/v1/distribution/withdrawals/{w['id']}/transfer")
    [bill] = [t for t in httpx.get(sandbox_url + "records", params={"kind": "transfer"}).json()["items"]
              if t.get("out_bill_no") == w["withdrawal_no"]]
    assert (bill["state"], bill["transfer_scene_id"], transfer["mch_id"]) == ("WAIT_USER_CONFIRM", "1005", "1900000109")
    # What wx.requestMerchantTransfer does once the distributor confirms: WeChat pays and notifies us.
    confirmed = httpx.post(sandbox_url + "transfer/confirm", json={"out_bill_no": w["withdrawal_no"]}, timeout=30).json()
    assert (confirmed["delivered"], confirmed["status_code"], confirmed["state"]) == (True, 200, "SUCCESS")
    notified = httpx.get(sandbox_url + "records", params={"kind": "transfer_notify"}).json()["items"]
    assert [(n["state"], n["status_code"]) for n in notified if n["out_bill_no"] == w["withdrawal_no"]] == \
        [("SUCCESS", 200)]
    person.call("GET", f"/api/v1/distribution/withdrawals/{w['id']}/transfer", expect=409)  # nothing to confirm now
    [mine] = [x for x in person.call("GET", "/api/v1/distribution/withdrawals")["items"] if x["id"] == w["id"]]
    assert mine["actions"] == [] and mine["payout_ref"]
    return mine
