"""Packing slips: the chosen orders as whoever packs them reads them — where each goes, what goes in (less what was
refunded already), and what the buyer and the shop asked for. The receiver is disclosed as on the order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from domain.models import Order
from domain.orders.actions import EDIT_PERMISSION
from domain.orders.queries import receiver_address
from domain.security.actor import Actor
from domain.security.disclosure import Field, show
from domain.users.queries import nicknames


@dataclass(frozen=True)
class PackingLine:
    title: str
    specs: dict[str, str]
    quantity: int


@dataclass(frozen=True)
class PackingSlip:
    """One order as the packer reads it: where it goes, what goes in, and what the buyer and the shop asked for."""

    order_no: str
    paid_at: datetime | None
    buyer_nickname: str
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    lines: tuple[PackingLine, ...]  # less what was refunded already
    remark: str
    merchant_note: str


MAX_PACKING_SLIPS = 100


def packing_list(session: Session, order_ids: list[int], *, viewer: Actor) -> list[PackingSlip]:
    """The packing slips of the chosen orders, in the order chosen (at most ``MAX_PACKING_SLIPS``), for whoever
    ships; the receiver is disclosed as on the order (docs/security.md). Units refunded already are left out."""
    viewer.require(EDIT_PERMISSION)
    ids = list(dict.fromkeys(order_ids))[:MAX_PACKING_SLIPS]
    if not ids:
        return []
    orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_(ids))
                                                .options(selectinload(Order.lines)))}
    buyers = nicknames(session, {o.user_id for o in orders.values()})
    return [PackingSlip(
        order_no=o.order_no, paid_at=o.paid_at, buyer_nickname=buyers.get(o.user_id, ""),
        receiver_name=show(viewer, Field.RECEIVER_NAME, o.receiver_name_enc, owner_id=o.user_id),
        receiver_phone=show(viewer, Field.RECEIVER_PHONE, o.receiver_phone_enc, owner_id=o.user_id),
        receiver_address=receiver_address(o, viewer),
        lines=tuple(PackingLine(title=line.title, specs=dict(line.specs), quantity=line.quantity - line.refunded_quantity)
                    for line in o.lines if line.quantity > line.refunded_quantity),
        remark=o.remark, merchant_note=o.merchant_note,
    ) for o in (orders[i] for i in ids if i in orders)]
