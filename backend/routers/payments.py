"""WeChat Pay notifications: signed XML in, WeChat's XML acknowledgement out."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backend.deps import SessionDep, WeChatDep
from domain.errors import DomainError
from domain.orders.refunds import handle_refund_notification
from domain.payments.service import handle_payment_notification
from domain.wechat import WeChatGateway

router = APIRouter(prefix="/api/v1/payments/wechat", tags=["WeChat Pay notifications"])
log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024

# WeChat reads an XML acknowledgement, not the API's JSON error body: FAIL with a 4xx makes it send again.
_XML = {"application/xml": {"example": "<xml><return_code><![CDATA[FAIL]]></return_code>"
                                      "<return_msg><![CDATA[amount_mismatch]]></return_msg></xml>"}}
NOTIFICATION_ANSWERS: dict[int | str, dict] = {
    200: {"description": "SUCCESS: recorded, or a repeat already recorded", "content": _XML},
    400: {"description": "FAIL: empty or oversized body", "content": _XML},
    404: {"description": "FAIL: no such order or refund (order_not_found)", "content": _XML},
    409: {"description": "FAIL: the amount differs from the order's (amount_mismatch)", "content": _XML},
    422: {"description": "FAIL: bad signature, unreadable body or an unsuccessful payment "
                         "(invalid_signature, payment_not_successful)", "content": _XML},
}


def _ack(ok: bool, message: str = "OK", status: int = 200) -> Response:
    code = "SUCCESS" if ok else "FAIL"
    xml = f"<xml><return_code><![CDATA[{code}]]></return_code><return_msg><![CDATA[{message}]]></return_msg></xml>"
    return Response(xml, media_type="application/xml", status_code=status)


def _process(handler: Callable, session: Session, wechat: WeChatGateway, body: bytes) -> Response:
    if not body or len(body) > MAX_BODY:
        return _ack(False, "empty or oversized body", 400)
    try:
        handler(session, wechat=wechat, xml=body)
    except DomainError as exc:
        session.rollback()
        log.warning("WeChat notification refused: %s", exc.code)
        return _ack(False, exc.code, exc.status if exc.status < 500 else 400)
    return _ack(True)


@router.post("/notify", response_class=Response, responses=NOTIFICATION_ANSWERS)
async def payment_notify(request: Request, session: SessionDep, wechat: WeChatDep) -> Response:
    """Payment result. Accepted only with a valid signature and the order's exact amount; repeats are
    acknowledged without paying twice. Refusals answer FAIL with a 4xx (WeChat retries), writing nothing."""
    body = await request.body()
    return await run_in_threadpool(_process, handle_payment_notification, session, wechat, body)


@router.post("/refund-notify", response_class=Response, responses=NOTIFICATION_ANSWERS)
async def refund_notify(request: Request, session: SessionDep, wechat: WeChatDep) -> Response:
    """Refund result (``req_info`` encrypted under the API key): completes a refund still ``approved``."""
    body = await request.body()
    return await run_in_threadpool(_process, handle_refund_notification, session, wechat, body)
