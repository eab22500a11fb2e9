"""The commission cap through the admin API: a product's own pair and the cap guard each other
(docs/money-and-rules.md, Rates and the cap)."""

from __future__ import annotations

from domain.settings.errors import SettingsError
from tests.refusals import refused


def product(title: str, level1_bp: int | None = None, level2_bp: int | None = None) -> dict:
    return {"title": title, "skus": [{"price_fen": 10000, "stock": 5}],
            "commission_level1_bp": level1_bp, "commission_level2_bp": level2_bp}


def test_lowering_the_cap_below_a_products_pair_is_refused_naming_it(client, staff_headers):
    owner = staff_headers("owner")
    tea = client.post("/api/v1/admin/products", headers=owner, json=product("春茶礼盒", 2000, 1000)).json()
    res = client.put("/api/v1/admin/settings", headers=owner, json={"commission_cap_bp": 1500})
    message = refused(SettingsError.COMMISSION_CAP_EXCEEDED, res, status=422)["message"]
    assert f"《春茶礼盒》(#{tea['id']}，30%)" in message
    assert client.get("/api/v1/admin/settings", headers=owner).json()["commission_cap_bp"] == 3000

    # Once the product's pair is within 15%, the cap can go down to it.
    fixed = client.patch(f"/api/v1/admin/products/{tea['id']}", headers=owner,
                         json={"commission_level1_bp": 1000, "commission_level2_bp": 500})
    assert fixed.status_code == 200, fixed.text
    lowered = client.put("/api/v1/admin/settings", headers=owner, json={"commission_cap_bp": 1500})
    assert lowered.status_code == 200 and lowered.json()["commission_cap_bp"] == 1500


def test_a_product_created_or_edited_above_the_cap_is_refused(client, staff_headers):
    owner = staff_headers("owner")
    assert client.put("/api/v1/admin/settings", headers=owner, json={"commission_cap_bp": 2000}).status_code == 200
    over = client.post("/api/v1/admin/products", headers=owner, json=product("高佣新品", 1500, 600))
    assert "超过上限 20%" in refused(SettingsError.COMMISSION_CAP_EXCEEDED, over, status=422)["message"]

    pid = client.post("/api/v1/admin/products", headers=owner, json=product("限佣商品", 1200, 800)).json()["id"]
    patched = client.patch(f"/api/v1/admin/products/{pid}", headers=owner, json={"commission_level1_bp": 1300})
    refused(SettingsError.COMMISSION_CAP_EXCEEDED, patched, status=422)
    shown = client.get(f"/api/v1/admin/products/{pid}", headers=owner).json()
    assert (shown["commission_level1_bp"], shown["commission_level2_bp"]) == (1200, 800)
