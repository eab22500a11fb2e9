"""Plotly charts as the analytics screens draw them: one look, dates in the staff's language, a key per chart
(its ``meta``, which tests read), and a note instead of an empty frame."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n import t
from domain.analytics.periods import Granularity
from domain.models import CommissionStatus

BLUE, LIGHT_BLUE, ORANGE, GREY, GREEN, RED = "#1f4e99", "#9dbbe3", "#f0a35e", "#9aa5b1", "#2e8b57", "#c2581b"
# Level 1 in blues, level 2 in oranges; the darker, the more final the status.
COMMISSION_COLOURS = {
    (1, CommissionStatus.SETTLED): "#1f4e99", (1, CommissionStatus.FROZEN): "#6c9bd8",
    (1, CommissionStatus.CANCELLED): "#c9d7ec",
    (2, CommissionStatus.SETTLED): "#c2581b", (2, CommissionStatus.FROZEN): "#f0a35e",
    (2, CommissionStatus.CANCELLED): "#f6d8bd",
}
LEVEL_COLOURS = {1: BLUE, 2: ORANGE}


def chart(key: str, figure: go.Figure | None, *, title_key: str | None = None, help_key: str | None = None,
          height: int = 320) -> None:
    """A titled chart; None draws the "no data" note in its place."""
    st.subheader(t(title_key or key), help=t(help_key) if help_key else None)
    if figure is None:
        st.info(t("analytics.empty"))
        return
    figure.update_layout(meta=key, margin={"t": 10, "l": 10, "r": 10, "b": 10}, height=height,
                         legend={"orientation": "h", "y": -0.18})
    st.plotly_chart(figure, key=key, config={"displayModeBar": False})


def dated(figure: go.Figure, by: Granularity = Granularity.DAY) -> go.Figure:
    """Date axes in the staff's language: Plotly names months in English unless told how to write a date. A week
    is shown by its Monday; a month by its name."""
    if by == Granularity.MONTH:
        tick, hover = t("analytics.month_tick"), t("analytics.month_hover")
    elif by == Granularity.WEEK:
        tick, hover = t("analytics.date_tick"), t("analytics.week_hover")
    else:
        tick, hover = t("analytics.date_tick"), t("analytics.date_hover")
    figure.update_xaxes(type="date", tickformat=tick, hoverformat=hover)
    return figure


def bucket_label(day, by: Granularity) -> str:
    """A bucket as text (a table cell, a hover line), in the staff's language."""
    if by == Granularity.MONTH:
        return t("analytics.month_label", year=day.year, month=day.month)
    if by == Granularity.WEEK:
        return t("analytics.week_label", date=day.isoformat())
    return day.isoformat()
