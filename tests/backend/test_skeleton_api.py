"""The walking skeleton over HTTP: login, me, binding, catalog, admin products and settings, errors."""

from __future__ import annotations

import httpx

from domain.catalog.errors import CatalogError
from domain.distribution.errors import DistributionError
from domain.errors import CommonError
from domain.settings.errors import SettingsError
from domain.users.errors import UserError
from domain.wechat.errors import WeChatError
from tests.builders import make_category, make_product
from tests.refusals import refused


def test_login_creates_the_user_once_through_the_sandbox(client):
    first = client.post("/api/v1/auth/login", json={"code": "sandbox-alice", "nickname": "爱丽丝"})
    assert first.status_code == 200, first.text
    again = client.post("/api/v1/auth/login", json={"code": "sandbox-alice"})
    assert first.json()["created"] is True and again.json()["created"] is False
    assert first.json()["user"]["id"] == again.json()["user"]["id"]
    assert len(first.json()["user"]["invite_code"]) == 8
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {again.json()['token']}"})
    assert me.status_code == 200
    body = me.json()
    assert body["nickname"] == "爱丽丝"
    assert body["member"] == {"level": 0, "name": "普通会员", "growth": 0, "discount_bp": 10000,
                              "next_level_growth": 1000} or body["member"]["discount_bp"] == 10000
    assert body["distributor"] == {"status": "none"}


def test_invalid_login_code_is_a_clear_4xx(client):
    res = client.post("/api/v1/auth/login", json={"code": "not-a-sandbox-code"})
    assert res.status_code == 422
    assert res.json()["error"]["code"] == WeChatError.INVALID_LOGIN_CODE


def test_login_with_invite_code_binds_and_reports_refusals(client, shopper):
    _, a = shopper("inviter_a")
    _, b = shopper("invitee_b", invite_code=a["user"]["invite_code"])
    assert b["binding"] == {"bound": True, "inviter_id": a["user"]["id"], "error": None}
    # A second login with another code keeps the first binding (first_touch) and says why.
    _, c = shopper("other_c")
    _, b2 = shopper("invitee_b", invite_code=c["user"]["invite_code"])
    assert b2["binding"]["bound"] is False
    assert b2["binding"]["error"]["code"] == DistributionError.ALREADY_BOUND
    assert b2["user"]["inviter_id"] == a["user"]["id"]


def test_bind_endpoint_refusals(client, shopper):
    ha, a = shopper("bind_a")
    hb, b = shopper("bind_b")
    ok = client.post("/api/v1/distribution/bind", json={"invite_code": a["user"]["invite_code"]}, headers=hb)
    assert ok.status_code == 200 and ok.json() == {"inviter_id": a["user"]["id"]}
    cycle = client.post("/api/v1/distribution/bind", json={"invite_code": b["user"]["invite_code"]}, headers=ha)
    refused(DistributionError.BINDING_CYCLE, cycle, status=409)
    itself = client.post("/api/v1/distribution/bind", json={"invite_code": a["user"]["invite_code"]}, headers=ha)
    refused(DistributionError.CANNOT_BIND_SELF, itself, status=409)
    again = client.post("/api/v1/distribution/bind", json={"invite_code": ha and "ZZZZ2345"}, headers=hb)
    refused(DistributionError.INVITE_CODE_NOT_FOUND, again, status=404)


def test_catalog_lists_searches_filters_and_pages(client, db):
    fruit, clothes = make_category(db, "水果"), make_category(db, "衣服")
    make_product(db, title="赣南脐橙", prices=(3990, 5990), category_id=fruit.id)
    make_product(db, title="纯棉T恤", prices=(7900,), category_id=clothes.id)
    make_product(db, title="下架的商品", is_on_shelf=False, category_id=fruit.id)
    cats = client.get("/api/v1/categories").json()
    assert {c["name"] for c in cats} >= {"水果", "衣服"}
    listed = client.get("/api/v1/products", params={"category_id": fruit.id}).json()
    assert listed["total"] == 1
    assert listed["items"][0]["title"] == "赣南脐橙" and listed["items"][0]["price_fen"] == 3990
    assert client.get("/api/v1/products", params={"q": "T恤"}).json()["items"][0]["title"] == "纯棉T恤"
    page = client.get("/api/v1/products", params={"page": 2, "page_size": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1


def test_product_detail_has_skus_and_hides_off_shelf(client, db):
    p = make_product(db, title="马克杯", prices=(4900, 5900))
    detail = client.get(f"/api/v1/products/{p.id}").json()
    assert [s["price_fen"] for s in detail["skus"]] == [4900, 5900]
    assert detail["spec_names"] == ["规格"] and detail["commission"] is None
    hidden = make_product(db, is_on_shelf=False)
    res = client.get(f"/api/v1/products/{hidden.id}")
    refused(CatalogError.PRODUCT_NOT_FOUND, res, status=404)


def test_admin_creates_and_updates_a_product_that_shoppers_then_see(client, staff_headers):
    h = staff_headers("operator")
    created = client.post("/api/v1/admin/products", headers=h, json={
        "title": "新品保温杯", "skus": [{"specs": {"颜色": "白"}, "price_fen": 8900, "stock": 10},
                                    {"specs": {"颜色": "黑"}, "price_fen": 9900, "stock": 5}]})
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    shown = client.get(f"/api/v1/products/{pid}").json()
    assert [(s["specs"]["颜色"], s["price_fen"], s["stock"]) for s in shown["skus"]] == [("白", 8900, 10), ("黑", 9900, 5)]
    white = created.json()["skus"][0]["id"]
    patched = client.patch(f"/api/v1/admin/products/{pid}", headers=h, json={
        "title": "新品保温杯 500ml", "skus": [{"id": white, "specs": {"颜色": "白"}, "price_fen": 7900, "stock": 12}]})
    assert patched.status_code == 200, patched.text
    shown = client.get(f"/api/v1/products/{pid}").json()
    assert shown["title"] == "新品保温杯 500ml"
    assert [(s["price_fen"], s["stock"]) for s in shown["skus"]] == [(7900, 12)]  # the black SKU was deactivated


def test_admin_roles_are_enforced(client, staff_headers):
    support = staff_headers("support")
    res = client.post("/api/v1/admin/products", headers=support, json={
        "title": "x", "skus": [{"price_fen": 100, "stock": 1}]})
    refused(CommonError.FORBIDDEN, res, status=403)
    assert client.get("/api/v1/admin/settings", headers=support).status_code == 403
    assert client.get("/api/v1/admin/settings").status_code == 401


def test_admin_settings_put_validates_with_the_domain_message(client, staff_headers):
    owner = staff_headers("owner")
    s = client.get("/api/v1/admin/settings", headers=owner).json()
    assert s["commission_level1_bp"] == 1000
    bad = client.put("/api/v1/admin/settings", headers=owner, json={"commission_level1_bp": 2800})
    assert "上限" in refused(SettingsError.COMMISSION_CAP_EXCEEDED, bad, status=422)["message"]
    ok = client.put("/api/v1/admin/settings", headers=owner, json={**s, "shipping_fee_fen": 600})
    assert ok.status_code == 200 and ok.json()["shipping_fee_fen"] == 600


def test_errors_are_4xx_with_the_error_body(client):
    for res, status, code in [
        (client.get("/api/v1/nowhere"), 404, CommonError.NOT_FOUND),
        (client.get("/api/v1/me"), 401, UserError.MISSING_TOKEN),
        (client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401, UserError.INVALID_TOKEN),
        (client.post("/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}), 422,
         "invalid_request"),
        (client.post("/api/v1/auth/login", json={"code": 12}), 422, "invalid_request"),
        (client.get("/api/v1/products", params={"page_size": 1000}), 422, "invalid_request"),
        (client.get("/api/v1/products/abc"), 422, "invalid_request"),
        (client.delete("/api/v1/categories"), 405, "method_not_allowed"),
    ]:
        assert res.status_code == status, (res.request.url, res.text)
        assert res.json()["error"]["code"] == code


def test_openapi_documents_the_contract(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/me", "/api/v1/distribution/bind", "/api/v1/products/{product_id}",
                 "/api/v1/admin/products", "/api/v1/admin/settings"):
        assert path in paths
    assert client.get("/docs").status_code == 200


def test_sandbox_draws_a_real_png_qr_code(sandbox_url):
    from domain.wechat import get_wechat

    png = get_wechat().wxa_code("i=ABCD2345", page="pages/index/index")
    assert png.startswith(b"\x89PNG") and len(png) > 500
    assert httpx.get(sandbox_url + "records", params={"kind": "wxacode"}).json()["items"][-1]["scene"] == "i=ABCD2345"


def test_out_of_range_ids_and_partial_sku_patches_are_4xx(client, staff_headers, shopper, db):
    h, _ = shopper("range_checker")
    for path in ("/api/v1/orders/99999999999999999999", "/api/v1/orders/9223372036854775808/logistics",
                 "/api/v1/products/0"):
        res = client.get(path, headers=h)
        assert res.status_code == 422 and res.json()["error"]["code"] == "invalid_request", path
    owner = staff_headers("owner")
    product = make_product(db, prices=(1000,))
    patched = client.patch(f"/api/v1/admin/products/{product.id}", headers=owner,
                           json={"skus": [{"price_fen": 1200, "stock": 3}], "title": "改名"})
    assert patched.status_code == 200 and [(s["price_fen"], s["specs"]) for s in patched.json()["skus"]
                                           if s["is_active"]] == [(1200, {})]
    assert client.patch(f"/api/v1/admin/products/{product.id}", headers=owner, json={"skus": None}).status_code == 200


def test_clearing_a_required_product_field_is_refused(client, staff_headers, db):
    owner = staff_headers("owner")
    product = make_product(db)
    db.commit()  # keep it when the refused request below rolls back
    res = client.patch(f"/api/v1/admin/products/{product.id}", headers=owner, json={"is_on_shelf": None, "images": None})
    refused(CatalogError.FIELD_REQUIRED, res, status=422)
    cleared = client.patch(f"/api/v1/admin/products/{product.id}", headers=owner, json={"category_id": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["category_id"] is None
