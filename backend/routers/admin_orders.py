"""Staff: orders, shipping, tracking and refunds. Every answer carries the actions the staff member may take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.deps import CurrentActor, SessionDep, WeChatDep
from backend.schemas.common import STAFF_ERRORS, IdPath, Page, PageParams, errors, page_params
from backend.schemas.orders import (
    OrderOut,
    RefundOut,
    RejectIn,
    ShipIn,
    StrayPaymentOut,
    TrackingEventIn,
    TrackingEventOut,
)
from domain.models import TrackingEvent
from domain.orders import lifecycle, queries, refund_queries, refunds
from domain.orders.queries import OrderView
from domain.orders.refund_queries import RefundView
from domain.payments.stray_refunds import StrayPaymentView, retry_stray_refund, stray_payment_view, stray_payments

router = APIRouter(prefix="/api/v1/admin", tags=["admin: orders and refunds"], responses=STAFF_ERRORS)


@router.get("/orders", response_model=Page[OrderOut])
def list_orders(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                status: Annotated[str | None, Query(max_length=20)] = None,
                order_no: Annotated[str | None, Query(max_length=32)] = None,
                created_from: datetime | None = None, created_to: datetime | None = None) -> Page[OrderOut]:
    orders, total = queries.order_list(session, viewer=actor, status=status, order_no=order_no,
                                       created_from=created_from, created_to=created_to, page=paging.page,
                                       page_size=paging.page_size)
    return Page[OrderOut](items=orders, total=total)


@router.get("/orders/{order_id}", response_model=OrderOut, responses=errors(404))
def get_order(order_id: IdPath, actor: CurrentActor, session: SessionDep) -> OrderView:
    return queries.order_detail(session, order_id, viewer=actor)


@router.post("/orders/{order_id}/ship", response_model=OrderOut, responses=errors(404, 409))
def ship(order_id: IdPath, body: ShipIn, actor: CurrentActor, session: SessionDep, wechat: WeChatDep) -> OrderView:
    """Record carrier and tracking number and upload the shipping info to WeChat (a failed upload is kept
    for ``shipping-upload``)."""
    lifecycle.ship_order(session, actor=actor, order_id=order_id, carrier=body.carrier, tracking_no=body.tracking_no,
                         wechat=wechat)
    return queries.order_detail(session, order_id, viewer=actor)


@router.post("/orders/{order_id}/shipping-upload", response_model=OrderOut, responses=errors(404, 409))
def retry_upload(order_id: IdPath, actor: CurrentActor, session: SessionDep, wechat: WeChatDep) -> OrderView:
    """Upload the shipping info to WeChat again, after a failed upload."""
    lifecycle.retry_shipping_upload(session, actor=actor, order_id=order_id, wechat=wechat)
    return queries.order_detail(session, order_id, viewer=actor)


@router.post("/orders/{order_id}/tracking-events", response_model=TrackingEventOut, status_code=201,
             responses=errors(404, 409))
def add_tracking(order_id: IdPath, body: TrackingEventIn, actor: CurrentActor, session: SessionDep) -> TrackingEvent:
    return lifecycle.add_tracking_event(session, actor=actor, order_id=order_id, text=body.text, time=body.time)


@router.get("/refunds", response_model=Page[RefundOut])
def list_refunds(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                 status: Annotated[str | None, Query(max_length=20)] = None) -> Page[RefundOut]:
    rows, total = refund_queries.refund_list(session, viewer=actor, status=status, page=paging.page,
                                             page_size=paging.page_size)
    return Page[RefundOut](items=rows, total=total)


@router.get("/refunds/{refund_id}", response_model=RefundOut, responses=errors(404))
def get_refund(refund_id: IdPath, actor: CurrentActor, session: SessionDep) -> RefundView:
    return refund_queries.refund_detail(session, refund_id, viewer=actor)


@router.post("/refunds/{refund_id}/approve", response_model=RefundOut, responses=errors(404, 409))
def approve(refund_id: IdPath, actor: CurrentActor, session: SessionDep, wechat: WeChatDep) -> RefundView:
    """Refund through WeChat Pay. If WeChat fails the refund stays ``approved`` with its ``failure``, and
    approving again retries (the ``retry`` action)."""
    refunds.approve_refund(session, actor=actor, refund_id=refund_id, wechat=wechat)
    return refund_queries.refund_detail(session, refund_id, viewer=actor)


@router.post("/refunds/{refund_id}/reject", response_model=RefundOut, responses=errors(404, 409))
def reject(refund_id: IdPath, body: RejectIn, actor: CurrentActor, session: SessionDep) -> RefundView:
    refunds.reject_refund(session, actor=actor, refund_id=refund_id, reason=body.reason)
    return refund_queries.refund_detail(session, refund_id, viewer=actor)


@router.get("/stray-payments", response_model=list[StrayPaymentOut])
def list_stray_payments(actor: CurrentActor, session: SessionDep) -> list[StrayPaymentView]:
    """Payments that arrived for cancelled orders and are not back with the shopper yet, oldest first: their
    automatic refund failed and ``reconcile-payments`` retries it with backoff."""
    return stray_payments(session, viewer=actor)


@router.post("/stray-payments/{payment_id}/retry", response_model=StrayPaymentOut, responses=errors(404, 409))
def retry_stray_payment(payment_id: IdPath, actor: CurrentActor, session: SessionDep,
                        wechat: WeChatDep) -> StrayPaymentView:
    """Try the automatic refund now. ``status`` says whether WeChat took it; if not, ``refund_error`` says why."""
    return stray_payment_view(retry_stray_refund(session, actor=actor, payment_id=payment_id, wechat=wechat))
