"""Whole numbers in request bodies are JSON integers only: ``true``, ``2.0`` and ``"2"`` are refused with 422, so a
client's bug never becomes a price, a stock level, a rate or an amount (products, withdrawals, settings)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain.models import Product, Withdrawal
from domain.settings.errors import SettingsError
from tests.refusals import refused

NOT_INTEGERS = [True, 2.0, "2"]


def product_body(**sku) -> dict:
    return {"title": "严格整数杯", "skus": [{"price_fen": 1990, "stock": 5, **sku}]}


@pytest.mark.parametrize("bad", NOT_INTEGERS, ids=repr)
@pytest.mark.parametrize("where", ["price_fen", "stock", "sku_id", "sort", "category_id", "commission"])
def test_a_product_with_a_number_that_is_not_an_integer_is_refused(client, db, staff_headers, where, bad):
    h = staff_headers("operator")
    if where in ("price_fen", "stock"):
        body = product_body(**{where: bad})
    elif where == "sku_id":
        body = product_body(id=bad)
    elif where == "commission":
        body = {**product_body(), "commission_level1_bp": bad, "commission_level2_bp": 500}
    else:
        body = {**product_body(), where: bad}
    res = client.post("/api/v1/admin/products", headers=h, json=body)
    assert "需为整数" in refused("invalid_request", res, status=422)["message"]
    assert db.scalar(select(func.count()).select_from(Product)) == 0


@pytest.mark.parametrize("bad", NOT_INTEGERS, ids=repr)
def test_a_product_patch_takes_integers_only(client, db, staff_headers, bad):
    h = staff_headers("operator")
    pid = client.post("/api/v1/admin/products", headers=h, json=product_body()).json()["id"]
    for body in ({"sort": bad}, {"skus": [{"price_fen": bad, "stock": 1}]}, {"skus": [{"price_fen": 100, "stock": bad}]}):
        refused("invalid_request", client.patch(f"/api/v1/admin/products/{pid}", headers=h, json=body), status=422)
    ok = client.patch(f"/api/v1/admin/products/{pid}", headers=h, json={"sort": 2, "skus": [{"price_fen": 2, "stock": 2}]})
    assert ok.status_code == 200, ok.text
    assert (ok.json()["sort"], ok.json()["skus"][-1]["price_fen"], ok.json()["skus"][-1]["stock"]) == (2, 2, 2)


@pytest.mark.parametrize("bad", NOT_INTEGERS, ids=repr)
def test_a_withdrawal_amount_is_an_integer_number_of_fen(client, db, shopper, bad):
    h, _ = shopper("strict_withdrawer")
    res = client.post("/api/v1/distribution/withdrawals", headers=h, json={"amount_fen": bad, "method": "wechat"})
    assert "amount_fen" in refused("invalid_request", res, status=422)["message"]
    assert db.scalar(select(func.count()).select_from(Withdrawal)) == 0


@pytest.mark.parametrize("bad", NOT_INTEGERS, ids=repr)
@pytest.mark.parametrize("name", ["withdraw_min_fen", "commission_cap_bp", "withdraw_daily_count"])
def test_a_whole_number_setting_takes_a_json_integer_only(client, staff_headers, name, bad):
    owner = staff_headers("owner")
    before = client.get("/api/v1/admin/settings", headers=owner).json()
    res = client.put("/api/v1/admin/settings", headers=owner, json={name: bad})
    assert "需为整数" in refused(SettingsError.INVALID_SETTINGS, res, status=422)["message"]
    assert client.get("/api/v1/admin/settings", headers=owner).json() == before
