"""退款: the shop's refund rate over the period, and the products and distributors' teams that refund most."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components.amounts import money
from dashboard.components.date_range import RangeChoice
from dashboard.components.export import analytics_table, export_button
from dashboard.components.listing import page_of, pager
from dashboard.i18n import t
from dashboard.views.workbench import reads
from domain.analytics.export import Table
from domain.analytics.refunds import RefundRate
from domain.money import percent
from domain.security.actor import Actor


def show(actor: Actor, choice: RangeChoice) -> None:
    db, period = reads.database(), choice.period
    shop = reads.shop_refund_rate(db, period)
    st.metric(t("analytics.shop_refund_rate"), percent(shop.rate_bp), border=True,
              help=t("analytics.shop_refund_help", refunded=money(shop.refunded_fen), paid=money(shop.paid_fen),
                     orders=shop.orders))
    left, right = st.columns(2)
    with left:
        st.subheader(t("analytics.product_refunds"))
        products, _ = reads.product_refunds(db, period)
        _table(products, name_key="analytics.col_product", name=lambda p: p.title, shop=shop)
        export_button(state.analytics_export(Table.PRODUCT_REFUNDS),
                      analytics_table(actor, Table.PRODUCT_REFUNDS, period), label_key="analytics.export_products")
    with right:
        st.subheader(t("analytics.team_refunds"), help=t("analytics.team_refunds_help"))
        teams, total = reads.team_refunds(db, period, page_of(state.ANALYTICS_TEAM_REFUNDS_PAGE))
        _table(teams, name_key="analytics.col_distributor", name=lambda r: r.nickname, shop=shop)
        pager(state.ANALYTICS_TEAM_REFUNDS_PAGE, total, reads.PAGE_SIZE)
        export_button(state.analytics_export(Table.TEAM_REFUNDS), analytics_table(actor, Table.TEAM_REFUNDS, period),
                      label_key="analytics.export_teams")


def _table(rows: list[RefundRate], *, name_key: str, name, shop: RefundRate) -> None:
    if not rows:
        st.info(t("analytics.empty"))
        return
    # A rate above the shop's is marked, so that the outliers read at a glance.
    st.dataframe(pd.DataFrame([{
        t(name_key): name(r), t("analytics.col_orders"): r.orders, t("analytics.col_paid"): money(r.paid_fen),
        t("analytics.col_refunded"): money(r.refunded_fen),
        t("analytics.col_refund_rate"): percent(r.rate_bp) + (" ▲" if r.rate_bp > shop.rate_bp else ""),
    } for r in rows]), hide_index=True, width="stretch")
