"""Read models of refund requests, by viewer: the shopper sees their own, staff who handle refunds see all, and
each request carries the actions its viewer may take now (``domain/orders/actions.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from domain.db import paginate
from domain.errors import NotFound
from domain.models import Refund, RefundLine
from domain.orders.actions import REFUND_PERMISSION, RefundAction, refund_actions
from domain.orders.errors import RefundError
from domain.security.actor import Shopper, Viewer
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
    reason: str
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


def refund_list(session: Session, *, viewer: Viewer, status: str | None = None, order_id: int | None = None,
                page: int = 1, page_size: int = 20) -> tuple[list[RefundView], int]:
    query = _visible_refunds(select(Refund), viewer)
    if status:
        query = query.where(Refund.status == status)
    if order_id is not None:
        query = query.where(Refund.order_id == order_id)
    query, total = paginate(session, query, Refund.id.desc(), page=page, page_size=page_size)
    return refund_views(session, load_refunds(session, query), viewer), total


def refund_detail(session: Session, refund_id: int, *, viewer: Viewer) -> RefundView:
    refunds = load_refunds(session, _visible_refunds(select(Refund), viewer).where(Refund.id == refund_id))
    if not refunds:
        raise NotFound(RefundError.REFUND_NOT_FOUND, "退款申请不存在")
    [view] = refund_views(session, refunds, viewer)
    return view


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
    buyers = nicknames(session, {r.user_id for r in refunds})
    return [RefundView(
        id=r.id, refund_no=r.refund_no, order_id=r.order_id, order_no=r.order.order_no, order_status=r.order.status,
        order_payable_fen=r.order.payable_fen, buyer_nickname=buyers.get(r.user_id, ""), status=r.status,
        reason=r.reason, goods_fen=r.goods_fen, shipping_fen=r.shipping_fen, amount_fen=r.amount_fen,
        reject_reason=r.reject_reason, failure=r.failure,
        lines=tuple(RefundLineView(order_line_id=rl.order_line_id, title=rl.order_line.title,
                                   specs=dict(rl.order_line.specs), quantity=rl.quantity,
                                   bought=rl.order_line.quantity, amount_fen=rl.amount_fen) for rl in r.lines),
        created_at=r.created_at, decided_at=r.decided_at, refunded_at=r.refunded_at,
        actions=tuple(refund_actions(r, viewer)),
    ) for r in refunds]
