"""The analytics screens' date range: presets (今天, 7 天, 30 天, 本月) or any range of Shanghai days, how finely to
bucket it, and whether to compare with the previous equal period (docs/money-and-rules.md, "Analytics")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import streamlit as st

from dashboard import state
from dashboard.i18n import t
from domain.analytics.periods import Granularity, Period, today
from domain.errors import DomainError

TODAY, LAST_7, LAST_30, THIS_MONTH, CUSTOM = "today", "7d", "30d", "month", "custom"
PRESETS = (TODAY, LAST_7, LAST_30, THIS_MONTH, CUSTOM)
AUTO = "auto"  # the granularity that suits the range's length
GRANULARITIES = (AUTO, Granularity.DAY, Granularity.WEEK, Granularity.MONTH)


@dataclass(frozen=True)
class RangeChoice:
    period: Period
    by: Granularity
    compare: bool


def preset_period(preset: str) -> Period:
    """A preset as Shanghai days, today included."""
    end = today()
    if preset == TODAY:
        return Period(end, end)
    if preset == LAST_7:
        return Period.last_days(7)
    if preset == THIS_MONTH:
        return Period(end.replace(day=1), end)
    return Period.last_days(30)


def natural_granularity(period: Period) -> Granularity:
    """Days up to two months, weeks up to half a year, months beyond: a chart of a few dozen bars at most."""
    if period.days <= 62:
        return Granularity.DAY
    if period.days <= 190:
        return Granularity.WEEK
    return Granularity.MONTH


def range_picker(name: str, *, default: str = LAST_30, granularity: bool = True,
                 comparison: bool = True) -> RangeChoice | None:
    """The range chosen on screen ``name``; None (with the reason shown) while the custom range cannot be used."""
    def key(part: str) -> str:
        return state.range_key(name, part)

    # Wide enough for every option on one line; the custom days, when chosen, go on the line below.
    preset_col, by_col, compare_col = st.columns([5, 4, 2], vertical_alignment="bottom")
    # Labels made now, in this run's language (a format function may be called after the run).
    presets = {p: t(f"range.{p}") for p in PRESETS}
    preset = preset_col.segmented_control(
        t("range.preset"), PRESETS, default=default, required=True, key=state.translated(key("preset")),
        format_func=presets.__getitem__)
    if preset == CUSTOM:
        period = _custom(st.columns([2, 3])[0], key("custom"))
        if period is None:
            return None
    else:
        period = preset_period(preset)
    by = natural_granularity(period)
    if granularity:
        names = {g: t("range.auto", by=t(f"range.by_{by}")) if g == AUTO else t(f"range.by_{g}") for g in GRANULARITIES}
        chosen = by_col.segmented_control(
            t("range.by"), GRANULARITIES, default=AUTO, required=True, key=state.translated(key("by")),
            format_func=names.__getitem__)
        by = by if chosen == AUTO else Granularity(chosen)
    compare = comparison and compare_col.toggle(t("range.compare"), value=True, key=key("compare"),
                                                help=t("range.compare_help"))
    previous = period.previous()
    st.caption(t("range.shown_compared" if compare else "range.shown", first=period.first, last=period.last,
                 days=period.days, previous_first=previous.first, previous_last=previous.last))
    return RangeChoice(period=period, by=by, compare=compare)


def _custom(column, key: str) -> Period | None:
    """Two days picked in the calendar; one alone is a one-day range (the calendar is still open)."""
    last = today()
    days = column.date_input(t("range.custom_days"), value=(last - timedelta(days=29), last), key=key,
                             format="YYYY-MM-DD", max_value=last)
    if not days:
        st.info(t("range.pick_days"), icon=":material/date_range:")
        return None
    first, end = days[0], days[-1]
    try:
        return Period.of(first, end)
    except DomainError as exc:
        st.error(exc.message, icon=":material/error:")
        return None
