from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain import clock
from domain.models.base import Base, CreatedAt, Fen


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    icon_url: Mapped[str] = mapped_column(String(512), default="")
    sort: Mapped[int] = mapped_column(default=0)


class Product(CreatedAt, Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    subtitle: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # The detail page's rich text: stored only as ``domain.catalog.rich_text.sanitize`` leaves it.
    detail_html: Mapped[str] = mapped_column(Text, default="")
    images: Mapped[list[str]] = mapped_column(JSON, default=list)  # in display order; the first is the cover
    is_on_shelf: Mapped[bool] = mapped_column(default=True, index=True)
    sort: Mapped[int] = mapped_column(default=0)
    sales: Mapped[int] = mapped_column(default=0)
    # Distribution: opt out entirely, or override both levels' rates (None = the global setting).
    distribution_enabled: Mapped[bool] = mapped_column(default=True)
    commission_level1_bp: Mapped[int | None]
    commission_level2_bp: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    skus: Mapped[list[Sku]] = relationship(back_populates="product", order_by="Sku.id", cascade="all, delete-orphan")
    category: Mapped[Category | None] = relationship()

    @property
    def cover_url(self) -> str:
        return self.images[0] if self.images else ""


class Sku(Base):
    __tablename__ = "skus"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    specs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # {"颜色": "黑", "尺码": "M"}
    price_fen: Mapped[int] = mapped_column(Fen)
    # Shown struck through beside the price when higher; None = no original price.
    original_price_fen: Mapped[int | None] = mapped_column(Fen)
    cost_price_fen: Mapped[int | None] = mapped_column(Fen)  # staff only: never in what shoppers see
    image: Mapped[str] = mapped_column(String(512), default="")  # a media path, or "" for the product's cover
    stock: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    product: Mapped[Product] = relationship(back_populates="skus")

    @property
    def spec_text(self) -> str:
        return " / ".join(f"{v}" for v in self.specs.values()) if self.specs else "默认"
