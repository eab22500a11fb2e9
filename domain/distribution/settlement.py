"""Settling commissions: frozen → settled once the order is completed, the after-sale window
(``settle_after_days``) has passed, and the line has no open refund. Each settled record credits the wallet
ledger once (a unique index guarantees it).

Set-based, so the number of statements does not grow with the number of records: on PostgreSQL one statement
claims every due row (``FOR NO KEY UPDATE SKIP LOCKED``), settles them and writes their ledger entries, so any
number of job runners may run at once and each record is settled by exactly one; on SQLite (one writer at a
time) it is three statements per batch of ``SQLITE_BATCH``. A ``batch_size`` bounds a run where that matters.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, insert, select, text, update
from sqlalchemy.orm import Session

from domain import clock
from domain.db import is_postgres, unit_of_work
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    EntryType,
    Order,
    OrderStatus,
    Refund,
    RefundLine,
    RefundStatus,
    WalletEntry,
)
from domain.settings.service import get_settings

SQLITE_BATCH = 5_000

# Every open request holds its line (RefundStatus.OPEN: requested, a return awaited, approved).
_PG_SETTLE = text(f"""
WITH due AS (
    SELECT cr.id FROM commission_records cr JOIN orders o ON o.id = cr.order_id
    WHERE cr.status = 'frozen' AND o.status = 'completed' AND o.completed_at <= :cutoff
      AND NOT EXISTS (
        SELECT 1 FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id
        WHERE rl.order_line_id = cr.order_line_id AND r.status IN ({", ".join(f"'{s}'" for s in RefundStatus.OPEN)}))
    ORDER BY cr.id LIMIT :batch  -- NULL: no limit
    FOR NO KEY UPDATE OF cr SKIP LOCKED
), settled AS (
    UPDATE commission_records c SET status = 'settled', settled_at = :now
    FROM due WHERE c.id = due.id AND c.status = 'frozen'
    RETURNING c.id, c.beneficiary_id, c.amount_fen
)
INSERT INTO wallet_ledger (user_id, entry_type, amount_fen, commission_record_id, note, created_at)
SELECT beneficiary_id, 'commission_settled', amount_fen, id, '佣金结算', :now FROM settled
""")


def settle_due_commissions(session: Session, *, batch_size: int | None = None) -> int:
    """Settle due records (at most ``batch_size``; on SQLite at most ``SQLITE_BATCH``); returns how many."""
    now = clock.now()
    cutoff = now - timedelta(days=get_settings(session).settle_after_days)
    if is_postgres(session):
        done = session.execute(_PG_SETTLE, {"cutoff": cutoff, "now": now, "batch": batch_size}).rowcount or 0
    else:
        done = _settle_portable(session, cutoff=cutoff, now=now, batch_size=min(batch_size or SQLITE_BATCH, SQLITE_BATCH))
    _expire_loaded(session)
    return done


def _settle_portable(session: Session, *, cutoff, now, batch_size: int) -> int:
    open_refund = (
        select(RefundLine.id).join(Refund, Refund.id == RefundLine.refund_id)
        .where(RefundLine.order_line_id == CommissionRecord.order_line_id, Refund.status.in_(RefundStatus.OPEN))
    )
    due = (
        select(CommissionRecord.id).join(Order, Order.id == CommissionRecord.order_id)
        .where(CommissionRecord.status == CommissionStatus.FROZEN, Order.status == OrderStatus.COMPLETED,
               Order.completed_at <= cutoff, ~exists(open_refund))
        .order_by(CommissionRecord.id).limit(batch_size)
    )
    settled = session.execute(
        update(CommissionRecord)
        .where(CommissionRecord.id.in_(due.scalar_subquery()), CommissionRecord.status == CommissionStatus.FROZEN)
        .values(status=CommissionStatus.SETTLED, settled_at=now)
        .returning(CommissionRecord.id, CommissionRecord.beneficiary_id, CommissionRecord.amount_fen),
        execution_options={"synchronize_session": False},
    ).all()
    if settled:
        session.execute(insert(WalletEntry), [
            {"user_id": uid, "entry_type": EntryType.COMMISSION_SETTLED, "amount_fen": amount,
             "commission_record_id": rid, "note": "佣金结算", "created_at": now}
            for rid, uid, amount in settled
        ])
    return len(settled)


def _expire_loaded(session: Session) -> None:
    for obj in list(session.identity_map.values()):
        if isinstance(obj, CommissionRecord):
            session.expire(obj)


def settle_commissions_job(batch_size: int | None = None) -> int:
    """Settle everything due, in as many units of work as batches (one on PostgreSQL unless bounded)."""
    total = 0
    while True:
        with unit_of_work() as session:
            limit = batch_size if is_postgres(session) else min(batch_size or SQLITE_BATCH, SQLITE_BATCH)
            done = settle_due_commissions(session, batch_size=limit)
        total += done
        if limit is None or done < limit:
            return total
