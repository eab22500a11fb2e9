"""会员: every shopper with their level, growth, paid orders and spend, found by nickname or phone; one member's
growth ledger; and a growth adjustment with a reason, which the domain checks and audits (``adjust_growth``)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components import export as exports
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.amounts import money
from dashboard.components.listing import back_to_first_page, local_time, page_of, pager, select_record
from dashboard.components.plain import plain
from dashboard.i18n import label, t
from domain.members.growth import MAX_ADJUSTMENT, adjust_growth
from domain.members.queries import LevelView, levels
from domain.members.staff_queries import LedgerRow, MemberRow, member_ledger, search_members
from domain.security.actor import Actor
from domain.security.roles import Permission

PAGE_SIZE = 20
LEDGER_PAGE_SIZE = 20
ALL = "all"
SORTS = ("newest", "growth", "spend")


def main() -> None:
    who = require_screen(Permission.MARKETING)
    st.header(t("members.header"))
    st.caption(t("members.caption"))
    show_flashes()
    ladder = read(levels)
    first_page = back_to_first_page(state.MEMBERS_PAGE)
    search_col, level_col, sort_col = st.columns([3, 2, 2], vertical_alignment="bottom")
    q = search_col.text_input(t("members.search"), key=state.MEMBERS_FILTER_Q,
                              placeholder=t("members.search_placeholder"), on_change=first_page)
    names = {lv.level: lv.name for lv in ladder}
    level = level_col.selectbox(t("members.filter_level"), [ALL, *names], key=state.translated(state.MEMBERS_FILTER_LEVEL),
                                format_func=lambda v: t("members.all_levels") if v == ALL else names[v],
                                on_change=first_page)
    sort = sort_col.selectbox(t("members.sort"), SORTS, key=state.translated(state.MEMBERS_SORT),
                              format_func=lambda s: t(f"members.sort_{s}"), on_change=first_page)
    rows, total = read(lambda s: search_members(s, viewer=who.actor, q=q, level=None if level == ALL else level,
                                                sort=sort, page=page_of(state.MEMBERS_PAGE), page_size=PAGE_SIZE))
    st.caption(t("members.count", n=total))
    if not rows:
        st.info(t("members.empty"))
        return
    _member_table(rows)
    pager(state.MEMBERS_PAGE, total, PAGE_SIZE)
    exports.export_button(state.MEMBERS_EXPORT, exports.members(who.actor, q=q, level=None if level == ALL else level,
                                                                sort=sort))

    chosen = {r.user_id: r for r in rows}
    user_id = select_record(t("members.select"), {
        r.user_id: f"{r.nickname} · {r.phone_masked}" if r.phone_masked else r.nickname for r in rows
    }, state.MEMBERS_SELECT)
    _detail(who.actor, chosen[user_id], ladder)


def _member_table(rows: list[MemberRow]) -> None:
    st.dataframe(pd.DataFrame([{
        "nickname": r.nickname, "phone": r.phone_masked, "level": r.level_name, "growth": r.growth,
        "orders": r.orders, "spend": money(r.spend_fen), "joined": local_time(r.created_at),
    } for r in rows]), hide_index=True, width="stretch", column_config={
        "nickname": t("members.col_nickname"), "phone": t("members.col_phone"), "level": t("members.col_level"),
        "growth": st.column_config.NumberColumn(t("members.col_growth"), format="%d"),
        "orders": st.column_config.NumberColumn(t("members.col_orders"), format="%d",
                                                help=t("members.col_orders_help")),
        "spend": st.column_config.TextColumn(t("members.col_spend"), help=t("members.col_spend_help")),
        "joined": t("members.col_joined"),
    })


def _detail(actor: Actor, row: MemberRow, ladder: list[LevelView]) -> None:
    with st.container(border=True):
        # Nicknames are the shopper's own text: shown as typed, never as Markdown (docs/security.md, Text input).
        st.subheader(t("members.detail", name=plain(row.nickname)))
        level_col, growth_col, orders_col, spend_col = st.columns(4)
        level_col.metric(t("members.col_level"), row.level_name)
        following = next((lv for lv in ladder if lv.level == row.level + 1), None)
        growth_col.metric(t("members.col_growth"), row.growth, help=t(
            "members.next_level", name=following.name, threshold=following.growth_threshold,
        ) if following else t("members.top_level"))
        orders_col.metric(t("members.col_orders"), row.orders)
        spend_col.metric(t("members.col_spend"), money(row.spend_fen))
        _adjust(actor, row)
        _ledger(actor, row)


def _adjust(actor: Actor, row: MemberRow) -> None:
    """Points given or taken by hand, with the reason kept beside the entry and in the audit log."""
    form = state.growth_adjust_form(row.user_id)
    key = partial(state.widget_key, form)
    show_flashes(form)
    with st.form(key("form")):
        st.markdown(f"**{t('members.adjust')}**")
        st.caption(t("members.adjust_help"))
        points_col, reason_col = st.columns([1, 3])
        points = points_col.number_input(t("members.adjust_points"), value=0, step=1, min_value=-MAX_ADJUSTMENT,
                                         max_value=MAX_ADJUSTMENT, format="%d", key=key("points"),
                                         help=t("members.adjust_points_help"))
        reason = reason_col.text_input(t("members.adjust_reason"), key=key("reason"), max_chars=200,
                                       placeholder=t("members.adjust_reason_placeholder"))
        submitted = st.form_submit_button(t("members.adjust_submit"), key=key("submit"))
    if not submitted:
        return
    entry = perform(lambda s: adjust_growth(s, actor=actor, user_id=row.user_id, points=int(points), reason=reason))
    if entry is None:
        return
    message = t("members.adjusted", name=plain(row.nickname), points=_signed(entry.points))
    if entry.points != points:  # taking more than there is takes what there is
        message = t("members.adjusted_less", name=plain(row.nickname), points=_signed(entry.points),
                    asked=_signed(int(points)))
    state.flash_at(form, message)
    state.reset_form(form)
    st.rerun()


def _ledger(actor: Actor, row: MemberRow) -> None:
    page_key = state.member_ledger_page(row.user_id)
    entries, total = read(lambda s: member_ledger(s, viewer=actor, user_id=row.user_id, page=page_of(page_key),
                                                  page_size=LEDGER_PAGE_SIZE))
    st.markdown(f"**{t('members.ledger', n=total)}**")
    if not entries:
        st.info(t("members.ledger_empty"))
        return
    st.dataframe(pd.DataFrame([_ledger_line(e) for e in entries]), hide_index=True, width="stretch")
    pager(page_key, total, LEDGER_PAGE_SIZE)


def _ledger_line(e: LedgerRow) -> dict[str, str]:
    return {
        t("members.col_time"): local_time(e.created_at), t("members.col_kind"): label("growth", e.kind),
        t("members.col_points"): _signed(e.points), t("members.col_ref"): e.ref or "",
        t("members.col_reason"): e.reason, t("members.col_staff"): e.staff_username or "",
    }


def _signed(points: int) -> str:
    return f"+{points}" if points > 0 else str(points)


if __name__ == "__main__":
    main()
