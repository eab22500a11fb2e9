"""The catalog over HTTP: what staff set (original and cost prices, SKU images, rich text, shelf, copies) and
what shoppers get back (the struck-through price, the SKU image, the sanitised rich text — never the cost)."""

from __future__ import annotations

from domain.catalog.errors import CatalogError
from domain.config import get_config
from tests.refusals import refused

ADMIN = "/api/v1/admin/products"


def scarf(**overrides) -> dict:
    body = {
        "title": "羊毛围巾", "images": ["/media/products/scarf.jpg"],
        "detail_html": '<p>保暖<script>alert(1)</script></p><img src="/media/products/d1.jpg" onerror="x()">',
        "skus": [
            {"specs": {"颜色": "灰"}, "price_fen": 15900, "stock": 5, "original_price_fen": 29900,
             "cost_price_fen": 6000, "image": "/media/products/grey.jpg"},
            {"specs": {"颜色": "蓝"}, "price_fen": 16900, "stock": 5},
        ],
    }
    return body | overrides


def test_the_shopper_sees_the_struck_through_price_the_sku_image_and_clean_rich_text_but_never_the_cost(
        client, staff_headers):
    owner = staff_headers("operator")
    created = client.post(ADMIN, headers=owner, json=scarf())
    assert created.status_code == 201, created.text
    admin = created.json()
    assert [(s["original_price_fen"], s["cost_price_fen"], s["image"]) for s in admin["skus"]] == [
        (29900, 6000, "/media/products/grey.jpg"), (None, None, "")]
    assert admin["detail_html"] == '<p>保暖</p><img src="/media/products/d1.jpg">'

    base = get_config().public_url.rstrip("/")
    shown = client.get(f"/api/v1/products/{admin['id']}").json()
    assert [(s["price_fen"], s["original_price_fen"], s["image_url"]) for s in shown["skus"]] == [
        (15900, 29900, f"{base}/media/products/grey.jpg"), (16900, None, "")]
    assert "cost_price_fen" not in shown["skus"][0] and "cost" not in str(shown)
    assert shown["detail_html"] == (f'<p>保暖</p><img src="{base}/media/products/d1.jpg" '
                                    'style="max-width:100%;height:auto;display:block;">')
    # Every field the mini-program already read is still there.
    assert {"id", "title", "subtitle", "description", "images", "price_fen", "sales", "spec_names", "skus"} <= set(shown)
    [card] = client.get("/api/v1/products", params={"q": "羊毛围巾"}).json()["items"]
    assert (card["price_fen"], card["original_price_fen"]) == (15900, 29900)


def test_an_original_price_below_the_price_is_refused_naming_the_sku(client, staff_headers):
    owner = staff_headers("operator")
    body = scarf(skus=[{"specs": {}, "price_fen": 5000, "stock": 1, "original_price_fen": 4000}])
    error = refused(CatalogError.INVALID_ORIGINAL_PRICE, client.post(ADMIN, headers=owner, json=body), status=422)
    assert error["message"] == "原价不能低于售价"


def test_copy_and_batch_shelf_over_the_admin_api(client, staff_headers):
    owner = staff_headers("operator")
    pid = client.post(ADMIN, headers=owner, json=scarf()).json()["id"]
    copy = client.post(f"{ADMIN}/{pid}/copy", headers=owner)
    assert copy.status_code == 201, copy.text
    assert (copy.json()["title"], copy.json()["is_on_shelf"], [s["stock"] for s in copy.json()["skus"]]) == (
        "羊毛围巾（副本）", False, [0, 0])
    off = client.get(ADMIN, headers=owner, params={"is_on_shelf": False, "q": "羊毛围巾"}).json()
    assert [p["id"] for p in off["items"]] == [copy.json()["id"]]

    res = client.post(f"{ADMIN}/shelf", headers=owner, json={"product_ids": [pid, copy.json()["id"]],
                                                             "is_on_shelf": True})
    assert res.json() == {"changed": 1}
    refused(CatalogError.PRODUCT_NOT_FOUND, client.post(f"{ADMIN}/shelf", headers=owner, json={
        "product_ids": [pid, 2_000_000], "is_on_shelf": False}), status=404)
    assert client.get(f"{ADMIN}/{pid}", headers=owner).json()["is_on_shelf"] is True
    refused("forbidden", client.post(f"{ADMIN}/{pid}/copy", headers=staff_headers("support")), status=403)


def test_the_shop_list_takes_newest_first(client, staff_headers):
    owner = staff_headers("operator")
    first = client.post(ADMIN, headers=owner, json=scarf(title="新品测试一", sort=9)).json()["id"]
    second = client.post(ADMIN, headers=owner, json=scarf(title="新品测试二")).json()["id"]
    recommended = client.get("/api/v1/products", params={"q": "新品测试"}).json()["items"]
    newest = client.get("/api/v1/products", params={"q": "新品测试", "sort": "newest"}).json()["items"]
    assert [p["id"] for p in recommended] == [first, second]
    assert [p["id"] for p in newest] == [second, first]
