"""转化: the funnel shares → visits → bound → first order → paid → completed (beside the previous period when
comparing), each distributor's funnel, cohorts of shoppers by week of binding as a heat map, and repeat buyers."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import state
from dashboard.components.charts import GREY, chart
from dashboard.components.date_range import RangeChoice
from dashboard.components.export import analytics_table, export_button
from dashboard.components.kpi import Kpi, Unit, metric_card
from dashboard.components.listing import page_of, pager
from dashboard.i18n import t
from dashboard.views.workbench import reads
from domain.analytics.cohorts import CohortTable
from domain.analytics.export import Table
from domain.analytics.funnel import FunnelCounts
from domain.money import percent
from domain.security.actor import Actor

STEPS = ("shares", "visits", "bound", "ordered", "paid", "completed")
STEP_COLOURS = ["#dbe5f3", "#c9d7ec", "#9dbbe3", "#6c9bd8", "#3f73bf", "#1f4e99"]
COHORT_WEEKS = 8


def show(actor: Actor, choice: RangeChoice) -> None:
    db, period = reads.database(), choice.period
    current = reads.funnel(db, period)
    previous = reads.funnel(db, period.previous()) if choice.compare else None
    left, right = st.columns([3, 2])
    with left:
        chart("analytics.funnel", _funnel_figure(current, previous), help_key="analytics.funnel_help")
    with right:
        _rates(current, previous)
        repeat = reads.repeat_purchase(db, period)
        st.metric(t("analytics.repeat_rate"), percent(repeat.rate_bp), border=True,
                  help=t("analytics.repeat_help", repeat=repeat.repeat_buyers, buyers=repeat.buyers))
    _by_distributor(actor, choice)
    _cohorts(actor, reads.cohorts(db, period, COHORT_WEEKS), choice)


def _funnel_figure(current: FunnelCounts, previous: FunnelCounts | None) -> go.Figure:
    steps = [t(f"analytics.funnel_{s}") for s in STEPS]
    traces = [go.Funnel(y=steps, x=[getattr(current, s) for s in STEPS], name=t("analytics.this_period"),
                        textinfo="value+percent initial", marker={"color": STEP_COLOURS})]
    if previous is not None:
        traces.append(go.Funnel(y=steps, x=[getattr(previous, s) for s in STEPS], name=t("analytics.previous_period"),
                                textinfo="value", marker={"color": GREY}, opacity=0.5))
    return go.Figure(traces)


def _rates(current: FunnelCounts, previous: FunnelCounts | None) -> None:
    """The conversions that matter, as ratios of the step they come from."""
    for step, of in (("visits", "shares"), ("bound", "visits"), ("paid", "bound"), ("completed", "paid")):
        kpi = Kpi(f"analytics.rate_{step}", step, Unit.RATIO)
        metric_card(st, kpi, current.rate_bp(step, of), previous.rate_bp(step, of) if previous else None,
                    previous_label=t("analytics.previous_period"), comparable=bool(previous and getattr(previous, of)))


def _by_distributor(actor: Actor, choice: RangeChoice) -> None:
    st.subheader(t("analytics.funnel_by_distributor"))
    rows, total = reads.funnel_by_distributor(reads.database(), choice.period, page_of(state.ANALYTICS_FUNNEL_PAGE))
    if not rows:
        st.info(t("analytics.no_distributors"))
        return
    st.dataframe(pd.DataFrame([{
        t("analytics.col_distributor"): r.nickname, **{t(f"analytics.funnel_{s}"): getattr(r, s) for s in STEPS},
        t("analytics.col_paid_rate"): percent(r.rate_bp("paid", "bound")),
    } for r in rows]), hide_index=True, width="stretch")
    pager(state.ANALYTICS_FUNNEL_PAGE, total, reads.PAGE_SIZE)
    export_button(state.analytics_export(Table.FUNNEL), analytics_table(actor, Table.FUNNEL, choice.period),
                  label_key="analytics.export_funnel")


def _cohorts(actor: Actor, table: CohortTable, choice: RangeChoice) -> None:
    """Rows: the week shoppers were bound; columns: weeks since; a cell: the share who had bought by then. Weeks
    that have not begun are blank, not 0%."""
    figure = None
    if table.rows:
        weeks = [t("analytics.cohort_week", k=k) for k in range(table.weeks)]
        cohorts = [t("analytics.cohort_row", week=row.week.isoformat(), n=row.size) for row in table.rows]
        shares = [[None if bp is None else Decimal(bp).scaleb(-2) for bp in row.shares_bp] for row in table.rows]
        text = [["" if bp is None else percent(bp) for bp in row.shares_bp] for row in table.rows]
        figure = go.Figure(go.Heatmap(
            z=shares, x=weeks, y=cohorts, text=text, texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=100,
            customdata=[[[n, row.size] for n in row.bought] for row in table.rows], hoverongaps=False,
            colorbar={"title": "%"}, hovertemplate=t("analytics.cohort_hover") + "<extra></extra>"))
        figure.update_yaxes(autorange="reversed", type="category")
    chart("analytics.cohorts", figure, help_key="analytics.cohorts_help", height=max(320, 28 * len(table.rows) + 80))
    export_button(state.analytics_export(Table.COHORTS), analytics_table(actor, Table.COHORTS, choice.period),
                  label_key="analytics.export_cohorts")
