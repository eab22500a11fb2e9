"""趋势: sales and distribution sales bucket by bucket (beside the previous period when comparing), commission
by level and status, bindings and new distributors, orders by status now, and the best-selling products."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard import state
from dashboard.components.amounts import chart_yuan, money
from dashboard.components.charts import BLUE, COMMISSION_COLOURS, GREY, LIGHT_BLUE, ORANGE, RED, chart, dated
from dashboard.components.date_range import RangeChoice
from dashboard.components.export import analytics_table, export_button
from dashboard.components.plain import chart_text
from dashboard.i18n import label, t
from dashboard.views.workbench import reads
from domain.analytics.export import Table
from domain.analytics.refunds import ProductRefundRate
from domain.analytics.series import CommissionPoint, GrowthPoint, SalesPoint
from domain.models import OrderStatus
from domain.money import yuan
from domain.security.actor import Actor

TOP_PRODUCTS = 10


def show(actor: Actor, choice: RangeChoice) -> None:
    db, period, by = reads.database(), choice.period, choice.by
    current = reads.sales(db, period, by)
    previous = reads.sales(db, period.previous(), by) if choice.compare else None
    chart(f"analytics.sales_by_{by}", _sales_figure(current, previous, choice), help_key="analytics.sales_help")
    left, right = st.columns(2)
    with left:
        points = reads.commission(db, period, by)
        chart(f"analytics.commission_by_{by}", _commission_figure(points, choice) if points else None)
    with right:
        chart(f"analytics.growth_by_{by}", _growth_figure(reads.growth(db, period, by), choice))
    left, right = st.columns([3, 2])
    with left:
        products, _ = reads.product_refunds(db, period)
        chart("analytics.top_products", _top_figure(products) if products else None,
              help_key="analytics.top_products_help")
    with right:
        statuses = reads.order_statuses(db)
        chart("analytics.orders_by_status", _status_figure(statuses) if statuses else None,
              help_key="analytics.orders_by_status_help")
    columns = st.columns(4)
    for column, table in zip(columns, (Table.SUMMARY, Table.SALES, Table.COMMISSION, Table.GROWTH), strict=True):
        with column:
            export_button(state.analytics_export(table), analytics_table(actor, table, period, by=by),
                          label_key=f"analytics.export_{table}")


def _sales_figure(points: list[SalesPoint], previous: list[SalesPoint] | None, choice: RangeChoice) -> go.Figure:
    buckets = [p.bucket.isoformat() for p in points]
    traces = [
        go.Bar(x=buckets, y=[chart_yuan(p.net_sales_fen) for p in points], name=t("analytics.net_sales"),
               marker_color=BLUE, customdata=[[yuan(p.net_sales_fen), p.paid_orders, yuan(p.refunded_fen),
                                              yuan(p.distribution_sales_fen)] for p in points],
               hovertemplate=t("analytics.sales_hover") + "<extra></extra>"),
        go.Scatter(x=buckets, y=[chart_yuan(p.distribution_sales_fen) for p in points],
                   name=t("analytics.distribution_sales"), mode="lines+markers", line={"color": ORANGE},
                   hoverinfo="skip"),
        go.Scatter(x=buckets, y=[chart_yuan(p.refunded_fen) for p in points], name=t("analytics.refunded"),
                   mode="lines", line={"color": RED, "width": 1}, hoverinfo="skip"),
    ]
    if previous is not None:
        # The previous period drawn over this one, bucket for bucket: the n-th day (week, month) beside the n-th.
        pairs = list(zip(buckets, previous, strict=False))
        traces.append(go.Scatter(
            x=[b for b, _ in pairs], y=[chart_yuan(p.net_sales_fen) for _, p in pairs],
            name=t("analytics.previous_net_sales"), mode="lines", line={"color": GREY, "dash": "dash"},
            customdata=[[p.bucket.isoformat(), yuan(p.net_sales_fen), p.paid_orders] for _, p in pairs],
            hovertemplate=t("analytics.previous_hover") + "<extra></extra>"))
    figure = go.Figure(traces)
    figure.update_yaxes(title=t("analytics.yuan"), rangemode="tozero")
    return dated(figure, choice.by)


def _commission_figure(points: list[CommissionPoint], choice: RangeChoice) -> go.Figure:
    by_trace: dict[tuple[int, str], list[CommissionPoint]] = {}
    for p in points:
        by_trace.setdefault((p.level, p.status), []).append(p)
    figure = go.Figure([
        go.Bar(x=[p.bucket.isoformat() for p in trace], y=[chart_yuan(p.amount_fen) for p in trace],
               name=f"{label('level', level)} · {label('commission', status)}",
               marker_color=COMMISSION_COLOURS[(level, status)],
               customdata=[[yuan(p.amount_fen), p.records] for p in trace],
               hovertemplate=t("analytics.commission_hover") + "<extra></extra>")
        for (level, status), trace in sorted(by_trace.items())
    ])
    figure.update_layout(barmode="stack")
    figure.update_yaxes(title=t("analytics.yuan"), rangemode="tozero")
    return dated(figure, choice.by)


def _growth_figure(points: list[GrowthPoint], choice: RangeChoice) -> go.Figure:
    buckets = [p.bucket.isoformat() for p in points]
    figure = go.Figure([
        go.Bar(x=buckets, y=[p.bindings for p in points], name=t("analytics.bindings"), marker_color=LIGHT_BLUE),
        go.Scatter(x=buckets, y=[p.new_distributors for p in points], name=t("analytics.new_distributors"),
                   mode="lines+markers", line={"color": ORANGE}),
    ])
    figure.update_yaxes(rangemode="tozero")
    return dated(figure, choice.by)


def _top_figure(products: list[ProductRefundRate]) -> go.Figure:
    """The products that sold most in the period, net of refunds; the best at the top."""
    top = sorted(products, key=lambda p: (p.paid_fen - p.refunded_fen, -p.product_id), reverse=True)[:TOP_PRODUCTS]
    ranked = list(reversed(top))
    return go.Figure(go.Bar(
        x=[chart_yuan(p.paid_fen - p.refunded_fen) for p in ranked], y=[chart_text(p.title) for p in ranked],
        orientation="h", marker_color=BLUE, text=[money(p.paid_fen - p.refunded_fen) for p in ranked],
        textposition="auto", customdata=[[p.orders, yuan(p.refunded_fen)] for p in ranked],
        hovertemplate=t("analytics.top_hover") + "<extra></extra>",
    ))


def _status_figure(statuses: dict[str, int]) -> go.Figure:
    shown = [s for s in OrderStatus.ALL if statuses.get(s)]
    return go.Figure(go.Pie(labels=[label("order", s) for s in shown], values=[statuses[s] for s in shown],
                            hole=0.5, sort=False, textinfo="label+value"))
