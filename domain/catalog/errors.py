"""Refusals of the catalog: categories, products, SKUs and stock."""

from __future__ import annotations

from enum import StrEnum


class CatalogError(StrEnum):
    CATEGORY_NOT_FOUND = "category_not_found"
    CATEGORY_EXISTS = "category_exists"
    INVALID_CATEGORY = "invalid_category"
    PRODUCT_NOT_FOUND = "product_not_found"
    SKU_NOT_FOUND = "sku_not_found"
    UNKNOWN_FIELD = "unknown_field"
    FIELD_REQUIRED = "field_required"
    INVALID_TITLE = "invalid_title"
    NO_SKUS = "no_skus"
    TOO_MANY_SKUS = "too_many_skus"
    DUPLICATE_SKU = "duplicate_sku"
    INVALID_PRICE = "invalid_price"
    INVALID_STOCK = "invalid_stock"
    STOCK_NEGATIVE = "stock_negative"
    INVALID_ORIGINAL_PRICE = "invalid_original_price"
    INVALID_COST_PRICE = "invalid_cost_price"
    INVALID_IMAGE = "invalid_image"
    INVALID_SPEC = "invalid_spec"
    DETAIL_TOO_LONG = "detail_too_long"
    NO_PRODUCTS_CHOSEN = "no_products_chosen"
    TOO_MANY_PRODUCTS = "too_many_products"
    # A product's own commission rates: both or neither (the rates themselves follow ``SettingsError``'s rules).
    INVALID_COMMISSION_OVERRIDE = "invalid_commission_override"
