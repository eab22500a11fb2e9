"""数据分析: read-only charts of the last 30 days. Every number is a GROUP BY in ``domain.analytics.queries``;
this screen only draws them."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.components.access import require_screen
from dashboard.components.actions import read
from dashboard.components.amounts import chart_yuan, money
from dashboard.components.plain import chart_text
from dashboard.i18n import label, t
from domain.analytics import queries
from domain.config import get_config
from domain.distribution.commissions import LEVELS
from domain.models import CommissionStatus, OrderStatus
from domain.money import yuan
from domain.security.roles import Permission

DAYS = 30
# Level 1 in blues, level 2 in oranges; the darker, the more final the status.
COMMISSION_COLOURS = {
    (1, CommissionStatus.SETTLED): "#1f4e99", (1, CommissionStatus.FROZEN): "#6c9bd8",
    (1, CommissionStatus.CANCELLED): "#c9d7ec",
    (2, CommissionStatus.SETTLED): "#c2581b", (2, CommissionStatus.FROZEN): "#f0a35e",
    (2, CommissionStatus.CANCELLED): "#f6d8bd",
}
LEVEL_COLOURS = {1: "#1f4e99", 2: "#f0a35e"}


@st.cache_data(ttl=60, show_spinner=False)
def _overview(database: str) -> queries.Overview:
    """Every figure, recomputed at most once a minute (per database) however many people look."""
    return read(lambda s: queries.overview(s, days=DAYS, top=10, network_size=15))


def main() -> None:
    require_screen(Permission.ANALYTICS)
    st.header(t("analytics.header"))
    st.caption(t("analytics.caption", days=DAYS))
    f = _overview(get_config().resolved_database_url)

    net = sum(d.net_fen for d in f.sales)  # thirty daily totals, each already summed in SQL
    paid_orders = sum(d.orders for d in f.sales)
    for column, (key, value) in zip(st.columns(4), (
        ("analytics.net_sales", money(net)), ("analytics.paid_orders", paid_orders),
        ("analytics.commission", money(f.commission_total.net_fen)), ("analytics.distributors", f.distributors),
    ), strict=True):
        column.metric(t(key), value, border=True)

    left, right = st.columns([3, 2])
    with left:
        _chart("analytics.sales_by_day", _sales_figure(f.sales))
    with right:
        _chart("analytics.orders_by_status", _status_figure(f.order_statuses), empty=not f.order_statuses)
    left, right = st.columns(2)
    with left:
        _chart("analytics.top_products", _top_figure(f.top_products), empty=not f.top_products)
    with right:
        _chart("analytics.funnel", _funnel_figure(f.funnel), help_key="analytics.funnel_help")
    left, right = st.columns(2)
    with left:
        _chart("analytics.commission_by_day", _commission_figure(f.commission_days), empty=not f.commission_days)
    with right:
        _chart("analytics.network", _network_figure(f.network), empty=not f.network,
               help_key="analytics.network_help")


def _chart(title_key: str, figure: go.Figure, *, empty: bool = False, help_key: str | None = None) -> None:
    st.subheader(t(title_key), help=t(help_key) if help_key else None)
    if empty:
        st.info(t("analytics.empty"))
        return
    figure.update_layout(meta=title_key, margin={"t": 10, "l": 10, "r": 10, "b": 10}, height=320,
                         legend={"orientation": "h", "y": -0.15})
    st.plotly_chart(figure, key=title_key, config={"displayModeBar": False})


def _sales_figure(sales: list[queries.DailySales]) -> go.Figure:
    days = [s.day.isoformat() for s in sales]
    figure = go.Figure([
        go.Bar(x=days, y=[chart_yuan(s.net_fen) for s in sales], name=t("analytics.net_sales"),
               marker_color="#1f4e99", customdata=[[yuan(s.net_fen), s.orders, yuan(s.refunded_fen)] for s in sales],
               hovertemplate=t("analytics.sales_hover") + "<extra></extra>"),
        go.Scatter(x=days, y=[chart_yuan(s.refunded_fen) for s in sales], name=t("analytics.refunded"),
                   mode="lines+markers", line={"color": "#c2581b"}, hoverinfo="skip"),
    ])
    figure.update_yaxes(title=t("analytics.yuan"), rangemode="tozero")
    return _dated(figure)


def _dated(figure: go.Figure) -> go.Figure:
    """Day axes in the staff's language: Plotly names months in English unless told how to write a date."""
    figure.update_xaxes(type="date", tickformat=t("analytics.date_tick"), hoverformat=t("analytics.date_hover"))
    return figure


def _status_figure(statuses: dict[str, int]) -> go.Figure:
    shown = [s for s in OrderStatus.ALL if statuses.get(s)]
    return go.Figure(go.Pie(labels=[label("order", s) for s in shown], values=[statuses[s] for s in shown],
                            hole=0.5, sort=False, textinfo="label+value"))


def _top_figure(top: list[queries.TopProduct]) -> go.Figure:
    ranked = list(reversed(top))  # the best at the top of a horizontal bar chart
    figure = go.Figure(go.Bar(
        x=[chart_yuan(p.net_fen) for p in ranked], y=[p.title for p in ranked], orientation="h",
        marker_color="#1f4e99", text=[money(p.net_fen) for p in ranked], textposition="auto",
        customdata=[[p.units, p.orders] for p in ranked],
        hovertemplate=t("analytics.top_hover") + "<extra></extra>",
    ))
    figure.update_xaxes(title=t("analytics.yuan"))
    return figure


def _funnel_figure(funnel: queries.Funnel) -> go.Figure:
    steps = ("users", "bound", "ordered", "paid", "completed")
    return go.Figure(go.Funnel(y=[t(f"analytics.funnel_{s}") for s in steps],
                               x=[getattr(funnel, s) for s in steps], textinfo="value+percent initial",
                               marker={"color": ["#c9d7ec", "#9dbbe3", "#6c9bd8", "#3f73bf", "#1f4e99"]}))


def _commission_figure(days: list[queries.CommissionDay]) -> go.Figure:
    series: dict[tuple[int, str], list[queries.CommissionDay]] = {}
    for d in days:
        series.setdefault((d.level, d.status), []).append(d)
    figure = go.Figure([
        go.Bar(x=[d.day.isoformat() for d in points], y=[chart_yuan(d.net_fen) for d in points],
               name=f"{label('level', level)} · {label('commission', status)}",
               marker_color=COMMISSION_COLOURS[(level, status)],
               customdata=[yuan(d.net_fen) for d in points], hovertemplate="%{x}: ¥%{customdata}")
        for (level, status), points in sorted(series.items())
    ])
    figure.update_layout(barmode="stack")
    figure.update_yaxes(title=t("analytics.yuan"), rangemode="tozero")
    return _dated(figure)


def _network_figure(network: list[queries.NetworkRow]) -> go.Figure:
    ranked = list(reversed(network))
    # Plotly reads a little HTML in labels; a nickname is shown as typed (docs/security.md, Text input).
    names = [chart_text(r.nickname) + ("" if r.is_enabled else f" ({t('distributors.disabled')})") for r in ranked]
    figure = go.Figure([
        go.Bar(y=names, x=[r.level1_count if level == 1 else r.level2_count for r in ranked], orientation="h",
               name=t("analytics.level_members", level=label("level", level)), marker_color=LEVEL_COLOURS[level])
        for level in LEVELS
    ])
    figure.update_layout(barmode="stack")
    return figure


if __name__ == "__main__":
    main()
