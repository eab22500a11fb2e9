"""The product form, shared by "new product" and "edit product".

It only collects and parses what staff typed (yuan → fen, percent → bp, the SKU table → rows) and reports
typing mistakes. Every business rule (titles, duplicate SKUs, the original price, the commission cap…) is the
domain's, applied when ``save`` hands the draft to ``create_product`` / ``update_product``.

What staff type stays as they typed it: the SKU table's cells are text, checked cell by cell on submit, and
every mistake — the form's own and the domain's refusals — is shown at once beside its field, with the bad
cells of the table marked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dashboard import state
from dashboard.components.amounts import parse_percent, percent_text
from dashboard.components.images import image_source, thumbnail_url
from dashboard.i18n import t
from dashboard.state import widget_key
from domain.catalog.errors import CatalogError
from domain.catalog.service import MAX_SKUS
from domain.catalog.specs import SpecAxis, matrix_skus
from domain.errors import DomainError
from domain.media import MAX_UPLOAD_BYTES
from domain.money import parse_yuan, yuan
from domain.settings.errors import SettingsError

SKU_ID = "sku_id"
PRICE = "price_yuan"
ORIGINAL = "original_yuan"
COST = "cost_yuan"
STOCK = "stock"
IMAGE = "image"
COLUMNS = (PRICE, ORIGINAL, COST, STOCK, IMAGE)
PROBLEMS = "problems"  # the marked copy of the table's column that says what is wrong with the row
_AXIS_SEPARATORS = re.compile(r"[,，、;；\s]+")
_WHOLE = re.compile(r"^\d+$")
# Which column of the table each SKU field of the domain is typed in.
_CELL_OF = {"price_fen": PRICE, "original_price_fen": ORIGINAL, "cost_price_fen": COST, "stock": STOCK,
            "image": IMAGE}
_BAD_CELL = "background-color: #fde2e1; color: #a1130f; font-weight: 600"


@dataclass(frozen=True)
class SkuRow:
    id: int | None
    specs: dict[str, str]
    price_fen: int
    stock: int
    original_price_fen: int | None = None
    cost_price_fen: int | None = None
    image: str = ""
    row: int = 0  # its row in the table (from 1), so that the domain's refusals land on their cells


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
    detail_html: str = ""
    sort: int = 0

    @classmethod
    def of(cls, product) -> EditableProduct:
        return cls(
            id=product.id, title=product.title, subtitle=product.subtitle, description=product.description,
            category_id=product.category_id, images=list(product.images), is_on_shelf=product.is_on_shelf,
            distribution_enabled=product.distribution_enabled, commission_level1_bp=product.commission_level1_bp,
            commission_level2_bp=product.commission_level2_bp, detail_html=product.detail_html, sort=product.sort,
            skus=[SkuRow(id=s.id, specs=dict(s.specs), price_fen=s.price_fen, stock=s.stock,
                         original_price_fen=s.original_price_fen, cost_price_fen=s.cost_price_fen, image=s.image)
                  for s in product.skus if s.is_active],
        )


@dataclass
class ProductDraft:
    """The parsed form: product fields as ``ProductInput`` names them, kept images (in their new order, the cover
    first), new uploads, pictures for the rich text, and SKUs."""

    fields: dict
    images: list[str]
    uploads: list[UploadedFile]
    skus: list[SkuRow]
    detail_uploads: list[UploadedFile] = field(default_factory=list)


@dataclass
class _Slots:
    """Places beside the fields, filled after submit with what is wrong there."""

    title: st.delta_generator.DeltaGenerator
    commission: st.delta_generator.DeltaGenerator
    images: st.delta_generator.DeltaGenerator
    skus: st.delta_generator.DeltaGenerator
    other: st.delta_generator.DeltaGenerator


@dataclass
class _Problems:
    """Every mistake found on submit, by field; ``cells`` marks the table's bad cells as (row, column)."""

    title: list[str] = field(default_factory=list)
    commission: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    cells: dict[tuple[int, str], str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any((self.title, self.commission, self.images, self.skus, self.other))


def product_form(form: str, *, categories: dict[int, str], default_rates_bp: tuple[int, int],
                 save: Callable[[ProductDraft], DomainError | None], product: EditableProduct | None = None) -> bool:
    """Draw the form; on submit parse it and ``save`` the draft (which answers the domain's refusal, if any).
    True once saved; every mistake is shown beside its field otherwise."""
    key = partial(widget_key, form)
    axes = spec_axes(st.text_input(
        t("product.spec_axes"), value="，".join(_axes_of(product.skus)) if product else "",
        key=key("axes"), placeholder=t("product.spec_axes_placeholder"), help=t("product.spec_axes_help"),
    ))
    shown_skus = product.skus if product else []
    generation, generated = state.generated_skus(form)
    _spec_matrix(form, axes, generated if generated is not None else shown_skus)
    generation, generated = state.generated_skus(form)
    images = product.images if product else []

    with st.form(key("form"), border=True):
        left, right = st.columns(2)
        with left:
            title = st.text_input(t("product.title"), value=product.title if product else "", max_chars=120,
                                  key=key("title"))
            title_slot = st.container()
            subtitle = st.text_input(t("product.subtitle"), value=product.subtitle if product else "",
                                     max_chars=200, key=key("subtitle"))
            category_labels = {None: t("product.no_category"), **categories}
            options = list(category_labels)
            category_col, sort_col = st.columns([3, 1])
            category_id = category_col.selectbox(
                t("product.category"), options,
                index=options.index(product.category_id) if product and product.category_id in options else 0,
                format_func=category_labels.__getitem__, key=key("category"),
            )
            sort = sort_col.number_input(t("product.sort"), value=product.sort if product else 0, step=1,
                                         min_value=-10**6, max_value=10**6, key=key("sort"),
                                         help=t("product.sort_help"))
            description = st.text_area(t("product.description"), value=product.description if product else "",
                                       height=100, key=key("description"))
            detail_html = st.text_area(t("product.detail_html"), value=product.detail_html if product else "",
                                       height=140, key=key("detail_html"), help=t("product.detail_html_help"),
                                       placeholder=t("product.detail_html_placeholder"))
            detail_uploads = st.file_uploader(
                t("product.detail_images"), type=["png", "jpg", "jpeg", "webp"], accept_multiple_files=True,
                key=key("detail_uploads"), help=t("product.detail_images_help"),
                max_upload_size=MAX_UPLOAD_BYTES // 2**20,
            ) or []
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
            commission_slot = st.container()
            removed: list[int] = []
            arrangement = None
            if images:
                _image_strip(images)
                arrangement = st.data_editor(
                    _image_table(images), key=key("images"), hide_index=True, width="stretch",
                    disabled=["n", "preview"], column_order=["n", "preview", "position", "cover"],
                    column_config={
                        "n": st.column_config.TextColumn(t("product.image_col")),
                        "preview": st.column_config.ImageColumn(t("product.image_preview")),
                        "position": st.column_config.NumberColumn(t("product.image_position"), min_value=1,
                                                                  step=1, format="%d",
                                                                  help=t("product.image_position_help")),
                        "cover": st.column_config.CheckboxColumn(t("product.cover_col"),
                                                                 help=t("product.cover_help")),
                    },
                )
                image_labels = [t("product.image_n", n=i + 1) for i in range(len(images))]
                removed = st.multiselect(
                    t("product.remove_images"), list(range(len(images))), key=key("remove_images"),
                    format_func=image_labels.__getitem__, placeholder=t("product.remove_none"),
                )
            images_slot = st.container()
            uploads = st.file_uploader(
                t("product.upload_images"), type=["png", "jpg", "jpeg", "webp"], accept_multiple_files=True,
                key=key("uploads"), help=t("product.upload_help"), max_upload_size=MAX_UPLOAD_BYTES // 2**20,
            ) or []

        st.markdown(f"**{t('product.skus')}**")
        st.caption(t("product.skus_help"))
        image_options = {"": t("product.sku_image_none"),
                         **{path: t("product.image_n", n=i + 1) for i, path in enumerate(images)}}
        rows_shown = generated if generated is not None else shown_skus
        table = st.data_editor(
            _sku_table(axes, rows_shown, image_options), key=key(f"skus{generation or ''}"), num_rows="dynamic",
            hide_index=True, width="stretch", column_order=[*axes, *COLUMNS],
            column_config=_sku_columns(axes, image_options),
        )
        skus_slot = st.container()
        other_slot = st.container()
        submitted = st.form_submit_button(t("product.save") if product else t("product.create"), type="primary",
                                          key=key("submit"))

    if not submitted:
        return False
    slots = _Slots(title=title_slot, commission=commission_slot, images=images_slot, skus=skus_slot,
                   other=other_slot)
    problems = _Problems()
    skus = parse_sku_table(table, axes, problems, {label: path for path, label in image_options.items()})
    level1_bp = level2_bp = None
    if override:
        try:
            level1_bp, level2_bp = parse_percent(level1), parse_percent(level2)
        except ValueError:
            problems.commission.append(t("product.bad_percent"))
    kept = _arrange(images, arrangement, removed, problems)
    if problems:
        _show(problems, slots, table, axes)
        return False
    draft = ProductDraft(
        fields={
            "title": title, "subtitle": subtitle, "description": description, "category_id": category_id,
            "is_on_shelf": is_on_shelf, "distribution_enabled": distribution_enabled,
            "commission_level1_bp": level1_bp, "commission_level2_bp": level2_bp, "sort": int(sort),
            "detail_html": detail_html,
        },
        images=kept, uploads=list(uploads), skus=skus, detail_uploads=list(detail_uploads),
    )
    refusal = save(draft)
    if refusal is None:
        return True
    _show(_refusal_problems(refusal, skus), slots, table, axes)
    return False


def spec_axes(text: str) -> list[str]:
    """'颜色，尺码' → ['颜色', '尺码'] (Chinese or Latin commas, spaces; duplicates dropped)."""
    axes: list[str] = []
    for part in _AXIS_SEPARATORS.split(text or ""):
        part = part.strip()[:16]
        if part and part not in axes and part not in (SKU_ID, PROBLEMS, *COLUMNS):
            axes.append(part)
    return axes


def spec_values(text: str) -> tuple[str, ...]:
    """'黑，白、红' → ('黑', '白', '红'), in the order typed, duplicates kept (the domain refuses them)."""
    return tuple(part.strip() for part in _AXIS_SEPARATORS.split(text or "") if part.strip())


def parse_sku_table(table: pd.DataFrame, axes: list[str], problems: _Problems,
                    image_paths: dict[str, str] | None = None) -> list[SkuRow]:
    """Rows of the SKU editor → ``SkuRow``s. Wholly blank rows are skipped. Every bad cell is reported (by row and
    column, in ``problems``); nothing a person typed is dropped or changed to make it fit."""
    rows: list[SkuRow] = []
    image_paths = image_paths or {}
    for n, record in enumerate(table.to_dict("records"), start=1):
        specs = {axis: _text(record.get(axis)) for axis in axes}
        specs = {k: v for k, v in specs.items() if v}
        cells = {column: _text(record.get(column)) for column in COLUMNS}
        if not specs and not any(cells[c] for c in (PRICE, ORIGINAL, COST, STOCK)):
            continue
        price = _money(cells[PRICE], n, PRICE, problems, required=True)
        original = _money(cells[ORIGINAL], n, ORIGINAL, problems)
        cost = _money(cells[COST], n, COST, problems)
        stock = _whole(cells[STOCK], n, problems)
        if price is None or stock is None or (cells[ORIGINAL] and original is None) or (cells[COST] and cost is None):
            continue
        sku_id = record.get(SKU_ID)
        rows.append(SkuRow(id=None if _missing(sku_id) else int(sku_id), specs=specs, price_fen=price, stock=stock,
                           original_price_fen=original, cost_price_fen=cost,
                           image=image_paths.get(cells[IMAGE], cells[IMAGE]), row=n))
    if not rows and not problems.skus:
        problems.skus.append(t("sku.none"))
    return rows


def _money(text: str, row: int, column: str, problems: _Problems, *, required: bool = False) -> int | None:
    if not text:
        if required:
            _cell_problem(problems, row, column, t("sku.bad_price", row=row))
        return None
    try:
        return parse_yuan(text)
    except ValueError:
        message = {PRICE: "sku.bad_price", ORIGINAL: "sku.bad_original", COST: "sku.bad_cost"}[column]
        _cell_problem(problems, row, column, t(message, row=row))
        return None


def _whole(text: str, row: int, problems: _Problems) -> int | None:
    # "5.0" is what a number cell hands back for 5; anything else that is not a whole number is refused as typed.
    digits = text[:-2] if text.endswith(".0") else text
    if not _WHOLE.match(digits):
        _cell_problem(problems, row, STOCK, t("sku.bad_stock", row=row))
        return None
    return int(digits)


def _cell_problem(problems: _Problems, row: int, column: str, message: str) -> None:
    problems.cells[(row, column)] = message
    problems.skus.append(message)


def _refusal_problems(refusal: DomainError, skus: list[SkuRow]) -> _Problems:
    """The domain's refusal, put where it belongs: SKU problems on their cells, the rest beside their field."""
    problems = _Problems()
    listed = refusal.details.get("problems") if refusal.details else None
    if listed:
        for p in listed:
            row = skus[p["row"] - 1].row if 0 < p["row"] <= len(skus) else p["row"]
            message = t("sku.row_problem", row=row, message=p["message"])
            if p["field"] in _CELL_OF:
                _cell_problem(problems, row, _CELL_OF[p["field"]], message)
            else:
                problems.skus.append(message)
        return problems
    if refusal.code == CatalogError.INVALID_TITLE:
        problems.title.append(refusal.message)
    elif refusal.code in (CatalogError.INVALID_COMMISSION_OVERRIDE, *SettingsError):
        problems.commission.append(refusal.message)
    elif refusal.code in (CatalogError.NO_SKUS, CatalogError.TOO_MANY_SKUS, CatalogError.DUPLICATE_SKU):
        problems.skus.append(refusal.message)
    elif refusal.code in ("invalid_image", "image_too_large"):
        problems.images.append(refusal.message)
    else:
        problems.other.append(refusal.message)
    return problems


def _show(problems: _Problems, slots: _Slots, table: pd.DataFrame, axes: list[str]) -> None:
    for slot, messages in ((slots.title, problems.title), (slots.commission, problems.commission),
                           (slots.images, problems.images), (slots.skus, problems.skus),
                           (slots.other, problems.other)):
        for message in messages:
            slot.error(message, icon=":material/error:")
    if problems.cells:
        slots.skus.caption(t("sku.marked"))
        slots.skus.dataframe(_marked(table, axes, problems.cells), hide_index=True, width="stretch")


def _marked(table: pd.DataFrame, axes: list[str], cells: dict[tuple[int, str], str]):
    """The table as typed, with its bad cells coloured and each row's problems beside it."""
    shown = table[[*axes, *COLUMNS]].reset_index(drop=True).astype("string").fillna("")
    shown = shown.rename(columns={c: t(f"sku.col.{c}") for c in COLUMNS})
    notes = [""] * len(shown)
    for (row, _), message in cells.items():
        if 0 < row <= len(shown):
            notes[row - 1] = (notes[row - 1] + " " + message).strip()
    shown[t("sku.col.problems")] = notes
    bad = {(row - 1, t(f"sku.col.{column}")) for row, column in cells}

    def colour(frame: pd.DataFrame) -> pd.DataFrame:
        styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for row, column in bad:
            if row in styles.index and column in styles.columns:
                styles.loc[row, column] = _BAD_CELL
        return styles

    return shown.style.apply(colour, axis=None)


def _spec_matrix(form: str, axes: list[str], current: list[SkuRow]) -> None:
    """颜色: 黑, 白 × 尺码: S, M, L → the table gets one row per combination; rows already there keep their
    prices and stock, new ones get the price typed here."""
    if not axes:
        return
    key = partial(widget_key, form)
    known = {axis: list(dict.fromkeys(s.specs[axis] for s in current if s.specs.get(axis))) for axis in axes}
    with st.expander(t("product.matrix"), expanded=not current or not any(known.values())):
        st.caption(t("product.matrix_help"))
        columns = st.columns(len(axes))
        values = {axis: spec_values(columns[i].text_input(
            t("product.matrix_values", axis=axis), value="，".join(known[axis]), key=key(f"matrix.{axis}"),
            placeholder=t("product.matrix_values_placeholder"))) for i, axis in enumerate(axes)}
        price_col, stock_col, button_col = st.columns([2, 2, 2], vertical_alignment="bottom")
        price_text = price_col.text_input(t("product.matrix_price"), key=key("matrix.price"), placeholder="39.90")
        stock = stock_col.number_input(t("product.matrix_stock"), value=0, min_value=0, step=1,
                                       key=key("matrix.stock"))
        if not button_col.button(t("product.matrix_generate"), key=key("matrix.generate"),
                                 icon=":material/grid_on:"):
            return
        try:
            price = parse_yuan(price_text) if price_text.strip() else 0
        except ValueError:
            st.error(t("product.matrix_bad_price"), icon=":material/error:")
            return
        try:
            rows = matrix_skus([SpecAxis(axis, values[axis]) for axis in axes], current, limit=MAX_SKUS,
                               make=lambda specs: SkuRow(id=None, specs=specs, price_fen=price, stock=int(stock)))
        except DomainError as exc:
            st.error(exc.message, icon=":material/error:")
            return
        state.set_generated_skus(form, rows)
        st.success(t("product.matrix_done", n=len(rows)), icon=":material/grid_on:")


def _sku_columns(axes: list[str], image_options: dict[str, str]) -> dict:
    # Every money and stock cell is text: a number cell would turn -5 into 5 and drop "abc" before we see it.
    return {
        **{axis: st.column_config.TextColumn(axis, max_chars=32) for axis in axes},
        PRICE: st.column_config.TextColumn(t("sku.price_yuan"), help=t("sku.price_help")),
        ORIGINAL: st.column_config.TextColumn(t("sku.original_yuan"), help=t("sku.original_help")),
        COST: st.column_config.TextColumn(t("sku.cost_yuan"), help=t("sku.cost_help")),
        STOCK: st.column_config.TextColumn(t("sku.stock"), help=t("sku.stock_help"), default="0"),
        IMAGE: st.column_config.SelectboxColumn(t("sku.image"), options=list(image_options.values()),
                                                help=t("sku.image_help")),
    }


def _sku_table(axes: list[str], skus: list[SkuRow] | None, image_options: dict[str, str]) -> pd.DataFrame:
    def image_label(path: str) -> str:
        return image_options.get(path, path) if path else image_options[""]

    records = [
        {SKU_ID: s.id, **{axis: s.specs.get(axis, "") for axis in axes}, PRICE: yuan(s.price_fen) if s.price_fen else "",
         ORIGINAL: yuan(s.original_price_fen) if s.original_price_fen else "",
         COST: yuan(s.cost_price_fen) if s.cost_price_fen is not None else "", STOCK: str(s.stock),
         IMAGE: image_label(s.image)}
        for s in skus
    ] if skus else [{SKU_ID: None, **dict.fromkeys(axes, ""), PRICE: "", ORIGINAL: "", COST: "", STOCK: "0",
                     IMAGE: image_options[""]}]
    table = pd.DataFrame.from_records(records, columns=[SKU_ID, *axes, *COLUMNS])
    return table.astype({SKU_ID: "Int64", **dict.fromkeys([*axes, *COLUMNS], "string")})


def _image_table(images: list[str]) -> pd.DataFrame:
    return pd.DataFrame({
        "n": [t("product.image_n", n=i + 1) for i in range(len(images))],
        "preview": [thumbnail_url(path, 64) for path in images],
        "position": list(range(1, len(images) + 1)),
        "cover": [i == 0 for i in range(len(images))],
    })


def _arrange(images: list[str], arrangement: pd.DataFrame | None, removed: list[int],
             problems: _Problems) -> list[str]:
    """The kept images in the order typed (ties keep their old order), the one ticked as cover first."""
    if not images:
        return []
    if arrangement is None:
        return [img for i, img in enumerate(images) if i not in removed]
    records = arrangement.to_dict("records")
    covers = [i for i, r in enumerate(records) if bool(r.get("cover")) and i not in removed]
    if len(covers) > 1:
        problems.images.append(t("product.one_cover"))
    order = sorted((i for i in range(len(images)) if i not in removed),
                   key=lambda i: (_position(records[i].get("position"), i), i))
    if covers:
        order.remove(covers[0])
        order.insert(0, covers[0])
    return [images[i] for i in order]


def _position(value, index: int) -> float:
    return index + 1 if _missing(value) else float(value)


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
