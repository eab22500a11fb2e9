"""优惠券: every coupon template with what it drove (claimed, used, the paid orders and their sales); a new one, with
a live preview of what a ¥X cart would get; and, as the domain allows (``coupon_template_actions``), editing one,
issuing it to shoppers found by nickname, phone or member level (with a reason), or stopping it. The domain checks
and audits every change (``domain/marketing/coupons.py``)."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import attempt, perform, read, show_flashes
from dashboard.components.amounts import money
from dashboard.components.coupon_form import coupon_form
from dashboard.components.listing import back_to_first_page, local_time, page_of, pager, select_record
from dashboard.components.plain import plain
from dashboard.components.tabs import remembered_tabs
from dashboard.i18n import label, t
from domain.errors import DomainError
from domain.marketing.actions import CouponAction, TemplateState
from domain.marketing.coupons import (
    CouponTemplateInput,
    create_template,
    issue_coupon,
    stop_template,
    template_input,
    update_template,
)
from domain.marketing.queries import (
    CouponTemplateView,
    Recipient,
    ScopeChoices,
    coupon_templates,
    find_recipients,
    scope_choices,
)
from domain.members.service import list_levels
from domain.models import CouponTemplate
from domain.security.actor import Actor
from domain.security.roles import Permission

PAGE_SIZE = 20
ALL = "all"
RECIPIENTS_PAGE_SIZE = 100  # one issue reaches at most the shoppers listed: search again for more


def main() -> None:
    who = require_screen(Permission.MARKETING)
    st.header(t("coupons.header"))
    st.caption(t("coupons.caption"))
    show_flashes()
    choices = read(lambda s: scope_choices(s, viewer=who.actor))
    tabs = remembered_tabs("coupons", {"list": t("coupons.tab_list"), "new": t("coupons.tab_new")})
    with tabs["list"]:
        _list(who.actor, choices)
    with tabs["new"]:
        _new(who.actor, choices)


def _list(actor: Actor, choices: ScopeChoices) -> None:
    filter_col, search_col = st.columns([3, 2], vertical_alignment="bottom")
    chosen_state = filter_col.segmented_control(
        t("coupons.filter_state"), [ALL, *TemplateState], default=ALL, required=True,
        key=state.translated(state.COUPONS_FILTER_STATE),
        format_func=lambda s: t("coupons.all") if s == ALL else label("coupon_state", s),
        on_change=back_to_first_page(state.COUPONS_PAGE))
    q = search_col.text_input(t("coupons.search"), key=state.COUPONS_FILTER_Q, placeholder=t("coupons.search_hint"),
                              on_change=back_to_first_page(state.COUPONS_PAGE))
    wanted = None if chosen_state == ALL else chosen_state
    rows, total = read(lambda s: coupon_templates(s, viewer=actor, state=wanted, q=q, page=page_of(state.COUPONS_PAGE),
                                                  page_size=PAGE_SIZE))
    st.caption(t("coupons.count", n=total))
    if not rows:
        st.info(t("coupons.empty"))
        return
    _table(rows)
    pager(state.COUPONS_PAGE, total, PAGE_SIZE)
    by_id = {r.id: r for r in rows}
    chosen = select_record(t("coupons.select"), {r.id: f"{r.name} · {r.summary}" for r in rows}, state.COUPONS_SELECT)
    if chosen is not None:
        _detail(actor, by_id[chosen], choices)


def _validity(r: CouponTemplateView) -> str:
    if r.valid_days is not None:
        return t("coupons.valid_days_text", n=r.valid_days)
    return f"{local_time(r.valid_from) or t('coupons.from_grant')} – {local_time(r.valid_to)}"


def _table(rows: list[CouponTemplateView]) -> None:
    st.dataframe(pd.DataFrame([{
        "name": r.name, "summary": r.summary, "state": label("coupon_state", r.state), "validity": _validity(r),
        "claimed": f"{r.claimed} / {t('coupons.unlimited') if r.total_quantity is None else r.total_quantity}",
        "used": r.used, "orders": r.orders, "sales": money(r.sales_fen), "off": money(r.coupon_discount_fen),
        "claimable": t("coupons.yes") if r.claimable else t("coupons.no"),
    } for r in rows]), hide_index=True, width="stretch", column_config={
        "name": t("coupons.col_name"), "summary": t("coupons.col_summary"), "state": t("coupons.col_state"),
        "validity": t("coupons.col_validity"), "claimed": t("coupons.col_claimed"),
        "used": st.column_config.NumberColumn(t("coupons.col_used"), format="%d"),
        "orders": st.column_config.NumberColumn(t("coupons.col_orders"), format="%d",
                                                help=t("coupons.col_orders_help")),
        "sales": st.column_config.TextColumn(t("coupons.col_sales"), help=t("coupons.col_sales_help")),
        "off": t("coupons.col_off"), "claimable": t("coupons.col_claimable"),
    })


def _detail(actor: Actor, row: CouponTemplateView, choices: ScopeChoices) -> None:
    place = state.coupon_form(row.id, "detail")
    with st.container(border=True):
        st.subheader(t("coupons.detail", name=plain(row.name), summary=row.summary,
                       state=label("coupon_state", row.state)))
        show_flashes(place)
        for column, (key, value) in zip(st.columns(5), (
            ("coupons.claimed", row.claimed), ("coupons.col_used", row.used), ("coupons.col_orders", row.orders),
            ("coupons.col_sales", money(row.sales_fen)), ("coupons.col_off", money(row.coupon_discount_fen)),
        ), strict=True):
            column.metric(t(key), value)
        parts = {"edit": CouponAction.EDIT, "issue": CouponAction.ISSUE, "stop": CouponAction.STOP}
        offered = {name: t(f"coupons.tab_{name}") for name, action in parts.items() if action in row.actions}
        if not offered:
            st.info(t("coupons.no_actions"), icon=":material/block:")
            return
        tabs = remembered_tabs("coupons.detail", offered)
        if "edit" in tabs:
            with tabs["edit"]:
                _edit(actor, row, choices)
        if "issue" in tabs:
            with tabs["issue"]:
                _issue(actor, row)
        if "stop" in tabs:
            with tabs["stop"]:
                _stop(actor, row, place)


def _edit(actor: Actor, row: CouponTemplateView, choices: ScopeChoices) -> None:
    form = state.coupon_form(row.id, "edit")
    show_flashes(form)
    current = read(lambda s: template_input(s.get(CouponTemplate, row.id)))

    def save(data: CouponTemplateInput) -> DomainError | None:
        before = asdict(current)
        changes = {k: v for k, v in asdict(data).items() if v != before[k]}
        if not changes:
            return None
        _, refusal = attempt(lambda s: update_template(s, actor=actor, template_id=row.id, changes=changes))
        return refusal

    if coupon_form(form, current=current, locked=row.terms_locked, choices=choices, submit_label=t("coupons.save"),
                   save=save):
        state.flash_at(form, t("coupons.saved", name=plain(row.name)))
        state.reset_form(form)
        st.rerun()


def _new(actor: Actor, choices: ScopeChoices) -> None:
    form = state.COUPONS_NEW_FORM
    show_flashes(form)
    created: list[str] = []

    def save(data: CouponTemplateInput) -> DomainError | None:
        template, refusal = attempt(lambda s: create_template(s, actor=actor, data=data).name)
        if template is not None:
            created.append(template)
        return refusal

    if coupon_form(form, current=None, locked=False, choices=choices, submit_label=t("coupons.create"), save=save):
        state.flash_at(form, t("coupons.created", name=plain(created[0])))
        state.reset_form(form)
        st.rerun()


def _issue(actor: Actor, row: CouponTemplateView) -> None:
    """Find shoppers, choose them, say why: the domain gives each one coupon as far as the limits allow."""
    form = state.coupon_form(row.id, "issue")
    key = partial(state.widget_key, form)
    show_flashes(form)
    st.caption(t("coupons.issue_help", limit=row.per_user_limit))
    levels = read(lambda s: [level.name for level in list_levels(s)])
    q_col, level_col = st.columns([3, 2])
    q = q_col.text_input(t("coupons.recipients_q"), key=key("q"), placeholder=t("coupons.recipients_q_hint"))
    level = level_col.selectbox(t("coupons.recipients_level"), [None, *range(len(levels))],
                                key=state.translated(key("level")),
                                format_func=lambda i: t("coupons.all_levels") if i is None else levels[i])
    found, total = read(lambda s: find_recipients(s, viewer=actor, q=q, level=level,
                                                  page_size=RECIPIENTS_PAGE_SIZE))
    if not found:
        st.info(t("coupons.recipients_none"))
        return
    _recipient_table(found, total)
    people = {r.user_id: r for r in found}
    every = st.checkbox(t("coupons.recipients_all", n=len(found)), key=key("all"))
    chosen = st.multiselect(t("coupons.recipients_chosen"), list(people), key=key("chosen"), disabled=every,
                            format_func=lambda uid: f"{people[uid].nickname} · {people[uid].phone_masked or '—'}")
    user_ids = list(people) if every else chosen
    reason = st.text_input(t("coupons.issue_reason"), key=key("reason"), max_chars=200,
                           placeholder=t("coupons.issue_reason_hint"))
    if not st.button(t("coupons.issue_submit", n=len(user_ids)), type="primary", key=key("submit"),
                     disabled=not user_ids, icon=":material/redeem:"):
        return
    result = perform(lambda s: issue_coupon(s, actor=actor, template_id=row.id, user_ids=user_ids, reason=reason))
    if result is None:
        return
    state.flash_at(form, t("coupons.issued", n=result.issued, name=plain(row.name)))
    if result.skipped:
        skipped = "；".join(f"{plain(people[s.user_id].nickname) if s.user_id in people else s.user_id}"
                           f"（{label('coupon_skip', s.code)}）" for s in result.skipped)
        state.flash_at(form, t("coupons.skipped", n=len(result.skipped), who=skipped), "warning")
    state.reset_form(form)
    st.rerun()


def _recipient_table(found: list[Recipient], total: int) -> None:
    st.caption(t("coupons.recipients_count", n=total, shown=len(found)))
    st.dataframe(pd.DataFrame([{
        t("coupons.col_nickname"): r.nickname, t("coupons.col_phone"): r.phone_masked,
        t("coupons.col_level"): r.level_name, t("coupons.col_growth"): r.growth,
    } for r in found]), hide_index=True, width="stretch")


def _stop(actor: Actor, row: CouponTemplateView, place: str) -> None:
    form = state.coupon_form(row.id, "stop")
    key = partial(state.widget_key, form)
    st.caption(t("coupons.stop_help"))
    confirmed = st.checkbox(t("coupons.stop_confirm", name=plain(row.name)), key=key("confirm"))
    if st.button(t("coupons.stop"), key=key("submit"), disabled=not confirmed, icon=":material/block:") and perform(
        lambda s: stop_template(s, actor=actor, template_id=row.id),
        success=t("coupons.stopped", name=plain(row.name)), place=place,
    ) is not None:
        state.reset_form(form)
        st.rerun()


if __name__ == "__main__":
    main()
