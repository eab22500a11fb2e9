"""提现审核: finance pays distributors. WeChat payouts are transferred on approval and the result is shown at
once; bank payouts are approved, paid by hand and marked paid with the bank's reference. Rejecting (or a failed
transfer) gives the amount back to the distributor's balance. Bank accounts are masked; 显示完整账号 shows one
in full, and each time it is written to the audit log. The buttons are those the domain offers
(``withdrawal_actions``)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components import export as exports
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.amounts import money
from dashboard.components.listing import (
    local_time,
    page_of,
    pager,
    select_record,
    status_queue,
)
from dashboard.components.plain import plain
from dashboard.i18n import label, t
from domain.models import WithdrawalStatus
from domain.money import yuan
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.staff.work_queues import work_queues
from domain.wallet.actions import WithdrawalAction
from domain.wallet.queries import WithdrawalView, list_withdrawals, reveal_withdrawal_account
from domain.wallet.service import (
    approve_withdrawal,
    mark_withdrawal_paid,
    reject_withdrawal,
)
from domain.wechat import get_wechat

PAGE_SIZE = 20
STATUSES = (WithdrawalStatus.PENDING, WithdrawalStatus.APPROVED, WithdrawalStatus.AWAITING_CONFIRMATION,
            WithdrawalStatus.PAID, WithdrawalStatus.FAILED, WithdrawalStatus.REJECTED)
# What the withdrawal offers that moves it on; with none of these left, it is done.
DECISIONS = (WithdrawalAction.APPROVE, WithdrawalAction.RETRY_TRANSFER, WithdrawalAction.MARK_PAID,
             WithdrawalAction.REJECT)


def main() -> None:
    who = require_screen(Permission.WITHDRAWALS)
    st.header(t("withdrawals.header"))
    show_flashes()

    queues = read(work_queues)
    waiting = {WithdrawalStatus.PENDING: queues.withdrawals_pending,
               WithdrawalStatus.APPROVED: queues.withdrawals_approved}
    status = status_queue(t("withdrawals.filter_status"), "withdrawal", STATUSES, default=WithdrawalStatus.PENDING,
                          key=state.WITHDRAWALS_FILTER_STATUS, page_key=state.WITHDRAWALS_PAGE, waiting=waiting)
    rows, total = read(lambda s: list_withdrawals(s, viewer=who.actor, status=status,
                                                  page=page_of(state.WITHDRAWALS_PAGE), page_size=PAGE_SIZE))
    st.caption(t("withdrawals.count", n=total))
    if not rows:
        st.info(t("withdrawals.empty"))
        return
    st.dataframe(pd.DataFrame([{
        t("withdrawals.col_no"): r.withdrawal_no, t("withdrawals.col_distributor"): r.nickname,
        t("withdrawals.col_amount"): money(r.amount_fen), t("withdrawals.col_fee"): money(r.fee_fen),
        t("withdrawals.col_payout"): money(r.payout_fen), t("withdrawals.col_method"): label("method", r.method),
        t("withdrawals.col_bank"): r.account_text, t("withdrawals.col_status"): label("withdrawal", r.status),
        t("withdrawals.col_time"): local_time(r.created_at), t("withdrawals.col_note"): _note(r),
    } for r in rows]), hide_index=True, width="stretch")
    pager(state.WITHDRAWALS_PAGE, total, PAGE_SIZE)
    exports.export_button(state.WITHDRAWALS_EXPORT, exports.withdrawals(who.actor, status=status))

    chosen = {r.id: r for r in rows}
    withdrawal_id = select_record(t("withdrawals.select"), {
        r.id: f"{r.withdrawal_no} · {r.nickname} · {money(r.amount_fen)} · {label('method', r.method)}"
        for r in rows
    }, state.WITHDRAWALS_SELECT)
    _actions(who.actor, chosen[withdrawal_id])


def _note(w: WithdrawalView) -> str:
    if w.status == WithdrawalStatus.PENDING and w.second_approval_required:
        return t("withdrawals.note_second" if w.first_approved_at else "withdrawals.note_two")
    return w.failure or w.reject_reason or w.payout_ref


def _first_approved(result) -> bool:
    """The approval just given was the first of two (the distributor is on withdrawal review): nothing paid yet."""
    return result.status == WithdrawalStatus.PENDING and result.first_approved_at is not None


def _actions(actor: Actor, w: WithdrawalView) -> None:
    """The buttons the withdrawal offers this viewer now (``withdrawal_actions``), nothing else."""
    with st.container(border=True):
        st.subheader(t("withdrawals.detail", no=w.withdrawal_no))
        # The nickname and the account holder are shown as typed, never as Markdown (docs/security.md, Text input).
        st.caption(" · ".join(filter(None, [
            label("withdrawal", w.status), plain(w.nickname), label("method", w.method), plain(w.account_text),
            t("withdrawals.breakdown", amount=yuan(w.amount_fen), fee=yuan(w.fee_fen), payout=yuan(w.payout_fen)),
        ])))
        if w.status == WithdrawalStatus.PENDING and w.second_approval_required:
            _two_approvals(w)
        if WithdrawalAction.REVEAL_ACCOUNT in w.actions:
            _reveal_account(actor, w)
        if WithdrawalAction.RETRY_TRANSFER in w.actions and w.failure:
            st.warning(t("withdrawals.unclear", error=plain(w.failure)), icon=":material/sync_problem:")
        if not any(action in w.actions for action in DECISIONS):
            st.info(t("withdrawals.done", status=label("withdrawal", w.status), note=plain(_note(w) or "—")))
            return
        left, right = st.columns(2)
        with left:
            if WithdrawalAction.RETRY_TRANSFER in w.actions:
                _approve_wechat(actor, w, retry=True)
            elif WithdrawalAction.APPROVE in w.actions and w.method == "wechat":
                _approve_wechat(actor, w, retry=False)  # approving pays at once, so it asks for confirmation
            elif WithdrawalAction.APPROVE in w.actions:
                _approve_bank(actor, w)
            if WithdrawalAction.MARK_PAID in w.actions:
                _mark_paid(actor, w)
        with right:
            if WithdrawalAction.REJECT in w.actions:
                _reject(actor, w)


def _two_approvals(w: WithdrawalView) -> None:
    """The distributor's withdrawals are on review (风险信号): two different staff must approve. Once one has, the
    approve button is offered to everyone else only (``withdrawal_actions``)."""
    if w.first_approved_at is None:
        st.warning(t("withdrawals.two_needed"), icon=":material/lock_clock:")
    elif WithdrawalAction.APPROVE in w.actions:
        st.warning(t("withdrawals.second_waiting", time=local_time(w.first_approved_at)), icon=":material/lock_clock:")
    else:
        st.info(t("withdrawals.second_yours", time=local_time(w.first_approved_at)), icon=":material/lock_clock:")


def _reveal_account(actor: Actor, w: WithdrawalView) -> None:
    """The full account only on request, for this run only; every reveal is written to the audit log."""
    key = partial(state.widget_key, state.withdrawal_form(w.id))
    if not st.button(t("withdrawals.reveal"), key=key("reveal"), icon=":material/visibility:",
                     help=t("withdrawals.reveal_help")):
        return
    account = perform(lambda s: reveal_withdrawal_account(s, actor=actor, withdrawal_id=w.id))
    if account is None:
        return
    st.caption(t("withdrawals.revealed"))
    st.text(f"{account.bank_name} {account.account_name}")
    st.code(account.account_no, language=None)


def _approve_wechat(actor: Actor, w: WithdrawalView, *, retry: bool) -> None:
    key = partial(state.widget_key, state.withdrawal_form(w.id))
    with st.form(key("approve")):
        st.markdown(f"**{t('withdrawals.retry' if retry else 'withdrawals.approve_wechat')}**")
        confirmed = st.checkbox(t("withdrawals.confirm", payout=yuan(w.payout_fen), name=plain(w.nickname)),
                                key=key("confirm"))
        submitted = st.form_submit_button(t("withdrawals.pay_submit", payout=yuan(w.payout_fen)), type="primary",
                                          key=key("approve_submit"), icon=":material/payments:")
    if not submitted:
        return
    if not confirmed:
        st.warning(t("withdrawals.confirm_first"))
        return
    result = perform(lambda s: approve_withdrawal(s, actor=actor, withdrawal_id=w.id, wechat=get_wechat()))
    if result is None:
        return
    if _first_approved(result):
        state.flash(t("withdrawals.first_recorded", no=w.withdrawal_no))
    elif result.status == WithdrawalStatus.PAID:
        state.flash(t("withdrawals.paid", payout=yuan(result.payout_fen), ref=plain(result.payout_ref)))
    elif result.status == WithdrawalStatus.AWAITING_CONFIRMATION:
        state.flash(t("withdrawals.awaiting", payout=yuan(result.payout_fen), ref=plain(result.payout_ref)))
    elif result.status == WithdrawalStatus.FAILED:
        state.flash(t("withdrawals.failed", error=plain(result.failure), amount=yuan(result.amount_fen)), "error")
    else:
        state.flash(t("withdrawals.unclear", error=plain(result.failure or "—")), "warning")
    state.reset_form(state.withdrawal_form(w.id))
    st.rerun()


def _approve_bank(actor: Actor, w: WithdrawalView) -> None:
    key = partial(state.widget_key, state.withdrawal_form(w.id))
    st.caption(t("withdrawals.approve_bank_help"))
    if not st.button(t("withdrawals.approve_bank"), key=key("approve_bank"), icon=":material/task_alt:"):
        return
    result = perform(lambda s: approve_withdrawal(s, actor=actor, withdrawal_id=w.id, wechat=get_wechat()))
    if result is not None:
        state.flash(t("withdrawals.first_recorded" if _first_approved(result) else "withdrawals.approved_bank",
                      no=w.withdrawal_no))
        st.rerun()


def _mark_paid(actor: Actor, w: WithdrawalView) -> None:
    form = state.withdrawal_form(w.id)
    key = partial(state.widget_key, form)
    with st.form(key("mark_paid")):
        st.markdown(f"**{t('withdrawals.mark_paid', payout=yuan(w.payout_fen))}**")
        reference = st.text_input(t("withdrawals.reference"), key=key("reference"), max_chars=64,
                                  placeholder=t("withdrawals.reference_placeholder"))
        submitted = st.form_submit_button(t("withdrawals.mark_paid_submit"), type="primary", key=key("paid_submit"))
    if submitted and perform(lambda s: mark_withdrawal_paid(s, actor=actor, withdrawal_id=w.id, reference=reference),
                             success=t("withdrawals.marked_paid", no=w.withdrawal_no)) is not None:
        state.reset_form(form)
        st.rerun()


def _reject(actor: Actor, w: WithdrawalView) -> None:
    form = state.withdrawal_form(w.id)
    key = partial(state.widget_key, form)
    with st.form(key("reject")):
        st.markdown(f"**{t('withdrawals.reject')}**")
        reason = st.text_area(t("withdrawals.reject_reason"), key=key("reason"), max_chars=200, height=80,
                              placeholder=t("withdrawals.reject_placeholder"))
        submitted = st.form_submit_button(t("withdrawals.reject_submit"), key=key("reject_submit"))
    if submitted and perform(lambda s: reject_withdrawal(s, actor=actor, withdrawal_id=w.id, reason=reason),
                             success=t("withdrawals.rejected", no=w.withdrawal_no, amount=yuan(w.amount_fen))) is not None:
        state.reset_form(form)
        st.rerun()


if __name__ == "__main__":
    main()
