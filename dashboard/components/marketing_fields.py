"""What the coupon and activity forms share: amounts typed in ¥ and %, moments in Shanghai time, the scope picker,
the live "what would a ¥X cart get" preview, and every problem shown beside the field it concerns — the form's
own (what does not parse) and the domain's refusals, which name their field in ``details["field"]``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.components.amounts import money, parse_percent
from dashboard.i18n import t
from domain import clock
from domain.catalog.errors import CatalogError
from domain.errors import DomainError
from domain.marketing.queries import CartPreview, ScopeChoices
from domain.money import parse_yuan

FORM = "form"  # the slot beside the save button: problems that belong to no one field
SCOPE = "scope"
DEFAULT_CART = "100"


class FieldProblems:
    """Problems by field, in the order they were found."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def refusal(self, exc: DomainError) -> None:
        field = exc.details.get("field") if exc.details else None
        if exc.code in (CatalogError.PRODUCT_NOT_FOUND, CatalogError.CATEGORY_NOT_FOUND):
            field = SCOPE
        self.add(str(field or FORM), exc.message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def show(self, slots: dict[str, DeltaGenerator]) -> None:
        for field, messages in self.by_field.items():
            slot = slots.get(field, slots[FORM])
            for message in messages:
                slot.error(message, icon=":material/error:")


def yuan_amount(text: str, field: str, problems: FieldProblems, *, required: bool = False) -> int | None:
    """'19.9' → 1990 fen; blank → None (or a problem when ``required``)."""
    if not text.strip():
        if required:
            problems.add(field, t("marketing.amount_required"))
        return None
    try:
        fen = parse_yuan(text)
    except ValueError:
        problems.add(field, t("marketing.bad_amount", text=text.strip()))
        return None
    if fen < 0:
        problems.add(field, t("marketing.negative_amount"))
        return None
    return fen


def percent_off(text: str, field: str, problems: FieldProblems) -> int | None:
    """'15' (% off) → 1500 bp."""
    if not text.strip():
        problems.add(field, t("marketing.percent_required"))
        return None
    try:
        return parse_percent(text)
    except ValueError:
        problems.add(field, t("marketing.bad_percent", text=text.strip()))
        return None


def whole_number(text: str, field: str, problems: FieldProblems) -> int | None:
    """'50' → 50; blank → None (unlimited). Anything else is reported as typed, not rounded or dropped."""
    digits = text.strip()
    if not digits:
        return None
    if not digits.isdigit() or not digits.isascii():
        problems.add(field, t("marketing.bad_number", text=digits))
        return None
    return int(digits)


def moment(label: str, key: str, current: datetime | None, *, default: datetime | None, disabled: bool = False,
           help: str | None = None) -> datetime | None:
    """A Shanghai date and time → an aware moment; no date → None. A new form starts at ``default``. Unchanged to
    the minute, the stored moment itself comes back, so that saving a form changes nothing it did not show."""
    shown = clock.local(current or default) if (current or default) else None
    day_col, time_col = st.columns([3, 2])
    day = day_col.date_input(label, value=shown.date() if shown else None, key=f"{key}.day", format="YYYY-MM-DD",
                             disabled=disabled, help=help)
    at = time_col.time_input(t("marketing.time"), value=shown.time().replace(second=0, microsecond=0) if shown
                             else time(0, 0), key=f"{key}.time", step=timedelta(minutes=30), disabled=disabled)
    if day is None:
        return None
    chosen = datetime.combine(day, at, tzinfo=clock.SHANGHAI)
    if current is not None and chosen == clock.local(current).replace(second=0, microsecond=0):
        return current
    return chosen


def day_start_in(days: int) -> datetime:
    """Midnight in Shanghai, ``days`` from today: where a new window starts or ends by default."""
    today = clock.local(clock.now()).date() + timedelta(days=days)
    return datetime.combine(today, time(0, 0), tzinfo=clock.SHANGHAI)


def scope_picker(key: Callable[[str], str], choices: ScopeChoices, product_ids: tuple[int, ...],
                 category_ids: tuple[int, ...], *, disabled: bool = False) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Nothing chosen is all goods. Products and categories already in the scope stay choosable, even if gone."""
    products = dict(choices.products) | {i: f"#{i}" for i in product_ids if i not in choices.products}
    categories = dict(choices.categories) | {i: f"#{i}" for i in category_ids if i not in choices.categories}
    left, right = st.columns(2)
    chosen_categories = left.multiselect(t("marketing.scope_categories"), list(categories), default=list(category_ids),
                                         format_func=categories.__getitem__, key=key("scope.categories"),
                                         disabled=disabled, placeholder=t("marketing.scope_all"))
    chosen_products = right.multiselect(t("marketing.scope_products"), list(products), default=list(product_ids),
                                        format_func=products.__getitem__, key=key("scope.products"),
                                        disabled=disabled, placeholder=t("marketing.scope_all"))
    if not chosen_products and not chosen_categories:
        st.caption(t("marketing.scope_all_goods"))
    return tuple(chosen_products), tuple(chosen_categories)


def cart_preview(key: Callable[[str], str], preview: Callable[[int], CartPreview] | None) -> None:
    """What a cart of ¥X (all of it in scope) would get, priced by the engine that prices orders."""
    with st.container(border=True):
        st.markdown(f"**{t('marketing.preview')}**")
        text = st.text_input(t("marketing.preview_cart"), value=DEFAULT_CART, key=key("preview.cart"))
        if preview is None:
            st.info(t("marketing.preview_incomplete"), icon=":material/info:")
            return
        try:
            cart_fen = parse_yuan(text)
        except ValueError:
            st.error(t("marketing.bad_amount", text=text.strip()), icon=":material/error:")
            return
        result = preview(cart_fen)
        if result.applicable:
            st.success(t("marketing.preview_result", cart=money(result.cart_fen), off=money(result.discount_fen),
                         payable=money(result.payable_fen)), icon=":material/sell:")
        else:
            st.warning(t("marketing.preview_none", cart=money(result.cart_fen), reason=result.reason),
                       icon=":material/info:")
