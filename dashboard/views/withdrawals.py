"""提现审核: finance pays distributors. WeChat payouts are transferred on approval and the result is shown at
once; bank payouts are approved, paid by hand and marked paid with the bank's reference. Rejecting (or a failed
transfer) gives the amount back to the distributor's balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from dashboard import state
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
from dashboard.i18n import label, t
from domain.models import Withdrawal, WithdrawalStatus
from domain.money import yuan
from domain.security import crypto
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.staff.work_queues import work_queues
from domain.users.queries import nicknames
from domain.wallet.service import (
    approve_withdrawal,
    list_withdrawals,
    mark_withdrawal_paid,
    reject_withdrawal,
)
from domain.wechat import get_wechat

PAGE_SIZE = 20
STATUSES = (WithdrawalStatus.PENDING, WithdrawalStatus.APPROVED, WithdrawalStatus.PAID, WithdrawalStatus.FAILED,
            WithdrawalStatus.REJECTED)


@dataclass(frozen=True)
class WithdrawalRow:
    id: int
    withdrawal_no: str
    distributor: str
    amount_fen: int
    fee_fen: int
    payout_fen: int
    method: str
    bank: str  # bank, masked account and holder; empty for WeChat
    status: str
    created_at: datetime
    failure: str
    reject_reason: str
    payout_ref: str

    @property
    def note(self) -> str:
        return self.failure or self.reject_reason or self.payout_ref


def main() -> None:
    who = require_screen(Permission.WITHDRAWALS)
    st.header(t("withdrawals.header"))
    show_flashes()

    queues = read(work_queues)
    waiting = {WithdrawalStatus.PENDING: queues.withdrawals_pending,
               WithdrawalStatus.APPROVED: queues.withdrawals_approved}
    status = status_queue(t("withdrawals.filter_status"), "withdrawal", STATUSES, default=WithdrawalStatus.PENDING,
                          key=state.WITHDRAWALS_FILTER_STATUS, page_key=state.WITHDRAWALS_PAGE, waiting=waiting)
    rows, total = read(lambda s: _withdrawal_page(s, status=status, page=page_of(state.WITHDRAWALS_PAGE)))
    st.caption(t("withdrawals.count", n=total))
    if not rows:
        st.info(t("withdrawals.empty"))
        return
    st.dataframe(pd.DataFrame([{
        t("withdrawals.col_no"): r.withdrawal_no, t("withdrawals.col_distributor"): r.distributor,
        t("withdrawals.col_amount"): money(r.amount_fen), t("withdrawals.col_fee"): money(r.fee_fen),
        t("withdrawals.col_payout"): money(r.payout_fen), t("withdrawals.col_method"): label("method", r.method),
        t("withdrawals.col_bank"): r.bank, t("withdrawals.col_status"): label("withdrawal", r.status),
        t("withdrawals.col_time"): local_time(r.created_at), t("withdrawals.col_note"): r.note,
    } for r in rows]), hide_index=True, width="stretch")
    pager(state.WITHDRAWALS_PAGE, total, PAGE_SIZE)

    chosen = {r.id: r for r in rows}
    withdrawal_id = select_record(t("withdrawals.select"), {
        r.id: f"{r.withdrawal_no} · {r.distributor} · {money(r.amount_fen)} · {label('method', r.method)}"
        for r in rows
    }, state.WITHDRAWALS_SELECT)
    _actions(who.actor, chosen[withdrawal_id])


def _withdrawal_page(session: Session, *, status: str, page: int) -> tuple[list[WithdrawalRow], int]:
    withdrawals, total = list_withdrawals(session, status=status, page=page, page_size=PAGE_SIZE)
    names = nicknames(session, {w.user_id for w in withdrawals})
    return [WithdrawalRow(
        id=w.id, withdrawal_no=w.withdrawal_no, distributor=names.get(w.user_id, ""), amount_fen=w.amount_fen,
        fee_fen=w.fee_fen, payout_fen=w.payout_fen, method=w.method, bank=_bank_text(w), status=w.status,
        created_at=w.created_at, failure=w.failure, reject_reason=w.reject_reason, payout_ref=w.payout_ref,
    ) for w in withdrawals], total


def _bank_text(w: Withdrawal) -> str:
    if w.method != "bank":
        return ""
    account = crypto.decrypt_optional(w.account_no_enc) or ""
    holder = crypto.mask_name(crypto.decrypt_optional(w.account_name_enc))
    return f"{w.bank_name} ****{account[-4:]} {holder}".strip()


def _actions(actor: Actor, w: WithdrawalRow) -> None:
    in_flight = w.status in WithdrawalStatus.IN_FLIGHT
    with st.container(border=True):
        st.subheader(t("withdrawals.detail", no=w.withdrawal_no))
        st.caption(" · ".join(filter(None, [
            label("withdrawal", w.status), w.distributor, label("method", w.method), w.bank,
            t("withdrawals.breakdown", amount=yuan(w.amount_fen), fee=yuan(w.fee_fen), payout=yuan(w.payout_fen)),
        ])))
        if w.status == WithdrawalStatus.APPROVED and w.failure:
            st.warning(t("withdrawals.unclear", error=w.failure), icon=":material/sync_problem:")
        if not in_flight:
            st.info(t("withdrawals.done", status=label("withdrawal", w.status), note=w.note or "—"))
            return
        left, right = st.columns(2)
        with left:
            if w.method == "wechat":
                _approve_wechat(actor, w)
            else:
                if w.status == WithdrawalStatus.PENDING:
                    _approve_bank(actor, w)
                _mark_paid(actor, w)
        with right:
            if w.status == WithdrawalStatus.PENDING or w.method == "bank":
                _reject(actor, w)


def _approve_wechat(actor: Actor, w: WithdrawalRow) -> None:
    key = partial(state.widget_key, state.withdrawal_form(w.id))
    retry = w.status == WithdrawalStatus.APPROVED
    with st.form(key("approve")):
        st.markdown(f"**{t('withdrawals.retry' if retry else 'withdrawals.approve_wechat')}**")
        confirmed = st.checkbox(t("withdrawals.confirm", payout=yuan(w.payout_fen), name=w.distributor),
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
    if result.status == WithdrawalStatus.PAID:
        state.flash(t("withdrawals.paid", payout=yuan(result.payout_fen), ref=result.payout_ref))
    elif result.status == WithdrawalStatus.FAILED:
        state.flash(t("withdrawals.failed", error=result.failure, amount=yuan(result.amount_fen)), "error")
    else:
        state.flash(t("withdrawals.unclear", error=result.failure or "—"), "warning")
    state.reset_form(state.withdrawal_form(w.id))
    st.rerun()


def _approve_bank(actor: Actor, w: WithdrawalRow) -> None:
    key = partial(state.widget_key, state.withdrawal_form(w.id))
    st.caption(t("withdrawals.approve_bank_help"))
    if st.button(t("withdrawals.approve_bank"), key=key("approve_bank"), icon=":material/task_alt:") and perform(
        lambda s: approve_withdrawal(s, actor=actor, withdrawal_id=w.id, wechat=get_wechat()),
        success=t("withdrawals.approved_bank", no=w.withdrawal_no),
    ) is not None:
        st.rerun()


def _mark_paid(actor: Actor, w: WithdrawalRow) -> None:
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


def _reject(actor: Actor, w: WithdrawalRow) -> None:
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
