"""Batch shipping from a spreadsheet: staff upload an .xlsx with one parcel per row (order number, carrier,
tracking number) and every row is shipped as ``ship_order`` ships one order, each in its own savepoint, so a bad row
is reported and never stops the others (docs/money-and-rules.md, "Batch shipping")."""

from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import DomainError, Invalid
from domain.models import Order
from domain.orders.actions import STAFF_PERMISSION, OrderAction
from domain.orders.errors import OrderError
from domain.orders.lifecycle import ship_order
from domain.security.actor import Actor
from domain.wechat.gateway import WeChatGateway

SHIP_PERMISSION = STAFF_PERMISSION[OrderAction.SHIP]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
# The header cells each column may carry, in Chinese or English, compared without spaces and case.
COLUMNS = {
    "order_no": ("订单号", "订单编号", "order_no", "orderno", "order"),
    "carrier": ("快递公司", "物流公司", "carrier", "express"),
    "tracking_no": ("快递单号", "运单号", "物流单号", "tracking_no", "trackingno", "tracking"),
}


@dataclass(frozen=True)
class ShipRow:
    row: int  # the row's number in the sheet, as the spreadsheet shows it (the header is row 1)
    order_no: str
    carrier: str
    tracking_no: str
    shipped: bool
    code: str = ""  # the refusal's code when not shipped (order_not_found, order_not_shippable, invalid_carrier …)
    message: str = ""


@dataclass(frozen=True)
class SheetRow:
    row: int
    order_no: str
    carrier: str
    tracking_no: str


def read_sheet(data: bytes) -> list[SheetRow]:
    """The parcels of the first sheet's rows below its header, blank rows skipped. ``invalid_sheet`` for anything
    that is not an .xlsx with the three columns; ``sheet_too_large`` past ``MAX_SHEET_BYTES`` or ``MAX_ROWS``."""
    if len(data) > MAX_SHEET_BYTES:
        raise Invalid(OrderError.SHEET_TOO_LARGE, "表格不能超过 2 MB")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # not a zip, not a workbook, or broken XML inside: whatever openpyxl trips on
        raise _not_a_sheet() from exc
    try:
        return _parcels(book)
    except Invalid:
        raise
    except Exception as exc:  # a sheet whose cells cannot be read
        raise _not_a_sheet() from exc
    finally:
        book.close()


def _not_a_sheet() -> Invalid:
    return Invalid(OrderError.INVALID_SHEET, "请上传 .xlsx 表格（订单号、快递公司、快递单号）")


def _parcels(book) -> list[SheetRow]:
    rows = book.worksheets[0].iter_rows(values_only=True) if book.worksheets else iter(())
    where = _columns(next(rows, None) or ())
    parcels: list[SheetRow] = []
    for number, cells in enumerate(rows, start=2):
        values = {name: _text(cells[i] if i < len(cells) else None) for name, i in where.items()}
        if not any(values.values()):
            continue
        if len(parcels) == MAX_ROWS:
            raise Invalid(OrderError.SHEET_TOO_LARGE, f"一次最多发货 {MAX_ROWS} 行")
        parcels.append(SheetRow(row=number, **values))
    return parcels


def _columns(header) -> dict[str, int]:
    names = [_text(cell).replace(" ", "").lower() for cell in header]
    where: dict[str, int] = {}
    for column, labels in COLUMNS.items():
        found = next((i for i, name in enumerate(names) if name in labels), None)
        if found is None:
            raise Invalid(OrderError.INVALID_SHEET, "表头需要包含：订单号、快递公司、快递单号", column=column)
        where[column] = found
    return where


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a tracking number typed as a number
    return str(value).strip()


def ship_from_sheet(session: Session, *, actor: Actor, data: bytes, wechat: WeChatGateway) -> list[ShipRow]:
    """Ship every row of the sheet; one result per row, in the sheet's order. A row naming an order twice ships it
    once (the second is refused as the order is no longer waiting to ship)."""
    actor.require(SHIP_PERMISSION)
    parcels = read_sheet(data)
    ids = dict(session.execute(select(Order.order_no, Order.id)
                               .where(Order.order_no.in_({p.order_no for p in parcels if p.order_no}))).all())
    results: list[ShipRow] = []
    for p in parcels:
        order_id = ids.get(p.order_no)
        if order_id is None:
            results.append(ShipRow(p.row, p.order_no, p.carrier, p.tracking_no, shipped=False,
                                   code=OrderError.ORDER_NOT_FOUND, message="订单不存在"))
            continue
        try:
            with session.begin_nested():
                ship_order(session, actor=actor, order_id=order_id, carrier=p.carrier, tracking_no=p.tracking_no,
                           wechat=wechat)
        except DomainError as refusal:
            results.append(ShipRow(p.row, p.order_no, p.carrier, p.tracking_no, shipped=False, code=refusal.code,
                                   message=refusal.message))
        else:
            results.append(ShipRow(p.row, p.order_no, p.carrier, p.tracking_no, shipped=True))
    return results


def sheet_template() -> bytes:
    """An empty sheet with the header row, for staff to fill in."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "发货"
    sheet.append(["订单号", "快递公司", "快递单号"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
