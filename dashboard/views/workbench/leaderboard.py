"""分销员: every distributor ranked by the commission the period brought them, and one distributor's page —
level-1 and level-2 sales, commission, team growth and conversion bucket by bucket, and their team."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import state
from dashboard.components.amounts import chart_yuan, money
from dashboard.components.charts import BLUE, GREEN, LEVEL_COLOURS, ORANGE, chart, dated
from dashboard.components.date_range import RangeChoice
from dashboard.components.export import analytics_table, export_button, sheet_export
from dashboard.components.links import open_record
from dashboard.components.listing import page_of, pager
from dashboard.components.plain import chart_text, plain
from dashboard.i18n import label, t
from dashboard.views.workbench import reads
from domain.analytics.distributors import DistributorDrilldown, DistributorRank
from domain.analytics.export import DISTRIBUTOR_SERIES, Sheet, Table
from domain.audit.sentences import EntityRef
from domain.distribution.team import TeamNode
from domain.money import percent, yuan
from domain.security.actor import Actor
from domain.security.roles import Permission

ROOT_COLOUR = "#e8edf5"


def show(actor: Actor, choice: RangeChoice) -> None:
    db, period = reads.database(), choice.period
    page = page_of(state.ANALYTICS_RANKING_PAGE)
    rows, total = reads.ranking(db, period, page)
    st.caption(t("analytics.ranking_count", n=total))
    if not rows:
        st.info(t("analytics.no_distributors"))
        return
    first_rank = (page - 1) * reads.PAGE_SIZE + 1
    st.dataframe(pd.DataFrame([{
        t("analytics.col_rank"): first_rank + i, t("analytics.col_distributor"): r.nickname,
        t("analytics.col_status"): t("distributors.enabled") if r.is_enabled else t("distributors.disabled"),
        t("analytics.col_level1_sales"): money(r.level1_sales_fen),
        t("analytics.col_level2_sales"): money(r.level2_sales_fen),
        t("analytics.col_commission"): money(r.commission_fen), t("analytics.col_level1_members"): r.level1_members,
        t("analytics.col_level2_members"): r.level2_members, t("analytics.col_team"): r.team_size,
        t("analytics.col_new_members"): r.new_members,
    } for i, r in enumerate(rows)]), hide_index=True, width="stretch")
    pager(state.ANALYTICS_RANKING_PAGE, total, reads.PAGE_SIZE)
    export_button(state.analytics_export(Table.DISTRIBUTORS), analytics_table(actor, Table.DISTRIBUTORS, period),
                  label_key="analytics.export_distributors")

    names = {r.user_id: f"{first_rank + i}. {r.nickname}" for i, r in enumerate(rows)}
    if st.session_state.get(state.ANALYTICS_DISTRIBUTOR) not in names:
        st.session_state.pop(state.ANALYTICS_DISTRIBUTOR, None)  # another page: open its first
    user_id = st.selectbox(t("analytics.open_distributor"), list(names), format_func=names.__getitem__,
                           key=state.ANALYTICS_DISTRIBUTOR)
    _distributor_page(actor, next(r for r in rows if r.user_id == user_id), choice)


def _distributor_page(actor: Actor, rank: DistributorRank, choice: RangeChoice) -> None:
    db = reads.database()
    detail = reads.drilldown(db, rank.user_id, choice.period, choice.by)
    totals = detail.totals
    with st.container(border=True):
        # A nickname is the shopper's own text: shown as typed (docs/security.md, Text input).
        st.subheader(t("analytics.distributor_page", name=plain(totals.nickname)))
        bought = sum(p.new_members_bought for p in detail.series)
        cards = (
            ("analytics.col_level1_sales", money(totals.level1_sales_fen)),
            ("analytics.col_level2_sales", money(totals.level2_sales_fen)),
            ("analytics.col_commission", money(totals.commission_fen)),
            ("analytics.col_team", t("analytics.team_of", n=totals.team_size, level1=totals.level1_members,
                                     level2=totals.level2_members)),
            ("analytics.col_new_members", t("analytics.new_members_bought", n=totals.new_members, bought=bought)),
        )
        # Three to a row: a distributor's half year in yuan, and a team with its two levels, need the width.
        columns = [column for _ in range(0, len(cards), 3) for column in st.columns(3)]
        for column, (key, value) in zip(columns, cards, strict=False):
            column.metric(t(key), value, border=True)
        left, right = st.columns(2)
        with left:
            chart(f"analytics.distributor_sales.{rank.user_id}", _sales_figure(detail, choice),
                  title_key="analytics.distributor_sales")
        with right:
            chart(f"analytics.distributor_team.{rank.user_id}", _team_growth_figure(detail, choice),
                  title_key="analytics.distributor_team", help_key="analytics.distributor_team_help")
        _team(rank, *reads.team(db, rank.user_id))
        _links(actor, rank, detail, choice)


def _sales_figure(detail: DistributorDrilldown, choice: RangeChoice) -> go.Figure:
    buckets = [p.bucket.isoformat() for p in detail.series]
    figure = go.Figure([
        *(go.Bar(x=buckets, y=[chart_yuan(p.level1_sales_fen if level == 1 else p.level2_sales_fen)
                               for p in detail.series],
                 name=t("analytics.level_sales", level=label("level", level)), marker_color=LEVEL_COLOURS[level])
          for level in (1, 2)),
        go.Scatter(x=buckets, y=[chart_yuan(p.commission_fen) for p in detail.series],
                   name=t("analytics.commission"), mode="lines+markers", line={"color": GREEN},
                   customdata=[yuan(p.commission_fen) for p in detail.series],
                   hovertemplate="%{x}<br>¥%{customdata}<extra></extra>"),
    ])
    figure.update_layout(barmode="stack")
    figure.update_yaxes(title=t("analytics.yuan"), rangemode="tozero")
    return dated(figure, choice.by)


def _team_growth_figure(detail: DistributorDrilldown, choice: RangeChoice) -> go.Figure:
    buckets = [p.bucket.isoformat() for p in detail.series]
    figure = go.Figure([
        go.Bar(x=buckets, y=[p.new_members for p in detail.series], name=t("analytics.col_new_members"),
               marker_color=BLUE, customdata=[[p.new_members_bought, percent(p.conversion_bp)] for p in detail.series],
               hovertemplate=t("analytics.conversion_hover") + "<extra></extra>"),
        go.Scatter(x=buckets, y=[p.team_size for p in detail.series], name=t("analytics.col_team"),
                   mode="lines", line={"color": ORANGE}, yaxis="y2"),
    ])
    figure.update_layout(yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False})
    figure.update_yaxes(rangemode="tozero")
    return dated(figure, choice.by)


def _team(rank: DistributorRank, team: list[TeamNode], total: int) -> None:
    """Both levels under the distributor: the distributor in the middle, level 1 around, level 2 outside."""
    if not team:
        st.caption(t("distributors.team_empty"))
        return
    if total > len(team):
        st.caption(t("distributors.team_truncated", shown=len(team), total=total))
    level1 = [n for n in team if n.level == 1]
    below: dict[int, int] = {}
    for node in team:
        if node.level == 2:
            below[node.inviter_id] = below.get(node.inviter_id, 0) + 1
    # A level-1 slice is as wide as the members under it (at least one), so level 2 sits on its inviter.
    width = {n.user_id: max(1, below.get(n.user_id, 0)) for n in level1}
    level2 = [n for n in team if n.level == 2 and n.inviter_id in width]
    nodes = [*level1, *level2]
    figure = go.Figure(go.Sunburst(
        ids=[f"u{rank.user_id}", *(f"u{n.user_id}" for n in nodes)],
        labels=[chart_text(rank.nickname), *(chart_text(n.nickname) for n in nodes)],
        parents=["", *(f"u{n.inviter_id}" for n in nodes)],
        values=[sum(width.values()), *(width[n.user_id] for n in level1), *(1 for _ in level2)],
        branchvalues="total", insidetextorientation="horizontal",
        marker={"colors": [ROOT_COLOUR, *(LEVEL_COLOURS[n.level] for n in nodes)],
                "line": {"color": "white", "width": 1}},
        customdata=[t("distributors.sunburst_root"),
                    *(t("distributors.sunburst_member", level=label("level", n.level), orders=n.order_count,
                        amount=yuan(n.order_amount_fen)) for n in nodes)],
        hovertemplate="<b>%{label}</b><br>%{customdata}<extra></extra>",
    ))
    chart(f"analytics.distributor_tree.{rank.user_id}", figure, title_key="analytics.distributor_tree", height=380)


def _links(actor: Actor, rank: DistributorRank, detail: DistributorDrilldown, choice: RangeChoice) -> None:
    left, right = st.columns(2)
    with left:
        what = f"分销员数据_{rank.user_id}"

        def sheet(_session) -> Sheet:
            return Sheet("分销员数据", DISTRIBUTOR_SERIES, detail.series)

        export_button(state.analytics_export(f"distributor.{rank.user_id}"),
                      sheet_export(what, sheet, period=choice.period), label_key="analytics.export_distributor")
    if actor.can(Permission.DISTRIBUTORS) and right.button(
            t("analytics.open_distributor_screen"), key=state.widget_key(state.ANALYTICS_DISTRIBUTOR, "open"),
            icon=":material/open_in_new:"):
        open_record(EntityRef(kind="distributor", id=str(rank.user_id), label=rank.nickname, search=rank.nickname))
