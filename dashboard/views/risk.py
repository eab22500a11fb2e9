"""风险信号: the queue of patterns that may mean someone is gaming the commission scheme, each with its evidence,
and what staff may do with it — mark it reviewed, or put the distributor's withdrawals on review (each then needs
a second approval by another staff member). Analysts and the owner read; whoever pays withdrawals decides; the
buttons are the ones the domain offers (docs/security.md, "Risk signals")."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.amounts import money
from dashboard.components.export import Export, chinese, export_button, subject, zh
from dashboard.components.listing import back_to_first_page, local_time, page_of, pager, select_record
from dashboard.components.plain import plain
from dashboard.i18n import label, t
from domain.analytics.export import EVERYTHING, Column, Kind, Sheet, workbook
from domain.analytics.risk_queue import (
    RiskAction,
    RiskSignalView,
    WithdrawalReviewView,
    hold_withdrawals,
    lift_review,
    list_reviews,
    list_risk_signals,
    mark_signal_reviewed,
)
from domain.errors import DomainError
from domain.jobs import get_job, run_job
from domain.models import RiskKind, RiskStatus
from domain.money import percent
from domain.security.actor import Actor
from domain.security.roles import Permission

PAGE_SIZE = 20
ALL = "all"
STATUSES = (RiskStatus.OPEN, RiskStatus.REVIEWED, ALL)
SCAN_JOB = "scan-risks"


def main() -> None:
    who = require_screen((Permission.ANALYTICS, Permission.WITHDRAWALS))
    st.header(t("risk.header"))
    st.caption(t("risk.caption"))
    show_flashes()
    if who.actor.can(get_job(SCAN_JOB).permission):
        _scan_now(who.actor)

    status_col, kind_col = st.columns([3, 2], vertical_alignment="bottom")
    first_page = back_to_first_page(state.RISK_PAGE)
    status = status_col.segmented_control(
        t("risk.filter_status"), STATUSES, default=RiskStatus.OPEN, required=True,
        key=state.translated(state.RISK_FILTER_STATUS), format_func={s: t(f"risk.status_{s}") for s in STATUSES}.get,
        on_change=first_page)
    kind = kind_col.selectbox(t("risk.filter_kind"), [None, *RiskKind], key=state.translated(state.RISK_FILTER_KIND),
                              format_func={None: t("risk.all_kinds"), **{k: label("risk_kind", k) for k in RiskKind}}.get,
                              on_change=first_page)
    filters = {"status": None if status == ALL else status, "kind": kind}
    rows, total = read(lambda s: list_risk_signals(s, viewer=who.actor, page=page_of(state.RISK_PAGE),
                                                   page_size=PAGE_SIZE, **filters))
    st.caption(t("risk.count", n=total))
    if rows:
        _queue(rows)
        pager(state.RISK_PAGE, total, PAGE_SIZE)
        export_button(state.RISK_EXPORT, _export(who.actor, **filters))
        chosen = {r.id: r for r in rows}
        signal_id = select_record(t("risk.select"), {
            r.id: f"#{r.id} · {label('risk_kind', r.kind)} · {r.distributor_nickname}" for r in rows
        }, state.RISK_SELECT)
        _detail(who.actor, chosen[signal_id])
    else:
        st.info(t("risk.empty"))
    _reviews(who.actor)


def _scan_now(actor: Actor) -> None:
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(t("risk.scan_help"))
    if not right.button(t("risk.scan"), key=state.RISK_SCAN, icon=":material/radar:"):
        return
    # The job commits in units of work of its own; it never runs inside one of ours.
    try:
        raised = run_job(SCAN_JOB, actor=actor)
    except DomainError as exc:
        st.error(exc.message, icon=":material/error:")
        return
    state.flash(t("risk.scanned", n=raised) if raised else t("risk.scanned_none"))
    st.rerun()


def _queue(rows: list[RiskSignalView]) -> None:
    st.dataframe(pd.DataFrame([{
        t("risk.col_id"): r.id, t("risk.col_kind"): label("risk_kind", r.kind),
        t("risk.col_distributor"): r.distributor_nickname, t("risk.col_buyer"): r.user_nickname,
        t("risk.col_evidence"): evidence(r, t), t("risk.col_status"): _status(r),
        t("risk.col_raised"): local_time(r.created_at),
    } for r in rows]), hide_index=True, width="stretch", column_config={
        t("risk.col_evidence"): st.column_config.TextColumn(t("risk.col_evidence"), width="large")})


def _status(r: RiskSignalView) -> str:
    if r.status == RiskStatus.OPEN:
        return label("risk_status", r.status)
    return f"{label('risk_status', r.status)} · {label('risk_outcome', r.outcome)}"


def evidence(r: RiskSignalView, say) -> str:
    """The evidence as a sentence; ``say`` is ``t`` on screen and Chinese in exports."""
    e = r.evidence
    if r.kind == RiskKind.TEAM_REFUNDS:
        return say("risk.evidence.team_refunds", first=e.get("from", "—"), last=e.get("to", "—"),
                   orders=e.get("team_orders", 0), paid=money(e.get("team_paid_fen", 0)),
                   refunded=money(e.get("team_refunded_fen", 0)), rate=percent(e.get("team_rate_bp", 0)),
                   shop=percent(e.get("shop_rate_bp", 0)), factor=e.get("factor_percent", 0))
    if r.kind == RiskKind.BINDING_BURST:
        return say("risk.evidence.binding_burst", code=e.get("invite_code", "—"), n=e.get("bindings_at_least", 0),
                   minutes=e.get("minutes", 0), first=_moment(e.get("first_at")), last=_moment(e.get("last_at")),
                   threshold=e.get("threshold", 0))
    pair = say("risk.evidence.pair", level=say(f"label.level.{e.get('level', 1)}"), orders=e.get("orders", 0),
               commission=money(e.get("commission_fen", 0)))
    if r.kind == RiskKind.SHARED_PHONE:
        found = say("risk.evidence.shared_phone", buyer=say(f"risk.phone_from.{e.get('buyer_phone_from')}"),
                    inviter=say(f"risk.phone_from.{e.get('inviter_phone_from')}"))
    elif r.kind == RiskKind.SHARED_ADDRESS:
        found = say("risk.evidence.shared_address", n=e.get("shared_orders", 0), region=e.get("region", ""),
                    buyer_order=e.get("buyer_order_no", "—"), inviter_order=e.get("inviter_order_no", "—"))
    else:
        found = say("risk.evidence.shared_payer", n=e.get("paid_by_inviter", 0), order=e.get("example_order_no", "—"))
    return f"{found}{pair}"


def _moment(iso: str | None) -> str:
    return local_time(datetime.fromisoformat(iso)) if iso else "—"


def _detail(actor: Actor, r: RiskSignalView) -> None:
    with st.container(border=True):
        st.subheader(t("risk.detail", id=r.id, kind=label("risk_kind", r.kind)))
        # Nicknames, order numbers and regions come from shoppers: shown as typed (docs/security.md, Text input).
        people = t("risk.people", distributor=plain(r.distributor_nickname), buyer=plain(r.user_nickname)) \
            if r.user_nickname else t("risk.distributor_only", distributor=plain(r.distributor_nickname))
        st.caption(" · ".join([people, t("risk.raised_at", time=local_time(r.created_at)), _status(r)]))
        st.markdown(plain(evidence(r, t)))
        with st.expander(t("risk.raw_evidence")):
            st.json(r.evidence)
        if r.withdrawals_on_review:
            st.info(t("risk.on_review"), icon=":material/lock_clock:")
        if r.status != RiskStatus.OPEN:
            st.caption(t("risk.reviewed", who=plain(r.reviewed_by or "—"), time=local_time(r.reviewed_at),
                         note=plain(r.review_note or "—")))
            return
        if not r.actions:
            st.caption(t("risk.decided_by_finance"))
            return
        left, right = st.columns(2)
        with left:
            if RiskAction.MARK_REVIEWED in r.actions:
                _mark_reviewed(actor, r)
        with right:
            if RiskAction.HOLD_WITHDRAWALS in r.actions:
                _hold(actor, r)


def _mark_reviewed(actor: Actor, r: RiskSignalView) -> None:
    form = state.risk_form(r.id)
    key = partial(state.widget_key, form)
    with st.form(key("review")):
        st.markdown(f"**{t('risk.mark_reviewed')}**")
        note = st.text_area(t("risk.note"), key=key("note"), max_chars=200, height=80,
                            placeholder=t("risk.note_placeholder"))
        submitted = st.form_submit_button(t("risk.mark_reviewed_submit"), key=key("review_submit"),
                                          icon=":material/task_alt:")
    if submitted and perform(lambda s: mark_signal_reviewed(s, actor=actor, signal_id=r.id, note=note),
                             success=t("risk.marked", id=r.id)) is not None:
        state.reset_form(form)
        st.rerun()


def _hold(actor: Actor, r: RiskSignalView) -> None:
    form = state.risk_form(r.id)
    key = partial(state.widget_key, form)
    with st.form(key("hold")):
        st.markdown(f"**{t('risk.hold')}**")
        st.caption(t("risk.hold_help", name=plain(r.distributor_nickname)))
        reason = st.text_area(t("risk.reason"), key=key("reason"), max_chars=200, height=80,
                              placeholder=t("risk.reason_placeholder"))
        submitted = st.form_submit_button(t("risk.hold_submit"), type="primary", key=key("hold_submit"),
                                          icon=":material/lock_clock:")
    if submitted and perform(lambda s: hold_withdrawals(s, actor=actor, signal_id=r.id, reason=reason),
                             success=t("risk.held", name=plain(r.distributor_nickname))) is not None:
        state.reset_form(form)
        st.rerun()


def _reviews(actor: Actor) -> None:
    """Distributors whose withdrawals are on review; those who pay withdrawals may lift a review."""
    reviews = read(lambda s: list_reviews(s, viewer=actor))
    st.subheader(t("risk.reviews", n=len(reviews)), help=t("risk.reviews_help"))
    if not reviews:
        st.caption(t("risk.reviews_empty"))
        return
    st.dataframe(pd.DataFrame([{
        t("risk.col_distributor"): v.nickname, t("risk.reason"): v.reason,
        t("risk.col_signal"): f"#{v.signal_id}" if v.signal_id else "", t("risk.col_placed_by"): v.placed_by,
        t("risk.col_placed_at"): local_time(v.created_at), t("risk.col_pending"): v.pending_withdrawals,
    } for v in reviews]), hide_index=True, width="stretch")
    if actor.can(Permission.WITHDRAWALS):
        _lift(actor, reviews)


def _lift(actor: Actor, reviews: list[WithdrawalReviewView]) -> None:
    names = {v.user_id: v.nickname for v in reviews}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    user_id = left.selectbox(t("risk.lift_select"), list(names), format_func=names.__getitem__,
                             key=state.RISK_REVIEWS_SELECT)
    if not right.button(t("risk.lift"), key=state.RISK_REVIEWS_LIFT, icon=":material/lock_open:"):
        return

    def lift(session) -> bool:
        lift_review(session, actor=actor, user_id=user_id)  # returns nothing: the True tells perform it went through
        return True

    if perform(lift, success=t("risk.lifted", name=plain(names[user_id]))):
        st.rerun()


# --- the export: every signal the filters select, evidence in words ------------------------------------------

COLUMNS = (
    Column("编号", "id", Kind.INTEGER), Column("类型", lambda r: chinese("risk_kind", r.kind)),
    Column("分销员ID", "distributor_id", Kind.INTEGER), Column("分销员", "distributor_nickname"),
    Column("买家ID", "user_id", Kind.INTEGER), Column("买家", "user_nickname"),
    Column("证据", lambda r: evidence(r, zh)), Column("状态", lambda r: chinese("risk_status", r.status)),
    Column("处理结果", lambda r: chinese("risk_outcome", r.outcome) if r.outcome else ""),
    Column("备注", "review_note"), Column("处理人", "reviewed_by"), Column("处理时间", "reviewed_at", Kind.TIME),
    Column("提现复核中", lambda r: "是" if r.withdrawals_on_review else ""), Column("发现时间", "created_at", Kind.TIME),
)


def _export(actor: Actor, *, status: str | None, kind: str | None) -> Export:
    def make(session) -> bytes:
        rows, _ = list_risk_signals(session, viewer=actor, status=status, kind=kind, page_size=EVERYTHING)
        return workbook([Sheet("风险信号", COLUMNS, rows)])

    return Export(subject("风险信号", status and chinese("risk_status", status), kind and chinese("risk_kind", kind)),
                  make)


if __name__ == "__main__":
    main()
