"""售后退款: the refund queue; support reads the request (its kind, reason and photos) with its order and approves
(money back through WeChat Pay; for a return, the buyer is asked to send the goods back first) or rejects with a
reason, and confirms a return once its goods arrive, choosing whether they go back on the shelf. A refund WeChat did
not carry out stays approved and is shown first."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.amounts import money
from dashboard.components.images import image_source
from dashboard.components.listing import (
    back_to_first_page,
    local_time,
    page_of,
    pager,
    select_record,
    status_queue,
)
from dashboard.components.plain import plain
from dashboard.i18n import label, t
from domain.models import RefundKind, RefundStatus
from domain.money import yuan
from domain.orders.actions import RefundAction
from domain.orders.refund_queries import RefundView, refund_detail, refund_list, refund_status_counts
from domain.orders.refunds import approve_refund, confirm_return, reject_refund
from domain.payments.stray_refunds import StrayPaymentView, retry_stray_refund, stray_payments
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.staff.work_queues import work_queues
from domain.wechat import get_wechat

PAGE_SIZE = 20
STATUSES = (RefundStatus.REQUESTED, RefundStatus.AWAITING_RETURN, RefundStatus.APPROVED, RefundStatus.REFUNDED,
            RefundStatus.REJECTED)
WAITING = (RefundStatus.REQUESTED, RefundStatus.AWAITING_RETURN, RefundStatus.APPROVED)  # staff's to act on


def main() -> None:
    who = require_screen(Permission.REFUNDS)
    st.header(t("refunds.header"))
    show_flashes()

    queues = read(work_queues)
    if queues.refunds_failed:
        st.error(t("refunds.failed_banner", n=queues.refunds_failed), icon=":material/sync_problem:")
    if queues.stray_payments:
        _stray_payments(who.actor, read(lambda s: stray_payments(s, viewer=who.actor)))
    # Read on every run, after any action of the run before: the counts follow each decision at once.
    counts = read(lambda s: refund_status_counts(s, viewer=who.actor))
    waiting = {s: counts[s] for s in WAITING}
    status = status_queue(t("refunds.filter_status"), "refund", STATUSES, default=RefundStatus.REQUESTED,
                          key=state.REFUNDS_FILTER_STATUS, page_key=state.REFUNDS_PAGE, waiting=waiting)
    q = st.text_input(t("refunds.search"), key=state.REFUNDS_FILTER_Q, max_chars=50,
                      placeholder=t("refunds.search_placeholder"), on_change=back_to_first_page(state.REFUNDS_PAGE))
    rows, total = read(lambda s: refund_list(s, viewer=who.actor, status=status, q=q,
                                             page=page_of(state.REFUNDS_PAGE), page_size=PAGE_SIZE))
    st.caption(t("refunds.count", n=total))
    if not rows:
        # A search looks in the chosen state only: say so, since the request may sit in another.
        st.info(t("refunds.empty_search", status=label("refund", status)) if q and q.strip() else t("refunds.empty"))
        return
    st.dataframe(pd.DataFrame([{
        t("refunds.col_no"): r.refund_no, t("refunds.col_order"): r.order_no, t("refunds.col_buyer"): r.buyer_nickname,
        t("refunds.col_amount"): money(r.amount_fen), t("refunds.col_kind"): label("refund_kind", r.kind),
        t("refunds.col_reason"): r.reason,
        t("refunds.col_status"): label("refund", r.status), t("refunds.col_time"): local_time(r.created_at),
        t("refunds.col_note"): r.failure or r.reject_reason,
    } for r in rows]), hide_index=True, width="stretch")
    pager(state.REFUNDS_PAGE, total, PAGE_SIZE)

    refund_id = select_record(t("refunds.select"), {
        r.id: f"{r.refund_no} · {r.buyer_nickname} · {label('refund_kind', r.kind)} · {money(r.amount_fen)}"
        for r in rows
    }, state.REFUNDS_SELECT)
    detail = read(lambda s: refund_detail(s, refund_id, viewer=who.actor))
    _show_detail(detail)
    _actions(who.actor, detail)


def _actions(actor: Actor, d: RefundView) -> None:
    """The buttons the domain offers this staff member for this refund, and nothing else."""
    approval = next((a for a in (RefundAction.APPROVE, RefundAction.RETRY, RefundAction.CONFIRM_RETURN)
                     if a in d.actions), None)
    rejectable = RefundAction.REJECT in d.actions
    if approval is None and not rejectable:
        return
    approve_col, reject_col = st.columns(2)
    if approval == RefundAction.CONFIRM_RETURN:
        with approve_col:
            _confirm_return_form(actor, d)
    elif approval == RefundAction.APPROVE and d.kind == RefundKind.RETURN_AND_REFUND:
        with approve_col:
            _approve_return_form(actor, d)
    elif approval is not None:
        with approve_col:
            _approve_form(actor, d, retry=approval == RefundAction.RETRY)
    elif d.kind == RefundKind.RETURN_AND_REFUND and d.status == RefundStatus.REQUESTED:
        with approve_col:
            st.warning(t("refunds.no_return_address"), icon=":material/home_pin:")
    if rejectable:
        with reject_col:
            _reject_form(actor, d)


def _show_detail(d: RefundView) -> None:
    with st.container(border=True):
        st.subheader(t("refunds.detail", no=d.refund_no))
        st.caption(" · ".join(filter(None, [
            label("refund", d.status), t("refunds.order_is", no=d.order_no, status=label("order", d.order_status)),
            t("orders.buyer_is", name=plain(d.buyer_nickname)), t("refunds.requested_at", time=local_time(d.created_at)),
            d.decided_at and t("refunds.decided_at", time=local_time(d.decided_at)),
        ])))
        # The shopper's reason, as typed: never Markdown (docs/security.md, Text input).
        st.markdown(f"**{t('refunds.col_kind')}**：{label('refund_kind', d.kind)}")
        st.markdown(f"**{t('refunds.col_reason')}**：{plain(d.reason)}")
        _photos(d)
        st.dataframe(pd.DataFrame([{
            t("orders.line_title"): line.title, t("sku.specs"): " / ".join(line.specs.values()) or t("sku.default"),
            t("refunds.quantity"): t("refunds.quantity_of", n=line.quantity, of=line.bought),
            t("refunds.col_amount"): money(line.amount_fen),
        } for line in d.lines]), hide_index=True, width="stretch")
        st.markdown(t("refunds.breakdown", goods=yuan(d.goods_fen), shipping=yuan(d.shipping_fen),
                      total=yuan(d.amount_fen), payable=yuan(d.order_payable_fen)))
        if d.kind == RefundKind.RETURN_AND_REFUND:
            _return_parcel(d)
        if d.failure:
            st.error(t("refunds.failure", error=plain(d.failure)), icon=":material/sync_problem:")
        if d.reject_reason:
            st.info(t("refunds.rejected_because", reason=plain(d.reject_reason)))


def _photos(d: RefundView) -> None:
    if not d.photo_paths:
        return
    st.markdown(f"**{t('refunds.photos', n=len(d.photo_paths))}**")
    shown = [(image_source(p), t("refunds.photo_n", n=i)) for i, p in enumerate(d.photo_paths, start=1)]
    shown = [(source, caption) for source, caption in shown if source is not None]
    if shown:
        st.image([source for source, _ in shown], caption=[caption for _, caption in shown], width=160)
    if len(shown) < len(d.photo_paths):
        st.caption(t("refunds.photo_missing", n=len(d.photo_paths) - len(shown)))


def _return_parcel(d: RefundView) -> None:
    """Where a return stands: sent to which address, the buyer's parcel, received and restocked or not."""
    if d.status == RefundStatus.AWAITING_RETURN:
        st.markdown(f"**{t('refunds.return_address')}**：{plain(d.return_address)}")
    if d.return_tracking_no:
        st.markdown(f"**{t('refunds.return_parcel')}**：{plain(d.return_carrier)} · `{plain(d.return_tracking_no)}`"
                    f"（{t('refunds.return_shipped_at', time=local_time(d.return_shipped_at))}）")
    elif d.status == RefundStatus.AWAITING_RETURN:
        st.info(t("refunds.return_not_sent"), icon=":material/hourglass_top:")
    if d.goods_received_at:
        st.markdown(t("refunds.goods_received", time=local_time(d.goods_received_at),
                      restock=t("refunds.restocked" if d.restock_returned else "refunds.not_restocked")))


def _approve_return_form(actor: Actor, d: RefundView) -> None:
    """A return is approved without money: the buyer is shown the shop's return address and sends the goods."""
    key = partial(state.widget_key, state.refund_form(d.id))
    with st.form(key("approve")):
        st.markdown(f"**{t('refunds.approve_return')}**")
        st.info(t("refunds.will_return", amount=yuan(d.amount_fen)), icon=":material/assignment_return:")
        submitted = st.form_submit_button(t("refunds.approve_return_submit"), type="primary",
                                          key=key("approve_submit"))
    if submitted and perform(lambda s: approve_refund(s, actor=actor, refund_id=d.id, wechat=get_wechat()),
                             success=t("refunds.return_approved", no=d.refund_no)) is not None:
        state.reset_form(state.refund_form(d.id))
        st.rerun()


def _confirm_return_form(actor: Actor, d: RefundView) -> None:
    """The goods came back: staff say whether they can be sold again, and the money goes back."""
    key = partial(state.widget_key, state.refund_form(d.id))
    with st.form(key("receive")):
        st.markdown(f"**{t('refunds.confirm_return')}**")
        restock = st.radio(t("refunds.restock_question"), [True, False], index=None, key=key("restock"),
                           format_func=lambda r: t("refunds.restock_yes" if r else "refunds.restock_no"))
        confirmed = st.checkbox(t("refunds.confirm", amount=yuan(d.amount_fen)), key=key("confirm"))
        submitted = st.form_submit_button(t("refunds.confirm_return_submit", amount=yuan(d.amount_fen)),
                                          type="primary", key=key("receive_submit"))
    if not submitted:
        return
    if restock is None:
        st.warning(t("refunds.restock_first"))
        return
    if not confirmed:
        st.warning(t("refunds.confirm_first"))
        return
    refund = perform(lambda s: confirm_return(s, actor=actor, refund_id=d.id, restock=restock, wechat=get_wechat()))
    if refund is None:
        return
    if refund.failure:
        state.flash(t("refunds.failure", error=plain(refund.failure)), "error")
    else:
        state.flash(t("refunds.refunded", amount=yuan(refund.amount_fen), no=d.refund_no))
    state.reset_form(state.refund_form(d.id))
    st.rerun()


def _approve_form(actor: Actor, d: RefundView, *, retry: bool) -> None:
    key = partial(state.widget_key, state.refund_form(d.id))
    with st.form(key("approve")):
        st.markdown(f"**{t('refunds.retry' if retry else 'refunds.approve')}**")
        st.info(t("refunds.will_refund", amount=yuan(d.amount_fen)), icon=":material/currency_yuan:")
        confirmed = st.checkbox(t("refunds.confirm", amount=yuan(d.amount_fen)), key=key("confirm"))
        submitted = st.form_submit_button(t("refunds.approve_submit", amount=yuan(d.amount_fen)), type="primary",
                                          key=key("approve_submit"))
    if not submitted:
        return
    if not confirmed:
        st.warning(t("refunds.confirm_first"))
        return
    refund = perform(lambda s: approve_refund(s, actor=actor, refund_id=d.id, wechat=get_wechat()))
    if refund is None:
        return
    if refund.failure:  # WeChat did not refund: the request stays approved, for a retry
        state.flash(t("refunds.failure", error=plain(refund.failure)), "error")
    else:
        state.flash(t("refunds.refunded", amount=yuan(refund.amount_fen), no=d.refund_no))
    state.reset_form(state.refund_form(d.id))
    st.rerun()


def _reject_form(actor: Actor, d: RefundView) -> None:
    key = partial(state.widget_key, state.refund_form(d.id))
    with st.form(key("reject")):
        st.markdown(f"**{t('refunds.reject')}**")
        reason = st.text_area(t("refunds.reject_reason"), key=key("reason"), max_chars=200, height=80,
                              placeholder=t("refunds.reject_placeholder"))
        submitted = st.form_submit_button(t("refunds.reject_submit"), key=key("reject_submit"))
    if submitted and perform(lambda s: reject_refund(s, actor=actor, refund_id=d.id, reason=reason),
                             success=t("refunds.rejected", no=d.refund_no)) is not None:
        state.reset_form(state.refund_form(d.id))
        st.rerun()


def _stray_payments(actor: Actor, rows: list[StrayPaymentView]) -> None:
    """Money received for cancelled orders that WeChat has not refunded yet; the job retries, staff may too."""
    with st.container(border=True):
        st.subheader(t("refunds.stray_header"))
        st.caption(t("refunds.stray_caption"))
        st.dataframe(pd.DataFrame([{
            t("refunds.stray_col_order"): p.order_no, t("refunds.stray_col_amount"): money(p.amount_fen),
            t("refunds.stray_col_received"): local_time(p.received_at),
            t("refunds.stray_col_attempts"): p.refund_attempts, t("refunds.stray_col_error"): p.refund_error,
            t("refunds.stray_col_next"): local_time(p.refund_retry_at),
        } for p in rows]), hide_index=True, width="stretch")
        chosen = select_record(t("refunds.stray_select"), {
            p.id: f"{p.order_no} · {money(p.amount_fen)}" for p in rows}, state.REFUNDS_STRAY_SELECT)
        if chosen is None or not st.button(t("refunds.stray_retry"), key=f"{state.REFUNDS_STRAY_SELECT}.retry",
                                           icon=":material/replay:"):
            return
        payment = perform(lambda s: retry_stray_refund(s, actor=actor, payment_id=chosen, wechat=get_wechat()))
        if payment is None:
            return
        if payment.refund_error:
            state.flash(t("refunds.stray_failed", error=payment.refund_error), "error")
        else:
            state.flash(t("refunds.stray_refunded", no=payment.out_trade_no, amount=yuan(payment.amount_fen)))
        st.rerun()


if __name__ == "__main__":
    main()
