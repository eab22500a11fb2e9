"""WeChat Pay notifications, on the same paths whichever Pay API the merchant uses: v2's signed XML answered with
WeChat's XML acknowledgement, or v3's JSON with ``Wechatpay-*`` signature headers answered 200 ``{"code": "SUCCESS"}`` or a
4xx with ``{"code": "FAIL", "message": <our refusal code>}``. The gateway verifies each one; these handlers only carry it (docs/architecture.md, "WeChat").
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backend.deps import UnitOfWorkDep, WeChatDep, in_one_thread
from domain.errors import DomainError, Invalid
from domain.orders.refunds import handle_refund_notification
from domain.payments.service import handle_payment_notification
from domain.wallet.transfers import handle_transfer_notification
from domain.wechat import WeChatGateway
from domain.wechat.errors import WeChatError

router = APIRouter(prefix="/api/v1/payments/wechat", tags=["WeChat Pay notifications"])
log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024

# WeChat reads the status: FAIL or a 4xx makes it send the notification again later.
_XML = {"application/xml": {"example": "<xml><return_code><![CDATA[FAIL]]></return_code>"
                                      "<return_msg><![CDATA[amount_mismatch]]></return_msg></xml>"}}
_JSON = {"application/json": {"example": {"code": "FAIL", "message": "invalid_signature"}}}
_BOTH = {**_XML, **_JSON}
NOTIFICATION_ANSWERS: dict[int | str, dict] = {
    200: {"description": "SUCCESS: recorded, or a repeat already recorded", "content": _BOTH},
    400: {"description": "FAIL: empty or oversized body", "content": _BOTH},
    404: {"description": "FAIL: no such order, refund or withdrawal (order_not_found, withdrawal_not_found)",
          "content": _BOTH},
    409: {"description": "FAIL: the amount differs (amount_mismatch, transfer_amount_mismatch)", "content": _BOTH},
    422: {"description": "FAIL: bad or missing signature, a timestamp too old (a replay), an unreadable body or an "
                         "unsuccessful payment (invalid_signature, stale_notification, invalid_notification, "
                         "payment_not_successful)", "content": _BOTH},
}


def _process(handler: Callable, session: Session, wechat: WeChatGateway, body: bytes,
             headers: dict[str, str]) -> Response:
    error: DomainError | None = None
    if not body or len(body) > MAX_BODY:
        error = Invalid(WeChatError.INVALID_NOTIFICATION, "empty or oversized body")
        error.status = 400
    else:
        try:
            handler(session, wechat=wechat, body=body, headers=headers)
        except DomainError as exc:
            session.rollback()
            log.warning("WeChat notification refused: %s", exc.code)
            error = exc
    status, content, media_type = wechat.notification_answer(error)
    return Response(content, status_code=status, media_type=media_type)


async def _carry(handler: Callable, request: Request, units: UnitOfWorkDep, wechat: WeChatGateway) -> Response:
    # The body is read on the event loop; the rest, unit of work and all, in one thread.
    body, headers = await request.body(), dict(request.headers)
    return await in_one_thread(units, lambda session: _process(handler, session, wechat, body, headers))


@router.post("/notify", response_class=Response, responses=NOTIFICATION_ANSWERS)
async def payment_notify(request: Request, units: UnitOfWorkDep, wechat: WeChatDep) -> Response:
    """Payment result. Accepted only when verified and for the order's exact amount; repeats are acknowledged
    without paying twice. Refusals answer FAIL with a 4xx (WeChat retries), writing nothing."""
    return await _carry(handle_payment_notification, request, units, wechat)


@router.post("/refund-notify", response_class=Response, responses=NOTIFICATION_ANSWERS)
async def refund_notify(request: Request, units: UnitOfWorkDep, wechat: WeChatDep) -> Response:
    """Refund result (v2: ``req_info`` encrypted under the API key; v3: an AES-256-GCM resource): completes a
    refund still ``approved``."""
    return await _carry(handle_refund_notification, request, units, wechat)


@router.post("/transfer-notify", response_class=Response, responses=NOTIFICATION_ANSWERS)
async def transfer_notify(request: Request, units: UnitOfWorkDep, wechat: WeChatDep) -> Response:
    """v3 商家转账 result (``MCHTRANSFER.BILL.FINISHED``): a confirmed bill marks its withdrawal paid; a failed,
    cancelled or expired one releases the hold. Repeats change nothing."""
    return await _carry(handle_transfer_notification, request, units, wechat)
