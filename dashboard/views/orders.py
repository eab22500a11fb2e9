"""订单: find orders, read one in full, and (operators) ship it, retry WeChat's upload, add tracking events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from dashboard import state
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
from dashboard.i18n import label, t
from domain.models import Order, OrderStatus, Shipment
from domain.orders import queries
from domain.orders.lifecycle import (
    add_tracking_event,
    retry_shipping_upload,
    ship_order,
)
from domain.orders.logistics import CARRIERS
from domain.orders.refunds import list_refunds
from domain.security import crypto
from domain.security.actor import Actor
from domain.security.roles import Permission, can
from domain.users.queries import nicknames
from domain.wechat import get_wechat

PAGE_SIZE = 20
OTHER_CARRIER = ""  # the "other" choice in the carrier list: the name is typed instead


@dataclass(frozen=True)
class OrderRow:
    id: int
    order_no: str
    created_at: datetime
    buyer: str
    lines: str
    payable_fen: int
    status: str
    open_refunds: int
    wechat_uploaded: bool | None  # None until shipped


@dataclass(frozen=True)
class LineView:
    title: str
    specs: str
    unit_price_fen: int
    quantity: int
    paid_fen: int
    refunded_quantity: int
    refunded_fen: int


@dataclass(frozen=True)
class RefundView:
    refund_no: str
    status: str
    amount_fen: int
    reason: str
    created_at: datetime
    failure: str
    reject_reason: str


@dataclass(frozen=True)
class OrderDetail:
    id: int
    order_no: str
    status: str
    buyer: str
    created_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    completed_at: datetime | None
    amounts: dict[str, int]  # i18n key → fen, in the order of the price breakdown
    receiver_name: str
    receiver_phone: str  # masked unless the role manages orders
    receiver_address: str
    remark: str
    transaction_id: str
    carrier: str
    tracking_no: str
    wechat_uploaded: bool | None
    wechat_error: str
    events: list[tuple[datetime, str]]  # newest first
    lines: list[LineView]
    refunds: list[RefundView]


def main() -> None:
    who = require_screen(Permission.ORDERS_READ)
    manage = can(who.role, Permission.ORDERS_MANAGE)
    st.header(t("orders.header"))
    show_flashes()

    counts = read(queries.status_counts)
    first_page = back_to_first_page(state.ORDERS_PAGE)
    status_col, days_col, no_col = st.columns([2, 2, 3])
    status = status_col.selectbox(
        t("orders.filter_status"), [None, *OrderStatus.ALL], key=state.ORDERS_FILTER_STATUS, on_change=first_page,
        format_func=lambda s: t("orders.all_statuses") if s is None else f"{label('order', s)} ({counts.get(s, 0)})",
    )
    with days_col:
        created_from, created_to = day_range(state.ORDERS_FILTER_DAYS, on_change=first_page)
    order_no = no_col.text_input(t("orders.filter_no"), key=state.ORDERS_FILTER_NO, on_change=first_page,
                                 placeholder=t("orders.filter_no_placeholder"))

    rows, total = read(lambda s: _order_page(s, status=status, order_no=order_no, created_from=created_from,
                                             created_to=created_to, page=page_of(state.ORDERS_PAGE)))
    st.caption(t("orders.count", n=total))
    if not rows:
        st.info(t("orders.empty"))
        return
    _order_table(rows)
    pager(state.ORDERS_PAGE, total, PAGE_SIZE)

    order_id = select_record(t("orders.select"), {
        r.id: f"{r.order_no} · {r.buyer} · {money(r.payable_fen)} · {label('order', r.status)}" for r in rows
    }, state.ORDERS_SELECT)
    detail = read(lambda s: _order_detail(s, order_id, full_phone=manage))
    _show_detail(detail)
    if manage:
        _manage(who.actor, detail)


def _order_page(session: Session, *, page: int, **filters) -> tuple[list[OrderRow], int]:
    orders, total = queries.list_orders(session, page=page, page_size=PAGE_SIZE, **filters)
    open_refunds = queries.open_refunds_by_order(session, [o.id for o in orders])
    buyers = nicknames(session, {o.user_id for o in orders})
    return [OrderRow(
        id=o.id, order_no=o.order_no, created_at=o.created_at, buyer=buyers.get(o.user_id, ""),
        lines="、".join(f"{line.title}×{line.quantity}" for line in o.lines), payable_fen=o.payable_fen,
        status=o.status, open_refunds=open_refunds.get(o.id, 0),
        wechat_uploaded=o.shipment.wechat_uploaded if o.shipment else None,
    ) for o in orders], total


def _order_detail(session: Session, order_id: int, *, full_phone: bool) -> OrderDetail:
    o: Order = queries.get_order(session, order_id)
    refunds, _ = list_refunds(session, order_id=o.id, page_size=100)
    phone = crypto.decrypt(o.receiver_phone_enc)
    shipment: Shipment | None = o.shipment
    return OrderDetail(
        id=o.id, order_no=o.order_no, status=o.status, buyer=nicknames(session, [o.user_id]).get(o.user_id, ""),
        created_at=o.created_at, paid_at=o.paid_at, shipped_at=o.shipped_at, completed_at=o.completed_at,
        amounts={
            "orders.goods": o.goods_fen, "orders.member_discount": -o.member_discount_fen,
            "orders.full_reduction": -o.full_reduction_fen, "orders.coupon": -o.coupon_discount_fen,
            "orders.shipping": o.shipping_fen, "orders.payable": o.payable_fen, "orders.refunded": -o.refunded_fen,
        },
        receiver_name=crypto.decrypt(o.receiver_name_enc), receiver_phone=phone if full_phone else crypto.mask_phone(phone),
        receiver_address=o.receiver_address, remark=o.remark,
        transaction_id=o.payment.transaction_id if o.payment else "",
        carrier=shipment.carrier if shipment else "", tracking_no=shipment.tracking_no if shipment else "",
        wechat_uploaded=shipment.wechat_uploaded if shipment else None,
        wechat_error=shipment.wechat_error if shipment else "",
        events=[(e.time, e.text) for e in shipment.events] if shipment else [],
        lines=[LineView(title=line.title, specs=" / ".join(line.specs.values()) or t("sku.default"),
                        unit_price_fen=line.unit_price_fen, quantity=line.quantity, paid_fen=line.paid_fen,
                        refunded_quantity=line.refunded_quantity, refunded_fen=line.refunded_fen)
               for line in o.lines],
        refunds=[RefundView(refund_no=r.refund_no, status=r.status, amount_fen=r.amount_fen, reason=r.reason,
                            created_at=r.created_at, failure=r.failure, reject_reason=r.reject_reason)
                 for r in refunds],
    )


def _order_table(rows: list[OrderRow]) -> None:
    table = pd.DataFrame([{
        "order_no": r.order_no, "time": local_time(r.created_at), "buyer": r.buyer, "lines": r.lines,
        "payable": money(r.payable_fen), "status": label("order", r.status),
        "refunds": t("orders.open_refunds", n=r.open_refunds) if r.open_refunds else "",
        "wechat": "" if r.wechat_uploaded is None else ("✓" if r.wechat_uploaded else t("orders.upload_failed_short")),
    } for r in rows])
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "order_no": t("orders.col_no"),
        "time": t("orders.col_time"),
        "buyer": t("orders.col_buyer"),
        "lines": st.column_config.TextColumn(t("orders.col_lines"), width="medium"),
        "payable": t("orders.col_payable"),
        "status": t("orders.col_status"),
        "refunds": t("orders.col_refunds"),
        "wechat": st.column_config.TextColumn(t("orders.col_wechat"), help=t("orders.col_wechat_help")),
    })


def _show_detail(d: OrderDetail) -> None:
    with st.container(border=True):
        st.subheader(t("orders.detail", no=d.order_no))
        st.caption(" · ".join(filter(None, [
            label("order", d.status), t("orders.buyer_is", name=d.buyer),
            t("orders.created_at", time=local_time(d.created_at)),
            d.paid_at and t("orders.paid_at", time=local_time(d.paid_at)),
            d.shipped_at and t("orders.shipped_at", time=local_time(d.shipped_at)),
            d.completed_at and t("orders.completed_at", time=local_time(d.completed_at)),
        ])))
        left, right = st.columns([3, 2])
        with left:
            st.dataframe(pd.DataFrame([{
                t("orders.line_title"): line.title, t("sku.specs"): line.specs,
                t("orders.line_unit_price"): money(line.unit_price_fen), t("orders.line_quantity"): line.quantity,
                t("orders.line_paid"): money(line.paid_fen),
                t("orders.line_refunded"): (f"{line.refunded_quantity} · {money(line.refunded_fen)}"
                                            if line.refunded_quantity else ""),
            } for line in d.lines]), hide_index=True, width="stretch")
            st.dataframe(pd.DataFrame(
                [{t("orders.amount_item"): t(k), t("orders.amount"): money(v)} for k, v in d.amounts.items()
                 if v or k in ("orders.goods", "orders.payable")]
            ), hide_index=True)
        with right:
            st.markdown(f"**{t('orders.receiver')}**  \n{d.receiver_name} · {d.receiver_phone}  \n{d.receiver_address}")
            if d.remark:
                st.markdown(f"**{t('orders.remark')}**  \n{d.remark}")
            if d.transaction_id:
                st.markdown(f"**{t('orders.transaction_id')}**  \n`{d.transaction_id}`")
            if d.carrier:
                st.markdown(f"**{t('orders.shipment')}**  \n{d.carrier} · `{d.tracking_no}`")
                if d.wechat_uploaded:
                    st.caption(t("orders.upload_ok"))
                else:
                    st.warning(t("orders.upload_failed", error=d.wechat_error or "—"), icon=":material/cloud_off:")
        if d.events:
            st.markdown(f"**{t('orders.timeline')}**")
            st.markdown("\n".join(f"- `{local_time(when)}` {text}" for when, text in d.events))
        if d.refunds:
            st.markdown(f"**{t('orders.refunds')}**")
            st.dataframe(pd.DataFrame([{
                t("refunds.col_no"): r.refund_no, t("refunds.col_time"): local_time(r.created_at),
                t("refunds.col_amount"): money(r.amount_fen), t("refunds.col_status"): label("refund", r.status),
                t("refunds.col_reason"): r.reason, t("refunds.col_note"): r.failure or r.reject_reason,
            } for r in d.refunds]), hide_index=True, width="stretch")


def _manage(actor: Actor, d: OrderDetail) -> None:
    if d.status == OrderStatus.PAID:
        _ship_form(actor, d)
    if d.carrier and not d.wechat_uploaded:
        if st.button(t("orders.retry_upload"), key=state.widget_key(state.ship_form(d.id), "retry"),
                     icon=":material/cloud_upload:"):
            shipment = perform(lambda s: retry_shipping_upload(s, actor=actor, order_id=d.id, wechat=get_wechat()))
            if shipment is not None:
                _flash_upload(shipment.wechat_uploaded, shipment.wechat_error)
                st.rerun()
    if d.status == OrderStatus.SHIPPED:
        _tracking_form(actor, d)


def _ship_form(actor: Actor, d: OrderDetail) -> None:
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


def _tracking_form(actor: Actor, d: OrderDetail) -> None:
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
        state.flash(t("orders.upload_failed", error=error or "—"), "warning")


if __name__ == "__main__":
    main()
