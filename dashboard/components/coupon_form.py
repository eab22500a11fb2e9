"""The coupon template form, for a new coupon and for editing one: what it gives (¥ off, or % off up to a cap), from
what amount, on which goods, for how long, how many in all and how many each; beside it, what a ¥X cart would get.

Once anyone holds one of its coupons the domain fixes what it gives (``terms_locked``): those fields are shown
greyed out. Every problem is shown beside its field when staff save, and what they typed stays.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import state
from dashboard.components.amounts import percent_text
from dashboard.components.marketing_fields import (
    FORM,
    SCOPE,
    FieldProblems,
    cart_preview,
    day_start_in,
    moment,
    percent_off,
    scope_picker,
    whole_number,
    yuan_amount,
)
from dashboard.i18n import label, t
from domain.errors import DomainError
from domain.marketing.coupons import MAX_PER_USER, MAX_VALID_DAYS, CouponTemplateInput
from domain.marketing.labels import discount_rate
from domain.marketing.queries import ScopeChoices, coupon_cart_preview
from domain.models import CouponKind
from domain.money import yuan

KINDS = [CouponKind.FIXED, CouponKind.PERCENT]
BY_WINDOW, BY_DAYS = "window", "days"
NEW_COUPON = CouponTemplateInput(name="", kind=CouponKind.FIXED, valid_days=30)


def coupon_form(form: str, *, current: CouponTemplateInput | None, locked: bool, choices: ScopeChoices,
                submit_label: str, save: Callable[[CouponTemplateInput], DomainError | None]) -> bool:
    """Draw the form; True once ``save`` took what was typed (``save`` answers the domain's refusal, or None)."""
    key = partial(state.widget_key, form)
    base = current or NEW_COUPON
    problems = FieldProblems()
    slots: dict[str, DeltaGenerator] = {}
    fields, side = st.columns([3, 2], gap="large")
    with fields:
        name = st.text_input(t("coupons.name"), value=base.name, max_chars=32, key=key("name"),
                             placeholder=t("coupons.name_placeholder"))
        slots["name"] = st.container()
        description = st.text_area(t("coupons.description"), value=base.description, max_chars=200, height=68,
                                   key=key("description"), placeholder=t("coupons.description_placeholder"))
        slots["description"] = st.container()
        if locked:
            st.info(t("coupons.terms_locked"), icon=":material/lock:")
        kind, value_fen, percent_off_bp, cap_fen, threshold_fen = _terms(key, base, problems, slots, locked)
        product_ids, category_ids = scope_picker(key, choices, base.product_ids, base.category_ids, disabled=locked)
        slots[SCOPE] = st.container()
        valid_from, valid_to, valid_days = _validity(key, base, locked)
        slots["validity"] = st.container()
        quantity_col, limit_col = st.columns(2)
        quantity = whole_number(quantity_col.text_input(
            t("coupons.total_quantity"), value="" if base.total_quantity is None else str(base.total_quantity),
            key=key("total_quantity"), placeholder=t("coupons.unlimited")), "total_quantity", problems)
        slots["total_quantity"] = quantity_col.container()
        per_user = limit_col.number_input(t("coupons.per_user_limit"), min_value=1, max_value=MAX_PER_USER,
                                          value=base.per_user_limit, step=1, key=key("per_user_limit"))
        slots["per_user_limit"] = limit_col.container()
        claimable = st.toggle(t("coupons.claimable"), value=base.claimable, key=key("claimable"),
                              help=t("coupons.claimable_help"))
        submitted = st.button(submit_label, type="primary", key=key("submit"), icon=":material/save:")
        slots[FORM] = st.container()

    data = CouponTemplateInput(
        name=name, description=description, kind=kind, value_fen=value_fen or 0, percent_off_bp=percent_off_bp or 0,
        cap_fen=cap_fen, threshold_fen=threshold_fen or 0, product_ids=product_ids, category_ids=category_ids,
        valid_from=valid_from, valid_to=valid_to, valid_days=valid_days, total_quantity=quantity,
        per_user_limit=int(per_user), claimable=claimable)
    terms_typed = not any(f in problems.by_field for f in ("value_fen", "percent_off_bp", "cap_fen", "threshold_fen"))
    with side:
        cart_preview(key, (lambda cart_fen: coupon_cart_preview(data, cart_fen)) if terms_typed else None)
    if not submitted:
        return False
    if not problems:
        refusal = save(data)
        if refusal is None:
            return True
        problems.refusal(refusal)
    problems.show(slots)
    return False


Terms = tuple[str, int | None, int | None, int | None, int | None]  # kind, value, % off, cap, threshold


def _terms(key: Callable[[str], str], base: CouponTemplateInput, problems: FieldProblems,
           slots: dict[str, DeltaGenerator], locked: bool) -> Terms:
    kind = st.radio(t("coupons.kind"), KINDS, index=KINDS.index(base.kind), horizontal=True, key=state.translated(key("kind")),
                    format_func=lambda k: label("coupon_kind", k), disabled=locked)
    value_fen = percent_off_bp = cap_fen = None
    left, right = st.columns(2)
    if kind == CouponKind.FIXED:
        typed = left.text_input(t("coupons.value"), value=yuan(base.value_fen) if base.value_fen else "",
                                key=key("value"), placeholder="20", disabled=locked)
        value_fen = yuan_amount(typed, "value_fen", problems, required=True)
        slots["value_fen"] = left.container()
    else:
        typed = left.text_input(t("coupons.percent_off"), key=key("percent_off"), disabled=locked, placeholder="15",
                                value=percent_text(base.percent_off_bp) if base.percent_off_bp else "",
                                help=t("coupons.percent_off_help"))
        percent_off_bp = percent_off(typed, "percent_off_bp", problems)
        slots["percent_off_bp"] = left.container()
        if percent_off_bp and 0 < percent_off_bp < 10_000:
            left.caption(t("coupons.percent_means", rate=discount_rate(percent_off_bp)))
        typed_cap = right.text_input(t("coupons.cap"), value=yuan(base.cap_fen) if base.cap_fen else "",
                                     key=key("cap"), placeholder=t("coupons.no_cap"), disabled=locked)
        cap_fen = yuan_amount(typed_cap, "cap_fen", problems)
        slots["cap_fen"] = right.container()
    threshold_fen = yuan_amount(st.text_input(
        t("coupons.threshold"), value=yuan(base.threshold_fen) if base.threshold_fen else "", key=key("threshold"),
        placeholder=t("coupons.no_threshold"), disabled=locked), "threshold_fen", problems)
    slots["threshold_fen"] = st.container()
    return kind, value_fen, percent_off_bp, cap_fen, threshold_fen


def _validity(key: Callable[[str], str], base: CouponTemplateInput,
              locked: bool) -> tuple[datetime | None, datetime | None, int | None]:
    """A fixed window (start optional: from the moment it is granted), or a number of days from the claim."""
    ways = [BY_WINDOW, BY_DAYS]
    way = st.radio(t("coupons.validity"), ways, index=ways.index(BY_DAYS if base.valid_days else BY_WINDOW),
                   horizontal=True, key=state.translated(key("validity")), format_func=lambda w: t(f"coupons.validity_{w}"),
                   disabled=locked)
    if way == BY_DAYS:
        days = st.number_input(t("coupons.valid_days"), min_value=1, max_value=MAX_VALID_DAYS,
                               value=base.valid_days or 30, step=1, key=key("valid_days"), disabled=locked)
        return None, None, int(days)
    start, end = st.columns(2)
    with start:
        valid_from = moment(t("coupons.valid_from"), key("valid_from"), base.valid_from, default=None,
                            disabled=locked, help=t("coupons.valid_from_help"))
    with end:
        valid_to = moment(t("coupons.valid_to"), key("valid_to"), base.valid_to, default=day_start_in(31),
                          disabled=locked)
    return valid_from, valid_to, None
