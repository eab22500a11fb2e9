from __future__ import annotations

import hashlib
import io
import secrets
import threading
import time
from collections import defaultdict
from datetime import datetime
from typing import Any

import httpx
import qrcode
import xmltodict
from fastapi import BackgroundTasks, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from wechatpy.crypto.base import BaseRefundCrypto
from wechatpy.pay.utils import calculate_signature, dict_to_xml

from domain.config import Config, get_config

LOGIN_PREFIX = "sandbox-"
PHONE_PREFIX = "sandbox-phone-"


class SandboxState:
    """Everything the fake WeChat remembers, in memory, behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.tokens: set[str] = set()
        self.orders: dict[str, dict] = {}  # out_trade_no → unified order
        self.prepay: dict[str, str] = {}  # prepay_id → out_trade_no
        self.refunds: dict[str, dict] = {}  # out_refund_no → refund
        self.transfers: dict[str, dict] = {}  # partner_trade_no → transfer
        self.records: dict[str, list[dict]] = defaultdict(list)
        self.fail_next: dict[str, str] = {}  # kind → WeChat error code to answer once

    def record(self, kind: str, payload: dict) -> None:
        self.records[kind].append({"time": datetime.now().isoformat(timespec="seconds"), **payload})

    def take_failure(self, kind: str) -> str | None:
        return self.fail_next.pop(kind, None)


def create_sandbox_app(config: Config | None = None) -> FastAPI:
    config = config or get_config()
    state = SandboxState()
    app = FastAPI(title="WeChat sandbox", description="本地模拟微信接口：登录、小程序码、支付、退款、转账、发货信息、订阅消息")
    app.state.sandbox = state
    api_key = config.wechat_api_key

    # --- mini-program APIs (JSON) -----------------------------------------------------------

    @app.get("/cgi-bin/token")
    def token(appid: str = "", secret: str = ""):
        if appid != config.wechat_appid or secret != config.wechat_secret:
            return {"errcode": 40013, "errmsg": "invalid appid or secret"}
        value = "sandbox_token_" + secrets.token_hex(8)
        with state.lock:
            state.tokens.add(value)
        return {"access_token": value, "expires_in": 7200}

    @app.get("/sns/jscode2session")
    def jscode2session(js_code: str = "", appid: str = "", secret: str = ""):
        if appid != config.wechat_appid or secret != config.wechat_secret:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if not js_code.startswith(LOGIN_PREFIX) or len(js_code) <= len(LOGIN_PREFIX):
            return {"errcode": 40029, "errmsg": "invalid code"}
        name = js_code[len(LOGIN_PREFIX):]
        return {"openid": f"o_sandbox_{name}", "session_key": secrets.token_urlsafe(16)}

    @app.post("/wxa/getwxacodeunlimit")
    async def wxacode(request: Request, access_token: str = ""):
        if err := _check_token(state, access_token):
            return err
        body = await request.json()
        scene = str(body.get("scene", ""))
        if not scene or len(scene) > 32:
            return {"errcode": 40169, "errmsg": "invalid length for scene"}
        img = qrcode.make(f"sandbox-wxacode:{body.get('page') or 'pages/index/index'}?scene={scene}",
                          box_size=10, border=2)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        with state.lock:
            state.record("wxacode", {"scene": scene, "page": body.get("page")})
        return Response(buf.getvalue(), media_type="image/png")

    @app.post("/wxa/business/getuserphonenumber")
    async def phone_number(request: Request, access_token: str = ""):
        if err := _check_token(state, access_token):
            return err
        code = str((await request.json()).get("code", ""))
        if not code.startswith(PHONE_PREFIX):
            return {"errcode": 40029, "errmsg": "invalid code"}
        phone = code[len(PHONE_PREFIX):]
        return {"errcode": 0, "errmsg": "ok",
                "phone_info": {"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86"}}

    @app.post("/cgi-bin/message/subscribe/send")
    async def subscribe_send(request: Request, access_token: str = ""):
        if err := _check_token(state, access_token):
            return err
        with state.lock:
            state.record("message", await request.json())
        return {"errcode": 0, "errmsg": "ok"}

    @app.post("/wxa/sec/order/upload_shipping_info")
    async def upload_shipping(request: Request, access_token: str = ""):
        if err := _check_token(state, access_token):
            return err
        body = await request.json()
        with state.lock:
            if state.take_failure("shipping"):
                return {"errcode": 10060001, "errmsg": "shipping info upload failed"}
            state.record("shipping", body)
        return {"errcode": 0, "errmsg": "ok"}

    # --- WeChat Pay (signed XML) ------------------------------------------------------------

    @app.post("/pay/unifiedorder")
    async def unifiedorder(request: Request):
        data, err = await _signed_request(request, api_key)
        if err:
            return err
        out_trade_no, total = data["out_trade_no"], int(data["total_fee"])
        with state.lock:
            if failure := state.take_failure("pay"):
                return _pay_fail(api_key, failure)
            order = state.orders.get(out_trade_no)
            if order:
                if order["status"] == "paid":
                    return _pay_fail(api_key, "ORDERPAID", "该订单已支付")
                if order["status"] == "closed":
                    return _pay_fail(api_key, "ORDERCLOSED", "该订单已关闭")
                if order["total_fee"] != total:
                    return _pay_fail(api_key, "INVALID_REQUEST", "201 商户订单号重复")
            else:
                order = {
                    "out_trade_no": out_trade_no, "total_fee": total, "notify_url": data["notify_url"],
                    "openid": data.get("openid", ""), "body": data.get("body", ""), "status": "unpaid",
                    "prepay_id": "wx" + secrets.token_hex(14), "transaction_id": None, "refunded_fee": 0,
                }
                state.orders[out_trade_no] = order
                state.prepay[order["prepay_id"]] = out_trade_no
                state.record("unifiedorder", {"out_trade_no": out_trade_no, "total_fee": total})
        return _pay_ok(api_key, {"appid": config.wechat_appid, "mch_id": config.wechat_mch_id,
                                  "trade_type": "JSAPI", "prepay_id": order["prepay_id"]})

    @app.post("/pay/closeorder")
    async def closeorder(request: Request):
        data, err = await _signed_request(request, api_key)
        if err:
            return err
        with state.lock:
            order = state.orders.get(data["out_trade_no"])
            if order is None:
                return _pay_fail(api_key, "ORDERNOTEXIST", "订单不存在")
            if order["status"] == "paid":
                return _pay_fail(api_key, "ORDERPAID", "订单已支付")
            order["status"] = "closed"
        return _pay_ok(api_key, {})

    @app.post("/pay/orderquery")
    async def orderquery(request: Request):
        data, err = await _signed_request(request, api_key)
        if err:
            return err
        with state.lock:
            order = state.orders.get(data.get("out_trade_no", ""))
            if order is None:
                return _pay_fail(api_key, "ORDERNOTEXIST", "订单不存在")
            trade_state = {"unpaid": "NOTPAY", "paid": "SUCCESS", "closed": "CLOSED"}[order["status"]]
            return _pay_ok(api_key, {"out_trade_no": order["out_trade_no"], "trade_state": trade_state,
                                      "total_fee": order["total_fee"], "transaction_id": order["transaction_id"] or ""})

    @app.post("/pay/confirm")
    async def confirm(request: Request):
        """The shopper pays: sends WeChat's signed notification to the order's notify_url.
        Body: ``{"prepay_id"}`` or ``{"out_trade_no"}``; ``"deliver": false`` returns the XML without sending it;
        ``"total_fee"`` overrides the amount (to test the amount check)."""
        body = await request.json()
        with state.lock:
            out_trade_no = body.get("out_trade_no") or state.prepay.get(body.get("prepay_id", ""))
            order = state.orders.get(out_trade_no or "")
            if order is None:
                return JSONResponse({"error": "unknown prepay_id / out_trade_no"}, status_code=404)
            if order["status"] == "closed":
                return JSONResponse({"error": "order closed"}, status_code=409)
            if order["transaction_id"] is None:
                order["transaction_id"] = "42000" + time.strftime("%Y%m%d") + secrets.token_hex(6)
            order["status"] = "paid"
            total = int(body.get("total_fee", order["total_fee"]))
            payload = {
                "appid": config.wechat_appid, "mch_id": config.wechat_mch_id, "nonce_str": secrets.token_hex(16),
                "result_code": "SUCCESS", "return_code": "SUCCESS", "openid": order["openid"], "is_subscribe": "N",
                "trade_type": "JSAPI", "bank_type": "OTHERS", "total_fee": str(total), "cash_fee": str(total),
                "fee_type": "CNY", "transaction_id": order["transaction_id"], "out_trade_no": order["out_trade_no"],
                "time_end": time.strftime("%Y%m%d%H%M%S"),
            }
            notify_url = order["notify_url"]
        xml = dict_to_xml(payload, calculate_signature(payload, api_key))
        if body.get("deliver", True) is False:
            return {"delivered": False, "xml": xml, "notify_url": notify_url}
        status, answer = await _deliver(notify_url, xml)
        with state.lock:
            state.record("notify", {"out_trade_no": out_trade_no, "status_code": status, "answer": answer})
        return {"delivered": True, "status_code": status, "answer": answer, "out_trade_no": out_trade_no}

    @app.post("/secapi/pay/refund")
    async def refund(request: Request, background: BackgroundTasks):
        data, err = await _signed_request(request, api_key)
        if err:
            return err
        out_refund_no, refund_fee = data["out_refund_no"], int(data["refund_fee"])
        with state.lock:
            if failure := state.take_failure("refund"):
                return _pay_fail(api_key, failure)
            if out_refund_no in state.refunds:  # idempotent: the same refund number answers the same refund
                existing = state.refunds[out_refund_no]
                return _pay_ok(api_key, {"out_refund_no": out_refund_no, "refund_id": existing["refund_id"],
                                          "refund_fee": existing["refund_fee"]})
            order = state.orders.get(data.get("out_trade_no", ""))
            if order is None or order["status"] != "paid":
                return _pay_fail(api_key, "ORDERNOTEXIST", "订单不存在或未支付")
            if int(data["total_fee"]) != order["total_fee"]:
                return _pay_fail(api_key, "INVALID_REQUEST", "订单金额不符")
            if order["refunded_fee"] + refund_fee > order["total_fee"]:
                return _pay_fail(api_key, "NOTENOUGH", "退款金额超过订单可退金额")
            order["refunded_fee"] += refund_fee
            entry = {"out_trade_no": order["out_trade_no"], "out_refund_no": out_refund_no,
                     "refund_id": "50000" + secrets.token_hex(8), "refund_fee": refund_fee,
                     "total_fee": order["total_fee"], "transaction_id": order["transaction_id"],
                     "reason": data.get("refund_desc", "")}
            state.refunds[out_refund_no] = entry
            state.record("refund", dict(entry))
        if data.get("notify_url"):
            background.add_task(_send_refund_notify, config, data["notify_url"], entry)
        return _pay_ok(api_key, {"out_refund_no": out_refund_no, "refund_id": entry["refund_id"],
                                  "refund_fee": refund_fee, "total_fee": entry["total_fee"]})

    @app.post("/mmpaymkttransfers/promotion/transfers")
    async def transfer(request: Request):
        data, err = await _signed_request(request, api_key)
        if err:
            return err
        trade_no, amount = data["partner_trade_no"], int(data["amount"])
        with state.lock:
            if trade_no in state.transfers:  # idempotent: a retry never pays twice
                existing = state.transfers[trade_no]
                return _pay_ok(api_key, {"partner_trade_no": trade_no, "payment_no": existing["payment_no"],
                                          "payment_time": existing["time"]})
            if failure := state.take_failure("transfer"):
                state.record("transfer_failed", {"partner_trade_no": trade_no, "amount": amount, "err_code": failure})
                return _pay_fail(api_key, failure, "转账失败")
            if data.get("check_name") == "FORCE_CHECK" and not data.get("re_user_name"):
                return _pay_fail(api_key, "NAME_MISMATCH", "需要收款人真实姓名")
            entry = {"partner_trade_no": trade_no, "openid": data["openid"], "amount": amount,
                     "desc": data.get("desc", ""), "re_user_name": data.get("re_user_name", ""),
                     "payment_no": "10100" + secrets.token_hex(8), "time": time.strftime("%Y-%m-%d %H:%M:%S")}
            state.transfers[trade_no] = entry
            state.record("transfer", dict(entry))
        return _pay_ok(api_key, {"partner_trade_no": trade_no, "payment_no": entry["payment_no"],
                                  "payment_time": entry["time"]})

    # --- for tests and demos ----------------------------------------------------------------

    @app.get("/records")
    def records(kind: str | None = Query(None)):
        with state.lock:
            if kind:
                return {"kind": kind, "items": list(state.records.get(kind, []))}
            return {k: list(v) for k, v in state.records.items()}

    @app.post("/control/fail-next")
    async def fail_next(request: Request):
        """Make the next call of a kind (pay, refund, transfer, shipping) fail with a WeChat error code."""
        body = await request.json()
        with state.lock:
            state.fail_next[body["kind"]] = body.get("code", "SYSTEMERROR")
        return {"ok": True}

    @app.post("/control/reset")
    def reset():
        with state.lock:
            state.reset()
        return {"ok": True}

    @app.get("/healthz")
    def healthz():
        return {"ok": True, "service": "wechat-sandbox"}

    return app


def _check_token(state: SandboxState, access_token: str):
    with state.lock:
        if access_token not in state.tokens:
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})
    return None


async def _signed_request(request: Request, api_key: str) -> tuple[dict[str, Any], Response | None]:
    try:
        data = dict(xmltodict.parse(await request.body())["xml"])
    except Exception:
        return {}, _xml({"return_code": "FAIL", "return_msg": "XML 格式错误"})
    sign = data.pop("sign", None)
    if sign != calculate_signature(data, api_key):
        return {}, _xml({"return_code": "FAIL", "return_msg": "签名错误"})
    return data, None


def _pay_ok(api_key: str, fields: dict) -> Response:
    payload = {"return_code": "SUCCESS", "return_msg": "OK", "result_code": "SUCCESS",
               "nonce_str": secrets.token_hex(16), **{k: str(v) for k, v in fields.items()}}
    return _xml(payload, api_key)


def _pay_fail(api_key: str, code: str, message: str = "") -> Response:
    payload = {"return_code": "SUCCESS", "return_msg": "OK", "result_code": "FAIL", "err_code": code,
               "err_code_des": message or code, "nonce_str": secrets.token_hex(16)}
    return _xml(payload, api_key)


def _xml(payload: dict, api_key: str | None = None) -> Response:
    sign = calculate_signature(payload, api_key) if api_key else None
    return Response(dict_to_xml(payload, sign), media_type="application/xml")


_client: httpx.AsyncClient | None = None


async def _deliver(url: str, xml: str) -> tuple[int, str]:
    """POST a notification to the merchant, as WeChat does (one pooled client: making one per call is slow)."""
    global _client
    if _client is None:
        _client = httpx.AsyncClient(timeout=15)
    try:
        res = await _client.post(url, content=xml.encode("utf-8"), headers={"Content-Type": "text/xml"})
        return res.status_code, res.text
    except httpx.HTTPError as exc:
        return 0, f"unreachable: {exc!r}"


async def _send_refund_notify(config: Config, url: str, entry: dict) -> None:
    """WeChat's refund notification: ``req_info`` is AES-256-ECB under md5(api_key), as wechatpy decrypts it."""
    info = {"out_trade_no": entry["out_trade_no"], "out_refund_no": entry["out_refund_no"],
            "refund_id": entry["refund_id"], "transaction_id": entry["transaction_id"] or "",
            "total_fee": str(entry["total_fee"]), "refund_fee": str(entry["refund_fee"]),
            "settlement_refund_fee": str(entry["refund_fee"]), "refund_status": "SUCCESS",
            "success_time": time.strftime("%Y-%m-%d %H:%M:%S"), "refund_recv_accout": "支付用户零钱"}
    inner = xmltodict.unparse({"root": info}, full_document=False)
    key = hashlib.md5(config.wechat_api_key.encode()).hexdigest().encode()
    req_info = BaseRefundCrypto(key)._encrypt(inner).decode()
    outer = {"return_code": "SUCCESS", "appid": config.wechat_appid, "mch_id": config.wechat_mch_id,
             "nonce_str": secrets.token_hex(16), "req_info": req_info}
    await _deliver(url, dict_to_xml(outer))
