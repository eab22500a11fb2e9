"""Links from one screen to a record on another (the audit log's "open"): the record's screen opens with its
filters set so that the record is listed and chosen. Only plain session-state keys and widget keys of the target
screen are written, before that screen draws its widgets."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from domain.audit.sentences import EntityRef
from domain.security.roles import Permission, can

# kind → (screen file, permission it needs)
SCREENS = {
    "product": ("views/products.py", Permission.PRODUCTS),
    "sku": ("views/products.py", Permission.PRODUCTS),
    "order": ("views/orders.py", Permission.ORDERS_READ),
    "refund": ("views/refunds.py", Permission.REFUNDS),
    "withdrawal": ("views/withdrawals.py", Permission.WITHDRAWALS),
    "distributor": ("views/distributors.py", Permission.DISTRIBUTORS),
    "distributor_application": ("views/applications.py", Permission.DISTRIBUTORS),
    "settings": ("views/settings.py", Permission.SETTINGS),
}


def can_open(ref: EntityRef, role: str) -> bool:
    return ref.kind in SCREENS and can(role, SCREENS[ref.kind][1]) and (ref.kind == "settings" or bool(ref.search))


def open_record(ref: EntityRef) -> None:
    """Go to the record's screen, showing it."""
    presets = _presets(ref)
    for key, value in presets.items():
        st.session_state[key] = value
    st.switch_page(SCREENS[ref.kind][0])


def _presets(ref: EntityRef) -> dict:
    record_id = int(ref.id) if ref.id.isdigit() else None
    if ref.kind in ("product", "sku"):
        state.set_open_tab("products", "edit")
        return {state.PRODUCTS_FILTER_Q: ref.search, state.PRODUCTS_FILTER_CATEGORY: None,
                state.PRODUCTS_FILTER_SHELF: None, state.PRODUCTS_PAGE: 1,
                state.PRODUCTS_EDIT_NEXT: ref.product_id if ref.kind == "sku" else record_id}
    if ref.kind == "order":
        return {state.ORDERS_FILTER_NO: ref.search, state.ORDERS_FILTER_STATUS: None, state.ORDERS_PAGE: 1,
                state.ORDERS_SELECT: record_id}
    if ref.kind == "refund":
        return {state.REFUNDS_FILTER_STATUS: ref.status, state.REFUNDS_PAGE: 1, state.REFUNDS_SELECT: record_id}
    if ref.kind == "withdrawal":
        return {state.WITHDRAWALS_FILTER_STATUS: ref.status, state.WITHDRAWALS_PAGE: 1,
                state.WITHDRAWALS_SELECT: record_id}
    if ref.kind == "distributor":
        return {state.DISTRIBUTORS_FILTER_Q: ref.search, state.DISTRIBUTORS_PAGE: 1, state.DISTRIBUTORS_SELECT: record_id}
    if ref.kind == "distributor_application":
        if ref.status == "pending":
            state.set_open_tab("applications", "pending")
            return {state.APPLICATIONS_PAGE: 1, state.APPLICATIONS_SELECT: record_id}
        state.set_open_tab("applications", "history")
        return {state.APPLICATIONS_HISTORY_STATUS: ref.status, state.APPLICATIONS_HISTORY_PAGE: 1}
    return {}
