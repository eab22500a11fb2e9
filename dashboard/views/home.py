"""概览: the landing screen for every role. Read-only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.access import require_screen
from dashboard.components.actions import read, show_flashes
from dashboard.i18n import role_label, t
from dashboard.screens import screens_for
from domain.catalog import queries
from domain.settings.service import get_settings


def main() -> None:
    who = require_screen(None)
    shop_name = read(lambda s: get_settings(s).shop_name)
    overview = read(queries.catalog_overview)
    low = read(lambda s: queries.low_stock_skus(s, limit=20))

    st.header(t("home.header", shop=shop_name))
    st.caption(t("home.welcome", name=who.display_name, role=role_label(who.role)))
    show_flashes()

    products, on_shelf, categories, low_count = st.columns(4)
    products.metric(t("home.products"), overview.products, border=True)
    on_shelf.metric(t("home.on_shelf"), overview.on_shelf, border=True)
    categories.metric(t("home.categories"), overview.categories, border=True)
    low_count.metric(t("home.low_stock"), overview.low_stock_skus, border=True,
                     help=t("home.low_stock_help", threshold=queries.LOW_STOCK_THRESHOLD))

    if low:
        st.subheader(t("home.low_stock_list"))
        st.dataframe(pd.DataFrame([
            {t("products.col_title"): s.title, t("sku.specs"): " / ".join(s.specs.values()) or t("sku.default"),
             t("products.col_stock"): s.stock}
            for s in low
        ]), hide_index=True, width="stretch")

    shortcuts = [s for s in screens_for(who.role) if s.permission is not None]
    if shortcuts:
        st.subheader(t("home.shortcuts"))
        for screen in shortcuts:
            st.page_link(screen.file, label=t(screen.title_key), icon=screen.icon)


if __name__ == "__main__":
    main()
