"""WeChat Pay APIv2 企业付款到零钱 (signed XML): pays a distributor's withdrawal at once, idempotent by
partner_trade_no."""

from __future__ import annotations

import secrets
import time

from fastapi import APIRouter, Request

from backend.sandbox import v2
from backend.sandbox.state import SandboxState, Settings, State

router = APIRouter()


@router.post("/mmpaymkttransfers/promotion/transfers")
async def transfer(request: Request, state: State, config: Settings):
    data, err = await v2.signed_request(request, config.wechat_api_key)
    if err:
        return err
    entry = _pay_out(state, data)
    if isinstance(entry, v2.Refusal):
        return v2.fail(config.wechat_api_key, entry)
    return v2.ok(config.wechat_api_key, {"partner_trade_no": entry["partner_trade_no"],
                                         "payment_no": entry["payment_no"], "payment_time": entry["time"]})


def _pay_out(state: SandboxState, data: dict) -> dict | v2.Refusal:
    """The transfer made (or made before: a retry never pays twice), or why WeChat refuses it."""
    trade_no, amount = data["partner_trade_no"], int(data["amount"])
    with state.lock:
        if trade_no in state.transfers:
            return dict(state.transfers[trade_no])
        if failure := state.take_failure("transfer"):
            state.record("transfer_failed", {"partner_trade_no": trade_no, "amount": amount, "err_code": failure})
            return v2.Refusal(failure, "转账失败")
        if data.get("check_name") == "FORCE_CHECK" and not data.get("re_user_name"):
            return v2.Refusal("NAME_MISMATCH", "需要收款人真实姓名")
        entry = {"partner_trade_no": trade_no, "openid": data["openid"], "amount": amount,
                 "desc": data.get("desc", ""), "re_user_name": data.get("re_user_name", ""),
                 "payment_no": "10100" + secrets.token_hex(8), "time": time.strftime("%Y-%m-%d %H:%M:%S")}
        state.transfers[trade_no] = entry
        state.record("transfer", dict(entry))
        return dict(entry)
