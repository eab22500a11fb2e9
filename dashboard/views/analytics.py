"""数据分析: the analyst's workbench over any range of Shanghai days — KPI cards beside the previous equal period,
trends, the distributor leaderboard with each distributor's page, the funnel and cohorts, refund rates and the top
of the network; every table exports whole to Excel. Every figure is one SQL aggregate in ``domain/analytics/``
(definitions: docs/money-and-rules.md, "Analytics"); this screen only draws them."""

from __future__ import annotations

import streamlit as st

from dashboard.components.access import require_screen
from dashboard.components.date_range import range_picker
from dashboard.components.kpi import kpi_cards
from dashboard.components.tabs import remembered_tabs
from dashboard.i18n import t
from dashboard.views.workbench import conversion, leaderboard, network, reads, refund_rates, trends
from domain.security.roles import Permission


def main() -> None:
    who = require_screen(Permission.ANALYTICS)
    st.header(t("analytics.header"))
    st.caption(t("analytics.caption"))
    choice = range_picker("analytics")
    if choice is None:
        return
    kpi_cards(reads.summary(reads.database(), choice.period), compare=choice.compare)
    tabs = remembered_tabs("analytics", {
        "trends": t("analytics.tab_trends"), "distributors": t("analytics.tab_distributors"),
        "conversion": t("analytics.tab_conversion"), "refunds": t("analytics.tab_refunds"),
        "network": t("analytics.tab_network"),
    })
    with tabs["trends"]:
        trends.show(who.actor, choice)
    with tabs["distributors"]:
        leaderboard.show(who.actor, choice)
    with tabs["conversion"]:
        conversion.show(who.actor, choice)
    with tabs["refunds"]:
        refund_rates.show(who.actor, choice)
    with tabs["network"]:
        network.show()


if __name__ == "__main__":
    main()
