"""Read models of refund requests, by viewer: the shopper sees their own, staff who handle refunds see all, and
each request carries the actions its viewer may take now (``domain/orders/actions.py``). A return carries the shop's
return address and the buyer's return parcel; photos come as addresses to load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from domain.db import paginate
from domain.errors import NotFound
from domain.media import media_url
from domain.models import Order, Refund, RefundKind, RefundLine, RefundStatus, User
from domain.orders.actions import REFUND_PERMISSION, RefundAction, refund_actions
from domain.orders.errors import RefundError
from domain.search import contains
from domain.security import crypto
from domain.security.actor import Shopper, Viewer
from domain.settings.service import get_settings
from domain.users.queries import nicknames


@dataclass(frozen=True)
class RefundLineView:
    order_line_id: int
    title: str
    specs: dict[str, str]
    quantity: int
    bought: int  # units of the order line
    amount_fen: int


@dataclass(frozen=True)
class RefundView:
    id: int
    refund_no: str
    order_id: int
    order_no: str
    order_status: str
    order_payable_fen: int
    buyer_nickname: str
    status: str
    kind: str  # refund_only (仅退款) or return_and_refund (退货退款)
    reason: str
    photos: tuple[str, ...]  # addresses to load, in the order the buyer chose them
    goods_fen: int
    shipping_fen: int
    amount_fen: int
    reject_reason: str
    failure: str  # why WeChat did not refund an approved request
    lines: tuple[RefundLineView, ...]
    created_at: datetime
    decided_at: datetime | None
    refunded_at: datetime | None
    actions: tuple[RefundAction, ...]
    # A return: where the buyer sends the goods (the shop's setting, once the return is approved), their parcel, and
    # when staff received it and whether its units went back on the shelf.
    return_address: str = ""
    return_carrier: str = ""
    return_tracking_no: str = ""
    return_shipped_at: datetime | None = None
    goods_received_at: datetime | None = None
    restock_returned: bool = False
    photo_paths: tuple[str, ...] = ()  # the stored /media/… references behind ``photos`` (the dashboard reads them)


def refund_list(session: Session, *, viewer: Viewer, status: str | None = None, order_id: int | None = None,
                q: str | None = None, page: int = 1, page_size: int = 20) -> tuple[list[RefundView], int]:
    """``q``: part of the refund or order number, or of the buyer's nickname; a whole phone number finds the
    buyer's requests and those of orders shipped to that phone (through the blind index, never in clear)."""
    query = _visible_refunds(select(Refund), viewer)
    if status:
        query = query.where(Refund.status == status)
    if order_id is not None:
        query = query.where(Refund.order_id == order_id)
    if q and q.strip():
        query = query.where(_matching(q.strip()))
    query, total = paginate(session, query, Refund.id.desc(), page=page, page_size=page_size)
    return refund_views(session, load_refunds(session, query), viewer), total


def refund_detail(session: Session, refund_id: int, *, viewer: Viewer) -> RefundView:
    refunds = load_refunds(session, _visible_refunds(select(Refund), viewer).where(Refund.id == refund_id))
    if not refunds:
        raise NotFound(RefundError.REFUND_NOT_FOUND, "退款申请不存在")
    [view] = refund_views(session, refunds, viewer)
    return view


def _matching(text: str):
    order_ids = select(Order.id).where(contains(Order.order_no, text))
    user_ids = select(User.id).where(contains(User.nickname, text))
    found = [contains(Refund.refund_no, text), Refund.order_id.in_(order_ids), Refund.user_id.in_(user_ids)]
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 11 and len(text.replace(" ", "").replace("-", "")) == 11:
        bidx = crypto.phone_index(digits)
        found += [Refund.user_id.in_(select(User.id).where(User.phone_bidx == bidx)),
                  Refund.order_id.in_(select(Order.id).where(Order.receiver_phone_bidx == bidx))]
    return or_(*found)


def refund_status_counts(session: Session, *, viewer: Viewer) -> dict[str, int]:
    """Requests per status (every status present), for the refunds screen's queue."""
    viewer.require(REFUND_PERMISSION)
    rows = session.execute(select(Refund.status, func.count()).group_by(Refund.status)).all()
    return {status: 0 for status in RefundStatus.ALL} | {status: int(n) for status, n in rows}


def _visible_refunds(query: Select, viewer: Viewer) -> Select:
    if isinstance(viewer, Shopper):
        return query.where(Refund.user_id == viewer.user_id)
    viewer.require(REFUND_PERMISSION)
    return query


def load_refunds(session: Session, query: Select) -> list[Refund]:
    return list(session.scalars(
        query.options(selectinload(Refund.lines).selectinload(RefundLine.order_line), selectinload(Refund.order))
    ))


def refund_views(session: Session, refunds: list[Refund], viewer: Viewer) -> list[RefundView]:
    if not refunds:
        return []
    buyers = nicknames(session, {r.user_id for r in refunds})
    return_address = get_settings(session).return_address
    return [RefundView(
        id=r.id, refund_no=r.refund_no, order_id=r.order_id, order_no=r.order.order_no, order_status=r.order.status,
        order_payable_fen=r.order.payable_fen, buyer_nickname=buyers.get(r.user_id, ""), status=r.status,
        kind=r.kind, reason=r.reason, photos=tuple(media_url(p) for p in r.photos or ()),
        goods_fen=r.goods_fen, shipping_fen=r.shipping_fen, amount_fen=r.amount_fen,
        reject_reason=r.reject_reason, failure=r.failure,
        lines=tuple(RefundLineView(order_line_id=rl.order_line_id, title=rl.order_line.title,
                                   specs=dict(rl.order_line.specs), quantity=rl.quantity,
                                   bought=rl.order_line.quantity, amount_fen=rl.amount_fen) for rl in r.lines),
        created_at=r.created_at, decided_at=r.decided_at, refunded_at=r.refunded_at,
        actions=tuple(refund_actions(r, viewer, return_address=return_address)),
        return_address=return_address if _sends_goods_back(r) else "",
        return_carrier=r.return_carrier, return_tracking_no=r.return_tracking_no,
        return_shipped_at=r.return_shipped_at, goods_received_at=r.goods_received_at,
        restock_returned=r.restock_returned, photo_paths=tuple(r.photos or ()),
    ) for r in refunds]


def _sends_goods_back(refund: Refund) -> bool:
    """A return approved and not yet received: the buyer needs the address."""
    return refund.kind == RefundKind.RETURN_AND_REFUND and refund.status == RefundStatus.AWAITING_RETURN
