"""Answers the fuzz run (tests/fuzz) once found to be 500s, each pinned by a plain test."""

from __future__ import annotations

from tests.builders import make_category, make_product


def test_a_coupon_scope_that_leaves_a_list_out_leaves_it_empty(client, db, staff_headers):
    operator = staff_headers("operator")
    category, product = make_category(db), make_product(db)
    created = client.post("/api/v1/admin/coupons", headers=operator, json={
        "name": "满100减20", "kind": "fixed", "value_fen": 2000, "threshold_fen": 10000, "valid_days": 7,
        "total_quantity": 100, "per_user_limit": 1, "scope": {"category_ids": [category.id]}})
    assert created.status_code == 201, created.text
    coupon = created.json()["id"]
    only_products = client.patch(f"/api/v1/admin/coupons/{coupon}", headers=operator,
                                 json={"scope": {"product_ids": [product.id]}})
    assert only_products.status_code == 200, only_products.text
    assert only_products.json()["scope"] == {"product_ids": [product.id], "category_ids": []}
    all_goods = client.put(f"/api/v1/admin/coupons/{coupon}", headers=operator, json={"scope": {}})
    assert all_goods.status_code == 200, all_goods.text
    assert all_goods.json()["scope"] == {"product_ids": [], "category_ids": []}
