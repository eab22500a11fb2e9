"""商品管理: the product list with search and filters, new and edit forms, stock adjustments, categories."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import attempt, perform, read, show_flashes
from dashboard.components.amounts import price_range_text
from dashboard.components.images import image_source, thumbnail_url
from dashboard.components.product_form import (
    EditableProduct,
    ProductDraft,
    product_form,
)
from dashboard.components.tabs import remembered_tabs
from dashboard.i18n import t
from domain.catalog import queries
from domain.catalog.rich_text import sanitize
from domain.catalog.service import (
    ProductInput,
    SkuInput,
    adjust_stock,
    copy_product,
    create_category,
    create_product,
    get_product,
    set_on_shelf,
    update_product,
)
from domain.errors import DomainError
from domain.media import save_image
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.service import get_settings

PAGE_SIZE = 50
TABS = "products"
SHELF_OPTIONS = (None, True, False)
NEW_PLACE = "products.new"  # where the new-product tab shows what happened


def main() -> None:
    who = require_screen(Permission.PRODUCTS)
    st.header(t("products.header"))
    show_flashes()

    categories = read(lambda s: {c.id: c.name for c in queries.list_categories(s)})
    low = read(queries.low_stock_skus)
    if low:
        st.warning(t("products.low_stock_warning", n=len(low), threshold=queries.LOW_STOCK_THRESHOLD),
                   icon=":material/warning:")

    search, category_col, shelf_col, sort_col = st.columns([3, 2, 1, 1])
    q = search.text_input(t("products.search"), key=state.PRODUCTS_FILTER_Q, on_change=_back_to_first_page,
                          placeholder=t("products.search_placeholder"))
    category_labels = {None: t("products.all_categories"), **categories}
    category_id = category_col.selectbox(
        t("products.filter_category"), list(category_labels), key=state.translated(state.PRODUCTS_FILTER_CATEGORY),
        format_func=category_labels.__getitem__,
        on_change=_back_to_first_page,
    )
    on_shelf = shelf_col.selectbox(t("products.filter_shelf"), SHELF_OPTIONS, on_change=_back_to_first_page,
                                   key=state.translated(state.PRODUCTS_FILTER_SHELF), format_func=_shelf_label)
    # Labels made now, in this run's language: a format function is also called outside the run (by tests).
    sort_labels = {v: t(f"products.sort.{v}") for v in queries.StaffProductSort}
    sort = sort_col.selectbox(t("products.sort"), list(sort_labels), on_change=_back_to_first_page,
                              key=state.translated(state.PRODUCTS_SORT), format_func=sort_labels.__getitem__)
    page = st.session_state.get(state.PRODUCTS_PAGE, 1)
    rows, total = read(lambda s: queries.staff_product_rows(s, q=q, category_id=category_id, page=page,
                                                            page_size=PAGE_SIZE, on_shelf=on_shelf, sort=sort))

    tabs = remembered_tabs(TABS, {"list": t("products.tab_list"), "edit": t("products.tab_edit"),
                                  "new": t("products.tab_new"), "categories": t("products.tab_categories")})
    with tabs["list"]:
        _product_table(rows, total, low)
        _batch_shelf(who.actor, rows)
    with tabs["edit"]:
        _edit_product(who.actor, rows, categories)
    with tabs["new"]:
        _new_product(who.actor, categories)
    with tabs["categories"]:
        _categories(who.actor, categories)


def _product_table(rows: list[queries.StaffProductRow], total: int, low: list[queries.LowStockSku]) -> None:
    st.caption(t("products.count", n=total))
    if not rows:
        st.info(t("products.empty"))
        return
    table = pd.DataFrame([
        {
            "id": r.id, "cover": thumbnail_url(r.cover_url), "title": r.title,
            "category": r.category_name or t("product.no_category"),
            "price": price_range_text(r.min_price_fen, r.max_price_fen), "stock": r.stock, "sales": r.sales,
            "status": t("products.on_shelf") if r.is_on_shelf else t("products.off_shelf"),
            "low": f"⚠ {r.low_stock_skus}" if r.low_stock_skus else "",
        }
        for r in rows
    ])
    st.dataframe(
        table, hide_index=True, width="stretch", row_height=48, height=min(len(rows), 12) * 48 + 40,
        column_config={
            "id": st.column_config.NumberColumn("ID", width="small", format="%d"),
            "cover": st.column_config.ImageColumn(t("products.col_cover"), width="small"),
            "title": st.column_config.TextColumn(t("products.col_title"), width="medium"),
            "category": t("products.col_category"),
            "price": t("products.col_price"),
            "stock": st.column_config.NumberColumn(t("products.col_stock"), format="%d"),
            "sales": st.column_config.NumberColumn(t("products.col_sales"), format="%d"),
            "status": t("products.col_status"),
            "low": st.column_config.TextColumn(t("products.col_low"), help=t("products.col_low_help",
                                                                              threshold=queries.LOW_STOCK_THRESHOLD)),
        },
    )
    if total > PAGE_SIZE:
        st.pagination(-(-total // PAGE_SIZE), key=state.PRODUCTS_PAGE)
    if low:
        with st.expander(t("products.low_stock_list", n=len(low))):
            st.dataframe(pd.DataFrame([
                {t("products.col_title"): s.title, t("sku.specs"): _spec_text(s.specs),
                 t("products.col_stock"): s.stock}
                for s in low
            ]), hide_index=True, width="stretch")


def _batch_shelf(actor: Actor, rows: list[queries.StaffProductRow]) -> None:
    """Put several products of this page on the shelf, or take them off, at once."""
    if not rows:
        return
    place = state.PRODUCTS_BATCH
    show_flashes(place)
    titles = {r.id: f"#{r.id} {r.title} · {_shelf_label(r.is_on_shelf)}" for r in rows}
    chosen_col, on_col, off_col = st.columns([6, 1, 1], vertical_alignment="bottom")
    chosen = chosen_col.multiselect(t("products.batch_select"), list(titles), key=state.PRODUCTS_BATCH,
                                    format_func=titles.__getitem__, placeholder=t("products.batch_placeholder"))
    for column, on, key, icon in ((on_col, True, state.PRODUCTS_BATCH_ON, ":material/storefront:"),
                                  (off_col, False, state.PRODUCTS_BATCH_OFF, ":material/visibility_off:")):
        if not column.button(t("products.batch_on") if on else t("products.batch_off"), key=key, icon=icon,
                             disabled=not chosen):
            continue
        changed = perform(lambda s, on=on: set_on_shelf(s, actor=actor, product_ids=chosen, on_shelf=on))
        if changed is not None:
            state.flash_at(place, t("products.batch_done_on" if on else "products.batch_done_off", n=changed,
                                    chosen=len(chosen)))
            st.session_state.pop(state.PRODUCTS_BATCH, None)
            st.rerun()


def _new_product(actor: Actor, categories: dict[int, str]) -> None:
    show_flashes(NEW_PLACE)
    rates = read(_default_rates)
    created: list[str] = []

    def save(draft: ProductDraft) -> DomainError | None:
        product, refusal = attempt(lambda s: create_product(s, actor=actor, data=_product_input(draft)))
        if product is not None:
            created.append(product.title)
        return refusal

    if product_form(state.PRODUCTS_NEW_FORM, categories=categories, default_rates_bp=rates, save=save):
        state.flash_at(NEW_PLACE, t("products.created", title=created[0]))
        state.reset_form(state.PRODUCTS_NEW_FORM)
        st.rerun()


def _product_input(draft: ProductDraft) -> ProductInput:
    # Inside the unit of work, so that a refused image (DomainError) refuses the whole save.
    return ProductInput(
        **{k: v for k, v in draft.fields.items() if k != "detail_html"},
        detail_html=_with_detail_images(draft), images=[*draft.images, *_save_uploads(draft.uploads)],
        skus=[SkuInput(specs=s.specs, price_fen=s.price_fen, stock=s.stock, original_price_fen=s.original_price_fen,
                       cost_price_fen=s.cost_price_fen, image=s.image) for s in draft.skus],
    )


def _edit_product(actor: Actor, rows: list[queries.StaffProductRow], categories: dict[int, str]) -> None:
    if not rows:
        st.info(t("products.edit_none"))
        return
    titles = {r.id: r.title for r in rows}
    wanted = st.session_state.pop(state.PRODUCTS_EDIT_NEXT, None)
    if wanted in titles:
        st.session_state[state.PRODUCTS_EDIT_SELECT] = wanted
    product_id = st.selectbox(t("products.edit_select"), list(titles), key=state.PRODUCTS_EDIT_SELECT,
                              format_func=lambda i: f"#{i} {titles[i]}", help=t("products.edit_select_help"))
    if product_id is None:
        return
    form = state.product_edit_form(product_id)
    show_flashes(form)
    reload_col, copy_col = st.columns([1, 5])
    if reload_col.button(t("products.reload"), key=state.widget_key(form, "reload"), icon=":material/refresh:",
                         help=t("products.reload_help")):
        state.reset_form(form)
        st.rerun()
    if copy_col.button(t("products.copy"), key=state.widget_key(form, "copy"), icon=":material/content_copy:",
                       help=t("products.copy_help")):
        copy = perform(lambda s: copy_product(s, actor=actor, product_id=product_id))
        if copy is not None:
            state.flash_at(state.product_edit_form(copy.id), t("products.copied", title=copy.title))
            st.session_state[state.PRODUCTS_EDIT_NEXT] = copy.id
            st.rerun()
    current = read(lambda s: EditableProduct.of(get_product(s, product_id)))
    # The form edits the product as it was when the form opened: Streamlit drops a dynamic data editor's
    # edits when its data changes, and a sale in the meantime would change the stock column.
    shown = state.form_snapshot(form, current)
    rates = read(_default_rates)
    saved: list[str] = []

    def save(draft: ProductDraft) -> DomainError | None:
        product, refusal = attempt(lambda s: _save_edits(s, actor, shown, draft))
        if product is not None:
            saved.append(product.title)
        return refusal

    if product_form(form, categories=categories, default_rates_bp=rates, product=shown, save=save):
        state.flash_at(form, t("products.saved", title=saved[0]))
        state.reset_form(form)
        st.rerun()
    _detail_preview(current)
    _stock_adjustment(actor, current)


def _save_edits(session: Session, actor: Actor, shown: EditableProduct, draft: ProductDraft):
    """One unit of work: the product fields and SKUs, then each stock change as a relative adjustment.

    Stock typed into the table is applied as the difference from what the form showed, through
    ``adjust_stock``, so that orders placed while the form was open are not overwritten.
    """
    current = {s.id: s.stock for s in get_product(session, shown.id).skus}
    shown_stock = {s.id: s.stock for s in shown.skus}
    # Existing SKUs keep their current stock in the update; the typed change follows as adjust_stock.
    skus = [SkuInput(id=s.id, specs=s.specs, price_fen=s.price_fen, stock=current.get(s.id, s.stock),
                     original_price_fen=s.original_price_fen, cost_price_fen=s.cost_price_fen, image=s.image)
            for s in draft.skus]
    product = update_product(session, actor=actor, product_id=shown.id, changes={
        **draft.fields, "detail_html": _with_detail_images(draft),
        "images": [*draft.images, *_save_uploads(draft.uploads)], "skus": skus,
    })
    for s in draft.skus:
        delta = s.stock - shown_stock[s.id] if s.id in shown_stock else 0
        if delta:
            adjust_stock(session, actor=actor, sku_id=s.id, delta=delta, reason="edited in product form")
    return product


def _detail_preview(product: EditableProduct) -> None:
    """The rich text as the sanitiser keeps it, with our pictures drawn from the media store."""
    if not product.detail_html:
        return
    with st.expander(t("products.detail_preview")):
        st.html(sanitize(product.detail_html, image_url=_preview_image, image_style="max-width:100%"))


def _preview_image(path: str) -> str:
    source = image_source(path)
    return path if isinstance(source, str) else (thumbnail_url(path, 600) or "")


def _stock_adjustment(actor: Actor, product: EditableProduct) -> None:
    st.subheader(t("stock.header"))
    form = state.stock_adjust_form(product.id)
    show_flashes(form)  # the result shows here, beside the form, whichever tab or scroll position staff are at
    key = partial(state.widget_key, form)
    with st.form(key("form")):
        skus = {s.id: s for s in product.skus}
        labels = {s.id: t("stock.sku_option", specs=_spec_text(s.specs), stock=s.stock) for s in product.skus}
        left, middle, right = st.columns([3, 1, 2])
        sku_id = left.selectbox(t("stock.sku"), list(labels), key=key("sku"), format_func=labels.__getitem__)
        delta = middle.number_input(t("stock.delta"), value=0, step=1, key=key("delta"), help=t("stock.delta_help"))
        reason = right.text_input(t("stock.reason"), key=key("reason"), placeholder=t("stock.reason_placeholder"))
        submitted = st.form_submit_button(t("stock.submit"), key=key("submit"))
    if not submitted:
        return
    if not delta:
        st.warning(t("stock.zero"))
        return
    sku = perform(lambda s: adjust_stock(s, actor=actor, sku_id=sku_id, delta=int(delta), reason=reason))
    if sku is not None:
        state.flash_at(form, t("stock.done", before=skus[sku_id].stock, after=sku.stock))
        state.reset_form(form)
        state.reset_form(state.product_edit_form(product.id))
        st.rerun()


def _categories(actor: Actor, categories: dict[int, str]) -> None:
    if categories:
        st.dataframe(pd.DataFrame({"ID": list(categories), t("category.name"): list(categories.values())}),
                     hide_index=True)
    key = partial(state.widget_key, state.PRODUCTS_CATEGORY_FORM)
    with st.form(key("form")):
        st.markdown(f"**{t('category.new')}**")
        left, right = st.columns([3, 1])
        name = left.text_input(t("category.name"), max_chars=32, key=key("name"))
        sort = right.number_input(t("category.sort"), value=0, step=1, key=key("sort"), help=t("category.sort_help"))
        submitted = st.form_submit_button(t("category.create"), key=key("submit"))
    if submitted and perform(lambda s: create_category(s, actor=actor, name=name, sort=int(sort)),
                             success=t("category.created", name=name.strip())) is not None:
        state.reset_form(state.PRODUCTS_CATEGORY_FORM)
        st.rerun()


def _spec_text(specs: dict[str, str]) -> str:
    return " / ".join(specs.values()) or t("sku.default")


def _back_to_first_page() -> None:
    st.session_state.pop(state.PRODUCTS_PAGE, None)


def _default_rates(session: Session) -> tuple[int, int]:
    settings = get_settings(session)
    return settings.commission_level1_bp, settings.commission_level2_bp


def _save_uploads(uploads) -> list[str]:
    return [save_image(upload.getvalue()) for upload in uploads]


def _with_detail_images(draft: ProductDraft) -> str:
    """The rich text with the pictures uploaded for it added at its end, one paragraph each."""
    pictures = "".join(f'<p><img src="{path}"></p>' for path in _save_uploads(draft.detail_uploads))
    return draft.fields.get("detail_html", "") + pictures


def _shelf_label(value: bool | None) -> str:
    return t("products.all_shelf") if value is None else t("products.on_shelf") if value else t("products.off_shelf")


if __name__ == "__main__":
    main()
