"""Every ``st.session_state`` key the dashboard uses, and the few accessors around them.

Widget keys are made here too (``widget_key``), so that a key never collides and a form can be reset by
bumping its version: Streamlit does not let a script write to a ``data_editor``'s state, so a new key is
the only way to hand the editor fresh data after a save.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

import streamlit as st

from domain.security.actor import Actor

# Plain (non-widget) keys.
SIGNED_IN = "signed_in"  # SignedIn | None
STAFF_TOKEN = "staff_token"  # str | None: the staff token this session signed in with, ended at 退出登录
# The staff session cookie (dashboard/components/session.py):
SESSION_CODE = "staff_session.code"  # str | None: the one-time code the browser is to exchange for the cookie
SESSION_RESUMED = "staff_session.resumed"  # True once this session has looked at the cookie the browser sent
SESSION_ENDED = "staff_session.ended"  # "logged_out" | "ended" | None: the browser's cookie is to be deleted
LANG = "lang"  # "zh" | "en"
FLASH = "flash"  # list of (kind, message) shown once, after the rerun that follows a save
FORM_VERSIONS = "form_versions"  # {form name: int}
FORM_SNAPSHOTS = "form_snapshots"  # {form name: (version, the record the form shows)}
SKU_MATRICES = "sku_matrices"  # {form name: (form version, generation, rows)}: SKUs made by the spec matrix
TRANSLATED_WIDGETS = "translated_widgets"  # widget keys made through ``translated``
OPEN_TABS = "open_tabs"  # {tabs name: tab name}: the tab staff last opened, whatever the language
FLASH_AT = "flash_at"  # {place: [(kind, message)]}: shown once beside the form that made them

# Widgets that live outside any screen.
LANG_SWITCH = "sidebar.lang_switch"
LOGOUT = "sidebar.logout"
LOGIN_FORM = "login"
LOGIN_USERNAME = "login.username"
LOGIN_PASSWORD = "login.password"
LOGIN_SUBMIT = "login.submit"

# Screens: their forms (versioned through ``widget_key``) and their other widgets.
PRODUCTS_NEW_FORM = "products.new"
PRODUCTS_CATEGORY_FORM = "products.category"
PRODUCTS_FILTER_Q = "products.filter.q"
PRODUCTS_FILTER_CATEGORY = "products.filter.category"
PRODUCTS_PAGE = "products.page"
PRODUCTS_EDIT_SELECT = "products.edit.select"
PRODUCTS_EDIT_NEXT = "products.edit.next"  # a product to open in the edit tab on the next run (after a copy)
PRODUCTS_FILTER_SHELF = "products.filter.shelf"
PRODUCTS_SORT = "products.sort"
PRODUCTS_BATCH = "products.batch"
PRODUCTS_BATCH_ON = "products.batch.on"
PRODUCTS_BATCH_OFF = "products.batch.off"
SETTINGS_FORM = "settings"

ORDERS_FILTER_STATUS = "orders.filter.status"
ORDERS_FILTER_DAYS = "orders.filter.days"
ORDERS_FILTER_NO = "orders.filter.no"
ORDERS_PAGE = "orders.page"
ORDERS_SELECT = "orders.select"

REFUNDS_FILTER_STATUS = "refunds.filter.status"
REFUNDS_PAGE = "refunds.page"
REFUNDS_SELECT = "refunds.select"
REFUNDS_STRAY_SELECT = "refunds.stray.select"
REFUNDS_FILTER_Q = "refunds.filter.q"
ORDERS_PACKING = "orders.packing"  # the orders chosen for a packing list
ORDERS_BATCH_SHIP = "orders.batch_ship"  # the spreadsheet upload and its per-row result

APPLICATIONS_REVEAL = "applications.reveal"
APPLICATIONS_PAGE = "applications.page"
APPLICATIONS_SELECT = "applications.select"
APPLICATIONS_HISTORY_STATUS = "applications.history.status"
APPLICATIONS_HISTORY_PAGE = "applications.history.page"

DISTRIBUTORS_FILTER_Q = "distributors.filter.q"
DISTRIBUTORS_PAGE = "distributors.page"
DISTRIBUTORS_SELECT = "distributors.select"

WITHDRAWALS_FILTER_STATUS = "withdrawals.filter.status"
WITHDRAWALS_PAGE = "withdrawals.page"
WITHDRAWALS_SELECT = "withdrawals.select"

COMMISSIONS_FILTER_STATUS = "commissions.filter.status"
COMMISSIONS_FILTER_LEVEL = "commissions.filter.level"
COMMISSIONS_FILTER_WHO = "commissions.filter.who"
COMMISSIONS_FILTER_BENEFICIARY = "commissions.filter.beneficiary"
COMMISSIONS_FILTER_NO = "commissions.filter.no"
COMMISSIONS_FILTER_DAYS = "commissions.filter.days"
COMMISSIONS_PAGE = "commissions.page"
COMMISSIONS_SETTLE = "commissions.settle"

AUDIT_FILTER_TYPE = "audit.filter.type"
AUDIT_FILTER_ID = "audit.filter.id"
AUDIT_FILTER_ACTION = "audit.filter.action"
AUDIT_PAGE = "audit.page"
AUDIT_OPEN = "audit.open"
AUDIT_OPEN_BUTTON = "audit.open.button"

HOME_CONTENT_NEW_BANNER = "home_content.banner.new"
HOME_CONTENT_NEW_NOTICE = "home_content.notice.new"

COUPONS_FILTER_STATE = "coupons.filter.state"
COUPONS_FILTER_Q = "coupons.filter.q"
COUPONS_PAGE = "coupons.page"
COUPONS_SELECT = "coupons.select"
COUPONS_NEW_FORM = "coupons.new"

PROMOTIONS_FILTER_KIND = "promotions.filter.kind"
PROMOTIONS_FILTER_STATE = "promotions.filter.state"
PROMOTIONS_PAGE = "promotions.page"
PROMOTIONS_SELECT = "promotions.select"
PROMOTIONS_NEW_KIND = "promotions.new.kind"
PROMOTION_ITEM_DRAFTS = "promotion_item_drafts"  # {form: {sku_id: the row as typed}}: kept when SKUs are added

MEMBERS_FILTER_Q = "members.filter.q"
MEMBERS_FILTER_LEVEL = "members.filter.level"
MEMBERS_SORT = "members.sort"
MEMBERS_PAGE = "members.page"
MEMBERS_SELECT = "members.select"
MEMBER_LEVELS_FORM = "member_levels"
SHARE_REWARDS_FORM = "share_rewards.settings"
SHARE_REWARDS_DAYS = "share_rewards.days"
SHARE_REWARDS_STATUS = "share_rewards.status"
SHARE_REWARDS_PAGE = "share_rewards.page"

# The analytics workbench, the commission simulator and the risk queue.
ANALYTICS_RANKING_PAGE = "analytics.ranking.page"
ANALYTICS_DISTRIBUTOR = "analytics.distributor"  # the distributor whose page is open under the leaderboard
ANALYTICS_FUNNEL_PAGE = "analytics.funnel.page"
ANALYTICS_TEAM_REFUNDS_PAGE = "analytics.team_refunds.page"
SIMULATOR_LEVEL1 = "simulator.level1"
SIMULATOR_LEVEL2 = "simulator.level2"
SIMULATOR_EXPORT = "simulator.export"
RISK_FILTER_STATUS = "risk.filter.status"
RISK_FILTER_KIND = "risk.filter.kind"
RISK_PAGE = "risk.page"
RISK_SELECT = "risk.select"
RISK_SCAN = "risk.scan"
RISK_EXPORT = "risk.export"
RISK_REVIEWS_SELECT = "risk.reviews.select"
RISK_REVIEWS_LIFT = "risk.reviews.lift"

# Excel exports of the list screens (dashboard/components/export.py).
ORDERS_EXPORT = "orders.export"
COMMISSIONS_EXPORT = "commissions.export"
WITHDRAWALS_EXPORT = "withdrawals.export"
DISTRIBUTORS_EXPORT = "distributors.export"
MEMBERS_EXPORT = "members.export"


def product_edit_form(product_id: int) -> str:
    return f"products.edit.{product_id}"


def stock_adjust_form(product_id: int) -> str:
    return f"products.stock.{product_id}"


# Per-record forms and buttons: the record's id is part of the key, so that picking another record never
# carries half-typed text over.
def ship_form(order_id: int) -> str:
    return f"orders.ship.{order_id}"


def note_form(order_id: int) -> str:
    return f"orders.note.{order_id}"


def receiver_form(order_id: int) -> str:
    return f"orders.receiver.{order_id}"


def tracking_form(order_id: int) -> str:
    return f"orders.tracking.{order_id}"


def refund_form(refund_id: int) -> str:
    return f"refunds.decide.{refund_id}"


def application_form(application_id: int) -> str:
    return f"applications.review.{application_id}"


def distributor_form(user_id: int) -> str:
    return f"distributors.switch.{user_id}"


def wallet_adjust_form(user_id: int) -> str:
    return f"distributors.adjust.{user_id}"


def withdrawal_form(withdrawal_id: int) -> str:
    return f"withdrawals.decide.{withdrawal_id}"


def coupon_form(template_id: int, part: str) -> str:
    """One coupon template's forms (part: edit | issue | stop), or ``detail``: the place its results show."""
    return f"coupons.{part}.{template_id}"


def growth_adjust_form(user_id: int) -> str:
    return f"members.adjust.{user_id}"


def member_ledger_page(user_id: int) -> str:
    return f"members.ledger.page.{user_id}"


def promotion_new_form(kind: str) -> str:
    return f"promotions.new.{kind}"


def promotion_form(promotion_id: int, part: str) -> str:
    """One activity's forms (part: edit | stop), or ``detail``: the place its results show."""
    return f"promotions.{part}.{promotion_id}"


def home_item_form(kind: str, item_id: int) -> str:
    """One banner's or notice's buttons and edit form on 首页装修 (kind: banner | notice)."""
    return f"home_content.{kind}.{item_id}"


def range_key(screen: str, part: str) -> str:
    """A widget of an analytics screen's date range (part: preset | custom | by | compare)."""
    return f"{screen}.range.{part}"


def analytics_export(table: str) -> str:
    """The download button of one workbench table."""
    return f"analytics.export.{table}"


def risk_form(signal_id: int) -> str:
    """One risk signal's decisions (mark reviewed, put withdrawals on review)."""
    return f"risk.decide.{signal_id}"

DEFAULT_LANG = "zh"
T = TypeVar("T")


@dataclass(frozen=True)
class SignedIn:
    """Who is using this browser session. Reloaded from the database on every run (see app.py)."""

    actor: Actor
    display_name: str

    @property
    def role(self) -> str:
        return self.actor.role.value


def signed_in() -> SignedIn | None:
    return st.session_state.get(SIGNED_IN)


def sign_in(who: SignedIn) -> None:
    st.session_state[SIGNED_IN] = who


def sign_out() -> None:
    st.session_state.pop(SIGNED_IN, None)
    st.session_state.pop(STAFF_TOKEN, None)
    st.session_state.pop(SESSION_CODE, None)


def hold_token(token: str) -> None:
    st.session_state[STAFF_TOKEN] = token


def held_token() -> str | None:
    return st.session_state.get(STAFF_TOKEN)


def lang() -> str:
    return st.session_state.get(LANG, DEFAULT_LANG)


def set_lang(value: str) -> None:
    before = lang()
    st.session_state[LANG] = value
    if value != before:
        _carry_translated_widgets(before, value)


def translated(key: str) -> str:
    """The key of a widget whose options are shown in the staff's language (a filter, a select): one per
    language, because the browser keeps a select's chosen option as the text it showed, which another language
    no longer offers. Chinese keeps the plain key. ``set_lang`` carries the chosen value over to the new key."""
    st.session_state.setdefault(TRANSLATED_WIDGETS, set()).add(key)
    return key if lang() == DEFAULT_LANG else f"{key}@{lang()}"


def _carry_translated_widgets(before: str, after: str) -> None:
    def keyed(key: str, language: str) -> str:
        return key if language == DEFAULT_LANG else f"{key}@{language}"

    for key in st.session_state.get(TRANSLATED_WIDGETS, set()):
        old, new = keyed(key, before), keyed(key, after)
        # None is left out: a select box reads it as "nothing chosen", not as its own "all" option.
        if st.session_state.get(old) is not None:
            st.session_state[new] = st.session_state[old]


FlashKind = Literal["success", "warning", "error"]


def flash(message: str, kind: FlashKind = "success") -> None:
    st.session_state.setdefault(FLASH, []).append((kind, message))


def take_flashes() -> list[tuple[FlashKind, str]]:
    return st.session_state.pop(FLASH, [])


def form_version(form: str) -> int:
    return st.session_state.get(FORM_VERSIONS, {}).get(form, 0)


def reset_form(form: str) -> None:
    """Give every widget of ``form`` a new key, so that it shows fresh data on the next run."""
    versions = st.session_state.setdefault(FORM_VERSIONS, {})
    versions[form] = versions.get(form, 0) + 1


def form_snapshot(form: str, current: T) -> T:
    """The record ``form`` shows: ``current`` when the form (re)opens, then the same until ``reset_form``."""
    snapshots = st.session_state.setdefault(FORM_SNAPSHOTS, {})
    version = form_version(form)
    if form not in snapshots or snapshots[form][0] != version:
        snapshots[form] = (version, current)
    return snapshots[form][1]


def widget_key(form: str, field: str, version: int | None = None) -> str:
    """``products.new.v0.title``: the form, its current version and the field."""
    return f"{form}.v{form_version(form) if version is None else version}.{field}"


def tabs_widget(name: str) -> str:
    """The key of a ``remembered_tabs`` widget: per language, since the tabs' labels are its value."""
    return f"{name}.tabs.{lang()}"


def open_tab(name: str) -> str | None:
    return st.session_state.get(OPEN_TABS, {}).get(name)


def set_open_tab(name: str, tab: str) -> None:
    st.session_state.setdefault(OPEN_TABS, {})[name] = tab


def flash_at(place: str, message: str, kind: FlashKind = "success") -> None:
    """Like ``flash``, but shown where ``place`` is drawn (``show_flashes(place)``), next to the form."""
    st.session_state.setdefault(FLASH_AT, {}).setdefault(place, []).append((kind, message))


def take_flashes_at(place: str) -> list[tuple[FlashKind, str]]:
    return st.session_state.get(FLASH_AT, {}).pop(place, [])


def generated_skus(form: str) -> tuple[int, list | None]:
    """The SKU rows the spec matrix last made for ``form`` (this version of it), and how many times it did."""
    version, generation, rows = st.session_state.get(SKU_MATRICES, {}).get(form, (None, 0, None))
    return (generation, rows) if version == form_version(form) else (0, None)


def set_generated_skus(form: str, rows: list) -> None:
    generation, _ = generated_skus(form)
    st.session_state.setdefault(SKU_MATRICES, {})[form] = (form_version(form), generation + 1, rows)
