"""The mini-program home's content that staff edit: the banner carousel and the notices under it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from domain import clock
from domain.models.base import Base, CreatedAt


class LinkKind(StrEnum):
    """Where tapping a banner or a notice takes the shopper."""

    NONE = "none"
    PRODUCT = "product"  # the product's detail page
    CATEGORY = "category"  # the home page's tab of that category


class Banner(CreatedAt, Base):
    __tablename__ = "home_banners"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(40))  # for staff and as the picture's description
    image_url: Mapped[str] = mapped_column(String(512))  # a /media/... path or an external https URL
    # No foreign key: the target is a product or a category by link_kind; a target that has gone is not shown.
    link_kind: Mapped[str] = mapped_column(String(16), default=LinkKind.NONE)
    link_id: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)  # 0 first
    is_enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class Notice(CreatedAt, Base):
    __tablename__ = "home_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(120))
    link_kind: Mapped[str] = mapped_column(String(16), default=LinkKind.NONE)
    link_id: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
