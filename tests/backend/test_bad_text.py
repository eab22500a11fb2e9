"""Text with NUL, control characters or lone surrogates is refused with 422 invalid_text wherever it comes in —
never a 500, and nothing half-written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from domain.db import unit_of_work
from domain.errors import CommonError
from domain.models import Address, Category, Product
from tests.builders import make_product
from tests.refusals import refused

BAD = ["a\x00b", "回车\x1b[31m", "\x7f", "半个\ud800代理"]


def _raw_json(client, method: str, path: str, body: dict, headers: dict | None = None):
    """Send the body exactly (json.dumps keeps a lone surrogate as a \\ud800 escape, as a hostile client would)."""
    return client.request(method, path, content=json.dumps(body), headers={"content-type": "application/json",
                                                                            **(headers or {})})


@pytest.mark.parametrize("bad", BAD)
def test_bad_text_in_a_shopper_body_is_refused_and_nothing_is_written(client, shopper, db, bad):
    headers, _ = shopper("textguard")
    before = db.scalar(select(func.count()).select_from(Address))
    res = _raw_json(client, "POST", "/api/v1/addresses", {
        "name": "张三", "phone": "13800138000", "province": "广东省", "city": "深圳市", "district": "南山区",
        "detail": f"科技园{bad}", "is_default": True}, headers)
    refused(CommonError.INVALID_TEXT, res, status=422)
    assert db.scalar(select(func.count()).select_from(Address)) == before


@pytest.mark.parametrize("path, field", [
    ("/api/v1/auth/login", "code"),
    ("/api/v1/auth/login", "invite_code"),
    ("/api/v1/admin/auth/login", "username"),
])
def test_bad_text_in_logins_is_refused(client, path, field):
    body = {"code": "sandbox-x"} if path.endswith("/auth/login") and "admin" not in path else {
        "username": "owner", "password": "whatever-123"}
    body[field] = "x\x00y"
    refused(CommonError.INVALID_TEXT, _raw_json(client, "POST", path, body), status=422)


def test_bad_text_in_a_query_or_path_is_refused(client, shopper):
    headers, _ = shopper("textguard_q")
    refused(CommonError.INVALID_TEXT, client.get("/api/v1/products?q=%00"), status=422)
    refused(CommonError.INVALID_TEXT, client.get("/api/v1/products", params={"q": "口红\x01"}), status=422)
    refused(CommonError.INVALID_TEXT, client.get("/api/v1/orders/1%00", headers=headers), status=422)
    assert client.get("/api/v1/products", params={"q": "口红\n"}).status_code == 200  # newline is fine


def test_lone_surrogates_in_settings_and_sku_specs_are_refused(client, staff_headers, db):
    headers = staff_headers("owner")
    refused(CommonError.INVALID_TEXT,
            _raw_json(client, "PUT", "/api/v1/admin/settings", {"shop_name": "店\ud800"}, headers), status=422)
    before = db.scalar(select(func.count()).select_from(Product))
    res = _raw_json(client, "POST", "/api/v1/admin/products", {
        "title": "新品", "skus": [{"specs": {"颜色\udfff": "红"}, "price_fen": 100, "stock": 1}]}, headers)
    refused(CommonError.INVALID_TEXT, res, status=422)
    assert db.scalar(select(func.count()).select_from(Product)) == before


def test_newlines_and_tabs_are_ordinary_text(client, shopper):
    headers, _ = shopper("textguard_ok")
    res = _raw_json(client, "POST", "/api/v1/addresses", {
        "name": "张三", "phone": "13800138000", "province": "广东省", "city": "深圳市", "district": "南山区",
        "detail": "科技园\t1 栋", "is_default": True}, headers)
    assert res.status_code == 201, res.text


def test_the_database_layer_refuses_bad_text_from_any_front_end(committed):
    """The dashboard calls the domain directly: the bound-parameter check stops a NUL there too."""
    with unit_of_work(committed) as session:
        product = make_product(session, title="好商品")
    with refused(CommonError.INVALID_TEXT, status=422), unit_of_work(committed) as session:
        session.get(Product, product.id).title = "坏\x00标题"
        session.flush()
    with refused(CommonError.INVALID_TEXT), unit_of_work(committed) as session:
        session.get(Product, product.id).skus[0].specs = {"颜色": "红\ud800"}  # a JSON column
        session.flush()
    with refused(CommonError.INVALID_TEXT), unit_of_work(committed) as session:
        # Many rows in one statement (a batch of values, as SQLAlchemy sends an ORM insert of many objects), the
        # bad text in the last row only.
        session.add_all([Category(name=name) for name in ("一", "二", "三\x00")])
        session.flush()
    with unit_of_work(committed) as session:
        assert session.get(Product, product.id).title == "好商品"
        assert not session.scalar(select(func.count()).select_from(Category).where(Category.name.in_(["一", "二"])))


def test_malformed_requests_are_explained_in_chinese(client, shopper):
    headers, _ = shopper("chinese_422")
    res = client.post("/api/v1/orders/preview", json={"items": [{"sku_id": "x", "quantity": 0}], "bogus": 1},
                      headers=headers)
    message = refused("invalid_request", res, status=422)["message"]
    assert message.startswith("请求格式不正确：")
    assert "需为整数" in message and "不能小于 1" in message and "不认识的字段" in message
    assert not any(word in message for word in ("Input should", "Field required", "Extra inputs"))
    missing = client.post("/api/v1/auth/login", json={})
    assert "缺少必填项" in refused("invalid_request", missing, status=422)["message"]
