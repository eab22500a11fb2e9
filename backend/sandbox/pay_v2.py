"""WeChat Pay APIv2 (signed XML): unified order, order query, close and refund. The memory functions below
(``open_order``, ``close_order``, ``order_copy``, ``take_refund``) serve the v3 router too: one order is one order
whichever API opened it.

Each handler reads its request, then calls one plain function below that checks and changes the memory under the
lock and returns a copy (or a ``Refusal``); signing, answering and notifying happen after the lock is released.
"""

from __future__ import annotations

import dataclasses
import secrets

from fastapi import APIRouter, BackgroundTasks, Request

from backend.sandbox import v2
from backend.sandbox.notify import Notifier
from backend.sandbox.state import TRADE_STATES, Outbox, PayOrder, SandboxState, Settings, State
from domain.config import Config

router = APIRouter()
# ``POST /control/fail-next {"kind": "query", "code": "FORGED"}``: the next order query is answered "paid", but
# signed with a key that is not the merchant's, as an answer that did not come from WeChat would be.
FORGED = "FORGED"


@router.post("/pay/unifiedorder")
async def unifiedorder(request: Request, state: State, config: Settings):
    data, err = await v2.signed_request(request, config.wechat_api_key)
    if err:
        return err
    order = open_order(state, data)
    if isinstance(order, v2.Refusal):
        return v2.fail(config.wechat_api_key, order)
    return v2.ok(config.wechat_api_key, {"appid": config.wechat_appid, "mch_id": config.wechat_mch_id,
                                         "trade_type": "JSAPI", "prepay_id": order.prepay_id})


@router.post("/pay/closeorder")
async def closeorder(request: Request, state: State, config: Settings):
    data, err = await v2.signed_request(request, config.wechat_api_key)
    if err:
        return err
    if refusal := close_order(state, data["out_trade_no"]):
        return v2.fail(config.wechat_api_key, refusal)
    return v2.ok(config.wechat_api_key, {})


@router.post("/pay/orderquery")
async def orderquery(request: Request, state: State, config: Settings):
    data, err = await v2.signed_request(request, config.wechat_api_key)
    if err:
        return err
    order = order_copy(state, data.get("out_trade_no", ""))
    if state.take_failure("query") == FORGED:
        # For tests: an answer someone else made up, saying the order was paid, signed with another key.
        return v2.ok("forged-" + config.wechat_api_key, {
            "out_trade_no": data.get("out_trade_no", ""), "trade_state": "SUCCESS",
            "total_fee": order.total_fee if order else 1, "transaction_id": "4200000000FORGED"})
    if order is None:
        return v2.fail(config.wechat_api_key, v2.Refusal("ORDERNOTEXIST", "订单不存在"))
    return v2.ok(config.wechat_api_key, {
        "out_trade_no": order.out_trade_no, "trade_state": TRADE_STATES[order.status],
        "total_fee": order.total_fee, "transaction_id": order.transaction_id or ""})


@router.post("/secapi/pay/refund")
async def refund(request: Request, background: BackgroundTasks, state: State, config: Settings, notifier: Outbox):
    data, err = await v2.signed_request(request, config.wechat_api_key)
    if err:
        return err
    taken = take_refund(state, data)
    if isinstance(taken, v2.Refusal):
        return v2.fail(config.wechat_api_key, taken)
    entry, is_new = taken
    answer = {"out_refund_no": entry["out_refund_no"], "refund_id": entry["refund_id"],
              "refund_fee": entry["refund_fee"]}
    if not is_new:  # the same refund number answers the same refund, and notifies nothing again
        return v2.ok(config.wechat_api_key, answer)
    if data.get("notify_url"):
        background.add_task(_notify_refund, notifier, config, data["notify_url"], entry)
    return v2.ok(config.wechat_api_key, {**answer, "total_fee": entry["total_fee"]})


# --- the memory, under its lock -------------------------------------------------------------------

def open_order(state: SandboxState, data: dict, api: str = "v2") -> PayOrder | v2.Refusal:
    """A new order, or the same unpaid one again for a retry with the same number and amount."""
    out_trade_no, total = data["out_trade_no"], int(data["total_fee"])
    with state.lock:
        if failure := state.take_failure("pay"):
            return v2.Refusal(failure)
        order = state.orders.get(out_trade_no)
        if order is None:
            order = PayOrder(out_trade_no=out_trade_no, total_fee=total, notify_url=data["notify_url"],
                             openid=data.get("openid", ""), body=data.get("body", ""),
                             prepay_id="wx" + secrets.token_hex(14), api=api)
            state.orders[out_trade_no] = order
            state.prepay[order.prepay_id] = out_trade_no
            state.record("unifiedorder", {"out_trade_no": out_trade_no, "total_fee": total, "api": api})
        elif order.status == "paid":
            return v2.Refusal("ORDERPAID", "该订单已支付")
        elif order.status == "closed":
            return v2.Refusal("ORDERCLOSED", "该订单已关闭")
        elif order.total_fee != total:
            return v2.Refusal("INVALID_REQUEST", "201 商户订单号重复")
        return dataclasses.replace(order)


def close_order(state: SandboxState, out_trade_no: str) -> v2.Refusal | None:
    with state.lock:
        order = state.orders.get(out_trade_no)
        if order is None:
            return v2.Refusal("ORDERNOTEXIST", "订单不存在")
        if order.status == "paid":
            return v2.Refusal("ORDERPAID", "订单已支付")
        order.status = "closed"
    return None


def order_copy(state: SandboxState, out_trade_no: str) -> PayOrder | None:
    with state.lock:
        order = state.orders.get(out_trade_no)
        return None if order is None else dataclasses.replace(order)


def take_refund(state: SandboxState, data: dict) -> tuple[dict, bool] | v2.Refusal:
    """The refund and whether it is new; a known refund number gives back the refund it made."""
    out_refund_no, refund_fee = data["out_refund_no"], int(data["refund_fee"])
    with state.lock:
        if failure := state.take_failure("refund"):
            return v2.Refusal(failure)
        if out_refund_no in state.refunds:
            return dict(state.refunds[out_refund_no]), False
        order = state.orders.get(data.get("out_trade_no", ""))
        if order is None or order.status != "paid":
            return v2.Refusal("ORDERNOTEXIST", "订单不存在或未支付")
        if int(data["total_fee"]) != order.total_fee:
            return v2.Refusal("INVALID_REQUEST", "订单金额不符")
        if order.refunded_fee + refund_fee > order.total_fee:
            return v2.Refusal("NOTENOUGH", "退款金额超过订单可退金额")
        order.refunded_fee += refund_fee
        entry = {"out_trade_no": order.out_trade_no, "out_refund_no": out_refund_no,
                 "refund_id": "50000" + secrets.token_hex(8), "refund_fee": refund_fee,
                 "total_fee": order.total_fee, "transaction_id": order.transaction_id,
                 "reason": data.get("refund_desc", "")}
        state.refunds[out_refund_no] = entry
        state.record("refund", dict(entry))
        return dict(entry), True


async def _notify_refund(notifier: Notifier, config: Config, url: str, entry: dict) -> None:
    """Runs after the refund has been answered, as WeChat notifies later."""
    await notifier.post(url, v2.refund_notification(config, entry).encode("utf-8"), v2.CONTENT_TYPE)
