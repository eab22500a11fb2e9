"""Checkout, the shopper's orders, paying, logistics and refund requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query

from backend.deps import CurrentUser, SessionDep, WeChatDep
from backend.schemas.common import IdPath, Page, PageParams, page_params
from backend.schemas.orders import (
    LogisticsOut,
    OrderOut,
    PayOut,
    PlaceOrderIn,
    PreviewIn,
    PreviewLineOut,
    PreviewOut,
    RefundIn,
    RefundOut,
    TrackingEventOut,
    order_out,
    refund_out,
)
from domain.media import media_url
from domain.models import OrderStatus
from domain.orders import checkout, lifecycle, queries, refunds
from domain.orders.logistics import get_tracker
from domain.payments.service import payment_deadline, start_payment
from domain.settings.service import get_settings

router = APIRouter(prefix="/api/v1", tags=["shopper: orders"])


def _items(body: PreviewIn) -> list[checkout.OrderItem]:
    return [checkout.OrderItem(sku_id=i.sku_id, quantity=i.quantity) for i in body.items]


def _order_out(session, order) -> OrderOut:
    timeout = get_settings(session).unpaid_timeout_minutes
    return order_out(order, open_refunds=queries.open_refunds_by_order(session, [order.id]).get(order.id, 0),
                     pay_expires_at=payment_deadline(order, timeout_minutes=timeout))


@router.post("/orders/preview", response_model=PreviewOut)
def preview(body: PreviewIn, user: CurrentUser, session: SessionDep) -> PreviewOut:
    """The price breakdown from the same engine that prices the order."""
    result = checkout.preview_order(session, user=user, items=_items(body), coupon_id=body.coupon_id)
    p = result.priced
    lines = []
    for line in p.lines:
        sku, product = result.catalog[line.sku_id]
        lines.append(PreviewLineOut(sku_id=sku.id, product_id=product.id, title=product.title, specs=sku.specs,
                                    cover_url=media_url(product.cover_url), quantity=line.quantity,
                                    unit_price_fen=line.unit_price_fen, amount_fen=line.amount_fen,
                                    discount_fen=line.discount_fen, paid_fen=line.paid_fen))
    return PreviewOut(lines=lines, goods_fen=p.goods_fen, member_discount_fen=p.member_discount_fen,
                      full_reduction_fen=p.full_reduction_fen, coupon_discount_fen=p.coupon_discount_fen,
                      shipping_fen=p.shipping_fen, payable_fen=p.payable_fen, usable_coupons=[])


@router.post("/orders", response_model=OrderOut, status_code=201)
def place(body: PlaceOrderIn, user: CurrentUser, session: SessionDep,
          idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=64)] = None) -> OrderOut:
    """Place an order. Send an ``Idempotency-Key`` header: repeating it returns the same order."""
    order = checkout.place_order(session, user=user, items=_items(body), address_id=body.address_id,
                                 remark=body.remark, idempotency_key=idempotency_key, from_cart=body.from_cart,
                                 coupon_id=body.coupon_id)
    session.flush()
    return _order_out(session, queries.get_order(session, order.id))


@router.get("/orders", response_model=Page[OrderOut])
def my_orders(user: CurrentUser, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
              status: Annotated[str | None, Query(max_length=20)] = None) -> Page[OrderOut]:
    orders, total = queries.list_orders(session, user=user, status=status, page=paging.page,
                                        page_size=paging.page_size)
    open_counts = queries.open_refunds_by_order(session, [o.id for o in orders])
    timeout = get_settings(session).unpaid_timeout_minutes
    return Page(items=[order_out(o, open_refunds=open_counts.get(o.id, 0),
                                 pay_expires_at=payment_deadline(o, timeout_minutes=timeout)) for o in orders], total=total)


@router.get("/orders/counts", response_model=dict[str, int])
def my_order_counts(user: CurrentUser, session: SessionDep) -> dict[str, int]:
    """Orders per status (every status present, 0 when none) and ``after_sale``: refund requests still open."""
    counts = {status: 0 for status in OrderStatus.ALL} | queries.status_counts(session, user=user)
    return counts | {"after_sale": queries.open_refund_count(session, user=user)}


@router.get("/orders/{order_id}", response_model=OrderOut)
def my_order(order_id: IdPath, user: CurrentUser, session: SessionDep) -> OrderOut:
    return _order_out(session, queries.get_order(session, order_id, user=user))


@router.post("/orders/{order_id}/pay", response_model=PayOut)
def pay(order_id: IdPath, user: CurrentUser, session: SessionDep, wechat: WeChatDep) -> PayOut:
    """WeChat Pay (JSAPI): the parameters for ``wx.requestPayment``. In sandbox mode the mini-program then
    asks the sandbox to confirm (``POST {sandbox}/pay/confirm {prepay_id}``)."""
    started = start_payment(session, user=user, order_id=order_id, wechat=wechat)
    return PayOut(pay_params=started.pay_params, sandbox=started.sandbox, prepay_id=started.prepay_id)


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
def cancel(order_id: IdPath, user: CurrentUser, session: SessionDep, wechat: WeChatDep) -> OrderOut:
    lifecycle.cancel_order(session, user=user, order_id=order_id, wechat=wechat)
    return _order_out(session, queries.get_order(session, order_id, user=user))


@router.post("/orders/{order_id}/confirm-receipt", response_model=OrderOut)
def confirm_receipt(order_id: IdPath, user: CurrentUser, session: SessionDep) -> OrderOut:
    lifecycle.confirm_receipt(session, user=user, order_id=order_id)
    return _order_out(session, queries.get_order(session, order_id, user=user))


@router.get("/orders/{order_id}/logistics", response_model=LogisticsOut)
def order_logistics(order_id: IdPath, user: CurrentUser, session: SessionDep) -> LogisticsOut:
    order = queries.get_order(session, order_id, user=user)
    shipment, events = lifecycle.logistics(session, order=order, tracker=get_tracker())
    return LogisticsOut(carrier=shipment.carrier, tracking_no=shipment.tracking_no,
                        events=[TrackingEventOut(time=e.time, text=e.text) for e in events])


@router.post("/orders/{order_id}/refunds", response_model=RefundOut, status_code=201)
def request_refund(order_id: IdPath, body: RefundIn, user: CurrentUser, session: SessionDep) -> RefundOut:
    refund = refunds.request_refund(
        session, user=user, order_id=order_id, reason=body.reason,
        items=[refunds.RefundItem(order_line_id=i.order_line_id, quantity=i.quantity) for i in body.lines],
    )
    return refund_out(refunds.get_refund(session, refund.id, user=user))


@router.get("/orders/{order_id}/refunds", response_model=list[RefundOut])
def order_refunds(order_id: IdPath, user: CurrentUser, session: SessionDep) -> list[RefundOut]:
    queries.get_order(session, order_id, user=user)
    rows, _ = refunds.list_refunds(session, user=user, order_id=order_id, page_size=100)
    return [refund_out(r) for r in rows]


@router.get("/refunds", response_model=Page[RefundOut])
def my_refunds(user: CurrentUser, session: SessionDep,
               paging: Annotated[PageParams, Depends(page_params)]) -> Page[RefundOut]:
    rows, total = refunds.list_refunds(session, user=user, page=paging.page, page_size=paging.page_size)
    return Page(items=[refund_out(r) for r in rows], total=total)


@router.get("/refunds/{refund_id}", response_model=RefundOut)
def my_refund(refund_id: IdPath, user: CurrentUser, session: SessionDep) -> RefundOut:
    return refund_out(refunds.get_refund(session, refund_id, user=user))
