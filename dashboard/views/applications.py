"""分销审核: shoppers' applications to become distributors; approve, or reject with a reason. Phone numbers are
masked unless the reviewer reveals them. The buttons are those the domain offers (``application_actions``)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.amounts import money
from dashboard.components.listing import (
    back_to_first_page,
    local_time,
    page_of,
    pager,
    select_record,
)
from dashboard.components.plain import plain
from dashboard.components.tabs import remembered_tabs
from dashboard.i18n import label, t
from domain.distribution.actions import ApplicationAction
from domain.distribution.applicants import ApplicantProfile, applicant_profile
from domain.distribution.distributors import approve_application, reject_application
from domain.distribution.queries import ApplicationView, list_applications
from domain.models import ApplicationStatus
from domain.security.actor import Actor
from domain.security.roles import Permission

PAGE_SIZE = 20


def main() -> None:
    who = require_screen(Permission.DISTRIBUTORS)
    st.header(t("applications.header"))
    show_flashes()
    tabs = remembered_tabs("applications", {"pending": t("applications.tab_pending"),
                                            "history": t("applications.tab_history")})
    with tabs["pending"]:
        _pending(who.actor)
    with tabs["history"]:
        _history(who.actor)


def _pending(actor: Actor) -> None:
    reveal = st.toggle(t("applications.reveal"), key=state.APPLICATIONS_REVEAL, help=t("applications.reveal_help"))
    rows, total = read(lambda s: list_applications(s, viewer=actor, status=ApplicationStatus.PENDING,
                                                   page=page_of(state.APPLICATIONS_PAGE), page_size=PAGE_SIZE))
    st.caption(t("applications.pending_count", n=total))
    if not rows:
        st.info(t("applications.empty"))
        return
    st.dataframe(pd.DataFrame([{
        "ID": r.id, t("applications.col_nickname"): r.nickname, t("applications.col_real_name"): r.real_name,
        t("applications.col_phone"): r.phone if reveal else r.phone_masked, t("applications.col_reason"): r.reason,
        t("applications.col_time"): local_time(r.created_at),
    } for r in rows]), hide_index=True, width="stretch")
    pager(state.APPLICATIONS_PAGE, total, PAGE_SIZE)

    chosen = {r.id: r for r in rows}
    application_id = select_record(t("applications.select"), {
        r.id: f"#{r.id} {r.nickname} · {r.real_name}" for r in rows
    }, state.APPLICATIONS_SELECT)
    _background(read(lambda s: applicant_profile(s, viewer=actor, application_id=application_id)))
    _review(actor, chosen[application_id])


def _background(profile: ApplicantProfile) -> None:
    """Who invited the applicant and what they bought: what a reviewer weighs before approving."""
    with st.container(border=True):
        st.markdown(f"**{t('applications.background')}**")
        inviter_col, orders_col = st.columns(2)
        inviter = profile.inviter
        if inviter is None:
            inviter_col.markdown(t("applications.no_inviter"))
        else:
            inviter_col.markdown(t(
                "applications.inviter", name=plain(inviter.nickname), code=inviter.invite_code,
                kind=t("applications.inviter_is_distributor") if inviter.is_distributor
                else t("applications.inviter_is_shopper"),
            ))
            if inviter.bound_at:
                inviter_col.caption(t("applications.bound_at", time=local_time(inviter.bound_at)))
        inviter_col.caption(t("applications.joined_at", time=local_time(profile.joined_at)))
        orders_col.markdown(t("applications.purchases", n=profile.paid_orders, paid=money(profile.paid_fen),
                              refunded=money(profile.refunded_fen)))
        if not profile.recent_orders:
            st.caption(t("applications.no_orders"))
            return
        st.dataframe(pd.DataFrame([{
            t("applications.col_order"): o.order_no, t("applications.col_items"): o.items,
            t("applications.col_order_status"): label("order", o.status),
            t("applications.col_payable"): money(o.payable_fen),
            t("applications.col_refunded"): money(o.refunded_fen) if o.refunded_fen else "",
            t("applications.col_paid_at"): local_time(o.paid_at),
        } for o in profile.recent_orders]), hide_index=True, width="stretch")


def _review(actor: Actor, application: ApplicationView) -> None:
    form = state.application_form(application.id)
    key = partial(state.widget_key, form)
    name = plain(application.nickname)  # a label and a message render Markdown; the nickname is shown as typed
    approve_col, reject_col = st.columns(2)
    if ApplicationAction.APPROVE in application.actions:
        with approve_col, st.container(border=True):
            st.markdown(f"**{t('applications.approve')}**")
            st.caption(t("applications.approve_help"))
            if st.button(t("applications.approve_submit", name=name), type="primary",
                         key=key("approve"), icon=":material/how_to_reg:") and perform(
                lambda s: approve_application(s, actor=actor, application_id=application.id),
                success=t("applications.approved", name=name),
            ) is not None:
                st.rerun()
    if ApplicationAction.REJECT not in application.actions:
        return
    with reject_col, st.form(key("reject")):
        st.markdown(f"**{t('applications.reject')}**")
        reason = st.text_area(t("applications.reject_reason"), key=key("reason"), max_chars=200, height=80)
        rejected = st.form_submit_button(t("applications.reject_submit"), key=key("reject_submit"))
    if rejected and perform(lambda s: reject_application(s, actor=actor, application_id=application.id, reason=reason),
                            success=t("applications.rejected", name=name)) is not None:
        state.reset_form(form)
        st.rerun()


def _history(actor: Actor) -> None:
    status = st.segmented_control(
        t("applications.filter_status"), (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED),
        default=ApplicationStatus.APPROVED, required=True, key=state.translated(state.APPLICATIONS_HISTORY_STATUS),
        format_func=lambda s: label("application", s), on_change=back_to_first_page(state.APPLICATIONS_HISTORY_PAGE),
    )
    rows, total = read(lambda s: list_applications(s, viewer=actor, status=status,
                                                   page=page_of(state.APPLICATIONS_HISTORY_PAGE), page_size=PAGE_SIZE))
    st.caption(t("applications.history_count", n=total))
    if not rows:
        st.info(t("applications.history_empty"))
        return
    st.dataframe(pd.DataFrame([{
        "ID": r.id, t("applications.col_nickname"): r.nickname, t("applications.col_invite_code"): r.invite_code,
        t("applications.col_real_name"): r.real_name_masked, t("applications.col_phone"): r.phone_masked,
        t("applications.col_status"): label("application", r.status),
        t("applications.col_time"): local_time(r.created_at),
        t("applications.col_reviewed"): local_time(r.reviewed_at),
        t("applications.col_reject_reason"): r.reject_reason,
    } for r in rows]), hide_index=True, width="stretch")
    pager(state.APPLICATIONS_HISTORY_PAGE, total, PAGE_SIZE)


if __name__ == "__main__":
    main()
