from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain import clock
from domain.models.base import Base, CreatedAt


class User(CreatedAt, Base):
    """A shopper, known by their WeChat openid."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    nickname: Mapped[str] = mapped_column(String(64), default="")
    avatar_url: Mapped[str] = mapped_column(String(512), default="")
    # Personal data is encrypted at rest (AES-GCM); phone look-ups go through the HMAC blind index.
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    session_key_enc: Mapped[str | None] = mapped_column(Text)
    invite_code: Mapped[str] = mapped_column(String(8), unique=True)
    inviter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    bound_at: Mapped[datetime | None]
    # The growth ledger's sum and the level it reaches, kept on the row by every ledger entry (domain/members/
    # growth.py) so that prices, searches and re-ranking read one column; ``recompute-levels`` repairs both.
    growth: Mapped[int] = mapped_column(default=0)
    # A cache, not a foreign key: levels may be replaced, and every change of them re-ranks in the same statement.
    member_level_id: Mapped[int | None] = mapped_column(index=True)  # None: the lowest level
    last_login_at: Mapped[datetime | None] = mapped_column(default=clock.now)


class UserToken(CreatedAt, Base):
    """A shopper's bearer token. Only its SHA-256 is stored."""

    __tablename__ = "user_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]

