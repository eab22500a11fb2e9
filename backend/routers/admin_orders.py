"""Staff: orders, shipping, tracking and refunds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.deps import CurrentActor, SessionDep, WeChatDep
from backend.schemas.common import IdPath, Page, PageParams, page_params
from backend.schemas.orders import (
    OrderOut,
    RefundOut,
    RejectIn,
    ShipIn,
    TrackingEventIn,
    TrackingEventOut,
    order_out,
    refund_out,
)
from domain.orders import lifecycle, queries, refunds
from domain.security.roles import Permission

router = APIRouter(prefix="/api/v1/admin", tags=["admin: orders and refunds"])


@router.get("/orders", response_model=Page[OrderOut])
def list_orders(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                status: Annotated[str | None, Query(max_length=20)] = None,
                order_no: Annotated[str | None, Query(max_length=32)] = None,
                created_from: datetime | None = None, created_to: datetime | None = None) -> Page[OrderOut]:
    actor.require(Permission.ORDERS_READ)
    orders, total = queries.list_orders(session, status=status, order_no=order_no, created_from=created_from,
                                        created_to=created_to, page=paging.page, page_size=paging.page_size)
    counts = queries.open_refunds_by_order(session, [o.id for o in orders])
    return Page(items=[order_out(o, open_refunds=counts.get(o.id, 0)) for o in orders], total=total)


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: IdPath, actor: CurrentActor, session: SessionDep) -> OrderOut:
    actor.require(Permission.ORDERS_READ)
    order = queries.get_order(session, order_id)
    return order_out(order, open_refunds=queries.open_refunds_by_order(session, [order.id]).get(order.id, 0))


@router.post("/orders/{order_id}/ship", response_model=OrderOut)
def ship(order_id: IdPath, body: ShipIn, actor: CurrentActor, session: SessionDep, wechat: WeChatDep) -> OrderOut:
    """Record carrier and tracking number and upload the shipping info to WeChat."""
    lifecycle.ship_order(session, actor=actor, order_id=order_id, carrier=body.carrier, tracking_no=body.tracking_no,
                         wechat=wechat)
    return order_out(queries.get_order(session, order_id))


@router.post("/orders/{order_id}/shipping-upload", response_model=OrderOut)
def retry_upload(order_id: IdPath, actor: CurrentActor, session: SessionDep, wechat: WeChatDep) -> OrderOut:
    lifecycle.retry_shipping_upload(session, actor=actor, order_id=order_id, wechat=wechat)
    return order_out(queries.get_order(session, order_id))


@router.post("/orders/{order_id}/tracking-events", response_model=TrackingEventOut, status_code=201)
def add_tracking(order_id: IdPath, body: TrackingEventIn, actor: CurrentActor, session: SessionDep) -> TrackingEventOut:
    event = lifecycle.add_tracking_event(session, actor=actor, order_id=order_id, text=body.text, time=body.time)
    return TrackingEventOut(time=event.time, text=event.text)


@router.get("/refunds", response_model=Page[RefundOut])
def list_refunds(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                 status: Annotated[str | None, Query(max_length=20)] = None) -> Page[RefundOut]:
    actor.require(Permission.REFUNDS)
    rows, total = refunds.list_refunds(session, status=status, page=paging.page, page_size=paging.page_size)
    return Page(items=[refund_out(r) for r in rows], total=total)


@router.post("/refunds/{refund_id}/approve", response_model=RefundOut)
def approve(refund_id: IdPath, actor: CurrentActor, session: SessionDep, wechat: WeChatDep) -> RefundOut:
    refunds.approve_refund(session, actor=actor, refund_id=refund_id, wechat=wechat)
    return refund_out(refunds.get_refund(session, refund_id))


@router.post("/refunds/{refund_id}/reject", response_model=RefundOut)
def reject(refund_id: IdPath, body: RejectIn, actor: CurrentActor, session: SessionDep) -> RefundOut:
    refunds.reject_refund(session, actor=actor, refund_id=refund_id, reason=body.reason)
    return refund_out(refunds.get_refund(session, refund_id))
