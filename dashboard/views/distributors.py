"""分销员: every distributor with team sizes and balances; one distributor's two-level team, wallet ledger and
commission records; disable (confirmed, with a reason) or enable their right to earn, as the domain offers
(``distributor_actions``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy.orm import Session

from dashboard import state
from dashboard.components import export as exports
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.amounts import money, parse_signed_yuan
from dashboard.components.listing import (
    back_to_first_page,
    local_time,
    page_of,
    pager,
    select_record,
)
from dashboard.components.plain import chart_text, plain
from dashboard.components.tabs import remembered_tabs
from dashboard.i18n import label, t
from domain.distribution.actions import DistributorAction
from domain.distribution.distributors import set_enabled
from domain.distribution.queries import (
    CommissionView,
    DistributorRow,
    list_commissions,
    list_distributors,
)
from domain.distribution.team import TeamNode, team_tree
from domain.models import User
from domain.money import percent, yuan
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.wallet.service import Balances, adjust_wallet, balances, ledger

PAGE_SIZE = 20
TEAM_LIMIT = 500
RECENT = 50  # ledger entries and commission records shown
ROOT_COLOUR = "#e8edf5"
LEVEL_COLOURS = {1: "#1f4e99", 2: "#f0a35e"}  # the same as the analytics screen's


@dataclass(frozen=True)
class LedgerLine:
    created_at: datetime
    entry_type: str
    amount_fen: int
    note: str


@dataclass(frozen=True)
class Inviter:
    nickname: str
    invite_code: str


@dataclass(frozen=True)
class DistributorDetail:
    inviter: Inviter | None
    balances: Balances
    team: list[TeamNode]
    team_total: int
    ledger: list[LedgerLine]
    commissions: list[CommissionView]
    commissions_total: int


def main() -> None:
    who = require_screen(Permission.DISTRIBUTORS)
    st.header(t("distributors.header"))
    show_flashes()
    q = st.text_input(t("distributors.search"), key=state.DISTRIBUTORS_FILTER_Q,
                      placeholder=t("distributors.search_placeholder"),
                      on_change=back_to_first_page(state.DISTRIBUTORS_PAGE))
    rows, total = read(lambda s: list_distributors(s, viewer=who.actor, q=q, page=page_of(state.DISTRIBUTORS_PAGE),
                                                   page_size=PAGE_SIZE))
    st.caption(t("distributors.count", n=total))
    if not rows:
        st.info(t("distributors.empty"))
        return
    _distributor_table(rows)
    pager(state.DISTRIBUTORS_PAGE, total, PAGE_SIZE)
    exports.export_button(state.DISTRIBUTORS_EXPORT, exports.distributors(who.actor, q=q))

    chosen = {r.user_id: r for r in rows}
    user_id = select_record(t("distributors.select"), {
        r.user_id: f"{r.nickname} · {r.invite_code}" for r in rows
    }, state.DISTRIBUTORS_SELECT)
    row = chosen[user_id]
    detail = read(lambda s: _distributor_detail(s, who.actor, user_id))
    _show_detail(who.actor, row, detail)


def _distributor_table(rows: list[DistributorRow]) -> None:
    st.dataframe(pd.DataFrame([{
        "nickname": r.nickname, "code": r.invite_code, "name": r.real_name_masked,
        "status": t("distributors.enabled") if r.is_enabled else t("distributors.disabled"),
        "level1": r.level1_count, "level2": r.level2_count, "available": money(r.available_fen),
        "frozen": money(r.frozen_fen), "withdrawn": money(r.withdrawn_fen),
        "earned": money(r.total_earned_fen), "since": local_time(r.since),
    } for r in rows]), hide_index=True, width="stretch", column_config={
        "nickname": t("distributors.col_nickname"), "code": t("distributors.col_code"),
        "name": t("distributors.col_real_name"), "status": t("distributors.col_status"),
        "level1": st.column_config.NumberColumn(t("distributors.col_level1"), format="%d"),
        "level2": st.column_config.NumberColumn(t("distributors.col_level2"), format="%d"),
        "available": t("distributors.available"), "frozen": t("distributors.frozen"),
        "withdrawn": t("distributors.withdrawn"), "earned": t("distributors.earned"),
        "since": t("distributors.col_since"),
    })


def _distributor_detail(session: Session, actor: Actor, user_id: int) -> DistributorDetail:
    team, team_total = team_tree(session, user_id, limit=TEAM_LIMIT)
    commissions, commissions_total = list_commissions(session, viewer=actor, beneficiary_id=user_id,
                                                      page_size=RECENT)
    user = session.get(User, user_id)
    inviter = session.get(User, user.inviter_id) if user and user.inviter_id else None
    return DistributorDetail(
        inviter=Inviter(nickname=inviter.nickname, invite_code=inviter.invite_code) if inviter else None,
        balances=balances(session, user_id), team=team, team_total=team_total,
        ledger=[LedgerLine(created_at=e.created_at, entry_type=e.entry_type, amount_fen=e.amount_fen, note=e.note)
                for e in ledger(session, user_id, limit=RECENT)],
        commissions=commissions, commissions_total=commissions_total,
    )


def _show_detail(actor: Actor, row: DistributorRow, d: DistributorDetail) -> None:
    with st.container(border=True):
        status = t("distributors.enabled") if row.is_enabled else t("distributors.disabled")
        # Nicknames and reasons are shown as typed, never as Markdown (docs/security.md, Text input).
        st.subheader(t("distributors.detail", name=plain(row.nickname), code=row.invite_code, status=status))
        if row.disabled_reason:
            st.warning(t("distributors.disabled_because", reason=plain(row.disabled_reason)), icon=":material/block:")
        _inviter(d.inviter)
        b = d.balances
        for column, (key, fen) in zip(st.columns(5), (
            ("distributors.available", b.available_fen), ("distributors.frozen", b.frozen_fen),
            ("distributors.withdrawing", b.withdrawing_fen), ("distributors.withdrawn", b.withdrawn_fen),
            ("distributors.earned", b.total_earned_fen),
        ), strict=True):
            column.metric(t(key), money(fen))
        tabs = remembered_tabs("distributors.detail", {
            "team": t("distributors.tab_team", n=d.team_total), "ledger": t("distributors.tab_ledger"),
            "commissions": t("distributors.tab_commissions", n=d.commissions_total),
            "switch": t("distributors.tab_switch"),
        })
        with tabs["team"]:
            _team(row, d)
        with tabs["ledger"]:
            if actor.can(Permission.WITHDRAWALS):
                _adjust_wallet(actor, row, d.balances)
            _ledger(d.ledger)
        with tabs["commissions"]:
            _commissions(d.commissions)
        with tabs["switch"]:
            _switch(actor, row)


def _inviter(inviter: Inviter | None) -> None:
    """Who invited this distributor, and why that can never be changed."""
    if inviter is None:
        text = t("distributors.no_inviter")
    else:
        text = t("distributors.inviter", name=plain(inviter.nickname), code=inviter.invite_code)
    st.info(f"{text}  \n{t('distributors.inviter_permanent')}", icon=":material/lock:")


def _adjust_wallet(actor: Actor, row: DistributorRow, b: Balances) -> None:
    """A credit or debit by hand, with the reason the distributor will read in their ledger."""
    form = state.wallet_adjust_form(row.user_id)
    key = partial(state.widget_key, form)
    show_flashes(form)
    with st.container(border=True):
        with st.form(key("form"), border=False):
            st.markdown(f"**{t('distributors.adjust')}**")
            st.caption(t("distributors.adjust_help", available=money(b.available_fen)))
            amount_col, reason_col = st.columns([1, 3])
            amount = amount_col.text_input(t("distributors.adjust_amount"), key=key("amount"),
                                           placeholder="-12.50", help=t("distributors.adjust_amount_help"))
            reason = reason_col.text_input(t("distributors.adjust_reason"), key=key("reason"), max_chars=100,
                                           placeholder=t("distributors.adjust_reason_placeholder"))
            confirmed = st.checkbox(t("distributors.adjust_confirm", name=plain(row.nickname)), key=key("confirm"))
            submitted = st.form_submit_button(t("distributors.adjust_submit"), key=key("submit"))
        if not submitted:
            return
        try:
            amount_fen = parse_signed_yuan(amount)
        except ValueError:
            st.error(t("distributors.adjust_bad_amount"), icon=":material/error:")
            return
        if not confirmed:
            st.warning(t("distributors.adjust_confirm_first"))
            return
        entry = perform(lambda s: adjust_wallet(s, actor=actor, user_id=row.user_id, amount_fen=amount_fen,
                                                reason=reason))
        if entry is not None:
            state.flash_at(form, t("distributors.adjusted", name=plain(row.nickname), amount=money(amount_fen)))
            state.reset_form(form)
            st.rerun()


def _team(row: DistributorRow, d: DistributorDetail) -> None:
    if not d.team:
        st.info(t("distributors.team_empty"))
        return
    if d.team_total > len(d.team):
        st.caption(t("distributors.team_truncated", shown=len(d.team), total=d.team_total))
    level1 = [n for n in d.team if n.level == 1]
    below: dict[int, list[TeamNode]] = {}
    for node in d.team:
        if node.level == 2:
            below.setdefault(node.inviter_id, []).append(node)
    chart, lists = st.columns([2, 3])
    with chart:
        st.plotly_chart(_team_sunburst(row, level1, below), key=f"team.{row.user_id}",
                        config={"displayModeBar": False})
    with lists:
        st.markdown(f"**{t('distributors.level1_members', n=len(level1))}**")
        st.dataframe(pd.DataFrame([{
            t("distributors.col_nickname"): n.nickname, t("distributors.col_joined"): local_time(n.joined_at),
            t("distributors.col_orders"): n.order_count, t("distributors.col_amount"): money(n.order_amount_fen),
            t("distributors.col_level2"): len(below.get(n.user_id, [])),
        } for n in level1]), hide_index=True, width="stretch")
        for member in level1:
            team = below.get(member.user_id)
            if not team:
                continue
            with st.expander(t("distributors.level2_under", name=plain(member.nickname), n=len(team))):
                st.dataframe(pd.DataFrame([{
                    t("distributors.col_nickname"): n.nickname, t("distributors.col_joined"): local_time(n.joined_at),
                    t("distributors.col_orders"): n.order_count,
                    t("distributors.col_amount"): money(n.order_amount_fen),
                } for n in team]), hide_index=True, width="stretch")


def _team_sunburst(row: DistributorRow, level1: list[TeamNode], below: dict[int, list[TeamNode]]) -> go.Figure:
    """The distributor in the middle, level 1 around, level 2 outside. A level-1 slice is as wide as the
    members under it (at least one), so the outer ring sits exactly on its level-1 member."""
    width = {n.user_id: max(1, len(below.get(n.user_id, []))) for n in level1}
    level2 = [child for parent in level1 for child in below.get(parent.user_id, [])]
    nodes = [*level1, *level2]
    figure = go.Figure(go.Sunburst(
        ids=[f"u{row.user_id}", *(f"u{n.user_id}" for n in nodes)],
        labels=[chart_text(row.nickname), *(chart_text(n.nickname) for n in nodes)],
        parents=["", *(f"u{n.inviter_id}" for n in nodes)],
        values=[sum(width.values()), *(width[n.user_id] for n in level1), *(1 for _ in level2)],
        branchvalues="total",
        marker={"colors": [ROOT_COLOUR, *(LEVEL_COLOURS[n.level] for n in nodes)],
                "line": {"color": "white", "width": 2}},
        customdata=[t("distributors.sunburst_root"),
                    *(t("distributors.sunburst_member", level=label("level", n.level), orders=n.order_count,
                        amount=yuan(n.order_amount_fen)) for n in nodes)],
        hovertemplate="<b>%{label}</b><br>%{customdata}<extra></extra>",
        insidetextorientation="horizontal",
    ))
    figure.update_layout(margin={"t": 8, "l": 8, "r": 8, "b": 8}, height=340)
    return figure


def _ledger(lines: list[LedgerLine]) -> None:
    if not lines:
        st.info(t("distributors.ledger_empty"))
        return
    st.caption(t("distributors.recent", n=RECENT))
    st.dataframe(pd.DataFrame([{
        t("distributors.col_time"): local_time(e.created_at), t("distributors.col_entry"): label("entry", e.entry_type),
        t("distributors.col_change"): f"{'+' if e.amount_fen > 0 else ''}{yuan(e.amount_fen)}",
        t("distributors.col_note"): e.note,
    } for e in lines]), hide_index=True, width="stretch")


def _commissions(lines: list[CommissionView]) -> None:
    if not lines:
        st.info(t("distributors.commissions_empty"))
        return
    st.caption(t("distributors.recent", n=RECENT))
    st.dataframe(pd.DataFrame([{
        t("commissions.col_time"): local_time(c.created_at), t("commissions.col_order"): c.order_no,
        t("commissions.col_buyer"): c.buyer_nickname, t("commissions.col_line"): c.title,
        t("commissions.col_level"): label("level", c.level), t("commissions.col_base"): money(c.base_fen),
        t("commissions.col_rate"): percent(c.rate_bp), t("commissions.col_amount"): money(c.amount_fen),
        t("commissions.col_clawed_back"): money(c.clawed_back_fen) if c.clawed_back_fen else "",
        t("commissions.col_status"): label("commission", c.status),
    } for c in lines]), hide_index=True, width="stretch")


def _switch(actor: Actor, row: DistributorRow) -> None:
    if DistributorAction.DISABLE in row.actions:
        _disable(actor, row)
    if DistributorAction.ENABLE in row.actions:
        _enable(actor, row)


def _disable(actor: Actor, row: DistributorRow) -> None:
    """Asks for a confirmation and a reason (which the domain requires)."""
    form = state.distributor_form(row.user_id)
    key = partial(state.widget_key, form)
    with st.form(key("disable")):
        st.caption(t("distributors.disable_help"))
        reason = st.text_input(t("distributors.disable_reason"), key=key("reason"), max_chars=200)
        confirmed = st.checkbox(t("distributors.disable_confirm", name=plain(row.nickname)), key=key("confirm"))
        submitted = st.form_submit_button(t("distributors.disable_submit"), key=key("disable_submit"),
                                          icon=":material/block:")
    if not submitted:
        return
    if not confirmed:
        st.warning(t("distributors.disable_confirm_first"))
        return
    if perform(lambda s: set_enabled(s, actor=actor, user_id=row.user_id, enabled=False, reason=reason),
               success=t("distributors.disabled_done", name=plain(row.nickname))) is not None:
        state.reset_form(form)
        st.rerun()


def _enable(actor: Actor, row: DistributorRow) -> None:
    form = state.distributor_form(row.user_id)
    st.caption(t("distributors.enable_help"))
    if st.button(t("distributors.enable_submit"), type="primary", key=state.widget_key(form, "enable_submit"),
                 icon=":material/check_circle:") and perform(
        lambda s: set_enabled(s, actor=actor, user_id=row.user_id, enabled=True),
        success=t("distributors.enabled_done", name=plain(row.nickname)),
    ) is not None:
        state.reset_form(form)
        st.rerun()


if __name__ == "__main__":
    main()
