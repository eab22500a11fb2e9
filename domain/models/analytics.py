"""Risk signals and what staff decide about them (docs/security.md, "Risk signals"): a signal flags a pattern for
review and never acts alone; staff mark it reviewed, or put the distributor's withdrawals on review, after which
each of their withdrawals needs a second approval by another staff member."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt


class RiskKind(StrEnum):
    SHARED_PHONE = "shared_phone"  # buyer and inviter share a phone (blind index)
    SHARED_ADDRESS = "shared_address"  # buyer's order ships where the inviter's own orders ship
    SHARED_PAYER = "shared_payer"  # the inviter's WeChat paid for the buyer's order
    TEAM_REFUNDS = "team_refunds"  # a team refunds far more than the shop
    BINDING_BURST = "binding_burst"  # many bindings to one invite code in a short time


class RiskStatus(StrEnum):
    OPEN = "open"
    REVIEWED = "reviewed"


class RiskOutcome(StrEnum):
    DISMISSED = "dismissed"  # looked at, nothing to do
    WITHDRAWALS_ON_REVIEW = "withdrawals_on_review"


class RiskSignal(CreatedAt, Base):
    """One pattern found by the risk scan, with the evidence staff need to judge it. ``key`` names what was found
    (kind, people, period), so scanning again never raises the same signal twice."""

    __tablename__ = "risk_signals"
    __table_args__ = (Index("ix_risk_signals_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    distributor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # the inviter who would earn
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the buyer, for a pair
    key: Mapped[str] = mapped_column(String(96), unique=True)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=RiskStatus.OPEN)
    outcome: Mapped[str | None] = mapped_column(String(24))
    review_note: Mapped[str] = mapped_column(String(200), default="")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None]


class WithdrawalReview(CreatedAt, Base):
    """A distributor whose withdrawals are on review: while the row exists, every withdrawal of theirs waits for a
    second approval by a staff member other than the first (docs/state-machines.md, "Withdrawals")."""

    __tablename__ = "withdrawal_reviews"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("risk_signals.id"))
    placed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class OrderFingerprint(Base):
    """Blind indexes of a paid order's receiver address and phone, so that the risk scan can compare addresses in
    SQL without decrypting them (the same HMAC as the phone look-up, docs/security.md, "At rest")."""

    __tablename__ = "order_fingerprints"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    address_bidx: Mapped[str] = mapped_column(String(64), index=True)
    phone_bidx: Mapped[str] = mapped_column(String(64), index=True)
