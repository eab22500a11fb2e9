"""WeChat Pay APIv3 商家转账 (``/v3/fund-app/mch-transfer/transfer-bills``): a bill is created in
``WAIT_USER_CONFIRM`` with the ``package_info`` for ``wx.requestMerchantTransfer``, and stays there until the
distributor confirms (``POST /transfer/confirm``, in ``payers``), the merchant cancels it, or a test expires or
fails it. Idempotent by ``out_bill_no``.

It checks what WeChat checks for scene 1005 (佣金报酬): the report information 岗位类型 and 报酬说明, and the
receiver's real name for ¥2000 or more, which must arrive encrypted with the platform public key.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets

from fastapi import APIRouter, BackgroundTasks, Request

from backend.sandbox import v3
from backend.sandbox.notify import Notifier
from backend.sandbox.state import Outbox, SandboxState, Settings, State, TransferBill
from domain.config import Config

router = APIRouter()

REAL_NAME_FROM_FEN = 200_000
# The report information each scene requires (转账场景报备信息).
SCENE_REPORTS = {"1000": ("活动名称", "奖励说明"), "1005": ("岗位类型", "报酬说明")}
BASE = "/v3/fund-app/mch-transfer/transfer-bills"


@router.post(BASE)
async def create_bill(request: Request, state: State, config: Settings):
    try:
        data = await v3.signed_request(request, config)
        real_name = _check_bill(request, config, data)
        bill = _open_bill(state, data, real_name)
    except v3.Refused as refusal:
        return v3.refused(config, refusal)
    return v3.answer(config, {"out_bill_no": bill.out_bill_no, "transfer_bill_no": bill.transfer_bill_no,
                              "create_time": bill.create_time, "state": bill.state,
                              **({"package_info": bill.package_info} if bill.state == "WAIT_USER_CONFIRM" else {}),
                              **({"fail_reason": bill.fail_reason} if bill.fail_reason else {})})


@router.get(BASE + "/out-bill-no/{out_bill_no}")
async def query_bill(out_bill_no: str, request: Request, state: State, config: Settings):
    try:
        await v3.signed_request(request, config)
        bill = bill_copy(state, out_bill_no)
        if bill is None:
            raise v3.Refused(404, "NOT_FOUND", "转账单不存在")
    except v3.Refused as refusal:
        return v3.refused(config, refusal)
    return v3.answer(config, bill_resource(config, bill))


@router.post(BASE + "/out-bill-no/{out_bill_no}/cancel")
async def cancel_bill(out_bill_no: str, request: Request, background: BackgroundTasks, state: State,
                      config: Settings, notifier: Outbox):
    """The merchant takes back a bill the distributor has not confirmed; WeChat answers CANCELING, then
    notifies CANCELLED."""
    try:
        await v3.signed_request(request, config)
        bill = settle_bill(state, out_bill_no, "CANCELLED", "MERCHANT_REVOCATION")
    except v3.Refused as refusal:
        return v3.refused(config, refusal)
    background.add_task(notify_bill, notifier, config, state, bill)
    return v3.answer(config, {"out_bill_no": bill.out_bill_no, "transfer_bill_no": bill.transfer_bill_no,
                              "state": "CANCELING", "update_time": bill.update_time})


# --- the memory, under its lock, and the notification ---------------------------------------------

def _check_bill(request: Request, config: Config, data: dict) -> str:
    """Refuses what WeChat refuses; returns the decrypted real name ("" when none was sent)."""
    for field in ("appid", "out_bill_no", "transfer_scene_id", "openid", "transfer_remark", "notify_url"):
        if not isinstance(data.get(field), str) or not data[field]:
            raise v3.Refused(400, "PARAM_ERROR", f"缺少参数：{field}")
    if data["appid"] != config.wechat_appid:
        raise v3.Refused(400, "APPID_MCHID_NOT_MATCH", "appid 不符")
    amount = data.get("transfer_amount")
    if type(amount) is not int or amount <= 0:
        raise v3.Refused(400, "PARAM_ERROR", "transfer_amount 无效")
    needed = SCENE_REPORTS.get(data["transfer_scene_id"])
    if needed is None:
        raise v3.Refused(400, "INVALID_REQUEST", "未开通该转账场景")
    given = {i.get("info_type"): i.get("info_content") for i in data.get("transfer_scene_report_infos") or []
             if isinstance(i, dict)}
    if any(not given.get(kind) for kind in needed):
        raise v3.Refused(400, "PARAM_ERROR", f"该场景需要报备信息：{'、'.join(needed)}")
    if not data.get("user_name"):
        if amount >= REAL_NAME_FROM_FEN:
            raise v3.Refused(400, "PARAM_ERROR", "转账金额 >= 2000 元时必须填写收款用户姓名")
        return ""
    if request.headers.get("wechatpay-serial") != v3.platform_of(config).public_key_id:
        raise v3.Refused(400, "PARAM_ERROR", "敏感信息加密所用的平台公钥不符")
    try:
        return v3.platform_of(config).decrypt(data["user_name"])
    except (ValueError, TypeError) as exc:
        raise v3.Refused(400, "PARAM_ERROR", "收款用户姓名解密失败") from exc


def _open_bill(state: SandboxState, data: dict, real_name: str) -> TransferBill:
    """A new bill, or the one this number made before (a retry never pays twice)."""
    with state.lock:
        known = state.bills.get(data["out_bill_no"])
        if known is not None:
            return dataclasses.replace(known)
        if failure := state.take_failure("transfer"):
            state.record("transfer_failed", {"out_bill_no": data["out_bill_no"], "amount": data["transfer_amount"],
                                             "err_code": failure})
            raise v3.Refused(500 if failure in ("SYSTEM_ERROR", "SYSTEMERROR") else 400, failure, "转账失败")
        bill = TransferBill(
            out_bill_no=data["out_bill_no"], openid=data["openid"], amount=data["transfer_amount"],
            notify_url=data["notify_url"], remark=data["transfer_remark"],
            transfer_bill_no="1330000" + secrets.token_hex(10),
            package_info=base64.b64encode(secrets.token_bytes(48)).decode(), create_time=v3.now_rfc3339(),
        )
        bill.update_time = bill.create_time
        state.bills[bill.out_bill_no] = bill
        state.record("transfer", {
            "api": "v3", "out_bill_no": bill.out_bill_no, "transfer_bill_no": bill.transfer_bill_no,
            "openid": bill.openid, "amount": bill.amount,
            "transfer_scene_id": data["transfer_scene_id"], "transfer_remark": bill.remark,
            "report_infos": data.get("transfer_scene_report_infos"),
            "user_recv_perception": data.get("user_recv_perception", ""),
            "user_name_encrypted": bool(data.get("user_name")), "user_name": real_name, "state": bill.state,
        })
        return dataclasses.replace(bill)


def bill_copy(state: SandboxState, out_bill_no: str) -> TransferBill | None:
    with state.lock:
        bill = state.bills.get(out_bill_no)
        return None if bill is None else dataclasses.replace(bill)


def bill_of_package(state: SandboxState, package: str) -> str:
    with state.lock:
        return next((b.out_bill_no for b in state.bills.values() if b.package_info == package), "")


def settle_bill(state: SandboxState, out_bill_no: str, to: str, reason: str = "") -> TransferBill:
    """A bill waiting for the distributor becomes SUCCESS, FAIL or CANCELLED, once."""
    with state.lock:
        bill = state.bills.get(out_bill_no)
        if bill is None:
            raise v3.Refused(404, "NOT_FOUND", "转账单不存在")
        if bill.state != "WAIT_USER_CONFIRM":
            raise v3.Refused(400, "INVALID_REQUEST", f"转账单状态为 {bill.state}")
        bill.state, bill.fail_reason, bill.update_time = to, reason, v3.now_rfc3339()
        state.record("transfer_" + to.lower(), {"out_bill_no": out_bill_no, "amount": bill.amount,
                                                "fail_reason": reason})
        return dataclasses.replace(bill)


def bill_resource(config: Config, bill: TransferBill) -> dict:
    resource = {"mch_id": config.wechat_mch_id, "appid": config.wechat_appid, "out_bill_no": bill.out_bill_no,
                "transfer_bill_no": bill.transfer_bill_no, "state": bill.state, "transfer_amount": bill.amount,
                "transfer_remark": bill.remark, "openid": bill.openid, "create_time": bill.create_time,
                "update_time": bill.update_time}
    if bill.fail_reason:
        resource["fail_reason"] = bill.fail_reason
    return resource


def bill_notification(config: Config, bill: TransferBill) -> tuple[bytes, dict[str, str]]:
    return v3.notification(config, event_type="MCHTRANSFER.BILL.FINISHED", original_type="mch_payment",
                           summary="商家转账单据终态通知", resource=bill_resource(config, bill))


async def notify_bill(notifier: Notifier, config: Config, state: SandboxState, bill: TransferBill) -> dict:
    body, headers = bill_notification(config, bill)
    status, answer = await notifier.post(bill.notify_url, body, "application/json", headers)
    state.record("transfer_notify", {"out_bill_no": bill.out_bill_no, "state": bill.state, "status_code": status,
                                     "answer": answer})
    return {"delivered": True, "status_code": status, "answer": answer, "out_bill_no": bill.out_bill_no,
            "state": bill.state}
