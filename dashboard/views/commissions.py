"""佣金明细: every commission record with filters, totals per status and per level (summed in SQL), and — for
finance and the owner — settling the due commissions now instead of waiting for the periodic job."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components import export as exports
from dashboard.components.access import require_screen
from dashboard.components.actions import read, show_flashes
from dashboard.components.amounts import money
from dashboard.components.listing import (
    back_to_first_page,
    day_range,
    local_time,
    page_of,
    pager,
)
from dashboard.i18n import label, t
from domain.analytics.queries import CommissionTotals, commission_totals
from domain.distribution.commissions import LEVELS
from domain.distribution.queries import list_commissions, list_distributors
from domain.errors import DomainError
from domain.jobs import get_job, run_job
from domain.models import CommissionStatus
from domain.money import percent, yuan
from domain.security.actor import Actor
from domain.security.roles import Permission, can

PAGE_SIZE = 50
STATUSES = (CommissionStatus.FROZEN, CommissionStatus.SETTLED, CommissionStatus.CANCELLED)
SETTLE_JOB = "settle-commissions"


def main() -> None:
    who = require_screen(Permission.COMMISSIONS_READ)
    st.header(t("commissions.header"))
    show_flashes()
    if can(who.role, get_job(SETTLE_JOB).permission):
        _settle_now(who.actor)

    first_page = back_to_first_page(state.COMMISSIONS_PAGE)
    status_col, level_col, who_col, no_col, days_col = st.columns([2, 2, 3, 3, 3])
    status = status_col.selectbox(t("commissions.filter_status"), [None, *STATUSES], key=state.COMMISSIONS_FILTER_STATUS,
                                  format_func=lambda s: t("commissions.all") if s is None else label("commission", s),
                                  on_change=first_page)
    level = level_col.selectbox(t("commissions.filter_level"), [None, *LEVELS], key=state.COMMISSIONS_FILTER_LEVEL,
                                format_func=lambda v: t("commissions.all") if v is None else label("level", v),
                                on_change=first_page)
    with who_col:
        beneficiary_id = _beneficiary(who.actor, first_page)
    order_no = no_col.text_input(t("commissions.filter_no"), key=state.COMMISSIONS_FILTER_NO, on_change=first_page)
    with days_col:
        created_from, created_to = day_range(state.COMMISSIONS_FILTER_DAYS, on_change=first_page)
    if beneficiary_id is False:
        st.info(t("commissions.no_such_distributor"))
        return

    filters = {"status": status, "level": level, "beneficiary_id": beneficiary_id, "order_no": order_no,
               "created_from": created_from, "created_to": created_to}
    totals = read(lambda s: commission_totals(s, **filters))
    _totals(totals)
    rows, total = read(lambda s: list_commissions(s, viewer=who.actor, page=page_of(state.COMMISSIONS_PAGE),
                                                  page_size=PAGE_SIZE, **filters))
    st.caption(t("commissions.count", n=total))
    if not rows:
        st.info(t("commissions.empty"))
        return
    st.dataframe(pd.DataFrame([{
        t("commissions.col_time"): local_time(r.created_at), t("commissions.col_order"): r.order_no,
        t("commissions.col_beneficiary"): r.beneficiary_nickname, t("commissions.col_buyer"): r.buyer_nickname,
        t("commissions.col_line"): r.title, t("commissions.col_level"): label("level", r.level),
        t("commissions.col_base"): money(r.base_fen), t("commissions.col_rate"): percent(r.rate_bp),
        t("commissions.col_amount"): money(r.amount_fen),
        t("commissions.col_clawed_back"): money(r.clawed_back_fen) if r.clawed_back_fen else "",
        t("commissions.col_status"): label("commission", r.status),
        t("commissions.col_settled"): local_time(r.settled_at),
    } for r in rows]), hide_index=True, width="stretch")
    pager(state.COMMISSIONS_PAGE, total, PAGE_SIZE)
    exports.export_button(state.COMMISSIONS_EXPORT, exports.commissions(who.actor, **filters))


def _beneficiary(actor: Actor, on_change) -> int | None | bool:
    """The distributor to filter by: None for everyone, False when the search matches nobody."""
    q = st.text_input(t("commissions.filter_who"), key=state.COMMISSIONS_FILTER_WHO, on_change=on_change,
                      placeholder=t("commissions.filter_who_placeholder"))
    if not q.strip():
        return None
    matches, _ = read(lambda s: list_distributors(s, viewer=actor, q=q, page_size=20))
    if not matches:
        return False
    names = {m.user_id: f"{m.nickname} · {m.invite_code}" for m in matches}
    return st.selectbox(t("commissions.filter_beneficiary"), list(names), format_func=names.__getitem__,
                        key=state.COMMISSIONS_FILTER_BENEFICIARY, on_change=on_change)


def _totals(totals: CommissionTotals) -> None:
    overall = totals.overall
    first, *columns = st.columns(1 + len(STATUSES) + len(LEVELS))
    by_status, by_level = columns[:len(STATUSES)], columns[len(STATUSES):]
    first.metric(t("commissions.total"), money(overall.net_fen), border=True,
                 help=t("commissions.total_help", n=overall.records, back=yuan(overall.clawed_back_fen)))
    for column, status in zip(by_status, STATUSES, strict=True):
        part = totals.by_status.get(status)
        column.metric(label("commission", status), money(part.net_fen if part else 0), border=True,
                      help=t("commissions.records", n=part.records if part else 0))
    for column, level in zip(by_level, LEVELS, strict=True):
        part = totals.by_level.get(level)
        column.metric(label("level", level), money(part.net_fen if part else 0), border=True,
                      help=t("commissions.records", n=part.records if part else 0))


def _settle_now(actor) -> None:
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(t("commissions.settle_help"))
    if not right.button(t("commissions.settle"), key=state.COMMISSIONS_SETTLE, icon=":material/done_all:"):
        return
    # The job commits in its own units of work; it must never run inside one of ours (on SQLite it would
    # wait for the write lock we hold).
    try:
        settled = run_job(SETTLE_JOB, actor=actor)
    except DomainError as exc:
        st.error(exc.message, icon=":material/error:")
        return
    state.flash(t("commissions.settled", n=settled))
    st.rerun()


if __name__ == "__main__":
    main()
