"""The activity form, for a new activity and for editing one. 满减: tiers in ¥ (ladder, or 每满减 with one tier and an
optional cap), the goods it covers and whether a coupon may follow, with a live preview of a ¥X cart. 限时折扣: the
SKUs picked with their price and stock, and for each its promo price, activity stock and per-user limit.

Every problem is shown beside its field when staff save (the domain names the field of its refusals), and what
they typed stays — also the SKU rows when more SKUs are picked.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import state
from dashboard.components.marketing_fields import (
    FORM,
    SCOPE,
    FieldProblems,
    cart_preview,
    day_start_in,
    moment,
    scope_picker,
    whole_number,
    yuan_amount,
)
from dashboard.i18n import t
from domain.errors import DomainError
from domain.marketing.promotions import PromotionInput, PromotionItemInput
from domain.marketing.queries import ScopeChoices, SkuChoice, full_reduction_cart_preview
from domain.models import PromotionKind
from domain.money import yuan

LADDER, REPEAT = "ladder", "repeat"
THRESHOLD, OFF = "threshold_yuan", "off_yuan"
SKU, TITLE, SPECS, PRICE, STOCK, PROMO, ACTIVITY_STOCK, LIMIT, SOLD = (
    "sku_id", "title", "specs", "price", "stock", "promo_yuan", "activity_stock", "per_user_limit", "sold")
TYPED = (PROMO, ACTIVITY_STOCK, LIMIT)


@dataclass(frozen=True)
class SkuPicker:
    """What the SKU picker offers: the SKUs found by the search, and those already chosen (whatever the search)."""

    found: list[SkuChoice]
    chosen: dict[int, SkuChoice]
    sold: dict[int, int]  # units orders hold, per SKU of the activity being edited
    own_id: int | None = None  # the activity being edited


FindSkus = Callable[[str, list[int]], SkuPicker]  # (search text, SKU ids already chosen) → what to offer


def new_promotion(kind: str) -> PromotionInput:
    return PromotionInput(kind=kind, name="", starts_at=day_start_in(0), ends_at=day_start_in(8))


def promotion_form(form: str, *, current: PromotionInput, choices: ScopeChoices, find_skus: FindSkus,
                   submit_label: str, save: Callable[[PromotionInput], DomainError | None]) -> bool:
    """Draw the form for ``current`` (a new one from ``new_promotion``); True once ``save`` took what was typed."""
    key = partial(state.widget_key, form)
    problems = FieldProblems()
    slots: dict[str, DeltaGenerator] = {}
    name = st.text_input(t("promotions.name"), value=current.name, max_chars=32, key=key("name"),
                         placeholder=t(f"promotions.name_placeholder_{current.kind}"))
    slots["name"] = st.container()
    start, end = st.columns(2)
    with start:
        starts_at = moment(t("promotions.starts_at"), key("starts_at"), current.starts_at, default=None)
    with end:
        ends_at = moment(t("promotions.ends_at"), key("ends_at"), current.ends_at, default=None)
    slots["window"] = st.container()
    if current.kind == PromotionKind.FULL_REDUCTION:
        data = _full_reduction(key, current, choices, problems, slots)
    else:
        data = _time_limited(form, key, current, find_skus, problems, slots)
    data = PromotionInput(**{**data, "kind": current.kind, "name": name, "starts_at": starts_at, "ends_at": ends_at})
    submitted = st.button(submit_label, type="primary", key=key("submit"), icon=":material/save:")
    slots[FORM] = st.container()
    if not submitted:
        return False
    if starts_at is None or ends_at is None:
        problems.add("window", t("promotions.window_required"))
    if not problems:
        refusal = save(data)
        if refusal is None:
            return True
        problems.refusal(refusal)
    problems.show(slots)
    return False


def _full_reduction(key: Callable[[str], str], current: PromotionInput, choices: ScopeChoices,
                    problems: FieldProblems, slots: dict[str, DeltaGenerator]) -> dict:
    fields, side = st.columns([3, 2], gap="large")
    with fields:
        ways = [LADDER, REPEAT]
        way = st.radio(t("promotions.mode"), ways, index=ways.index(REPEAT if current.repeat else LADDER),
                       horizontal=True, key=state.translated(key("mode")), format_func=lambda w: t(f"promotions.mode_{w}"))
        st.caption(t(f"promotions.mode_{way}_help"))
        table = st.data_editor(
            pd.DataFrame([{THRESHOLD: yuan(a), OFF: yuan(b)} for a, b in current.tiers] or [{THRESHOLD: "", OFF: ""}],
                         columns=[THRESHOLD, OFF], dtype="string"),
            key=key("tiers"), num_rows="dynamic", hide_index=True, width="stretch", column_config={
                THRESHOLD: st.column_config.TextColumn(t("promotions.tier_threshold")),
                OFF: st.column_config.TextColumn(t("promotions.tier_off"))})  # a blank row is no tier
        tiers = _tiers(table, problems)
        slots["tiers"] = st.container()
        max_off_fen = yuan_amount(st.text_input(
            t("promotions.max_off"), value=yuan(current.max_off_fen) if current.max_off_fen else "", key=key("max_off"),
            placeholder=t("promotions.no_max_off")), "max_off_fen", problems)
        slots["max_off_fen"] = st.container()
        product_ids, category_ids = scope_picker(key, choices, current.product_ids, current.category_ids)
        slots[SCOPE] = st.container()
        stack = st.toggle(t("promotions.stack_with_coupon"), value=current.stack_with_coupon, key=key("stack"))
    typed = "tiers" not in problems.by_field and "max_off_fen" not in problems.by_field and tiers
    with side:
        cart_preview(key, (lambda cart_fen: full_reduction_cart_preview(
            tiers=list(tiers), repeat=way == REPEAT, max_off_fen=max_off_fen, cart_fen=cart_fen)) if typed else None)
    return {"tiers": tiers, "repeat": way == REPEAT, "max_off_fen": max_off_fen, "product_ids": product_ids,
            "category_ids": category_ids, "stack_with_coupon": stack}


def _tiers(table: pd.DataFrame, problems: FieldProblems) -> tuple[tuple[int, int], ...]:
    tiers = []
    for n, row in enumerate(table.to_dict("records"), start=1):
        threshold, off = _cell(row.get(THRESHOLD)), _cell(row.get(OFF))
        if not threshold and not off:
            continue
        row_problems = FieldProblems()
        threshold_fen = yuan_amount(threshold, "tiers", row_problems, required=True)
        off_fen = yuan_amount(off, "tiers", row_problems, required=True)
        for message in row_problems.by_field.get("tiers", []):
            problems.add("tiers", t("promotions.tier_row", n=n, message=message))
        if threshold_fen is not None and off_fen is not None:
            tiers.append((threshold_fen, off_fen))
    return tuple(tiers)


def _time_limited(form: str, key: Callable[[str], str], current: PromotionInput, find_skus: FindSkus,
                  problems: FieldProblems, slots: dict[str, DeltaGenerator]) -> dict:
    q = st.text_input(t("promotions.sku_search"), key=key("sku_q"), placeholder=t("promotions.sku_search_hint"))
    held = [i.sku_id for i in current.items]
    skus_key = state.translated(key("skus"))  # its options read in the staff's language
    picker = find_skus(q, list(dict.fromkeys([*st.session_state.get(skus_key, held), *held])))
    offered = {c.sku_id: c for c in picker.found} | picker.chosen
    chosen = st.multiselect(t("promotions.skus"), list(offered), default=[i.sku_id for i in current.items],
                            key=skus_key, format_func=lambda sku_id: _sku_label(offered[sku_id]),
                            placeholder=t("promotions.skus_placeholder"))
    busy = [offered[s] for s in chosen if offered[s].running_promotion_id is not None
            and offered[s].running_promotion_id != picker.own_id]
    for sku in busy:
        st.caption(t("promotions.sku_busy", sku=_sku_label(sku), id=sku.running_promotion_id))
    items = _items(form, key, current, [offered[s] for s in chosen], picker.sold, problems)
    slots["items"] = st.container()
    stack = st.toggle(t("promotions.stack_with_others"), value=current.stack_with_others, key=key("stack"),
                      help=t("promotions.stack_with_others_help"))
    return {"items": items, "stack_with_others": stack}


def _items(form: str, key: Callable[[str], str], current: PromotionInput, skus: list[SkuChoice],
           sold: dict[int, int], problems: FieldProblems) -> tuple[PromotionItemInput, ...]:
    if not skus:
        st.info(t("promotions.no_skus"), icon=":material/info:")
        return ()
    versioned = state.widget_key(form, "items")
    drafts = st.session_state.setdefault(state.PROMOTION_ITEM_DRAFTS, {}).setdefault(versioned, {})
    saved = {i.sku_id: {PROMO: yuan(i.promo_price_fen), ACTIVITY_STOCK: str(i.activity_stock),
                        LIMIT: "" if i.per_user_limit is None else str(i.per_user_limit)} for i in current.items}
    rows = [{SKU: s.sku_id, TITLE: s.title, SPECS: " / ".join(s.specs.values()) or t("sku.default"),
             PRICE: yuan(s.price_fen), STOCK: s.stock, SOLD: sold.get(s.sku_id, 0),
             **(drafts.get(s.sku_id) or saved.get(s.sku_id) or {PROMO: "", ACTIVITY_STOCK: "", LIMIT: ""})}
            for s in skus]
    # One editor per choice of SKUs: its edits are kept by row number, which another choice would shift.
    choice = zlib.crc32(",".join(str(s.sku_id) for s in skus).encode())
    table = st.data_editor(
        pd.DataFrame(rows, columns=[SKU, TITLE, SPECS, PRICE, STOCK, SOLD, *TYPED]).astype(
            {SKU: "int64", STOCK: "int64", SOLD: "int64", **dict.fromkeys([TITLE, SPECS, PRICE, *TYPED], "string")}),
        key=key(f"items.{choice:08x}"), num_rows="fixed", hide_index=True, width="stretch",
        disabled=[SKU, TITLE, SPECS, PRICE, STOCK, SOLD], column_config={
            SKU: None, TITLE: t("promotions.col_product"), SPECS: t("promotions.col_specs"),
            PRICE: t("promotions.col_price"), STOCK: t("promotions.col_stock"), SOLD: t("promotions.col_sold"),
            PROMO: st.column_config.TextColumn(t("promotions.col_promo"), help=t("promotions.col_promo_help")),
            ACTIVITY_STOCK: st.column_config.TextColumn(t("promotions.col_activity_stock")),
            LIMIT: st.column_config.TextColumn(t("promotions.col_limit"), help=t("promotions.col_limit_help")),
        })
    items = []
    for record, sku in zip(table.to_dict("records"), skus, strict=True):
        typed = {column: _cell(record.get(column)) for column in TYPED}
        drafts[sku.sku_id] = typed
        row = FieldProblems()
        promo = yuan_amount(typed[PROMO], "items", row, required=True)
        units = whole_number(typed[ACTIVITY_STOCK], "items", row)
        if units is None and not row:
            row.add("items", t("promotions.activity_stock_required"))
        limit = whole_number(typed[LIMIT], "items", row)
        for message in row.by_field.get("items", []):
            problems.add("items", t("promotions.item_problem", sku=_sku_label(sku), message=message))
        if not row:
            items.append(PromotionItemInput(sku_id=sku.sku_id, promo_price_fen=promo, activity_stock=units,
                                            per_user_limit=limit))
    return tuple(items)


def _sku_label(sku: SkuChoice) -> str:
    specs = " / ".join(sku.specs.values())
    return t("promotions.sku_label", title=sku.title, specs=f" · {specs}" if specs else "", price=yuan(sku.price_fen),
             stock=sku.stock)


def _cell(value: object) -> str:
    missing = value is None or value is pd.NA or (isinstance(value, float) and value != value)  # NaN: an empty cell
    return "" if missing else str(value).strip()
