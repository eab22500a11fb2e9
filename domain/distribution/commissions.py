"""Commission records: written when an order is paid, recomputed or clawed back when lines are refunded.

Two levels, never more: level 1 is the buyer's inviter, level 2 that inviter's inviter (or, with the
self-purchase rebate, a distributor buyer is their own level 1 and their inviter level 2). Each earns only if
approved and enabled at that moment; a level that does not qualify is skipped and nobody moves up.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import clock
from domain.distribution.distributors import ensure_distributor, is_qualified
from domain.distribution.rates import rates_for
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    EntryType,
    Order,
    OrderLine,
    Product,
    User,
    WalletEntry,
)
from domain.money import bp_of
from domain.settings.service import get_settings

LEVELS = (1, 2)


def beneficiaries(session: Session, *, buyer: User, self_purchase_rebate: bool) -> dict[int, int]:
    """{level: user_id} of those who qualify right now; a level that does not qualify is left out."""
    if self_purchase_rebate and is_qualified(session, buyer.id):
        level1, level2 = buyer.id, buyer.inviter_id
    else:
        level1 = buyer.inviter_id
        level2 = session.get(User, level1).inviter_id if level1 else None
    return {level: uid for level, uid in zip(LEVELS, (level1, level2), strict=True)
            if uid is not None and is_qualified(session, uid)}


def record_commissions(session: Session, *, order: Order, lines: list[OrderLine]) -> list[CommissionRecord]:
    settings = get_settings(session)
    buyer = session.get(User, order.user_id)
    earners = beneficiaries(session, buyer=buyer, self_purchase_rebate=settings.self_purchase_rebate)
    if not earners:
        return []
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_({line.product_id for line in lines})))}
    records = []
    for line in lines:
        rates = rates_for(products[line.product_id], settings)
        if rates is None:
            continue
        for level, user_id in earners.items():
            rate = rates.level1_bp if level == 1 else rates.level2_bp
            amount = bp_of(line.paid_fen, rate)
            if amount <= 0:
                continue
            records.append(CommissionRecord(
                order_id=order.id, order_line_id=line.id, buyer_id=buyer.id, beneficiary_id=user_id, level=level,
                rate_bp=rate, base_fen=line.paid_fen, amount_fen=amount, status=CommissionStatus.FROZEN,
            ))
    for user_id in {r.beneficiary_id for r in records}:
        ensure_distributor(session, user_id)
    session.add_all(records)
    session.flush()
    return records


def apply_line_refund(session: Session, *, line: OrderLine, refund_id: int) -> None:
    """After money for part of a line went back: frozen records are recomputed on the remaining base
    (``(paid - refunded) * bp // 10000``, cancelled at 0); settled ones are clawed back from the wallet."""
    remaining = line.paid_fen - line.refunded_fen
    records = session.scalars(
        select(CommissionRecord).where(CommissionRecord.order_line_id == line.id).with_for_update(key_share=True)
    ).all()
    now = clock.now()
    for record in records:
        new_amount = bp_of(remaining, record.rate_bp)
        if record.status == CommissionStatus.FROZEN:
            record.base_fen, record.amount_fen = remaining, new_amount
            if new_amount == 0:
                record.status, record.cancelled_at = CommissionStatus.CANCELLED, now
        elif record.status == CommissionStatus.SETTLED:
            record.base_fen = remaining
            owed_back = record.amount_fen - record.clawed_back_fen - new_amount
            if owed_back > 0:
                record.clawed_back_fen += owed_back
                session.add(WalletEntry(user_id=record.beneficiary_id, entry_type=EntryType.CLAWBACK,
                                        amount_fen=-owed_back, commission_record_id=record.id, refund_id=refund_id,
                                        note=f"退款追回佣金（订单行 {line.id}）"))
    session.flush()
