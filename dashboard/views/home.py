"""概览: the landing screen for every role — today's and yesterday's sales, orders and new shoppers (for the roles
that read analytics), what waits for this role, then the catalog. Read-only."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.components.access import require_screen
from dashboard.components.actions import read, show_flashes
from dashboard.components.amounts import money
from dashboard.i18n import role_label, t
from dashboard.screens import screens_for
from domain.analytics.days import DayFigures, recent_days
from domain.catalog import queries
from domain.security.roles import Permission, can
from domain.settings.service import get_settings
from domain.staff.work_queues import WorkQueues, work_queues


@dataclass(frozen=True)
class Queue:
    label_key: str
    count: str  # a WorkQueues field
    permission: Permission
    screen: str
    stuck: str | None = None  # a WorkQueues field counting the ones that failed and need another go
    stuck_key: str | None = None


QUEUES = (
    Queue("home.queue.to_ship", "to_ship", Permission.ORDERS_MANAGE, "views/orders.py",
          "upload_failed", "home.queue.upload_failed"),
    Queue("home.queue.refunds", "refunds_requested", Permission.REFUNDS, "views/refunds.py",
          "refunds_failed", "home.queue.refunds_failed"),
    Queue("home.queue.returns", "returns_to_receive", Permission.REFUNDS, "views/refunds.py"),
    # Every such payment has already failed its automatic refund once: each one is stuck money.
    Queue("home.queue.stray_payments", "stray_payments", Permission.REFUNDS, "views/refunds.py",
          "stray_payments", "home.queue.stray_payments_failing"),
    Queue("home.queue.applications", "applications_pending", Permission.DISTRIBUTORS, "views/applications.py"),
    Queue("home.queue.withdrawals", "withdrawals_pending", Permission.WITHDRAWALS, "views/withdrawals.py",
          "withdrawals_approved", "home.queue.withdrawals_approved"),
)


def main() -> None:
    who = require_screen(None)
    shop_name = read(lambda s: get_settings(s).shop_name)
    st.header(t("home.header", shop=shop_name))
    st.caption(t("home.welcome", name=who.display_name, role=role_label(who.role)))
    show_flashes()
    if can(who.role, Permission.ANALYTICS):
        _today(read(recent_days))

    mine = [q for q in QUEUES if can(who.role, q.permission)]
    if mine:
        _queues(mine, read(work_queues))
    _catalog()

    shortcuts = [s for s in screens_for(who.role) if s.permission is not None]
    if shortcuts:
        st.subheader(t("home.shortcuts"))
        columns = st.columns(4)
        for i, screen in enumerate(shortcuts):
            columns[i % len(columns)].page_link(screen.file, label=t(screen.title_key), icon=screen.icon)


def _today(days: list[DayFigures]) -> None:
    """Today so far beside yesterday's whole day, by Shanghai day. No change is shown: a day half gone is no match
    for a whole one."""
    today, yesterday = days
    st.subheader(t("home.today"), help=t("home.today_help"))
    figures = (("home.today_sales", "net_sales_fen", money), ("home.today_orders", "paid_orders", str),
               ("home.today_new_users", "new_users", str))
    columns = st.columns(len(figures) * 2)
    for i, (key, field, shown) in enumerate(figures):
        columns[2 * i].metric(t(key), shown(getattr(today, field)), border=True)
        columns[2 * i + 1].metric(t(f"{key}_yesterday"), shown(getattr(yesterday, field)), border=True)


def _queues(mine: list[Queue], counts: WorkQueues) -> None:
    st.subheader(t("home.waiting"))
    for column, queue in zip(st.columns(max(len(mine), 2)), mine, strict=False):
        with column:
            st.metric(t(queue.label_key), getattr(counts, queue.count), border=True)
            stuck = getattr(counts, queue.stuck) if queue.stuck else 0
            if stuck:
                st.warning(t(queue.stuck_key, n=stuck), icon=":material/sync_problem:")
            st.page_link(queue.screen, label=t("home.open_queue"), icon=":material/arrow_forward:")


def _catalog() -> None:
    overview = read(queries.catalog_overview)
    low = read(lambda s: queries.low_stock_skus(s, limit=20))
    st.subheader(t("home.catalog"))
    products, on_shelf, categories, low_count = st.columns(4)
    products.metric(t("home.products"), overview.products, border=True)
    on_shelf.metric(t("home.on_shelf"), overview.on_shelf, border=True)
    categories.metric(t("home.categories"), overview.categories, border=True)
    low_count.metric(t("home.low_stock"), overview.low_stock_skus, border=True,
                     help=t("home.low_stock_help", threshold=queries.LOW_STOCK_THRESHOLD))
    if low:
        with st.expander(t("home.low_stock_list", n=len(low))):
            st.dataframe(pd.DataFrame([
                {t("products.col_title"): s.title, t("sku.specs"): " / ".join(s.specs.values()) or t("sku.default"),
                 t("products.col_stock"): s.stock}
                for s in low
            ]), hide_index=True, width="stretch")


if __name__ == "__main__":
    main()
