"""佣金模拟: what other commission rates would have cost over a range of days — the actual and simulated totals,
the delta, both ratios to sales, the cap check, week by week and distributor by distributor. The domain re-prices
history and writes nothing (docs/money-and-rules.md, "The commission simulator")."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.amounts import chart_yuan, money, parse_percent, percent_text
from dashboard.components.charts import BLUE, ORANGE, chart, dated
from dashboard.components.date_range import range_picker
from dashboard.components.export import analytics_table, export_button
from dashboard.components.plain import chart_text
from dashboard.i18n import t
from dashboard.views.workbench import reads
from domain.analytics.export import Table
from domain.analytics.periods import Granularity
from domain.analytics.simulator import MAX_RATE_BP, Simulation
from domain.money import percent, yuan
from domain.security.roles import Permission

TOP = 15  # distributors in the chart; the table below lists them all


def main() -> None:
    who = require_screen(Permission.ANALYTICS)
    st.header(t("simulator.header"))
    st.caption(t("simulator.caption"))
    level1_now, level2_now, cap = reads.commission_rates()
    choice = range_picker("simulator", granularity=False, comparison=False)
    rates = _rates(level1_now, level2_now, cap)
    if choice is None or rates is None:
        return
    result = reads.simulation(reads.database(), choice.period, *rates)
    _verdict(result)
    _figures(result)
    chart("simulator.by_week", _by_week(result), help_key="simulator.by_week_help")
    chart("simulator.by_distributor", _by_distributor(result) if result.by_beneficiary else None,
          help_key="simulator.by_distributor_help", height=max(320, 26 * min(TOP, len(result.by_beneficiary)) + 80))
    _table(result)
    export_button(state.SIMULATOR_EXPORT, analytics_table(who.actor, Table.SIMULATION, choice.period, rates=rates),
                  label_key="simulator.export")


def _rates(level1_now: int, level2_now: int, cap: int) -> tuple[int, int] | None:
    """The two rates typed as percentages (12.5 = 12.5%), starting from the shop's rates now."""
    left, right, note = st.columns([2, 2, 3], vertical_alignment="bottom")
    typed = (
        left.text_input(t("simulator.level1"), value=percent_text(level1_now), key=state.SIMULATOR_LEVEL1,
                        help=t("simulator.rate_help")),
        right.text_input(t("simulator.level2"), value=percent_text(level2_now), key=state.SIMULATOR_LEVEL2,
                         help=t("simulator.rate_help")),
    )
    note.caption(t("simulator.now", level1=percent(level1_now), level2=percent(level2_now), cap=percent(cap)))
    rates = []
    for text in typed:
        try:
            bp = parse_percent(text)
        except ValueError:
            st.error(t("simulator.bad_rate", text=text.strip()), icon=":material/error:")
            return None
        if not 0 <= bp <= MAX_RATE_BP:
            st.error(t("simulator.rate_range", text=text.strip()), icon=":material/error:")
            return None
        rates.append(bp)
    return rates[0], rates[1]


def _verdict(result: Simulation) -> None:
    total = percent(result.level1_bp + result.level2_bp)
    if result.over_cap:
        st.warning(t("simulator.over_cap", total=total, cap=percent(result.cap_bp)), icon=":material/block:")
    else:
        st.success(t("simulator.within_cap", total=total, cap=percent(result.cap_bp)), icon=":material/check_circle:")
    if result.kept_records:
        st.caption(t("simulator.kept", n=result.kept_records))


def _figures(result: Simulation) -> None:
    delta = result.delta_fen
    cards = (
        (t("simulator.actual"), money(result.actual_fen), None, t("simulator.actual_help")),
        (t("simulator.simulated"), money(result.simulated_fen), _signed_money(delta) if result.actual_fen else None,
         t("simulator.simulated_help")),
        (t("simulator.delta"), _signed_money(delta), None, None),
        (t("simulator.ratio"), percent(result.simulated_ratio_bp),
         t("kpi.points", points=_signed_points(result.simulated_ratio_bp - result.actual_ratio_bp)),
         t("simulator.ratio_help", actual=percent(result.actual_ratio_bp), sales=money(result.net_sales_fen))),
        (t("simulator.scope"), t("simulator.scope_value", orders=result.orders, records=result.records), None,
         t("simulator.scope_help")),
    )
    # Three to a row: a year of commission in yuan needs the width.
    columns = [column for _ in range(0, len(cards), 3) for column in st.columns(3)]
    for column, (title, value, change, help_text) in zip(columns, cards, strict=False):
        # More commission is more cost: a rise is shown in red.
        column.metric(title, value, delta=change, delta_color="inverse", border=True, help=help_text)


def _signed_money(fen: int) -> str:
    return ("+" if fen > 0 else "") + money(fen)


def _signed_points(bp: int) -> str:
    return ("+" if bp > 0 else "") + percent_text(bp)


def _by_week(result: Simulation) -> go.Figure:
    weeks = [w.week.isoformat() for w in result.by_week]
    figure = go.Figure([
        go.Bar(x=weeks, y=[chart_yuan(w.actual_fen) for w in result.by_week], name=t("simulator.actual"),
               marker_color=BLUE, customdata=[yuan(w.actual_fen) for w in result.by_week],
               hovertemplate="%{x}<br>¥%{customdata}<extra></extra>"),
        go.Bar(x=weeks, y=[chart_yuan(w.simulated_fen) for w in result.by_week], name=t("simulator.simulated"),
               marker_color=ORANGE, customdata=[yuan(w.simulated_fen) for w in result.by_week],
               hovertemplate="%{x}<br>¥%{customdata}<extra></extra>"),
    ])
    figure.update_layout(barmode="group")
    figure.update_yaxes(title=t("analytics.yuan"), rangemode="tozero")
    return dated(figure, Granularity.WEEK)


def _by_distributor(result: Simulation) -> go.Figure:
    """The distributors the new rates pay most, the first at the top."""
    ranked = list(reversed(result.by_beneficiary[:TOP]))
    names = [chart_text(c.nickname) for c in ranked]
    return go.Figure([
        go.Bar(y=names, x=[chart_yuan(c.actual_fen) for c in ranked], orientation="h", name=t("simulator.actual"),
               marker_color=BLUE, customdata=[yuan(c.actual_fen) for c in ranked],
               hovertemplate="%{y}<br>¥%{customdata}<extra></extra>"),
        go.Bar(y=names, x=[chart_yuan(c.simulated_fen) for c in ranked], orientation="h",
               name=t("simulator.simulated"), marker_color=ORANGE,
               customdata=[[yuan(c.simulated_fen), _signed_money(c.delta_fen)] for c in ranked],
               hovertemplate="%{y}<br>¥%{customdata[0]} (%{customdata[1]})<extra></extra>"),
    ], layout={"barmode": "group"})


def _table(result: Simulation) -> None:
    st.subheader(t("simulator.beneficiaries", n=len(result.by_beneficiary)))
    if not result.by_beneficiary:
        st.info(t("simulator.nothing"))
        return
    st.dataframe(pd.DataFrame([{
        t("analytics.col_distributor"): c.nickname, t("simulator.col_records"): c.records,
        t("simulator.actual"): money(c.actual_fen), t("simulator.simulated"): money(c.simulated_fen),
        t("simulator.delta"): _signed_money(c.delta_fen),
    } for c in result.by_beneficiary]), hide_index=True, width="stretch")


if __name__ == "__main__":
    main()
