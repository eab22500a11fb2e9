"""The home page over HTTP: ``GET /home`` for anyone, the admin banners and notices for owner and operator, and the
product list's ``sort``."""

from __future__ import annotations

import pytest

from domain.catalog.queries import ProductSort
from domain.content.errors import ContentError
from domain.errors import CommonError
from domain.users.errors import UserError
from tests.builders import make_category, make_product
from tests.refusals import refused

BANNERS, NOTICES = "/api/v1/admin/home/banners", "/api/v1/admin/home/notices"
IMAGE = "/media/banners/spring.jpg"


@pytest.fixture
def operator(staff_headers):
    return staff_headers("operator")


def test_anyone_sees_the_switched_on_banners_and_notices_in_order(client, db, operator):
    tea = make_product(db, title="春茶")
    spring = client.post(BANNERS, headers=operator, json={"title": "春茶上新", "image_url": IMAGE,
                                                         "link_kind": "product", "link_id": tea.id})
    assert spring.status_code == 201, spring.text
    free = client.post(BANNERS, headers=operator, json={"title": "全场包邮", "image_url": IMAGE}).json()
    client.post(BANNERS, headers=operator, json={"title": "草稿", "image_url": IMAGE, "is_enabled": False})
    client.post(NOTICES, headers=operator, json={"text": "春节期间 2 月 1 日起暂停发货"})

    moved = client.post(f"{BANNERS}/{free['id']}/move", headers=operator, json={"offset": -1})
    assert [b["text"] for b in moved.json()] == ["全场包邮", "春茶上新", "草稿"]

    home = client.get("/api/v1/home")  # no token: the home page is public
    assert home.status_code == 200
    body = home.json()
    assert (body["shop_name"], body["service_phone"]) == ("优选生活馆", "400-800-1234")  # the default settings
    assert [(b["title"], b["link_kind"], b["link_id"], b["link_title"]) for b in body["banners"]] == [
        ("全场包邮", "none", None, ""), ("春茶上新", "product", tea.id, "春茶")]
    assert all(b["image_url"].startswith("http") and b["image_url"].endswith(IMAGE) for b in body["banners"])
    assert [n["text"] for n in body["notices"]] == ["春节期间 2 月 1 日起暂停发货"]


def test_switching_off_and_deleting(client, operator):
    banner = client.post(BANNERS, headers=operator, json={"title": "春茶上新", "image_url": IMAGE}).json()
    off = client.patch(f"{BANNERS}/{banner['id']}", headers=operator, json={"is_enabled": False})
    assert (off.status_code, off.json()["is_enabled"], off.json()["shown"]) == (200, False, False)
    assert client.get("/api/v1/home").json()["banners"] == []

    assert client.delete(f"{BANNERS}/{banner['id']}", headers=operator).status_code == 204
    refused(ContentError.BANNER_NOT_FOUND, client.delete(f"{BANNERS}/{banner['id']}", headers=operator), status=404)
    refused(ContentError.NOTICE_NOT_FOUND, client.patch(f"{NOTICES}/999", headers=operator, json={"text": "x"}),
            status=404)


def test_a_banner_linked_to_a_product_off_the_shelf_is_listed_for_staff_with_the_reason(client, db, operator):
    tea = make_product(db, title="春茶", is_on_shelf=False)
    client.post(BANNERS, headers=operator, json={"title": "春茶上新", "image_url": IMAGE, "link_kind": "product",
                                                 "link_id": tea.id})
    [listed] = client.get(BANNERS, headers=operator).json()
    assert (listed["link_state"], listed["shown"], listed["link_title"]) == ("off_shelf", False, "春茶")
    assert client.get("/api/v1/home").json()["banners"] == []


def test_refusals(client, db, operator, staff_headers):
    category = make_category(db)
    refused(CommonError.FORBIDDEN, client.get(BANNERS, headers=staff_headers("support")), status=403)
    refused(UserError.MISSING_TOKEN, client.get(BANNERS), status=401)
    refused(ContentError.LINK_TARGET_NOT_FOUND, client.post(BANNERS, headers=operator, json={
        "title": "春茶上新", "image_url": IMAGE, "link_kind": "category", "link_id": category.id + 1000}), status=404)
    refused(ContentError.INVALID_LINK, client.post(BANNERS, headers=operator, json={
        "title": "春茶上新", "image_url": IMAGE, "link_kind": "product"}), status=422)
    refused(ContentError.INVALID_IMAGE, client.post(BANNERS, headers=operator, json={
        "title": "春茶上新", "image_url": "ftp://x"}), status=422)
    refused("invalid_request", client.post(BANNERS, headers=operator, json={
        "title": "春茶上新", "image_url": IMAGE, "link_kind": "page"}), status=422)
    refused("invalid_request", client.post(NOTICES, headers=operator, json={"text": "x", "position": 1}), status=422)


@pytest.mark.parametrize(("sort", "titles"), [
    (None, ["后上架", "先上架"]),  # the shop's own order: staff's sort, then the newer first
    (ProductSort.SALES, ["先上架", "后上架"]),
    (ProductSort.PRICE_ASC, ["后上架", "先上架"]),
    (ProductSort.PRICE_DESC, ["先上架", "后上架"]),
    (ProductSort.NEWEST, ["后上架", "先上架"]),
])
def test_the_product_list_takes_a_sort(client, db, sort, titles):
    category = make_category(db)
    older = make_product(db, title="先上架", prices=(5000,), category_id=category.id)
    make_product(db, title="后上架", prices=(1000,), category_id=category.id)
    older.sales = 9
    db.flush()
    query = {"category_id": category.id} | ({"sort": sort.value} if sort else {})
    assert [p["title"] for p in client.get("/api/v1/products", params=query).json()["items"]] == titles


def test_an_unknown_sort_is_a_malformed_request(client):
    refused("invalid_request", client.get("/api/v1/products", params={"sort": "cheapest"}), status=422)
