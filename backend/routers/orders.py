"""Checkout, the shopper's orders, paying, logistics and refund requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Header, Query, UploadFile
from sqlalchemy.orm import Session

from backend.deps import (
    BearerToken,
    CurrentUser,
    SessionDep,
    UnitOfWorkDep,
    WeChatDep,
    in_one_thread,
    placement_slot,
)
from backend.schemas.common import SHOPPER_ERRORS, IdPath, Page, PageParams, errors, page_params
from backend.schemas.orders import (
    LogisticsOut,
    OrderOut,
    PayOut,
    PlaceOrderIn,
    PreviewIn,
    PreviewOut,
    RefundIn,
    RefundOut,
    RefundPhotoOut,
    ReturnShipmentIn,
)
from domain.media import MAX_UPLOAD_BYTES, media_url
from domain.models import OrderStatus
from domain.orders import checkout, lifecycle, order_rows, queries, refund_queries, refunds
from domain.orders.checkout import OrderPreview
from domain.orders.logistics import get_tracker
from domain.orders.queries import LogisticsView, OrderView
from domain.orders.refund_queries import RefundView
from domain.payments.service import PaymentStart, start_payment_for_token
from domain.security.actor import Shopper

router = APIRouter(prefix="/api/v1", tags=["shopper: orders"], responses=SHOPPER_ERRORS)


def _items(body: PreviewIn) -> list[checkout.OrderItem]:
    return [checkout.OrderItem(sku_id=i.sku_id, quantity=i.quantity) for i in body.items]


@router.post("/orders/preview", response_model=PreviewOut, responses=errors(404, 409))
async def preview(body: PreviewIn, token: BearerToken, units: UnitOfWorkDep) -> OrderPreview:
    """The price breakdown from the same engine that prices the order."""
    # Whole in one thread, the token's shopper included, as placing (it writes nothing: a read).
    return await in_one_thread(units, lambda session: checkout.order_preview_for_token(
        session, token=token, items=_items(body), coupon_id=body.coupon_id), read_only=True)


@router.post("/orders", response_model=OrderOut, status_code=201, responses=errors(404, 409, 429))
async def place(body: PlaceOrderIn, token: BearerToken, units: UnitOfWorkDep,
                idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=64)] = None
                ) -> OrderView:
    """Place an order. Send an ``Idempotency-Key`` header: repeating it returns the same order. 429
    ``orders_busy`` when too many orders waited in line (a flash sale): nothing was written, send it again."""
    # The placement waits its turn on this worker before it takes a thread or a connection, then runs whole in one
    # thread: the token's user, the order and the commit, in one unit of work (docs/architecture.md, "Performance").
    async with placement_slot():
        return await in_one_thread(units, lambda session: _place(session, token, body, idempotency_key))


def _place(session: Session, token: str, body: PlaceOrderIn, idempotency_key: str | None) -> OrderView:
    return checkout.place_order_for_token(session, token=token, items=_items(body), address_id=body.address_id,
                                          remark=body.remark, idempotency_key=idempotency_key,
                                          from_cart=body.from_cart, coupon_id=body.coupon_id)


@router.get("/orders", response_model=Page[OrderOut])
def my_orders(user: CurrentUser, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
              status: Annotated[str | None, Query(max_length=20)] = None) -> Page[OrderOut]:
    orders, total = queries.order_list(session, viewer=Shopper.of(user), status=status, page=paging.page,
                                       page_size=paging.page_size)
    return Page[OrderOut](items=orders, total=total)


@router.get("/orders/counts", response_model=dict[str, int])
def my_order_counts(user: CurrentUser, session: SessionDep) -> dict[str, int]:
    """Orders per status (every status present, 0 when none) and ``after_sale``: refund requests still open."""
    counts = {status: 0 for status in OrderStatus.ALL} | queries.status_counts(session, user=user)
    return counts | {"after_sale": queries.open_refund_count(session, user=user)}


# An order's page and paying for it run whole in one thread each, the token's user included, like placing: these
# are the requests of every checkout (docs/architecture.md, "Performance").
@router.get("/orders/{order_id}", response_model=OrderOut, responses=errors(404))
async def my_order(order_id: IdPath, token: BearerToken, units: UnitOfWorkDep) -> OrderView:
    return await in_one_thread(units, lambda session: _my_order(session, token, order_id), read_only=True)


def _my_order(session: Session, token: str, order_id: int) -> OrderView:
    return order_rows.shopper_order_for_token(session, token=token, order_id=order_id)


@router.post("/orders/{order_id}/pay", response_model=PayOut, responses=errors(404, 409, 502))
async def pay(order_id: IdPath, token: BearerToken, units: UnitOfWorkDep, wechat: WeChatDep) -> PaymentStart:
    """WeChat Pay (JSAPI): the parameters for ``wx.requestPayment``. In sandbox mode the mini-program then
    asks the sandbox to confirm (``POST {sandbox}/pay/confirm {prepay_id}``)."""
    return await in_one_thread(units, lambda session: start_payment_for_token(
        session, token=token, order_id=order_id, wechat=wechat), calls_wechat=True)


@router.post("/orders/{order_id}/cancel", response_model=OrderOut, responses=errors(404, 409, 502))
def cancel(order_id: IdPath, user: CurrentUser, session: SessionDep, wechat: WeChatDep) -> OrderView:
    lifecycle.cancel_order(session, user=user, order_id=order_id, wechat=wechat)
    return queries.order_detail(session, order_id, viewer=Shopper.of(user))


@router.post("/orders/{order_id}/confirm-receipt", response_model=OrderOut, responses=errors(404, 409))
def confirm_receipt(order_id: IdPath, user: CurrentUser, session: SessionDep) -> OrderView:
    lifecycle.confirm_receipt(session, user=user, order_id=order_id)
    return queries.order_detail(session, order_id, viewer=Shopper.of(user))


@router.get("/orders/{order_id}/logistics", response_model=LogisticsOut, responses=errors(404, 409))
def order_logistics(order_id: IdPath, user: CurrentUser, session: SessionDep) -> LogisticsView:
    return queries.order_logistics(session, order_id, viewer=Shopper.of(user), tracker=get_tracker())


@router.post("/orders/{order_id}/refunds", response_model=RefundOut, status_code=201, responses=errors(404, 409))
def request_refund(order_id: IdPath, body: RefundIn, user: CurrentUser, session: SessionDep) -> RefundView:
    """Ask for units back: ``kind`` refund_only (仅退款), or return_and_refund (退货退款) once the order has
    shipped (its ``refund_kinds``), with up to three ``photos`` uploaded through ``POST /refunds/photos``."""
    refund = refunds.request_refund(
        session, user=user, order_id=order_id, reason=body.reason, kind=body.kind, photos=body.photos,
        items=[refunds.RefundItem(order_line_id=i.order_line_id, quantity=i.quantity) for i in body.lines],
    )
    return refund_queries.refund_detail(session, refund.id, viewer=Shopper.of(user))


@router.get("/orders/{order_id}/refunds", response_model=list[RefundOut], responses=errors(404))
def order_refunds(order_id: IdPath, user: CurrentUser, session: SessionDep) -> list[RefundView]:
    viewer = Shopper.of(user)
    queries.get_order(session, order_id, user=user)  # someone else's order: 404, not an empty list
    rows, _ = refund_queries.refund_list(session, viewer=viewer, order_id=order_id, page_size=100)
    return rows


@router.get("/refunds", response_model=Page[RefundOut])
def my_refunds(user: CurrentUser, session: SessionDep,
               paging: Annotated[PageParams, Depends(page_params)]) -> Page[RefundOut]:
    rows, total = refund_queries.refund_list(session, viewer=Shopper.of(user), page=paging.page,
                                             page_size=paging.page_size)
    return Page[RefundOut](items=rows, total=total)


@router.get("/refunds/{refund_id}", response_model=RefundOut, responses=errors(404))
def my_refund(refund_id: IdPath, user: CurrentUser, session: SessionDep) -> RefundView:
    return refund_queries.refund_detail(session, refund_id, viewer=Shopper.of(user))


@router.post("/refunds/photos", response_model=RefundPhotoOut, status_code=201, responses=errors(502))
def upload_refund_photo(user: CurrentUser,
                        file: Annotated[UploadFile, File(description="a picture from wx.chooseMedia "
                                                                     "(wx.uploadFile, name file), at most 5 MB")]
                        ) -> RefundPhotoOut:
    """A photo for an after-sale request, checked to be a picture and kept as JPEG; put its ``path`` in the
    request's ``photos``. 422 ``invalid_image``, ``image_too_large``; 502 ``media_store_unavailable``."""
    path = refunds.upload_refund_photo(user=user, data=file.file.read(MAX_UPLOAD_BYTES + 1))
    return RefundPhotoOut(path=path, url=media_url(path))


@router.post("/refunds/{refund_id}/return-shipment", response_model=RefundOut, responses=errors(404, 409))
def ship_return(refund_id: IdPath, body: ReturnShipmentIn, user: CurrentUser, session: SessionDep) -> RefundView:
    """The return parcel sent to the ``return_address``: carrier and tracking number (the ``ship_return`` action;
    it can be corrected until the goods arrive). 409 ``not_awaiting_return``."""
    refunds.ship_return(session, user=user, refund_id=refund_id, carrier=body.carrier, tracking_no=body.tracking_no)
    return refund_queries.refund_detail(session, refund_id, viewer=Shopper.of(user))
