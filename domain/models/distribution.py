from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, Fen


class ApplicationStatus:
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class DistributorApplication(CreatedAt, Base):
    __tablename__ = "distributor_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    real_name_enc: Mapped[str] = mapped_column(Text)
    phone_enc: Mapped[str] = mapped_column(Text)
    phone_bidx: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.PENDING, index=True)
    reject_reason: Mapped[str] = mapped_column(String(200), default="")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None]


class Distributor(CreatedAt, Base):
    """An approved distributor. ``is_enabled`` is the staff's disable/enable switch."""

    __tablename__ = "distributors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    real_name_enc: Mapped[str | None] = mapped_column(Text)
    phone_enc: Mapped[str | None] = mapped_column(Text)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("distributor_applications.id"))
    disabled_reason: Mapped[str] = mapped_column(String(200), default="")


class CommissionStatus:
    FROZEN = "frozen"
    SETTLED = "settled"
    CANCELLED = "cancelled"


class CommissionRecord(CreatedAt, Base):
    """What one beneficiary earns on one paid order line, at one level."""

    __tablename__ = "commission_records"
    __table_args__ = (
        UniqueConstraint("order_line_id", "level"),
        # Frozen records only (settlement's scan): a record leaves it when it settles (migration 0010).
        Index("ix_commission_records_frozen", "order_id", postgresql_where=text("status = 'frozen'"),
              sqlite_where=text("status = 'frozen'")),
        Index("ix_commission_records_beneficiary_status", "beneficiary_id", "status"),
        Index("ix_commission_records_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    level: Mapped[int]
    rate_bp: Mapped[int]
    base_fen: Mapped[int] = mapped_column(Fen)  # the line's paid_fen minus what has been refunded
    amount_fen: Mapped[int] = mapped_column(Fen)  # base * rate // 10000
    # After settlement, refunds take money back by clawback entries; this sums them.
    clawed_back_fen: Mapped[int] = mapped_column(Fen, default=0)
    status: Mapped[str] = mapped_column(String(16), default=CommissionStatus.FROZEN)
    settled_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Written with the record, for analytics over a range without joins (docs/architecture.md, "Analytics"): the
    # order's payment time, and whether the rate was the product's own pair (the commission simulator keeps those).
    paid_at: Mapped[datetime | None] = mapped_column(index=True)
    own_rates: Mapped[bool] = mapped_column(default=False, server_default=false())


class QrCodeImage(CreatedAt, Base):
    """WeChat mini-program codes, fetched once per scene and kept."""

    __tablename__ = "qrcode_cache"

    scene: Mapped[str] = mapped_column(String(32), primary_key=True)
    page: Mapped[str] = mapped_column(String(128), default="")
    png: Mapped[bytes] = mapped_column(LargeBinary)
