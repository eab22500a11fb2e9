"""网络: the top of the distribution network as a sunburst — the shop in the middle, the distributors with the
largest teams around it, and each one's level-1 and level-2 members outside. Click a distributor to open it up.
Only two levels exist (docs/money-and-rules.md)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.components.charts import LEVEL_COLOURS, chart
from dashboard.components.plain import chart_text
from dashboard.i18n import label, t
from dashboard.views.workbench import reads
from domain.analytics.queries import NetworkRow

TOP = 15
ROOT_COLOUR, DISTRIBUTOR_COLOUR = "#e8edf5", "#b8cbe6"  # the ring of distributors lighter than their members


def show() -> None:
    rows, total = reads.network(reads.database(), TOP)
    rows = [r for r in rows if r.level1_count or r.level2_count]
    st.caption(t("analytics.network_caption", shown=len(rows), total=total))
    chart("analytics.network", _sunburst(rows) if rows else None, help_key="analytics.network_help", height=560)


def _sunburst(rows: list[NetworkRow]) -> go.Figure:
    ids, labels, parents, values, colours, hover = ["shop"], [t("analytics.network_root")], [""], [0], [ROOT_COLOUR], [""]
    for r in rows:
        name = chart_text(r.nickname) + ("" if r.is_enabled else f" ({t('distributors.disabled')})")
        ids.append(f"d{r.user_id}")
        labels.append(name)
        parents.append("shop")
        values.append(r.level1_count + r.level2_count)
        colours.append(DISTRIBUTOR_COLOUR)
        hover.append(t("analytics.network_hover", level1=r.level1_count, level2=r.level2_count))
        for level, count in ((1, r.level1_count), (2, r.level2_count)):
            if count:
                ids.append(f"d{r.user_id}.{level}")
                labels.append(t("analytics.network_level", level=label("level", level), n=count))
                parents.append(f"d{r.user_id}")
                values.append(count)
                colours.append(LEVEL_COLOURS[level])
                hover.append(t("analytics.network_level", level=label("level", level), n=count))
    values[0] = sum(r.level1_count + r.level2_count for r in rows)
    return go.Figure(go.Sunburst(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total", customdata=hover,
        marker={"colors": colours, "line": {"color": "white", "width": 1}}, insidetextorientation="radial",
        hovertemplate="<b>%{label}</b><br>%{customdata}<extra></extra>"))
