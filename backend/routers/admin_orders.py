"""Staff: orders, shipping, tracking and refunds. Every answer carries the actions the staff member may take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from pydantic import Field

from backend.deps import CurrentActor, SessionDep, WeChatDep
from backend.schemas.common import MAX_ID, STAFF_ERRORS, IdPath, Page, PageParams, errors, page_params
from backend.schemas.orders import (
    BatchShipOut,
    ConfirmReturnIn,
    MerchantNoteIn,
    OrderOut,
    PackingSlipOut,
    ReceiverIn,
    RefundOut,
    RejectIn,
    ShipIn,
    StrayPaymentOut,
    TrackingEventIn,
    TrackingEventOut,
)
from domain.models import TrackingEvent
from domain.orders import batch_ship, lifecycle, packing, queries, refund_queries, refunds
from domain.orders.addresses import AddressInput
from domain.orders.packing import MAX_PACKING_SLIPS, PackingSlip
from domain.orders.queries import OrderView
from domain.orders.refund_queries import RefundView
from domain.payments.stray_refunds import StrayPaymentView, retry_stray_refund, stray_payment_view, stray_payments

router = APIRouter(prefix="/api/v1/admin", tags=["admin: orders and refunds"], responses=STAFF_ERRORS)


@router.get("/orders", response_model=Page[OrderOut])
def list_orders(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                status: Annotated[str | None, Query(max_length=20)] = None,
                order_no: Annotated[str | None, Query(max_length=32)] = None,
                q: Annotated[str | None, Query(max_length=50, description=(
                    "part of the order number, the buyer's nickname or a product's title; a whole phone number "
                    "finds the buyer's orders and those shipped to it"))] = None,
                created_from: datetime | None = None, created_to: datetime | None = None) -> Page[OrderOut]:
    orders, total = queries.order_list(session, viewer=actor, status=status, order_no=order_no, q=q,
                                       created_from=created_from, created_to=created_to, page=paging.page,
                                       page_size=paging.page_size)
    return Page[OrderOut](items=orders, total=total)


@router.get("/orders/counts", response_model=dict[str, int])
def order_counts(actor: CurrentActor, session: SessionDep) -> dict[str, int]:
    """Orders per status, every status present (0 when none)."""
    return queries.order_status_counts(session, viewer=actor)


@router.get("/orders/packing-list", response_model=list[PackingSlipOut])
def packing_list(actor: CurrentActor, session: SessionDep,
                 ids: Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]],
                                Query(min_length=1, max_length=MAX_PACKING_SLIPS,
                                                 description="the orders, in the order to print")]) -> list[PackingSlip]:
    """The packing slips of the chosen orders (permission ``orders_manage``): receiver, what goes in (less what was
    refunded), the buyer's remark and the merchant note. Unknown ids are left out."""
    return packing.packing_list(session, ids, viewer=actor)


@router.post("/orders/batch-ship", response_model=BatchShipOut, responses=errors(502))
def ship_from_sheet(actor: CurrentActor, session: SessionDep, wechat: WeChatDep,
                    file: Annotated[UploadFile, File(description="an .xlsx whose header names 订单号, 快递公司 and "
                                                                 "快递单号 (or order_no, carrier, tracking_no)")]
                    ) -> BatchShipOut:
    """Ship every row of the sheet as ``/orders/{id}/ship`` ships one; a refused row is reported with its code and
    never stops the others. 422 ``invalid_sheet``, ``sheet_too_large`` (2 MB, 500 rows)."""
    rows = batch_ship.ship_from_sheet(session, actor=actor, wechat=wechat,
                                      data=file.file.read(batch_ship.MAX_SHEET_BYTES + 1))
    shipped = sum(r.shipped for r in rows)
    return BatchShipOut(shipped=shipped, refused=len(rows) - shipped,
                        rows=[r.__dict__ for r in rows])


@router.get("/orders/batch-ship/template", response_class=Response,
            responses={200: {"content": {batch_ship.XLSX: {}}, "description": "an empty sheet with its header"}})
def batch_ship_template(actor: CurrentActor) -> Response:
    """The sheet to fill in for ``batch-ship``."""
    actor.require(batch_ship.SHIP_PERMISSION)
    return Response(batch_ship.sheet_template(), media_type=batch_ship.XLSX,
                    headers={"Content-Disposition": 'attachment; filename="batch-ship.xlsx"'})


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


@router.put("/orders/{order_id}/merchant-note", response_model=OrderOut, responses=errors(404, 409))
def merchant_note(order_id: IdPath, body: MerchantNoteIn, actor: CurrentActor, session: SessionDep) -> OrderView:
    """Staff's own note on the order, in any state (the ``edit_merchant_note`` edit); the shopper never sees it."""
    lifecycle.set_merchant_note(session, actor=actor, order_id=order_id, note=body.note)
    return queries.order_detail(session, order_id, viewer=actor)


@router.put("/orders/{order_id}/receiver", response_model=OrderOut, responses=errors(404, 409))
def change_receiver(order_id: IdPath, body: ReceiverIn, actor: CurrentActor, session: SessionDep) -> OrderView:
    """Send the parcel elsewhere while the order is paid and not shipped (the ``change_address`` edit). 409
    ``address_locked`` once shipped, ``order_not_paid`` before payment; 422 ``invalid_name``, ``invalid_phone``,
    ``invalid_address``."""
    lifecycle.change_receiver(session, actor=actor, order_id=order_id,
                              receiver=AddressInput(**body.model_dump()))
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
                 status: Annotated[str | None, Query(max_length=20)] = None,
                 q: Annotated[str | None, Query(max_length=50, description=(
                     "part of the refund or order number or of the buyer's nickname; a whole phone number finds "
                     "the buyer's requests and those of orders shipped to it"))] = None) -> Page[RefundOut]:
    rows, total = refund_queries.refund_list(session, viewer=actor, status=status, q=q, page=paging.page,
                                             page_size=paging.page_size)
    return Page[RefundOut](items=rows, total=total)


@router.get("/refunds/counts", response_model=dict[str, int])
def refund_counts(actor: CurrentActor, session: SessionDep) -> dict[str, int]:
    """Requests per status, every status present (0 when none)."""
    return refund_queries.refund_status_counts(session, viewer=actor)


@router.get("/refunds/{refund_id}", response_model=RefundOut, responses=errors(404))
def get_refund(refund_id: IdPath, actor: CurrentActor, session: SessionDep) -> RefundView:
    return refund_queries.refund_detail(session, refund_id, viewer=actor)


@router.post("/refunds/{refund_id}/approve", response_model=RefundOut, responses=errors(404, 409))
def approve(refund_id: IdPath, actor: CurrentActor, session: SessionDep, wechat: WeChatDep) -> RefundView:
    """Refund through WeChat Pay. If WeChat fails the refund stays ``approved`` with its ``failure``, and
    approving again retries (the ``retry`` action). A return (``return_and_refund``) is not paid yet: it becomes
    ``awaiting_return`` and the buyer is shown the shop's return address (409 ``return_address_missing`` while the
    setting is empty)."""
    refunds.approve_refund(session, actor=actor, refund_id=refund_id, wechat=wechat)
    return refund_queries.refund_detail(session, refund_id, viewer=actor)


@router.post("/refunds/{refund_id}/confirm-return", response_model=RefundOut, responses=errors(404, 409))
def confirm_return(refund_id: IdPath, body: ConfirmReturnIn, actor: CurrentActor, session: SessionDep,
                   wechat: WeChatDep) -> RefundView:
    """The returned goods arrived (the ``confirm_return`` action): the money goes back through WeChat Pay as on
    approval, and with ``restock`` the units go back on the shelf."""
    refunds.confirm_return(session, actor=actor, refund_id=refund_id, restock=body.restock, wechat=wechat)
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
