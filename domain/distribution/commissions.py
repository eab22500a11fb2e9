"""Commission records: written when an order is paid, recomputed or clawed back when lines are refunded.

Two levels, never more: level 1 is the buyer's inviter, level 2 that inviter's inviter (or, with the
self-purchase rebate, a distributor buyer is their own level 1 and their inviter level 2). Each earns only if
approved and enabled at that moment; a level that does not qualify is skipped and nobody moves up.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Row, bindparam, insert, or_, select
from sqlalchemy.orm import Session, aliased

from domain import clock
from domain.distribution.distributors import ensure_distributor
from domain.distribution.rates import rates_for
from domain.json_rows import rows_json
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    Distributor,
    EntryType,
    Order,
    OrderLine,
    User,
    WalletEntry,
)
from domain.money import bp_of
from domain.settings.service import get_settings

LEVELS = (1, 2)


def beneficiaries(session: Session, *, buyer_id: int, self_purchase_rebate: bool, auto_mode: bool,
                  chain: Sequence[Sequence] | None = None) -> tuple[dict[int, int], set[int]]:
    """{level: user_id} of those who qualify right now (a level that does not qualify is left out), and which of
    them have no distributor row yet (``auto`` mode). The buyer, the inviter and the inviter's inviter, with their
    distributor rows, in one query; or ``chain``, those rows (``user_id``, ``inviter_id``, ``is_enabled``) as the
    statement that marked the order paid read them (``PAID_CHAIN_JSON``)."""
    rows = session.execute(_chain_statement(), {"buyer_id": buyer_id}).all() if chain is None else chain
    inviters = {user_id: inviter_id for user_id, inviter_id, _ in rows}
    # Approved and enabled now; with no distributor row, only ``auto`` mode makes everyone one (is_qualified's rule).
    qualified = {user_id for user_id, _, enabled in rows if (auto_mode if enabled is None else enabled)}
    if self_purchase_rebate and buyer_id in qualified:
        chain = (buyer_id, inviters.get(buyer_id))
    else:
        first = inviters.get(buyer_id)
        chain = (first, inviters.get(first) if first else None)
    earners = {level: uid for level, uid in zip(LEVELS, chain, strict=True) if uid is not None and uid in qualified}
    without_row = {user_id for user_id, _, enabled in rows if enabled is None}
    return earners, without_row & set(earners.values())


def _chain_query(buyer_id):
    """The buyer (``buyer_id``: a parameter, or a column of the enclosing statement), the buyer's inviter and that
    inviter's inviter, each with its distributor row's ``is_enabled`` (None for no row)."""
    buyer, inviter = aliased(User), aliased(User)
    # Correlated to whatever else they name: the enclosing statement's table when ``buyer_id`` is its column.
    level1 = select(buyer.inviter_id).where(buyer.id == buyer_id).correlate_except(buyer).scalar_subquery()
    level2 = select(inviter.inviter_id).where(inviter.id == level1).correlate_except(inviter).scalar_subquery()
    return (select(User.id, User.inviter_id, Distributor.is_enabled)
            .outerjoin(Distributor, Distributor.user_id == User.id)
            .where(or_(User.id == buyer_id, User.id == level1, User.id == level2)))


@cache
def _chain_statement():
    """Built once (the statement is the same for every buyer, only its parameter changes): building and keying it
    each time cost more than running it."""
    return _chain_query(bindparam("buyer_id"))


# The chain of the order being paid, as a column of the statement that marks it paid (domain/json_rows.py).
PAID_CHAIN_JSON = rows_json(_chain_query(Order.__table__.c.user_id).correlate(Order.__table__))


_INSERT_RECORDS = insert(CommissionRecord.__table__)


def write_commission_rows(session: Session, records: list[dict]) -> None:
    """``commission_rows``' records in one INSERT (on the table: the ORM's bulk insert cost more than the
    statement)."""
    if records:
        session.execute(_INSERT_RECORDS, records)


def commission_rows(session: Session, *, order: Order, lines: Sequence[Row],
                    chain: Sequence[Sequence] | None = None) -> list[dict]:
    """The commission records an order just paid earns, as the rows to write (one per line and qualifying level;
    a beneficiary in ``auto`` mode gets their distributor row first). Each of ``lines`` carries its ``id``,
    ``paid_fen`` and ``product_id`` and, beside them, what the rates read of its product:
    ``distribution_enabled``, ``commission_level1_bp``, ``commission_level2_bp`` (``domain/payments/service.py``
    reads them in one statement). ``chain``: the buyer's inviter chain, when the statement that marked the order
    paid read it (``beneficiaries``)."""
    settings = get_settings(session)
    earners, without_row = beneficiaries(session, buyer_id=order.user_id, chain=chain,
                                         self_purchase_rebate=settings.self_purchase_rebate,
                                         auto_mode=settings.distributor_mode == "auto")
    if not earners:
        return []
    records = []
    for line in lines:
        rates = rates_for(line, settings)  # the line carries its product's rate columns
        if rates is None:
            continue
        for level, user_id in earners.items():
            rate = rates.level1_bp if level == 1 else rates.level2_bp
            amount = bp_of(line.paid_fen, rate)
            if amount <= 0:
                continue
            records.append(dict(
                order_id=order.id, order_line_id=line.id, buyer_id=order.user_id, beneficiary_id=user_id,
                level=level, rate_bp=rate, base_fen=line.paid_fen, amount_fen=amount, status=CommissionStatus.FROZEN,
                # For analytics by range (docs/architecture.md, "Analytics"): the simulator keeps a product's own pair.
                paid_at=order.paid_at, own_rates=line.commission_level1_bp is not None
                and line.commission_level2_bp is not None,
            ))
    for user_id in without_row & {r["beneficiary_id"] for r in records}:
        ensure_distributor(session, user_id)  # ``auto`` mode: the row (and wallet) is made on first need
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
