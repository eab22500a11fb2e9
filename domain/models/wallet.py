from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, Fen


class Wallet(CreatedAt, Base):
    """One per distributor. The row exists to be locked; the balance is the sum of the ledger."""

    __tablename__ = "wallets"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class EntryType:
    COMMISSION_SETTLED = "commission_settled"
    WITHDRAWAL_HOLD = "withdrawal_hold"
    WITHDRAWAL_RELEASED = "withdrawal_released"
    CLAWBACK = "clawback"
    ADJUSTMENT = "adjustment"


def _unique_per_type(name: str, entry_type: str, *columns: str) -> Index:
    where = text(f"entry_type = '{entry_type}'")
    return Index(name, *columns, unique=True, postgresql_where=where, sqlite_where=where)


class WalletEntry(CreatedAt, Base):
    """Append-only ledger. Amounts are signed fen; their sum is the available balance."""

    __tablename__ = "wallet_ledger"
    __table_args__ = (
        # A commission settles once, a refund claws back once per record, and a withdrawal holds once
        # and releases at most once: partial unique indexes, because NULLs never collide.
        _unique_per_type("uq_ledger_settled", EntryType.COMMISSION_SETTLED, "commission_record_id"),
        _unique_per_type("uq_ledger_clawback", EntryType.CLAWBACK, "commission_record_id", "refund_id"),
        _unique_per_type("uq_ledger_hold", EntryType.WITHDRAWAL_HOLD, "withdrawal_id"),
        _unique_per_type("uq_ledger_released", EntryType.WITHDRAWAL_RELEASED, "withdrawal_id"),
        Index("ix_wallet_ledger_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entry_type: Mapped[str] = mapped_column(String(24))
    amount_fen: Mapped[int] = mapped_column(Fen)
    commission_record_id: Mapped[int | None] = mapped_column(ForeignKey("commission_records.id"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    withdrawal_id: Mapped[int | None] = mapped_column(ForeignKey("withdrawals.id"))
    note: Mapped[str] = mapped_column(String(200), default="")


class WithdrawalStatus:
    PENDING = "pending"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"
    FAILED = "failed"
    # A 商家转账 bill waits for the distributor's 确认收款 in the mini-program (docs/state-machines.md).
    AWAITING_CONFIRMATION = "awaiting_confirmation"

    IN_FLIGHT = (PENDING, APPROVED, AWAITING_CONFIRMATION)


class Withdrawal(CreatedAt, Base):
    __tablename__ = "withdrawals"
    __table_args__ = (Index("ix_withdrawals_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    withdrawal_no: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount_fen: Mapped[int] = mapped_column(Fen)
    fee_fen: Mapped[int] = mapped_column(Fen, default=0)
    method: Mapped[str] = mapped_column(String(8))  # wechat | bank
    bank_name: Mapped[str] = mapped_column(String(64), default="")
    account_name_enc: Mapped[str | None] = mapped_column(Text)
    account_no_enc: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24), default=WithdrawalStatus.PENDING, index=True)
    reject_reason: Mapped[str] = mapped_column(String(200), default="")
    failure: Mapped[str] = mapped_column(String(200), default="")
    payout_ref: Mapped[str] = mapped_column(String(64), default="")
    # While a 商家转账 bill awaits confirmation: its package_info for wx.requestMerchantTransfer.
    transfer_package: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    # The distributor's withdrawals are on review (a risk signal): approval takes two staff members, and the
    # first one's approval is kept here until another gives the second (docs/state-machines.md, "Withdrawals").
    # A staff id, not a foreign key, so that SQLite can drop the column in place on a downgrade.
    second_approval_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    first_approved_by: Mapped[int | None]
    first_approved_at: Mapped[datetime | None]

    @property
    def payout_fen(self) -> int:
        return self.amount_fen - self.fee_fen


