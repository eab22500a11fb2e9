"""WeChat Pay APIv3 (signed JSON): JSAPI order, order query, close, and refunds with their notification.

Orders and refunds live in the same memory as v2's (``pay_v2``'s memory functions); an order remembers which
API opened it, so ``POST /pay/confirm`` answers it with a v3 notification.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request

from backend.sandbox import pay_v2, v2, v3
from backend.sandbox.notify import Notifier
from backend.sandbox.state import TRADE_STATES, Outbox, PayOrder, Settings, State
from domain.config import Config

router = APIRouter()

# v2's refusal codes where v3 spells them differently.
_V3_CODES = {"ORDERCLOSED": "ORDER_CLOSED", "ORDERNOTEXIST": "ORDER_NOT_EXIST", "NOTENOUGH": "NOT_ENOUGH"}
_NOT_FOUND = {"ORDER_NOT_EXIST", "RESOURCE_NOT_EXISTS"}


def _refusal(refusal: v2.Refusal) -> v3.Refused:
    code = _V3_CODES.get(refusal.code, refusal.code)
    status = 404 if code in _NOT_FOUND else 500 if code in ("SYSTEMERROR", "SYSTEM_ERROR") else 400
    return v3.Refused(status, code, refusal.message)


@router.post("/v3/pay/transactions/jsapi")
async def jsapi(request: Request, state: State, config: Settings):
    try:
        data = await v3.signed_request(request, config)
        _require(data, "appid", "mchid", "description", "out_trade_no", "notify_url")
        if data["appid"] != config.wechat_appid or data["mchid"] != config.wechat_mch_id:
            raise v3.Refused(400, "APPID_MCHID_NOT_MATCH", "appid 和 mch_id 不匹配")
        total = (data.get("amount") or {}).get("total")
        openid = (data.get("payer") or {}).get("openid")
        if type(total) is not int or total <= 0 or not openid:
            raise v3.Refused(400, "PARAM_ERROR", "amount.total 或 payer.openid 无效")
        order = pay_v2.open_order(state, {"out_trade_no": data["out_trade_no"], "total_fee": total, "openid": openid,
                                          "notify_url": data["notify_url"], "body": data["description"]}, api="v3")
        if isinstance(order, v2.Refusal):
            raise _refusal(order)
    except v3.Refused as refusal:
        return v3.refused(config, refusal)
    return v3.answer(config, {"prepay_id": order.prepay_id})


@router.get("/v3/pay/transactions/out-trade-no/{out_trade_no}")
async def query(out_trade_no: str, request: Request, state: State, config: Settings):
    try:
        await v3.signed_request(request, config)
        if request.query_params.get("mchid") != config.wechat_mch_id:
            raise v3.Refused(400, "PARAM_ERROR", "mchid 不符")
        order = pay_v2.order_copy(state, out_trade_no)
        if order is None:
            raise v3.Refused(404, "ORDER_NOT_EXIST", "订单不存在")
    except v3.Refused as refusal:
        return v3.refused(config, refusal)
    return v3.answer(config, transaction(config, order, order.total_fee))


@router.post("/v3/pay/transactions/out-trade-no/{out_trade_no}/close")
async def close(out_trade_no: str, request: Request, state: State, config: Settings):
    try:
        await v3.signed_request(request, config)
        if refusal := pay_v2.close_order(state, out_trade_no):
            raise _refusal(refusal)
    except v3.Refused as refusal:
        return v3.refused(config, refusal)
    return v3.answer(config, None)


@router.post("/v3/refund/domestic/refunds")
async def refund(request: Request, background: BackgroundTasks, state: State, config: Settings, notifier: Outbox):
    try:
        data = await v3.signed_request(request, config)
        _require(data, "out_refund_no", "out_trade_no")
        amount = data.get("amount") or {}
        if type(amount.get("refund")) is not int or type(amount.get("total")) is not int or amount["refund"] <= 0:
            raise v3.Refused(400, "PARAM_ERROR", "amount.refund / amount.total 无效")
        taken = pay_v2.take_refund(state, {"out_refund_no": data["out_refund_no"], "out_trade_no": data["out_trade_no"],
                                           "refund_fee": amount["refund"], "total_fee": amount["total"],
                                           "refund_desc": data.get("reason", "")})
        if isinstance(taken, v2.Refusal):
            raise _refusal(taken)
    except v3.Refused as refusal:
        return v3.refused(config, refusal)
    entry, is_new = taken
    if is_new and data.get("notify_url"):  # a repeated refund number answers the same refund, notifying nothing
        background.add_task(_notify_refund, notifier, config, data["notify_url"], entry)
    return v3.answer(config, {
        "refund_id": entry["refund_id"], "out_refund_no": entry["out_refund_no"],
        "transaction_id": entry["transaction_id"], "out_trade_no": entry["out_trade_no"], "channel": "ORIGINAL",
        "status": "PROCESSING", "create_time": v3.now_rfc3339(),
        "amount": {"total": entry["total_fee"], "refund": entry["refund_fee"], "payer_total": entry["total_fee"],
                   "payer_refund": entry["refund_fee"], "currency": "CNY"}})


def transaction(config: Config, order: PayOrder, total: int) -> dict[str, Any]:
    """An order as v3 describes it, in a query answer or (decrypted) in the payment notification."""
    paid = order.status == "paid"
    answer: dict[str, Any] = {
        "appid": config.wechat_appid, "mchid": config.wechat_mch_id, "out_trade_no": order.out_trade_no,
        "trade_type": "JSAPI", "trade_state": TRADE_STATES[order.status],
        "trade_state_desc": {"unpaid": "未支付", "paid": "支付成功", "closed": "已关闭"}[order.status],
        "payer": {"openid": order.openid},
        "amount": {"total": total, "payer_total": total if paid else 0, "currency": "CNY", "payer_currency": "CNY"},
    }
    if paid:
        answer.update(transaction_id=order.transaction_id, bank_type="OTHERS", success_time=v3.now_rfc3339())
    return answer


def payment_notification(config: Config, order: PayOrder, total: int,
                         timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    return v3.notification(config, event_type="TRANSACTION.SUCCESS", original_type="transaction",
                           summary="支付成功", resource=transaction(config, order, total), timestamp=timestamp)


def refund_notification(config: Config, entry: dict) -> tuple[bytes, dict[str, str]]:
    resource = {"mchid": config.wechat_mch_id, "out_trade_no": entry["out_trade_no"],
                "transaction_id": entry["transaction_id"] or "", "out_refund_no": entry["out_refund_no"],
                "refund_id": entry["refund_id"], "refund_status": "SUCCESS", "success_time": v3.now_rfc3339(),
                "user_received_account": "支付用户零钱",
                "amount": {"total": entry["total_fee"], "refund": entry["refund_fee"],
                           "payer_total": entry["total_fee"], "payer_refund": entry["refund_fee"]}}
    return v3.notification(config, event_type="REFUND.SUCCESS", original_type="refund", summary="退款成功",
                           resource=resource)


async def _notify_refund(notifier: Notifier, config: Config, url: str, entry: dict) -> None:
    """Runs after the refund has been answered, as WeChat notifies later."""
    body, headers = refund_notification(config, entry)
    await notifier.post(url, body, "application/json", headers)


def _require(data: dict, *fields: str) -> None:
    missing = [f for f in fields if not isinstance(data.get(f), str) or not data[f]]
    if missing:
        raise v3.Refused(400, "PARAM_ERROR", f"缺少参数：{', '.join(missing)}")

