"""After-sale kinds, photos and returns; staff's changes to an order (receiver, merchant note), the packing list,
batch shipping from a spreadsheet and search — in exact fen and units."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from PIL import Image

from domain.errors import CommonError
from domain.media.errors import MediaError
from domain.models import Order, OrderStatus, RefundKind, RefundStatus, Sku
from domain.orders.actions import OrderEdit, RefundAction
from domain.orders.addresses import AddressInput
from domain.orders.batch_ship import ship_from_sheet
from domain.orders.errors import OrderError, RefundError
from domain.orders.lifecycle import change_receiver, set_merchant_note
from domain.orders.packing import packing_list
from domain.orders.queries import order_detail, order_list
from domain.orders.refund_queries import refund_detail, refund_list, refund_status_counts
from domain.orders.refunds import (
    RefundItem,
    approve_refund,
    confirm_return,
    reject_refund,
    request_refund,
    ship_return,
    upload_refund_photo,
)
from domain.security import crypto
from domain.security.actor import SYSTEM, Actor, Shopper
from domain.security.roles import Role
from domain.settings.service import update_settings
from domain.staff.work_queues import work_queues
from domain.users.errors import UserError
from domain.wechat import get_wechat
from tests.builders import make_address, make_product, make_user, pay, place, ship
from tests.refusals import refused

OPERATOR = Actor(staff_id=None, username="operator", role=Role.OPERATOR)
SUPPORT = Actor(staff_id=None, username="support", role=Role.SUPPORT)
RETURN_ADDRESS = "退货仓 王五 13700137000 浙江省杭州市余杭区文一西路 100 号"


def png_bytes(colour=(30, 120, 200), size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def buyer(db):
    return make_user(db, "售后买家")


@pytest.fixture
def shipped(db, buyer, sandbox_url):
    """Three units of one line at 33.33 each (9999 fen, free shipping), shipped, stock 10 → 7."""
    sku = make_product(db, title="保温杯", prices=(3333,), stock=10).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 3)]), sandbox_url)
    ship(db, order)
    return order


def _return_address(db, text=RETURN_ADDRESS):
    update_settings(db, {"return_address": text})


def _ask(db, buyer, order, quantity, *, kind=RefundKind.RETURN_AND_REFUND, photos=()):
    return request_refund(db, user=buyer, order_id=order.id, items=[RefundItem(order.lines[0].id, quantity)],
                          reason="杯盖漏水", kind=kind, photos=photos)


def _stock(db, order) -> int:
    db.expire_all()
    return db.get(Sku, order.lines[0].sku_id).stock


# --- kinds --------------------------------------------------------------------------------------------------

def test_a_return_is_offered_only_once_the_goods_have_left(db, buyer, sandbox_url):
    sku = make_product(db, prices=(5000,), stock=5).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    viewer = Shopper(buyer.id)
    assert order_detail(db, order.id, viewer=viewer).refund_kinds == (RefundKind.REFUND_ONLY,)
    with refused(RefundError.RETURN_NEEDS_SHIPMENT):
        _ask(db, buyer, order, 1)
    ship(db, order)
    assert order_detail(db, order.id, viewer=viewer).refund_kinds == (RefundKind.REFUND_ONLY,
                                                                       RefundKind.RETURN_AND_REFUND)
    with refused(RefundError.INVALID_REFUND_KIND):
        _ask(db, buyer, order, 1, kind="exchange")


def test_refund_only_on_a_shipped_order_pays_at_once_and_keeps_the_stock_off_the_shelf(db, buyer, shipped):
    r = _ask(db, buyer, shipped, 1, kind=RefundKind.REFUND_ONLY)
    r = approve_refund(db, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
    assert (r.kind, r.status, r.amount_fen) == (RefundKind.REFUND_ONLY, RefundStatus.REFUNDED, 3333)
    assert _stock(db, shipped) == 7


# --- the return flow ----------------------------------------------------------------------------------------

def test_a_return_waits_for_the_goods_then_refunds_and_restocks_when_staff_say_so(db, buyer, shipped):
    _return_address(db)
    r = _ask(db, buyer, shipped, 2)
    assert (r.kind, r.status, r.amount_fen) == (RefundKind.RETURN_AND_REFUND, RefundStatus.REQUESTED, 6666)

    r = approve_refund(db, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
    assert r.status == RefundStatus.AWAITING_RETURN and r.refunded_at is None
    db.refresh(shipped)
    assert shipped.refunded_fen == 0 and shipped.lines[0].refunded_quantity == 0
    mine = refund_detail(db, r.id, viewer=Shopper(buyer.id))
    assert mine.return_address == RETURN_ADDRESS
    assert mine.actions == (RefundAction.SHIP_RETURN,)
    assert refund_detail(db, r.id, viewer=SUPPORT).actions == (RefundAction.REJECT, RefundAction.CONFIRM_RETURN)

    assert work_queues(db).returns_to_receive == 0  # approved: nothing for staff until the parcel is sent
    ship_return(db, user=buyer, refund_id=r.id, carrier="中通快递", tracking_no=" ZT7788 ")
    ship_return(db, user=buyer, refund_id=r.id, carrier="中通快递", tracking_no="ZT778899")  # corrected
    assert (r.return_carrier, r.return_tracking_no) == ("中通快递", "ZT778899") and r.return_shipped_at
    assert work_queues(db).returns_to_receive == 1  # the overview's queue: a parcel to receive

    r = confirm_return(db, actor=SYSTEM, refund_id=r.id, restock=True, wechat=get_wechat())
    assert (r.status, r.amount_fen, r.restock_returned) == (RefundStatus.REFUNDED, 6666, True)
    assert r.goods_received_at is not None
    assert work_queues(db).returns_to_receive == 0
    db.refresh(shipped)
    assert (shipped.refunded_fen, shipped.lines[0].refunded_quantity, shipped.lines[0].refunded_fen) == (6666, 2, 6666)
    assert _stock(db, shipped) == 9
    done = refund_detail(db, r.id, viewer=Shopper(buyer.id))
    assert done.return_address == "" and done.actions == ()
    with refused(RefundError.NOT_AWAITING_RETURN):
        ship_return(db, user=buyer, refund_id=r.id, carrier="中通快递", tracking_no="ZT1")
    with refused(RefundError.REFUND_NOT_PENDING):
        confirm_return(db, actor=SYSTEM, refund_id=r.id, restock=True, wechat=get_wechat())


def test_a_return_received_damaged_refunds_without_restocking_and_the_last_unit_takes_what_is_left(
        db, buyer, shipped):
    _return_address(db)
    first = approve_refund(db, actor=SYSTEM, refund_id=_ask(db, buyer, shipped, 2).id, wechat=get_wechat())
    confirm_return(db, actor=SYSTEM, refund_id=first.id, restock=False, wechat=get_wechat())
    last = approve_refund(db, actor=SYSTEM, refund_id=_ask(db, buyer, shipped, 1).id, wechat=get_wechat())
    last = confirm_return(db, actor=SYSTEM, refund_id=last.id, restock=False, wechat=get_wechat())
    assert (first.amount_fen, last.amount_fen, last.restock_returned) == (6666, 3333, False)
    db.refresh(shipped)
    assert shipped.refunded_fen == 9999 == shipped.payable_fen
    assert shipped.status == OrderStatus.CLOSED
    assert _stock(db, shipped) == 7


def test_a_return_cannot_be_approved_without_a_return_address(db, buyer, shipped):
    r = _ask(db, buyer, shipped, 1)
    with refused(RefundError.RETURN_ADDRESS_MISSING):
        approve_refund(db, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
    assert refund_detail(db, r.id, viewer=SUPPORT).actions == (RefundAction.REJECT,)
    _return_address(db, "   ")
    with refused(RefundError.RETURN_ADDRESS_MISSING):
        approve_refund(db, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
    _return_address(db)
    assert approve_refund(db, actor=SYSTEM, refund_id=r.id, wechat=get_wechat()).status == RefundStatus.AWAITING_RETURN


def test_a_return_awaiting_the_goods_can_be_rejected_and_frees_its_units(db, buyer, shipped):
    _return_address(db)
    r = approve_refund(db, actor=SYSTEM, refund_id=_ask(db, buyer, shipped, 3).id, wechat=get_wechat())
    reject_refund(db, actor=SYSTEM, refund_id=r.id, reason="超过 7 天未寄回")
    assert r.status == RefundStatus.REJECTED
    again = _ask(db, buyer, shipped, 3)
    assert again.amount_fen == 9999


def test_only_the_buyer_ships_a_return_and_only_while_it_waits_for_the_goods(db, buyer, shipped):
    _return_address(db)
    r = _ask(db, buyer, shipped, 1)
    with refused(RefundError.NOT_AWAITING_RETURN):
        ship_return(db, user=buyer, refund_id=r.id, carrier="中通快递", tracking_no="ZT1")
    with refused(RefundError.REFUND_NOT_PENDING):
        confirm_return(db, actor=SYSTEM, refund_id=r.id, restock=True, wechat=get_wechat())
    approve_refund(db, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
    with refused(RefundError.REFUND_NOT_FOUND):
        ship_return(db, user=make_user(db), refund_id=r.id, carrier="中通快递", tracking_no="ZT1")
    with refused(OrderError.INVALID_TRACKING_NO):
        ship_return(db, user=buyer, refund_id=r.id, carrier="中通快递", tracking_no="单号?")
    with refused(OrderError.INVALID_CARRIER):
        ship_return(db, user=buyer, refund_id=r.id, carrier=" ", tracking_no="ZT1")
    with refused(CommonError.FORBIDDEN):
        confirm_return(db, actor=OPERATOR, refund_id=r.id, restock=True, wechat=get_wechat())


def test_a_wechat_failure_on_confirming_a_return_leaves_it_approved_for_a_retry(db, buyer, shipped, sandbox_url):
    import httpx

    _return_address(db)
    r = approve_refund(db, actor=SYSTEM, refund_id=_ask(db, buyer, shipped, 1).id, wechat=get_wechat())
    httpx.post(sandbox_url + "control/fail-next", json={"kind": "refund", "code": "SYSTEMERROR"})
    r = confirm_return(db, actor=SYSTEM, refund_id=r.id, restock=True, wechat=get_wechat())
    assert r.status == RefundStatus.APPROVED and r.failure and r.goods_received_at is not None
    assert refund_detail(db, r.id, viewer=SUPPORT).actions == (RefundAction.REJECT, RefundAction.RETRY)
    r = approve_refund(db, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
    assert (r.status, r.amount_fen) == (RefundStatus.REFUNDED, 3333)
    assert _stock(db, shipped) == 8  # the restock chosen on receipt holds through the retry


# --- photos -------------------------------------------------------------------------------------------------

def test_photos_are_checked_images_of_the_buyers_own_and_at_most_three(db, buyer, shipped):
    photos = [upload_refund_photo(user=buyer, data=png_bytes((i * 60, 10, 10))) for i in range(4)]
    assert all(p.startswith(f"/media/after-sale/{buyer.id}/") and p.endswith(".jpg") for p in photos)
    with refused(RefundError.TOO_MANY_PHOTOS):
        _ask(db, buyer, shipped, 1, photos=photos)
    other = upload_refund_photo(user=make_user(db), data=png_bytes())
    with refused(RefundError.INVALID_PHOTO):
        _ask(db, buyer, shipped, 1, photos=[photos[0], other])
    with refused(RefundError.INVALID_PHOTO):
        _ask(db, buyer, shipped, 1, photos=[f"/media/after-sale/{buyer.id}/../x.jpg"])
    with refused(MediaError.INVALID_IMAGE):
        upload_refund_photo(user=buyer, data=b"GIF89a not really")
    r = _ask(db, buyer, shipped, 1, photos=[photos[2], photos[0], photos[2]])
    assert r.photos == [photos[2], photos[0]]
    view = refund_detail(db, r.id, viewer=SUPPORT)
    assert [p.rsplit("/", 1)[1] for p in view.photos] == [photos[2].rsplit("/", 1)[1], photos[0].rsplit("/", 1)[1]]
    assert view.kind == RefundKind.RETURN_AND_REFUND


# --- staff's changes to an order ----------------------------------------------------------------------------

NEW_RECEIVER = AddressInput(name=" 李四 ", phone="139-0013-9000", province="上海市", city="上海市",
                            district="浦东新区", detail="世纪大道 100 号 ")


def test_the_receiver_changes_before_shipping_and_is_found_by_the_new_phone(db, buyer, sandbox_url):
    sku = make_product(db, stock=5).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    assert order_detail(db, order.id, viewer=OPERATOR).edits == (OrderEdit.EDIT_MERCHANT_NOTE, OrderEdit.CHANGE_ADDRESS)
    assert order_detail(db, order.id, viewer=SUPPORT).edits == ()
    change_receiver(db, actor=OPERATOR, order_id=order.id, receiver=NEW_RECEIVER)
    view = order_detail(db, order.id, viewer=OPERATOR)
    assert view.receiver_address.startswith("上海市上海市浦东新区")
    assert crypto.decrypt(order.receiver_name_enc) == "李四"
    assert crypto.decrypt(order.receiver_street_enc) == "世纪大道 100 号"
    found, total = order_list(db, viewer=OPERATOR, q="13900139000")
    assert total == 1 and found[0].id == order.id
    assert order_list(db, viewer=OPERATOR, q="13800138000")[1] == 0  # the old receiver's number no longer finds it
    with refused(CommonError.FORBIDDEN):
        change_receiver(db, actor=SUPPORT, order_id=order.id, receiver=NEW_RECEIVER)
    with refused(UserError.INVALID_PHONE):
        change_receiver(db, actor=OPERATOR, order_id=order.id, receiver=AddressInput(
            name="李四", phone="123", province="上海市", city="上海市", district="", detail="世纪大道 1 号"))
    ship(db, order)
    assert order_detail(db, order.id, viewer=OPERATOR).edits == (OrderEdit.EDIT_MERCHANT_NOTE,)
    with refused(OrderError.ADDRESS_LOCKED):
        change_receiver(db, actor=OPERATOR, order_id=order.id, receiver=NEW_RECEIVER)


def test_the_receiver_of_an_unpaid_order_is_the_buyers_to_change(db, buyer):
    order = place(db, buyer, [(make_product(db).skus[0].id, 1)])
    with refused(OrderError.ORDER_NOT_PAID):
        change_receiver(db, actor=OPERATOR, order_id=order.id, receiver=NEW_RECEIVER)


def test_the_merchant_note_is_staffs_own(db, buyer, shipped):
    set_merchant_note(db, actor=OPERATOR, order_id=shipped.id, note="  客户要求用纸箱  ")
    assert order_detail(db, shipped.id, viewer=SUPPORT).merchant_note == "客户要求用纸箱"
    assert order_detail(db, shipped.id, viewer=Shopper(buyer.id)).merchant_note == ""
    with refused(OrderError.INVALID_MERCHANT_NOTE):
        set_merchant_note(db, actor=OPERATOR, order_id=shipped.id, note="长" * 501)
    set_merchant_note(db, actor=OPERATOR, order_id=shipped.id, note="")
    assert db.get(Order, shipped.id).merchant_note == ""


def test_the_packing_list_keeps_the_chosen_order_and_leaves_out_refunded_units(db, buyer, sandbox_url):
    cup = make_product(db, title="保温杯", prices=(3333,), stock=10).skus[0]
    pen = make_product(db, title="钢笔", prices=(1500,), stock=10).skus[0]
    a = pay(db, place(db, buyer, [(cup.id, 3), (pen.id, 1)], address=make_address(db, buyer)), sandbox_url)
    b = pay(db, place(db, buyer, [(pen.id, 2)]), sandbox_url)
    pen_back = request_refund(db, user=buyer, order_id=a.id, items=[RefundItem(a.lines[1].id, 1)], reason="不要了")
    approve_refund(db, actor=SYSTEM, refund_id=pen_back.id, wechat=get_wechat())
    set_merchant_note(db, actor=OPERATOR, order_id=a.id, note="易碎")
    slips = packing_list(db, [b.id, a.id, b.id], viewer=OPERATOR)
    assert [s.order_no for s in slips] == [b.order_no, a.order_no]
    assert [(line.title, line.quantity) for line in slips[1].lines] == [("保温杯", 3)]
    assert (slips[1].receiver_name, slips[1].receiver_phone, slips[1].merchant_note) == ("张三", "13800138000", "易碎")
    assert slips[1].buyer_nickname == "售后买家"
    with refused(CommonError.FORBIDDEN):
        packing_list(db, [a.id], viewer=SUPPORT)


# --- batch shipping -----------------------------------------------------------------------------------------

def _sheet(rows, header=("订单号", "快递公司", "快递单号")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_batch_shipping_ships_the_good_rows_and_says_why_each_bad_row_was_not(db, buyer, sandbox_url):
    sku = make_product(db, stock=10).skus[0]
    a, b, c = (pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url) for _ in range(3))
    unpaid = place(db, buyer, [(sku.id, 1)])
    data = _sheet([(a.order_no, "顺丰速运", "SF100"), (), ("NO-SUCH", "顺丰速运", "SF101"),
                   (b.order_no, "顺丰速运", "单号?"), (unpaid.order_no, "中通快递", "ZT1"),
                   (c.order_no, "中通快递", 7788990011), (a.order_no, "顺丰速运", "SF102")])
    rows = ship_from_sheet(db, actor=OPERATOR, data=data, wechat=get_wechat())
    assert [(r.row, r.shipped, r.code) for r in rows] == [
        (2, True, ""), (4, False, OrderError.ORDER_NOT_FOUND), (5, False, OrderError.INVALID_TRACKING_NO),
        (6, False, OrderError.ORDER_NOT_PAID), (7, True, ""), (8, False, OrderError.ORDER_NOT_SHIPPABLE)]
    db.expire_all()
    assert [db.get(Order, o.id).status for o in (a, b, c)] == [OrderStatus.SHIPPED, OrderStatus.PAID,
                                                              OrderStatus.SHIPPED]
    assert db.get(Order, c.id).shipment.tracking_no == "7788990011"
    assert db.get(Order, a.id).shipment.tracking_no == "SF100"


def test_a_sheet_without_the_columns_or_not_a_sheet_is_refused_whole(db):
    with refused(OrderError.INVALID_SHEET):
        ship_from_sheet(db, actor=OPERATOR, data=b"order_no,carrier\n1,2", wechat=get_wechat())
    with refused(OrderError.INVALID_SHEET):
        ship_from_sheet(db, actor=OPERATOR, data=_sheet([("1", "2")], header=("订单号", "快递公司")),
                        wechat=get_wechat())
    for broken in (_zip({"hello.txt": "not a workbook"}), _zip({"[Content_Types].xml": "<Types><broken"}),
                   _sheet([])[:200]):
        with refused(OrderError.INVALID_SHEET):
            ship_from_sheet(db, actor=OPERATOR, data=broken, wechat=get_wechat())
    with refused(OrderError.SHEET_TOO_LARGE):
        ship_from_sheet(db, actor=OPERATOR, data=_sheet([(f"X{i}", "顺丰速运", "SF1") for i in range(501)]),
                        wechat=get_wechat())
    with refused(CommonError.FORBIDDEN):
        ship_from_sheet(db, actor=SUPPORT, data=_sheet([]), wechat=get_wechat())


# --- search and counts --------------------------------------------------------------------------------------

def test_orders_and_refunds_are_found_by_nickname_product_number_and_whole_phone(db, sandbox_url):
    mei = make_user(db, "小美")
    sku = make_product(db, title="竹编果篮", prices=(4200,), stock=10).skus[0]
    other = make_product(db, title="陶瓷碗", stock=10).skus[0]
    mine = pay(db, place(db, mei, [(sku.id, 1)], address=make_address(db, mei, phone="13512345678")), sandbox_url)
    theirs = pay(db, place(db, make_user(db, "阿强"), [(other.id, 1)]), sandbox_url)
    for q in ("小美", "果篮", mine.order_no[-6:], "135 1234 5678"):
        found, total = order_list(db, viewer=SUPPORT, q=q)
        assert (total, [v.id for v in found]) == (1, [mine.id]), q
    assert order_list(db, viewer=SUPPORT, q="1351234")[1] == 0  # part of a phone finds nothing
    assert order_list(db, viewer=SUPPORT, q="阿强")[0][0].id == theirs.id
    r = request_refund(db, user=mei, order_id=mine.id, items=[RefundItem(mine.lines[0].id, 1)], reason="太小")
    for q in ("小美", r.refund_no[-6:], mine.order_no, "13512345678"):
        found, total = refund_list(db, viewer=SUPPORT, q=q)
        assert (total, [v.id for v in found]) == (1, [r.id]), q
    assert refund_list(db, viewer=SUPPORT, q="阿强")[1] == 0
    counts = refund_status_counts(db, viewer=SUPPORT)
    assert counts == {RefundStatus.REQUESTED: 1, RefundStatus.AWAITING_RETURN: 0, RefundStatus.APPROVED: 0,
                      RefundStatus.REFUNDED: 0, RefundStatus.REJECTED: 0}
