"""满减与限时折扣: every activity with its window and state; one activity's sales while it runs (paid orders, buyers,
units, sales, what it took off, per SKU its activity stock left); and, as the domain allows (``promotion_actions``),
editing or stopping it. New 满减 (ladder or 每满减) and limited-time activities are made on their own tab. The domain
checks and audits every change (``domain/marketing/promotions.py``)."""

from __future__ import annotations

from dataclasses import fields
from functools import partial

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import attempt, perform, read, show_flashes
from dashboard.components.amounts import money
from dashboard.components.listing import back_to_first_page, local_time, page_of, pager, select_record
from dashboard.components.plain import plain
from dashboard.components.promotion_form import SkuPicker, new_promotion, promotion_form
from dashboard.components.tabs import remembered_tabs
from dashboard.i18n import label, t
from domain.errors import DomainError
from domain.marketing.actions import PromotionAction, PromotionState
from domain.marketing.promotions import (
    PromotionInput,
    create_promotion,
    promotion_input,
    stop_promotion,
    update_promotion,
)
from domain.marketing.queries import (
    PromotionSales,
    PromotionView,
    ScopeChoices,
    promotion_sales,
    promotions,
    scope_choices,
    sku_choices,
)
from domain.models import Promotion, PromotionKind
from domain.security.actor import Actor
from domain.security.roles import Permission

PAGE_SIZE = 20
SKU_RESULTS = 50
ALL = "all"


def main() -> None:
    who = require_screen(Permission.MARKETING)
    st.header(t("promotions.header"))
    st.caption(t("promotions.caption"))
    show_flashes()
    choices = read(lambda s: scope_choices(s, viewer=who.actor))
    tabs = remembered_tabs("promotions", {"list": t("promotions.tab_list"), "new": t("promotions.tab_new")})
    with tabs["list"]:
        _list(who.actor, choices)
    with tabs["new"]:
        _new(who.actor, choices)


def _list(actor: Actor, choices: ScopeChoices) -> None:
    kind_col, state_col = st.columns(2)
    kind = kind_col.segmented_control(
        t("promotions.filter_kind"), [ALL, *PromotionKind], default=ALL, required=True,
        key=state.translated(state.PROMOTIONS_FILTER_KIND), on_change=back_to_first_page(state.PROMOTIONS_PAGE),
        format_func=lambda k: t("promotions.all") if k == ALL else label("promotion_kind", k))
    chosen_state = state_col.segmented_control(
        t("promotions.filter_state"), [ALL, *PromotionState], default=ALL, required=True,
        key=state.translated(state.PROMOTIONS_FILTER_STATE), on_change=back_to_first_page(state.PROMOTIONS_PAGE),
        format_func=lambda s: t("promotions.all") if s == ALL else label("promotion_state", s))
    wanted_kind, wanted_state = (None if kind == ALL else kind), (None if chosen_state == ALL else chosen_state)
    rows, total = read(lambda s: promotions(s, viewer=actor, kind=wanted_kind, state=wanted_state,
                                            page=page_of(state.PROMOTIONS_PAGE), page_size=PAGE_SIZE))
    st.caption(t("promotions.count", n=total))
    if not rows:
        st.info(t("promotions.empty"))
        return
    _table(rows)
    pager(state.PROMOTIONS_PAGE, total, PAGE_SIZE)
    by_id = {r.id: r for r in rows}
    chosen = select_record(t("promotions.select"), {
        r.id: f"{r.name} · {label('promotion_kind', r.kind)} · {label('promotion_state', r.state)}" for r in rows
    }, state.PROMOTIONS_SELECT)
    if chosen is not None:
        _detail(actor, by_id[chosen], choices)


def _content(r: PromotionView) -> str:
    if r.kind == PromotionKind.FULL_REDUCTION:
        return "，".join(r.tags)
    return t("promotions.n_skus", n=len(r.items), left=sum(i.remaining for i in r.items))


def _stacking(r: PromotionView) -> str:
    if r.kind == PromotionKind.FULL_REDUCTION:
        return t("promotions.stacks_coupon") if r.stack_with_coupon else t("promotions.no_coupon")
    return t("promotions.stacks_others") if r.stack_with_others else t("promotions.alone")


def _table(rows: list[PromotionView]) -> None:
    st.dataframe(pd.DataFrame([{
        "name": r.name, "kind": label("promotion_kind", r.kind), "state": label("promotion_state", r.state),
        "starts": local_time(r.starts_at), "ends": local_time(r.ends_at), "content": _content(r),
        "stacking": _stacking(r),
    } for r in rows]), hide_index=True, width="stretch", column_config={
        "name": t("promotions.col_name"), "kind": t("promotions.col_kind"), "state": t("promotions.col_state"),
        "starts": t("promotions.starts_at"), "ends": t("promotions.ends_at"), "content": t("promotions.col_content"),
        "stacking": t("promotions.col_stacking"),
    })


def _detail(actor: Actor, row: PromotionView, choices: ScopeChoices) -> None:
    place = state.promotion_form(row.id, "detail")
    with st.container(border=True):
        st.subheader(t("promotions.detail", name=plain(row.name), kind=label("promotion_kind", row.kind),
                       state=label("promotion_state", row.state)))
        st.caption(t("promotions.window", starts=local_time(row.starts_at), ends=local_time(row.ends_at),
                     content=_content(row), stacking=_stacking(row)))
        show_flashes(place)
        parts = {"sales": None, "edit": PromotionAction.EDIT, "stop": PromotionAction.STOP}
        tabs = remembered_tabs("promotions.detail", {
            name: t(f"promotions.tab_{name}") for name, action in parts.items() if action is None or action in row.actions
        })
        with tabs["sales"]:
            _sales(row, read(lambda s: promotion_sales(s, row.id, viewer=actor)))
        if "edit" in tabs:
            with tabs["edit"]:
                _edit(actor, row, choices)
        if "stop" in tabs:
            with tabs["stop"]:
                _stop(actor, row, place)
        if not row.actions:
            st.caption(t("promotions.no_actions"))


def _sales(row: PromotionView, sales: PromotionSales) -> None:
    figures = [("promotions.orders", sales.orders), ("promotions.buyers", sales.buyers),
               ("promotions.sales", money(sales.sales_fen)), ("promotions.off", money(sales.off_fen)),
               ("promotions.refunded", money(sales.refunded_fen)), ("promotions.pending", sales.pending_orders)]
    if row.kind == PromotionKind.TIME_LIMITED:
        figures.insert(2, ("promotions.units", sales.units))
    for start in range(0, len(figures), 4):  # rows of four: amounts need the room, seven in a row are cut short
        for column, (key, value) in zip(st.columns(4), figures[start:start + 4], strict=False):
            column.metric(t(key), value)
    st.caption(t("promotions.sales_help"))
    if row.kind != PromotionKind.TIME_LIMITED:
        return
    paid = {i.sku_id: i for i in sales.items}
    st.dataframe(pd.DataFrame([{
        t("promotions.col_product"): i.title, t("promotions.col_specs"): " / ".join(i.specs.values()) or t("sku.default"),
        t("promotions.col_price"): money(i.price_fen), t("promotions.col_promo"): money(i.promo_price_fen),
        t("promotions.col_activity_stock"): i.activity_stock, t("promotions.col_sold"): i.sold,
        t("promotions.col_remaining"): i.remaining, t("promotions.col_stock"): i.stock,
        t("promotions.col_paid_units"): paid[i.sku_id].units if i.sku_id in paid else 0,
        t("promotions.col_item_sales"): money(paid[i.sku_id].sales_fen if i.sku_id in paid else 0),
    } for i in row.items]), hide_index=True, width="stretch")


def _find_skus(actor: Actor, own_id: int | None, sold: dict[int, int]):
    def find(q: str, chosen: list[int]) -> SkuPicker:
        def load(session):
            found, _ = sku_choices(session, viewer=actor, q=q, page_size=SKU_RESULTS)
            held, _ = sku_choices(session, viewer=actor, sku_ids=chosen, page_size=len(chosen)) if chosen else ([], 0)
            return found, held

        found, held = read(load)
        return SkuPicker(found=found, chosen={c.sku_id: c for c in held}, sold=sold, own_id=own_id)

    return find


def _changes(current: PromotionInput, data: PromotionInput) -> dict:
    return {f.name: getattr(data, f.name) for f in fields(PromotionInput)
            if f.name != "kind" and getattr(data, f.name) != getattr(current, f.name)}


def _edit(actor: Actor, row: PromotionView, choices: ScopeChoices) -> None:
    form = state.promotion_form(row.id, "edit")
    show_flashes(form)
    current = read(lambda s: promotion_input(s.get(Promotion, row.id)))

    def save(data: PromotionInput) -> DomainError | None:
        changes = _changes(current, data)
        if not changes:
            return None
        _, refusal = attempt(lambda s: update_promotion(s, actor=actor, promotion_id=row.id, changes=changes))
        return refusal

    if promotion_form(form, current=current, choices=choices, submit_label=t("promotions.save"), save=save,
                      find_skus=_find_skus(actor, row.id, {i.sku_id: i.sold for i in row.items})):
        state.flash_at(form, t("promotions.saved", name=plain(row.name)))
        state.reset_form(form)
        st.rerun()


def _new(actor: Actor, choices: ScopeChoices) -> None:
    kind = st.segmented_control(t("promotions.new_kind"), list(PromotionKind), default=PromotionKind.FULL_REDUCTION,
                                required=True, key=state.translated(state.PROMOTIONS_NEW_KIND),
                                format_func=lambda k: label("promotion_kind", k))
    st.caption(t(f"promotions.new_help_{kind}"))
    form = state.promotion_new_form(kind)
    show_flashes(form)
    created: list[str] = []

    def save(data: PromotionInput) -> DomainError | None:
        name, refusal = attempt(lambda s: create_promotion(s, actor=actor, data=data).name)
        if name is not None:
            created.append(name)
        return refusal

    if promotion_form(form, current=new_promotion(kind), choices=choices, submit_label=t("promotions.create"),
                      save=save, find_skus=_find_skus(actor, None, {})):
        state.flash_at(form, t("promotions.created", name=plain(created[0])))
        state.reset_form(form)
        st.rerun()


def _stop(actor: Actor, row: PromotionView, place: str) -> None:
    form = state.promotion_form(row.id, "stop")
    key = partial(state.widget_key, form)
    st.caption(t("promotions.stop_help"))
    confirmed = st.checkbox(t("promotions.stop_confirm", name=plain(row.name)), key=key("confirm"))
    if st.button(t("promotions.stop"), key=key("submit"), disabled=not confirmed, icon=":material/block:") and perform(
        lambda s: stop_promotion(s, actor=actor, promotion_id=row.id),
        success=t("promotions.stopped", name=plain(row.name)), place=place,
    ) is not None:
        state.reset_form(form)
        st.rerun()


if __name__ == "__main__":
    main()
