"""The product form, shared by "new product" and "edit product".

It only collects and parses what staff typed (yuan → fen, percent → bp, the SKU table → rows) and reports
typing mistakes. Every business rule (titles, duplicate SKUs, the commission cap…) is the domain's, applied
when the caller hands the draft to ``create_product`` / ``update_product``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dashboard.components.amounts import parse_percent, percent_text
from dashboard.components.images import image_source
from dashboard.i18n import t
from dashboard.state import widget_key
from domain.media import MAX_UPLOAD_BYTES
from domain.money import parse_yuan, yuan

SKU_ID = "sku_id"
PRICE = "price_yuan"
STOCK = "stock"
_AXIS_SEPARATORS = re.compile(r"[,，、;；\s]+")
PRICE_PATTERN = r"^\d+(\.\d{1,2})?$"


@dataclass(frozen=True)
class SkuRow:
    id: int | None
    specs: dict[str, str]
    price_fen: int
    stock: int


@dataclass(frozen=True)
class EditableProduct:
    """A product as the form shows it; plain values, loaded in a session that is closed by now."""

    id: int
    title: str
    subtitle: str
    description: str
    category_id: int | None
    images: list[str]
    is_on_shelf: bool
    distribution_enabled: bool
    commission_level1_bp: int | None
    commission_level2_bp: int | None
    skus: list[SkuRow]

    @classmethod
    def of(cls, product) -> EditableProduct:
        return cls(
            id=product.id, title=product.title, subtitle=product.subtitle, description=product.description,
            category_id=product.category_id, images=list(product.images), is_on_shelf=product.is_on_shelf,
            distribution_enabled=product.distribution_enabled, commission_level1_bp=product.commission_level1_bp,
            commission_level2_bp=product.commission_level2_bp,
            skus=[SkuRow(id=s.id, specs=dict(s.specs), price_fen=s.price_fen, stock=s.stock)
                  for s in product.skus if s.is_active],
        )


@dataclass
class ProductDraft:
    """The parsed form: product fields as ``ProductInput`` names them, kept images, new uploads and SKUs."""

    fields: dict
    images: list[str]
    uploads: list[UploadedFile]
    skus: list[SkuRow]


def product_form(form: str, *, categories: dict[int, str], default_rates_bp: tuple[int, int],
                 product: EditableProduct | None = None) -> ProductDraft | None:
    """Draw the form; on submit return the parsed draft, or None (not submitted, or typing mistakes shown)."""
    key = partial(widget_key, form)
    axes = spec_axes(st.text_input(
        t("product.spec_axes"), value="，".join(_axes_of(product.skus)) if product else "",
        key=key("axes"), placeholder=t("product.spec_axes_placeholder"), help=t("product.spec_axes_help"),
    ))

    with st.form(key("form"), border=True):
        left, right = st.columns(2)
        with left:
            title = st.text_input(t("product.title"), value=product.title if product else "", max_chars=120,
                                  key=key("title"))
            subtitle = st.text_input(t("product.subtitle"), value=product.subtitle if product else "",
                                     max_chars=200, key=key("subtitle"))
            category_labels = {None: t("product.no_category"), **categories}
            options = list(category_labels)
            category_id = st.selectbox(
                t("product.category"), options, index=options.index(product.category_id) if product else 0,
                format_func=category_labels.__getitem__, key=key("category"),
            )
            description = st.text_area(t("product.description"), value=product.description if product else "",
                                       height=120, key=key("description"))
        with right:
            is_on_shelf = st.toggle(t("product.on_shelf"), value=product.is_on_shelf if product else True,
                                    key=key("on_shelf"))
            distribution_enabled = st.toggle(
                t("product.distribution_enabled"), value=product.distribution_enabled if product else True,
                key=key("distribution"), help=t("product.distribution_help"),
            )
            has_override = product is not None and product.commission_level1_bp is not None
            override = st.checkbox(t("product.override"), value=has_override, key=key("override"),
                                   help=t("product.override_help"))
            c1, c2 = st.columns(2)
            level1 = c1.text_input(
                t("product.level1_percent"), key=key("level1"),
                value=percent_text(product.commission_level1_bp) if has_override else "",
                placeholder=t("product.default_rate", rate=percent_text(default_rates_bp[0])),
            )
            level2 = c2.text_input(
                t("product.level2_percent"), key=key("level2"),
                value=percent_text(product.commission_level2_bp) if has_override else "",
                placeholder=t("product.default_rate", rate=percent_text(default_rates_bp[1])),
            )
            removed: list[int] = []
            if product and product.images:
                _image_strip(product.images)
                image_labels = [t("product.image_n", n=i + 1) for i in range(len(product.images))]
                removed = st.multiselect(
                    t("product.remove_images"), list(range(len(product.images))), key=key("remove_images"),
                    format_func=image_labels.__getitem__, placeholder=t("product.remove_none"),
                )
            uploads = st.file_uploader(
                t("product.upload_images"), type=["png", "jpg", "jpeg", "webp"], accept_multiple_files=True,
                key=key("uploads"), help=t("product.upload_help"), max_upload_size=MAX_UPLOAD_BYTES // 2**20,
            ) or []

        st.markdown(f"**{t('product.skus')}**")
        st.caption(t("product.skus_help"))
        table = st.data_editor(
            _sku_table(axes, product.skus if product else None),
            key=key("skus"), num_rows="dynamic", hide_index=True, width="stretch",
            column_order=[*axes, PRICE, STOCK],
            column_config={
                **{axis: st.column_config.TextColumn(axis, max_chars=32) for axis in axes},
                PRICE: st.column_config.TextColumn(t("sku.price_yuan"), validate=PRICE_PATTERN, required=True),
                STOCK: st.column_config.NumberColumn(t("sku.stock"), min_value=0, step=1, format="%d",
                                                     default=0, required=True),
            },
        )
        submitted = st.form_submit_button(t("product.save") if product else t("product.create"), type="primary",
                                          key=key("submit"))

    if not submitted:
        return None
    errors: list[str] = []
    skus = parse_sku_table(table, axes, errors)
    level1_bp = level2_bp = None
    if override:
        try:
            level1_bp, level2_bp = parse_percent(level1), parse_percent(level2)
        except ValueError:
            errors.append(t("product.bad_percent"))
    for message in errors:
        st.error(message)
    if errors:
        return None
    kept = [img for i, img in enumerate(product.images) if i not in removed] if product else []
    return ProductDraft(
        fields={
            "title": title, "subtitle": subtitle, "description": description, "category_id": category_id,
            "is_on_shelf": is_on_shelf, "distribution_enabled": distribution_enabled,
            "commission_level1_bp": level1_bp, "commission_level2_bp": level2_bp,
        },
        images=kept, uploads=list(uploads), skus=skus,
    )


def spec_axes(text: str) -> list[str]:
    """'颜色，尺码' → ['颜色', '尺码'] (Chinese or Latin commas, spaces; duplicates dropped)."""
    axes: list[str] = []
    for part in _AXIS_SEPARATORS.split(text or ""):
        part = part.strip()[:16]
        if part and part not in axes and part not in (SKU_ID, PRICE, STOCK):
            axes.append(part)
    return axes


def parse_sku_table(table: pd.DataFrame, axes: list[str], errors: list[str]) -> list[SkuRow]:
    """Rows of the SKU editor → ``SkuRow``s. Wholly blank rows are skipped; mistakes are added to ``errors``."""
    rows: list[SkuRow] = []
    for n, record in enumerate(table.to_dict("records"), start=1):
        specs = {axis: _text(record.get(axis)) for axis in axes}
        specs = {k: v for k, v in specs.items() if v}
        price_text, stock = _text(record.get(PRICE)), record.get(STOCK)
        if not specs and not price_text and _missing(stock):
            continue
        try:
            price_fen = parse_yuan(price_text)
        except ValueError:
            errors.append(t("sku.bad_price", row=n))
            continue
        if _missing(stock) or float(stock) != math.floor(float(stock)) or float(stock) < 0:
            errors.append(t("sku.bad_stock", row=n))
            continue
        sku_id = record.get(SKU_ID)
        rows.append(SkuRow(id=None if _missing(sku_id) else int(sku_id), specs=specs, price_fen=price_fen,
                           stock=int(stock)))
    if not rows and not errors:
        errors.append(t("sku.none"))
    return rows


def _sku_table(axes: list[str], skus: list[SkuRow] | None) -> pd.DataFrame:
    records = [
        {SKU_ID: s.id, **{axis: s.specs.get(axis, "") for axis in axes}, PRICE: yuan(s.price_fen), STOCK: s.stock}
        for s in skus
    ] if skus else [{SKU_ID: None, **dict.fromkeys(axes, ""), PRICE: "", STOCK: 0}]
    table = pd.DataFrame.from_records(records, columns=[SKU_ID, *axes, PRICE, STOCK])
    return table.astype({SKU_ID: "Int64", STOCK: "int64", PRICE: "string", **dict.fromkeys(axes, "string")})


def _axes_of(skus: list[SkuRow]) -> list[str]:
    axes: list[str] = []
    for sku in skus:
        axes.extend(k for k in sku.specs if k not in axes)
    return axes


def _image_strip(images: list[str]) -> None:
    columns = st.columns(min(len(images), 5))
    for i, path in enumerate(images):
        source = image_source(path)
        caption = t("product.image_n", n=i + 1) + (f" · {t('product.cover')}" if i == 0 else "")
        with columns[i % len(columns)]:
            if source is not None:
                st.image(source, caption=caption, width=96)
            else:
                st.caption(f"{caption}: {path}")


def _text(value) -> str:
    return "" if _missing(value) else str(value).strip()


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
