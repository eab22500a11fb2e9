"""订单: find orders (by number, buyer, product or whole phone), read one in full, and (operators) ship it, retry
WeChat's upload, add tracking events, keep a merchant note, change the receiver before shipping, print packing slips
and ship many orders at once from a spreadsheet."""

from __future__ import annotations

import html
from functools import partial

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components import export as exports
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.amounts import money
from dashboard.components.listing import (
    back_to_first_page,
    day_range,
    local_time,
    page_of,
    pager,
    select_record,
)
from dashboard.components.plain import plain
from dashboard.i18n import label, t
from domain.models import OrderStatus
from domain.orders import batch_ship, queries
from domain.orders.actions import OrderAction, OrderEdit
from domain.orders.addresses import AddressInput
from domain.orders.lifecycle import (
    MAX_MERCHANT_NOTE,
    add_tracking_event,
    change_receiver,
    retry_shipping_upload,
    set_merchant_note,
    ship_order,
)
from domain.orders.logistics import CARRIERS
from domain.orders.packing import MAX_PACKING_SLIPS, PackingSlip, packing_list
from domain.orders.queries import OrderView
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.wechat import get_wechat

PAGE_SIZE = 20
OTHER_CARRIER = ""  # the "other" choice in the carrier list: the name is typed instead


def main() -> None:
    who = require_screen(Permission.ORDERS_READ)
    st.header(t("orders.header"))
    show_flashes()

    # Read on every run, after whatever the run before did: the filter's counts follow each shipment at once.
    counts = read(lambda s: queries.order_status_counts(s, viewer=who.actor))
    first_page = back_to_first_page(state.ORDERS_PAGE)
    status_col, days_col, no_col = st.columns([2, 2, 3])
    status = status_col.selectbox(
        t("orders.filter_status"), [None, *OrderStatus.ALL], key=state.ORDERS_FILTER_STATUS, on_change=first_page,
        format_func=lambda s: t("orders.all_statuses") if s is None else f"{label('order', s)} ({counts.get(s, 0)})",
    )
    with days_col:
        created_from, created_to = day_range(state.ORDERS_FILTER_DAYS, on_change=first_page)
    search = no_col.text_input(t("orders.filter_no"), key=state.ORDERS_FILTER_NO, on_change=first_page,
                               max_chars=50, placeholder=t("orders.filter_no_placeholder"))

    ships = who.actor.can(Permission.ORDERS_MANAGE)
    if ships:
        _batch_ship(who.actor)
    rows, total = read(lambda s: queries.order_list(
        s, viewer=who.actor, status=status, q=search, created_from=created_from, created_to=created_to,
        page=page_of(state.ORDERS_PAGE), page_size=PAGE_SIZE))
    st.caption(t("orders.count", n=total))
    if not rows:
        st.info(t("orders.empty"))
        return
    _order_table(rows)
    pager(state.ORDERS_PAGE, total, PAGE_SIZE)
    exports.export_button(state.ORDERS_EXPORT, exports.orders(
        who.actor, status=status, q=search, created_from=created_from, created_to=created_to))
    if ships:
        _packing_list(who.actor, rows)

    order_id = select_record(t("orders.select"), {
        r.id: f"{r.order_no} · {r.buyer_nickname} · {money(r.payable_fen)} · {label('order', r.status)}" for r in rows
    }, state.ORDERS_SELECT)
    detail = read(lambda s: queries.order_detail(s, order_id, viewer=who.actor))
    _show_detail(detail)
    _actions(who.actor, detail)


def _order_table(rows: list[OrderView]) -> None:
    table = pd.DataFrame([{
        "order_no": r.order_no, "time": local_time(r.created_at), "buyer": r.buyer_nickname,
        "lines": "、".join(f"{line.title}×{line.quantity}" for line in r.lines),
        "payable": money(r.payable_fen), "status": label("order", r.status),
        "refunds": t("orders.open_refunds", n=r.open_refunds) if r.open_refunds else "",
        "note": r.merchant_note,
        "wechat": "" if r.shipment is None else ("✓" if r.shipment.wechat_uploaded else t("orders.upload_failed_short")),
    } for r in rows])
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "order_no": t("orders.col_no"),
        "time": t("orders.col_time"),
        "buyer": t("orders.col_buyer"),
        "lines": st.column_config.TextColumn(t("orders.col_lines"), width="medium"),
        "payable": t("orders.col_payable"),
        "status": t("orders.col_status"),
        "refunds": t("orders.col_refunds"),
        "note": st.column_config.TextColumn(t("orders.col_note"), width="small"),
        "wechat": st.column_config.TextColumn(t("orders.col_wechat"), help=t("orders.col_wechat_help")),
    })


def _amounts(d: OrderView) -> dict[str, int]:
    """i18n key → fen, in the order of the price breakdown; discounts and refunds count down."""
    return {
        "orders.goods": d.goods_fen, "orders.member_discount": -d.member_discount_fen,
        "orders.full_reduction": -d.full_reduction_fen, "orders.coupon": -d.coupon_discount_fen,
        "orders.shipping": d.shipping_fen, "orders.payable": d.payable_fen, "orders.refunded": -d.refunded_fen,
    }


def _show_detail(d: OrderView) -> None:
    with st.container(border=True):
        st.subheader(t("orders.detail", no=d.order_no))
        st.caption(" · ".join(filter(None, [
            label("order", d.status), t("orders.buyer_is", name=plain(d.buyer_nickname)),
            t("orders.created_at", time=local_time(d.created_at)),
            d.paid_at and t("orders.paid_at", time=local_time(d.paid_at)),
            d.shipped_at and t("orders.shipped_at", time=local_time(d.shipped_at)),
            d.completed_at and t("orders.completed_at", time=local_time(d.completed_at)),
        ])))
        left, right = st.columns([3, 2])
        with left:
            st.dataframe(pd.DataFrame([{
                t("orders.line_title"): line.title, t("sku.specs"): " / ".join(line.specs.values()) or t("sku.default"),
                t("orders.line_unit_price"): money(line.unit_price_fen), t("orders.line_quantity"): line.quantity,
                t("orders.line_paid"): money(line.paid_fen),
                t("orders.line_refunded"): (f"{line.refunded_quantity} · {money(line.refunded_fen)}"
                                            if line.refunded_quantity else ""),
            } for line in d.lines]), hide_index=True, width="stretch")
            st.dataframe(pd.DataFrame(
                [{t("orders.amount_item"): t(k), t("orders.amount"): money(v)} for k, v in _amounts(d).items()
                 if v or k in ("orders.goods", "orders.payable")]
            ), hide_index=True)
        with right:
            _receiver_and_shipment(d)
        if d.shipment and d.shipment.events:
            st.markdown(f"**{t('orders.timeline')}**")
            st.markdown("\n".join(f"- `{local_time(e.time)}` {plain(e.text)}" for e in d.shipment.events))
        if d.refunds:
            st.markdown(f"**{t('orders.refunds')}**")
            st.dataframe(pd.DataFrame([{
                t("refunds.col_no"): r.refund_no, t("refunds.col_time"): local_time(r.created_at),
                t("refunds.col_kind"): label("refund_kind", r.kind),
                t("refunds.col_amount"): money(r.amount_fen), t("refunds.col_status"): label("refund", r.status),
                t("refunds.col_reason"): r.reason, t("refunds.col_note"): r.failure or r.reject_reason,
            } for r in d.refunds]), hide_index=True, width="stretch")


def _receiver_and_shipment(d: OrderView) -> None:
    # The receiver's phone comes masked for staff who do not ship (the read model decides); it is digits and *,
    # so a code span shows it as is. What the shopper typed is shown as typed (docs/security.md, Text input).
    st.markdown(f"**{t('orders.receiver')}**  \n{plain(d.receiver_name)} · `{d.receiver_phone}`  \n"
                f"{plain(d.receiver_address)}")
    if d.remark:
        st.markdown(f"**{t('orders.remark')}**  \n{plain(d.remark)}")
    if d.merchant_note:
        st.markdown(f"**{t('orders.merchant_note')}**  \n{plain(d.merchant_note)}")
    if d.transaction_id:
        st.markdown(f"**{t('orders.transaction_id')}**  \n`{d.transaction_id}`")
    if d.shipment:
        st.markdown(f"**{t('orders.shipment')}**  \n{plain(d.shipment.carrier)} · `{d.shipment.tracking_no}`")
        if d.shipment.wechat_uploaded:
            st.caption(t("orders.upload_ok"))
        else:
            st.warning(t("orders.upload_failed", error=plain(d.shipment.wechat_error or "—")),
                       icon=":material/cloud_off:")


def _actions(actor: Actor, d: OrderView) -> None:
    """The buttons the domain offers this staff member for this order, and nothing else."""
    if OrderAction.SHIP in d.actions:
        _ship_form(actor, d)
    if OrderAction.RETRY_SHIPPING_UPLOAD in d.actions and st.button(
            t("orders.retry_upload"), key=state.widget_key(state.ship_form(d.id), "retry"),
            icon=":material/cloud_upload:"):
        shipment = perform(lambda s: retry_shipping_upload(s, actor=actor, order_id=d.id, wechat=get_wechat()))
        if shipment is not None:
            _flash_upload(shipment.wechat_uploaded, shipment.wechat_error)
            st.rerun()
    if OrderAction.ADD_TRACKING_EVENT in d.actions:
        _tracking_form(actor, d)
    if OrderEdit.CHANGE_ADDRESS in d.edits:
        _receiver_form(actor, d)
    if OrderEdit.EDIT_MERCHANT_NOTE in d.edits:
        _note_form(actor, d)


def _note_form(actor: Actor, d: OrderView) -> None:
    form = state.note_form(d.id)
    key = partial(state.widget_key, form)
    with st.form(key("form")):
        note = st.text_area(t("orders.merchant_note_edit"), value=d.merchant_note, key=key("note"),
                            max_chars=MAX_MERCHANT_NOTE, height=80, placeholder=t("orders.merchant_note_placeholder"))
        submitted = st.form_submit_button(t("orders.merchant_note_submit"), key=key("submit"))
    if submitted and perform(lambda s: set_merchant_note(s, actor=actor, order_id=d.id, note=note),
                             success=t("orders.merchant_note_saved")) is not None:
        state.reset_form(form)
        st.rerun()


def _receiver_form(actor: Actor, d: OrderView) -> None:
    """Before the parcel leaves: a new receiver, checked as the address book checks one. It starts from the
    receiver on the order, except what this staff member sees masked (typed afresh, never sent back masked)."""
    form = state.receiver_form(d.id)
    key = partial(state.widget_key, form)

    def clear(value: str) -> str:
        return "" if "*" in value else value

    province_now, city_now, district_now = d.receiver_region
    with st.expander(t("orders.change_receiver"), icon=":material/edit_location_alt:"), st.form(key("form")):
        name_col, phone_col = st.columns(2)
        name = name_col.text_input(t("orders.receiver_name"), value=clear(d.receiver_name), key=key("name"),
                                   max_chars=32)
        phone = phone_col.text_input(t("orders.receiver_phone"), value=clear(d.receiver_phone), key=key("phone"),
                                     max_chars=20)
        province_col, city_col, district_col = st.columns(3)
        province = province_col.text_input(t("orders.receiver_province"), value=province_now, key=key("province"),
                                           max_chars=32)
        city = city_col.text_input(t("orders.receiver_city"), value=city_now, key=key("city"), max_chars=32)
        district = district_col.text_input(t("orders.receiver_district"), value=district_now, key=key("district"),
                                           max_chars=32)
        detail = st.text_input(t("orders.receiver_detail"), value=clear(d.receiver_street), key=key("detail"),
                               max_chars=200)
        submitted = st.form_submit_button(t("orders.change_receiver_submit"), key=key("submit"))
    if not submitted:
        return
    receiver = AddressInput(name=name, phone=phone, province=province, city=city, district=district, detail=detail)
    if perform(lambda s: change_receiver(s, actor=actor, order_id=d.id, receiver=receiver),
               success=t("orders.receiver_changed", no=d.order_no)) is not None:
        state.reset_form(form)
        st.rerun()


def _batch_ship(actor: Actor) -> None:
    """An .xlsx of order number, carrier and tracking number: every row shipped or told why not, shown here."""
    form = state.ORDERS_BATCH_SHIP
    key = partial(state.widget_key, form)
    result: list[batch_ship.ShipRow] | None = st.session_state.get(f"{form}.result")
    with st.expander(t("orders.batch_ship"), icon=":material/upload_file:", expanded=result is not None):
        st.caption(t("orders.batch_ship_help"))
        st.download_button(t("orders.batch_ship_template"), batch_ship.sheet_template(), file_name="批量发货.xlsx",
                           mime=batch_ship.XLSX, key=f"{form}.template", icon=":material/download:")
        upload = st.file_uploader(t("orders.batch_ship_file"), type=["xlsx"], key=key("file"))
        if st.button(t("orders.batch_ship_submit"), key=key("submit"), type="primary", disabled=upload is None,
                     icon=":material/local_shipping:"):
            rows = perform(lambda s: batch_ship.ship_from_sheet(s, actor=actor, data=upload.getvalue(),
                                                                wechat=get_wechat()))
            if rows is not None:
                st.session_state[f"{form}.result"] = rows
                state.reset_form(form)
                st.rerun()
        if result is not None:
            shipped = sum(r.shipped for r in result)
            summary = t("orders.batch_ship_done", shipped=shipped, refused=len(result) - shipped)
            (st.warning if shipped < len(result) else st.success)(summary)
            if st.button(t("orders.batch_ship_clear"), key=f"{form}.clear", icon=":material/close:"):
                st.session_state.pop(f"{form}.result", None)
                st.rerun()
            st.dataframe(pd.DataFrame([{
                t("orders.batch_col_row"): r.row, t("orders.col_no"): r.order_no, t("orders.carrier"): r.carrier,
                t("orders.tracking_no"): r.tracking_no,
                t("orders.batch_col_result"): t("orders.batch_shipped") if r.shipped else r.message,
            } for r in result]), hide_index=True, width="stretch")


def _packing_list(actor: Actor, rows: list[OrderView]) -> None:
    """Packing slips of the chosen orders of this page, on screen and as a page to print."""
    with st.expander(t("orders.packing"), icon=":material/print:"):
        chosen = st.multiselect(t("orders.packing_choose"), [r.id for r in rows], key=state.ORDERS_PACKING,
                                max_selections=MAX_PACKING_SLIPS,
                                format_func={r.id: f"{r.order_no} · {r.buyer_nickname}" for r in rows}.get)
        if not chosen:
            return
        slips = read(lambda s: packing_list(s, chosen, viewer=actor))
        for slip in slips:
            with st.container(border=True):
                st.markdown(f"**{t('orders.detail', no=slip.order_no)}** · {plain(slip.buyer_nickname)}")
                st.markdown(f"{plain(slip.receiver_name)} · `{slip.receiver_phone}`  \n{plain(slip.receiver_address)}")
                st.markdown("\n".join(f"- {_packed(line)}" for line in slip.lines))
                if slip.remark:
                    st.markdown(f"{t('orders.remark')}：{plain(slip.remark)}")
                if slip.merchant_note:
                    st.markdown(f"{t('orders.merchant_note')}：{plain(slip.merchant_note)}")
        st.download_button(t("orders.packing_print"), _printable(slips), file_name="配货单.html", mime="text/html",
                           key=f"{state.ORDERS_PACKING}.print", icon=":material/print:")


def _packed(line) -> str:
    specs = " / ".join(line.specs.values())
    return f"{plain(line.title)}{f'（{plain(specs)}）' if specs else ''} × {line.quantity}"


def _printable(slips: list[PackingSlip]) -> str:
    """A page of slips that prints one per sheet; everything the shopper typed is escaped."""
    e = html.escape
    parts = []
    for slip in slips:
        lines = "".join(f"<tr><td>{e(line.title)}</td><td>{e(' / '.join(line.specs.values()))}</td>"
                        f"<td>{line.quantity}</td></tr>" for line in slip.lines)
        notes = "".join(f"<p>{e(head)}：{e(text)}</p>" for head, text in (
            (t("orders.remark"), slip.remark), (t("orders.merchant_note"), slip.merchant_note)) if text)
        parts.append(f"<section><h2>{e(t('orders.detail', no=slip.order_no))}</h2>"
                     f"<p>{e(slip.receiver_name)} {e(slip.receiver_phone)}<br>{e(slip.receiver_address)}</p>"
                     f"<table><tr><th>{e(t('orders.line_title'))}</th><th>{e(t('sku.specs'))}</th>"
                     f"<th>{e(t('orders.line_quantity'))}</th></tr>{lines}</table>{notes}</section>")
    style = ("body{font-family:sans-serif}section{page-break-after:always}table{border-collapse:collapse;width:100%}"
             "td,th{border:1px solid #999;padding:4px 8px;text-align:left}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{e(t('orders.packing'))}</title>"
            f"<style>{style}</style></head><body onload='window.print()'>{''.join(parts)}</body></html>")


def _ship_form(actor: Actor, d: OrderView) -> None:
    form = state.ship_form(d.id)
    key = partial(state.widget_key, form)
    with st.form(key("form")):
        st.markdown(f"**{t('orders.ship')}**")
        carrier_col, other_col, no_col = st.columns([2, 2, 3])
        carrier = carrier_col.selectbox(t("orders.carrier"), [*CARRIERS, OTHER_CARRIER], key=key("carrier"),
                                        format_func=lambda c: c or t("orders.carrier_other"))
        other = other_col.text_input(t("orders.carrier_other_name"), key=key("other"),
                                     placeholder=t("orders.carrier_other_placeholder"))
        tracking_no = no_col.text_input(t("orders.tracking_no"), key=key("tracking_no"))
        submitted = st.form_submit_button(t("orders.ship_submit"), type="primary", key=key("submit"),
                                          icon=":material/local_shipping:")
    if not submitted:
        return
    name = other if carrier == OTHER_CARRIER else carrier
    shipment = perform(lambda s: ship_order(s, actor=actor, order_id=d.id, carrier=name, tracking_no=tracking_no,
                                            wechat=get_wechat()))
    if shipment is not None:
        state.flash(t("orders.shipped", no=d.order_no))
        _flash_upload(shipment.wechat_uploaded, shipment.wechat_error)
        state.reset_form(form)
        st.rerun()


def _tracking_form(actor: Actor, d: OrderView) -> None:
    form = state.tracking_form(d.id)
    key = partial(state.widget_key, form)
    with st.form(key("form")):
        text = st.text_input(t("orders.event_text"), key=key("text"), max_chars=300,
                             placeholder=t("orders.event_placeholder"))
        submitted = st.form_submit_button(t("orders.event_submit"), key=key("submit"))
    if submitted and perform(lambda s: add_tracking_event(s, actor=actor, order_id=d.id, text=text),
                             success=t("orders.event_added")) is not None:
        state.reset_form(form)
        st.rerun()


def _flash_upload(uploaded: bool, error: str) -> None:
    if uploaded:
        state.flash(t("orders.upload_done"))
    else:
        state.flash(t("orders.upload_failed", error=plain(error or "—")), "warning")


if __name__ == "__main__":
    main()
