"""分享有礼: what an inviter gets when a friend they brought pays a first order (a coupon or growth points), the caps,
and the merchant's own words under the rules shoppers read before sharing; the rewards given; and the funnel shares
→ visits → bindings → first orders. A reward only ever follows the friend's own paid first order — sharing, a visit
or a binding earns nothing (docs/security.md, "WeChat's rules about sharing"). The domain checks and audits each
change (``change_share_reward_settings``) and writes the rules from the settings it applies."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.listing import back_to_first_page, local_time, page_of, pager
from dashboard.components.plain import plain
from dashboard.components.tabs import remembered_tabs
from dashboard.i18n import label, t
from domain import clock
from domain.marketing.actions import TemplateState
from domain.marketing.queries import CouponTemplateView, coupon_templates
from domain.members.reward_settings import (
    ShareRewardRules,
    change_share_reward_settings,
    share_reward_rules,
)
from domain.members.staff_queries import ShareFunnel, StaffShareReward, share_funnel, share_rewards
from domain.models import CouponTemplate, ShareChannel, ShareRewardKind, ShareRewardStatus
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.service import BusinessSettings, get_settings

FORM = state.SHARE_REWARDS_FORM
KINDS = ("none", ShareRewardKind.COUPON, ShareRewardKind.GROWTH)
ALL = "all"
PAGE_SIZE = 20
COUPON_CHOICES = 100  # active templates offered as the reward
FUNNEL_DAYS = 30
FUNNEL_STEPS = ("shares", "visits", "bound", "first_orders")
FUNNEL_COLOURS = ["#c9d7ec", "#9dbbe3", "#3f73bf", "#1f4e99"]


def main() -> None:
    who = require_screen(Permission.MARKETING)
    st.header(t("share_rewards.header"))
    st.caption(t("share_rewards.caption"))
    show_flashes()
    tabs = remembered_tabs("share_rewards", {"settings": t("share_rewards.tab_settings"),
                                             "results": t("share_rewards.tab_results"),
                                             "rewards": t("share_rewards.tab_rewards")})
    with tabs["settings"]:
        _settings(who.actor)
    with tabs["results"]:
        _results(who.actor)
    with tabs["rewards"]:
        _rewards(who.actor)


# --- settings ----------------------------------------------------------------------------------------------------

def _settings(actor: Actor) -> None:
    current, rules, coupons = read(lambda s: (get_settings(s), share_reward_rules(s), _coupon_choices(s, actor)))
    form, preview = st.columns([3, 2])
    with form:
        _settings_form(actor, current, coupons)
    with preview:
        _rules_preview(rules)


def _coupon_choices(session: Session, actor: Actor) -> dict[int, CouponTemplateView]:
    """The coupons that can be given: the active ones (the domain also checks each one's per-shopper limit)."""
    active, _ = coupon_templates(session, viewer=actor, state=TemplateState.ACTIVE, page_size=COUPON_CHOICES)
    return {c.id: c for c in active}


def _settings_form(actor: Actor, current: BusinessSettings, coupons: dict[int, CouponTemplateView]) -> None:
    key = partial(state.widget_key, FORM)
    values: dict[str, object] = {}
    with st.container(border=True):
        values["share_reward_kind"] = kind = st.radio(
            t("share_rewards.kind"), KINDS, index=KINDS.index(current.share_reward_kind), horizontal=True,
            key=state.translated(key("share_reward_kind")), format_func=lambda k: t(f"share_rewards.kind_{k}"),
            help=t("share_rewards.kind_help"))
        if kind == ShareRewardKind.COUPON:
            values["share_reward_coupon_id"] = _coupon_picker(key, current, coupons)
        elif kind == ShareRewardKind.GROWTH:
            values["share_reward_growth_points"] = int(st.number_input(
                t("share_rewards.growth_points"), value=current.share_reward_growth_points, step=1, format="%d",
                key=key("share_reward_growth_points"), help=t("share_rewards.growth_points_help")))
        daily, lifetime = st.columns(2)
        values["share_reward_daily_cap"] = int(daily.number_input(
            t("share_rewards.daily_cap"), value=current.share_reward_daily_cap, step=1, format="%d",
            key=key("share_reward_daily_cap"), help=t("share_rewards.daily_cap_help")))
        values["share_reward_lifetime_cap"] = int(lifetime.number_input(
            t("share_rewards.lifetime_cap"), value=current.share_reward_lifetime_cap, step=1, format="%d",
            key=key("share_reward_lifetime_cap"), help=t("share_rewards.lifetime_cap_help")))
        st.caption(t("share_rewards.settle_after", days=current.settle_after_days))
        values["share_reward_rules"] = st.text_area(
            t("share_rewards.note"), value=current.share_reward_rules, max_chars=1000, key=key("share_reward_rules"),
            help=t("share_rewards.note_help"), placeholder=t("share_rewards.note_placeholder")).strip()
        values["share_text"] = st.text_input(
            t("share_rewards.share_text"), value=current.share_text, max_chars=40, key=key("share_text"),
            help=t("share_rewards.share_text_help")).strip()
        submitted = st.button(t("share_rewards.save"), type="primary", key=key("submit"))
    if not submitted:
        return
    changes = {k: v for k, v in values.items() if v != getattr(current, k)}
    if not changes:
        st.info(t("share_rewards.no_changes"))
        return
    if perform(lambda s: change_share_reward_settings(s, actor=actor, changes=changes),
               success=t("share_rewards.saved")) is not None:
        state.reset_form(FORM)
        st.rerun()


def _coupon_picker(key, current: BusinessSettings, coupons: dict[int, CouponTemplateView]) -> int | None:
    chosen = current.share_reward_coupon_id
    if chosen is not None and chosen not in coupons:
        st.warning(t("share_rewards.coupon_not_active", id=chosen), icon=":material/warning:")
    if not coupons:
        st.info(t("share_rewards.no_coupons"))
        return None
    options = list(coupons)
    return st.selectbox(
        t("share_rewards.coupon"), options, index=options.index(chosen) if chosen in coupons else None,
        key=key("share_reward_coupon_id"), placeholder=t("share_rewards.coupon_placeholder"),
        help=t("share_rewards.coupon_help"),
        format_func=lambda i: t("share_rewards.coupon_option", name=coupons[i].name, summary=coupons[i].summary,
                                limit=coupons[i].per_user_limit))


def _rules_preview(rules: ShareRewardRules) -> None:
    """The rules exactly as the mini-program's 分享有礼 page shows them: the generated sentences, then the note."""
    with st.container(border=True):
        st.markdown(f"**{t('share_rewards.preview')}**")
        st.caption(t("share_rewards.preview_help"))
        if rules.enabled:
            st.success(t("share_rewards.preview_reward", reward=plain(rules.reward)), icon=":material/redeem:")
        else:
            st.info(t("share_rewards.preview_off"))
        # The sentences name the coupon staff typed, and the note is the merchant's own words: plain text.
        st.markdown("\n".join(f"{n}. {plain(sentence)}" for n, sentence in enumerate(rules.rules, start=1)))
        if rules.note:
            st.markdown(plain(rules.note))
        st.caption(t("share_rewards.preview_card", shop=plain(rules.shop_name), text=plain(rules.share_text)))


# --- results -----------------------------------------------------------------------------------------------------

def _results(actor: Actor) -> None:
    today = clock.local(clock.now()).date()
    days = st.date_input(t("share_rewards.days"), value=(today - timedelta(days=FUNNEL_DAYS - 1), today),
                         key=state.SHARE_REWARDS_DAYS, format="YYYY-MM-DD", help=t("share_rewards.days_help"))
    first, last = _range(days)
    funnel = read(lambda s: share_funnel(s, viewer=actor, first=first, last=last))
    st.caption(t("share_rewards.funnel_note"))
    chart, figures = st.columns([3, 2])
    with chart:
        st.subheader(t("share_rewards.funnel"))
        if funnel.shares or funnel.visits:
            st.plotly_chart(_funnel_figure(funnel), key="share_rewards.funnel", config={"displayModeBar": False})
        else:
            st.info(t("share_rewards.funnel_empty"))
    with figures:
        _figures(funnel)


def _range(days: tuple[date, ...] | date) -> tuple[date | None, date | None]:
    if isinstance(days, date):
        return days, days
    first = days[0] if len(days) > 0 else None
    return first, days[1] if len(days) > 1 else first


def _funnel_figure(funnel: ShareFunnel) -> go.Figure:
    # One share may bring many visits, so rates start at the visits: bindings of visits, first orders of bindings.
    figure = go.Figure(go.Funnel(y=[t(f"share_rewards.step_{s}") for s in FUNNEL_STEPS],
                                 x=[getattr(funnel, s) for s in FUNNEL_STEPS],
                                 texttemplate=["%{value}", "%{value}", *[t("share_rewards.step_rate")] * 2],
                                 marker={"color": FUNNEL_COLOURS}))
    figure.update_layout(meta="share_rewards.funnel", margin={"t": 10, "l": 10, "r": 10, "b": 10}, height=320)
    return figure


def _figures(funnel: ShareFunnel) -> None:
    st.subheader(t("share_rewards.figures"))
    channels = st.columns(len(ShareChannel))
    for column, channel in zip(channels, ShareChannel, strict=True):
        column.metric(t(f"share_rewards.channel_{channel}"), funnel.shares_by_channel.get(channel, 0))
    visitors, bound, ordered = st.columns(3)
    visitors.metric(t("share_rewards.visitors"), funnel.visitors, help=t("share_rewards.visitors_help"))
    bound.metric(t("share_rewards.step_bound"), funnel.bound)
    ordered.metric(t("share_rewards.step_first_orders"), funnel.first_orders)
    pending, granted, cancelled = st.columns(3)
    pending.metric(t("share_rewards.rewards_pending"), funnel.rewards_pending)
    granted.metric(t("share_rewards.rewards_granted"), funnel.rewards_granted)
    cancelled.metric(t("share_rewards.rewards_cancelled"), funnel.rewards_cancelled)
    points, coupons = st.columns(2)
    points.metric(t("share_rewards.granted_points"), funnel.granted_points)
    coupons.metric(t("share_rewards.granted_coupons"), funnel.granted_coupons)


# --- rewards -----------------------------------------------------------------------------------------------------

def _rewards(actor: Actor) -> None:
    status = st.segmented_control(
        t("share_rewards.filter_status"), [ALL, *ShareRewardStatus], default=ALL, required=True,
        key=state.translated(state.SHARE_REWARDS_STATUS),
        format_func=lambda s: t("share_rewards.all") if s == ALL else label("share_reward", s),
        on_change=back_to_first_page(state.SHARE_REWARDS_PAGE))
    rows, total, names = read(lambda s: _rewards_page(s, actor, None if status == ALL else status))
    st.caption(t("share_rewards.count", n=total))
    if not rows:
        st.info(t("share_rewards.empty"))
        return
    st.dataframe(pd.DataFrame([_reward_line(r, names) for r in rows]), hide_index=True, width="stretch")
    pager(state.SHARE_REWARDS_PAGE, total, PAGE_SIZE)


def _rewards_page(session: Session, actor: Actor, status: str | None):
    rows, total = share_rewards(session, viewer=actor, status=status, page=page_of(state.SHARE_REWARDS_PAGE),
                                page_size=PAGE_SIZE)
    ids = {r.coupon_template_id for r in rows if r.coupon_template_id is not None}
    names = dict(session.execute(select(CouponTemplate.id, CouponTemplate.name).where(CouponTemplate.id.in_(ids)))
                 .all()) if ids else {}
    return rows, total, names


def _reward_line(r: StaffShareReward, names: dict[int, str]) -> dict[str, str]:
    if r.kind == ShareRewardKind.COUPON:
        reward = t("share_rewards.reward_coupon", name=names.get(r.coupon_template_id, f"#{r.coupon_template_id}"))
    else:
        reward = t("share_rewards.reward_growth", points=r.points or 0)
    return {
        t("share_rewards.col_inviter"): r.inviter_nickname, t("share_rewards.col_invitee"): r.invitee_nickname,
        t("share_rewards.col_order"): r.order_no, t("share_rewards.col_reward"): reward,
        t("share_rewards.col_status"): label("share_reward", r.status), t("share_rewards.col_failure"): r.failure,
        t("share_rewards.col_day"): r.reward_day.isoformat(), t("share_rewards.col_created"): local_time(r.created_at),
        t("share_rewards.col_settled"): local_time(r.granted_at or r.cancelled_at),
    }


if __name__ == "__main__":
    main()
