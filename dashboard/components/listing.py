"""What the list screens share: pages, a Shanghai day-range filter, times as people read them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import streamlit as st

from dashboard.i18n import label, t
from domain import clock
from domain.analytics.queries import day_bounds


def page_of(key: str) -> int:
    return st.session_state.get(key, 1)


def pager(key: str, total: int, page_size: int) -> None:
    """Page buttons under a table, when there is more than one page."""
    if total > page_size:
        st.pagination(-(-total // page_size), key=key)


def back_to_first_page(key: str) -> Callable[[], None]:
    """An ``on_change`` for filters: a new filter starts on page one."""
    return lambda: st.session_state.pop(key, None)


def day_range(key: str, *, on_change: Callable[[], None] | None = None) -> tuple[datetime | None, datetime | None]:
    """A range of Shanghai days (either end may be left open) as ``[from, to)`` UTC bounds."""
    days = st.date_input(t("filter.days"), value=(), key=key, format="YYYY-MM-DD", on_change=on_change,
                         help=t("filter.days_help"))
    first = days[0] if len(days) > 0 else None
    last = days[1] if len(days) > 1 else first
    return day_bounds(first, last)


def local_time(moment: datetime | None) -> str:
    """A stored UTC time in Shanghai, to the minute."""
    return clock.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def select_record(label: str, options: dict[int, str], key: str) -> int | None:
    """Pick one record of the current page to open; the first one is open by default."""
    if not options:
        return None
    return st.selectbox(label, list(options), format_func=options.__getitem__, key=key)


def status_queue(title: str, kind: str, statuses, *, default: str, key: str, page_key: str,
                 waiting: dict[str, int]) -> str:
    """A status switch for a work queue: each status shows how many wait in it, and switching goes to page one."""
    return st.segmented_control(
        title, statuses, default=default, required=True, key=key, on_change=back_to_first_page(page_key),
        format_func=lambda s: f"{label(kind, s)} ({waiting[s]})" if waiting.get(s) else label(kind, s),
    )
