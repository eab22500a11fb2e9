"""What people do inside WeChat, on request: the shopper pays (``POST /pay/confirm``), the distributor taps
确认收款 (``POST /transfer/confirm``); and, for tests, a bill that expires unconfirmed or fails
(``/transfer/expire``, ``/transfer/fail``). Each sends the notification WeChat would send, signed as the order's
or bill's API signs it, to the URL the merchant gave.

Body options: ``"deliver": false`` returns the notification instead of sending it (v2: ``xml``; v3: ``body`` and
``headers``); ``/pay/confirm`` also takes ``"total_fee"`` (another amount, to test the amount check) and
``"signed_at"`` (a v3 notification signed as of that Unix time, to test replays).
"""

from __future__ import annotations

import dataclasses
import secrets
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.sandbox import pay_v3, transfers_v3, v2, v3
from backend.sandbox.state import Outbox, PayOrder, SandboxState, Settings, State

router = APIRouter()


@router.post("/pay/confirm")
async def confirm_payment(request: Request, state: State, config: Settings, notifier: Outbox):
    """The shopper pays. Body: ``{"prepay_id"}`` or ``{"out_trade_no"}``."""
    body = await request.json()
    order = _mark_paid(state, body.get("out_trade_no"), body.get("prepay_id", ""))
    if isinstance(order, JSONResponse):
        return order
    total = int(body.get("total_fee", order.total_fee))
    if order.api == "v3":
        content, headers = pay_v3.payment_notification(config, order, total, timestamp=body.get("signed_at"))
        if body.get("deliver", True) is False:
            return {"delivered": False, "api": "v3", "body": content.decode(), "headers": headers,
                    "notify_url": order.notify_url}
        status, answer = await notifier.post(order.notify_url, content, "application/json", headers)
    else:
        xml = v2.payment_notification(config, order, total)
        if body.get("deliver", True) is False:
            return {"delivered": False, "api": "v2", "xml": xml, "notify_url": order.notify_url}
        status, answer = await notifier.post(order.notify_url, xml.encode("utf-8"), v2.CONTENT_TYPE)
    state.record("notify", {"out_trade_no": order.out_trade_no, "status_code": status, "answer": answer})
    return {"delivered": True, "status_code": status, "answer": answer, "out_trade_no": order.out_trade_no}


@router.post("/transfer/confirm")
async def confirm_transfer(request: Request, state: State, config: Settings, notifier: Outbox):
    """The distributor confirms receipt: the bill becomes SUCCESS. Body: ``{"out_bill_no"}``, or ``{"package"}``
    (the bill's package_info, which is all the mini-program holds)."""
    return await _settle(request, state, config, notifier, "SUCCESS", "")


@router.post("/transfer/expire")
async def expire_transfer(request: Request, state: State, config: Settings, notifier: Outbox):
    """The bill was not confirmed in time: WeChat cancels it and the money goes back to the merchant."""
    return await _settle(request, state, config, notifier, "CANCELLED", "TRANSFER_EXPIRED")


@router.post("/transfer/fail")
async def fail_transfer(request: Request, state: State, config: Settings, notifier: Outbox):
    """WeChat fails the bill (``"reason"``, e.g. ``BLOCK_B2C_USERLIMITAMOUNT_MONTH``)."""
    return await _settle(request, state, config, notifier, "FAIL", "")


async def _settle(request: Request, state: SandboxState, config, notifier, to: str, reason: str):
    body = await request.json()
    if not body.get("out_bill_no") and body.get("package"):  # what wx.requestMerchantTransfer is given
        body["out_bill_no"] = transfers_v3.bill_of_package(state, str(body["package"]))
    if to == "FAIL":
        reason = str(body.get("reason") or "PAYEE_ACCOUNT_ABNORMAL")
    try:
        bill = transfers_v3.settle_bill(state, str(body.get("out_bill_no", "")), to, reason)
    except v3.Refused as refusal:
        return JSONResponse({"error": refusal.message, "code": refusal.code}, status_code=refusal.status)
    if body.get("deliver", True) is False:
        content, headers = transfers_v3.bill_notification(config, bill)
        return {"delivered": False, "body": content.decode(), "headers": headers, "notify_url": bill.notify_url}
    return await transfers_v3.notify_bill(notifier, config, state, bill)


def _mark_paid(state: SandboxState, out_trade_no: str | None, prepay_id: str) -> PayOrder | JSONResponse:
    """The order paid (again, for a repeated confirmation: same transaction id), or why it cannot be."""
    with state.lock:
        order = state.orders.get(out_trade_no or state.prepay.get(prepay_id) or "")
        if order is None:
            return JSONResponse({"error": "unknown prepay_id / out_trade_no"}, status_code=404)
        if order.status == "closed":
            return JSONResponse({"error": "order closed"}, status_code=409)
        if order.transaction_id is None:
            order.transaction_id = "42000" + time.strftime("%Y%m%d") + secrets.token_hex(6)
        order.status = "paid"
        return dataclasses.replace(order)
