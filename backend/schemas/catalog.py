"""Catalog answers read the domain's read models (``domain/catalog/queries.py``) and products as they are."""

from __future__ import annotations

from pydantic import Field

from backend.schemas.common import IdField, ReadModel, Strict, StrictInt
from backend.schemas.marketing import PromoOut


class CategoryOut(ReadModel):
    id: int
    name: str
    icon_url: str
    sort: int


class ProductCardOut(ReadModel):
    id: int
    title: str
    subtitle: str
    cover_url: str
    price_fen: int
    sales: int
    category_id: int | None
    promo_price_fen: int | None = None
    promo: PromoOut | None = Field(None, description="a limited-time price running now, with its end and units left")
    tags: list[str] = Field(default=[], description='满减 that cover it, e.g. "满199减20"')
    original_price_fen: int | None = None


class SkuOut(ReadModel):
    id: int
    specs: dict[str, str]
    price_fen: int
    stock: int
    promo_price_fen: int | None = None
    promo: PromoOut | None = None
    member_price_fen: int | None = None
    commission_level1_fen: int | None = None
    original_price_fen: int | None = Field(None, description="shown struck through; only when above the price")
    image_url: str = Field("", description="the SKU's own picture, absolute; empty: the product's images")


class CommissionPreviewOut(ReadModel):
    level1_fen: int
    level2_fen: int


class ProductDetailOut(ReadModel):
    id: int
    title: str
    subtitle: str
    description: str
    images: list[str]
    category_id: int | None
    category_name: str | None
    price_fen: int
    sales: int
    spec_names: list[str]
    skus: list[SkuOut]
    commission: CommissionPreviewOut | None = None
    promo: PromoOut | None = Field(None, description="the lowest limited-time price among its SKUs")
    tags: list[str] = Field(default=[], description='满减 that cover it, e.g. "满199减20"')
    detail_html: str = Field("", description="sanitised rich text for the mini-program's rich-text; absolute images")


class SkuIn(Strict):
    id: IdField | None = None
    specs: dict[str, str] = Field(default_factory=dict)
    price_fen: StrictInt = Field(gt=0, le=100_000_000)
    stock: StrictInt = Field(ge=0, le=10_000_000)
    is_active: bool = True
    original_price_fen: StrictInt | None = Field(None, gt=0, le=100_000_000)
    cost_price_fen: StrictInt | None = Field(None, ge=0, le=100_000_000)
    image: str = Field("", max_length=512, description="a /media/… path or an https:// address")


class ProductIn(Strict):
    title: str = Field(min_length=1, max_length=120)
    category_id: IdField | None = None
    subtitle: str = Field("", max_length=200)
    description: str = Field("", max_length=20_000)
    detail_html: str = Field("", max_length=50_000, description="rich text; sanitised on save")
    images: list[str] = Field(default_factory=list, max_length=20)
    is_on_shelf: bool = True
    sort: StrictInt = Field(0, ge=-10**6, le=10**6)
    distribution_enabled: bool = True
    commission_level1_bp: StrictInt | None = Field(None, ge=-10_000, le=10_000)
    commission_level2_bp: StrictInt | None = Field(None, ge=-10_000, le=10_000)
    skus: list[SkuIn] = Field(min_length=1, max_length=100)


class ProductPatch(Strict):
    title: str | None = Field(None, min_length=1, max_length=120)
    category_id: IdField | None = None
    subtitle: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    detail_html: str | None = Field(None, max_length=50_000)
    images: list[str] | None = Field(None, max_length=20)
    is_on_shelf: bool | None = None
    sort: StrictInt | None = Field(None, ge=-10**6, le=10**6)
    distribution_enabled: bool | None = None
    commission_level1_bp: StrictInt | None = Field(None, ge=-10_000, le=10_000)
    commission_level2_bp: StrictInt | None = Field(None, ge=-10_000, le=10_000)
    skus: list[SkuIn] | None = Field(None, min_length=1, max_length=100)


class AdminSkuOut(ReadModel):
    id: int
    specs: dict[str, str]
    price_fen: int
    stock: int
    is_active: bool
    original_price_fen: int | None
    cost_price_fen: int | None
    image: str


class AdminProductOut(ReadModel):
    id: int
    title: str
    subtitle: str
    description: str
    detail_html: str
    images: list[str]
    category_id: int | None
    is_on_shelf: bool
    sort: int
    sales: int
    distribution_enabled: bool
    commission_level1_bp: int | None
    commission_level2_bp: int | None
    skus: list[AdminSkuOut]


class ShelfIn(Strict):
    product_ids: list[IdField] = Field(min_length=1, max_length=500)
    is_on_shelf: bool


class ShelfOut(ReadModel):
    changed: int = Field(description="products that were not so already")
