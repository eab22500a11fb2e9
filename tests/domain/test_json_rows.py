"""A query's rows as one JSON column of another statement (domain/json_rows.py), on whichever database the suite
uses: every row's columns in order, booleans and JSON columns as their values (true, not SQLite's 1), none as an empty list, and a
correlated query reading the enclosing row's own."""

from __future__ import annotations

from sqlalchemy import select, update

from domain.json_rows import json_rows, rows_json
from domain.models import Product, Sku
from tests.builders import make_product

_PRODUCTS, _SKUS = Product.__table__, Sku.__table__


def test_rows_come_back_with_their_values_and_none_as_an_empty_list(db):
    product = make_product(db, title="两个规格", prices=(1200, 3400), stock=7)
    db.commit()
    skus = (select(_SKUS.c.id, _SKUS.c.price_fen, _SKUS.c.specs, _SKUS.c.is_active)
            .where(_SKUS.c.product_id == product.id))
    text = db.scalar(select(rows_json(skus)))
    rows = sorted(json_rows(text), key=lambda row: row[0])
    assert [(row[1], row[2], row[3]) for row in rows] == [
        (sku.price_fen, sku.specs, True) for sku in sorted(product.skus, key=lambda sku: sku.id)]
    assert isinstance(rows[0][2], dict)  # a JSON column is its value, not its text
    assert all(row[3] is True for row in rows)  # a boolean is JSON's true on both databases, not SQLite's 1
    assert json_rows(db.scalar(select(rows_json(skus.where(_SKUS.c.price_fen > 10_000))))) == []


def test_a_correlated_query_reads_the_row_it_rides_on_even_in_returning(db):
    first, second = make_product(db, prices=(100, 200)), make_product(db, prices=(300,))
    db.commit()
    own_skus = rows_json(select(_SKUS.c.price_fen).where(_SKUS.c.product_id == _PRODUCTS.c.id).correlate(_PRODUCTS))
    listed = dict(db.execute(select(_PRODUCTS.c.id, own_skus).where(_PRODUCTS.c.id.in_([first.id, second.id]))).all())
    assert {pid: sorted(row[0] for row in json_rows(text)) for pid, text in listed.items()} == {
        first.id: [100, 200], second.id: [300]}
    # In an UPDATE's RETURNING too (SQLite names RETURNING's columns without their table: the subquery keeps its own).
    returned = db.execute(update(_PRODUCTS).where(_PRODUCTS.c.id == second.id).values(sales=_PRODUCTS.c.sales + 1)
                          .returning(_PRODUCTS.c.sales, own_skus)).one()
    assert (returned[0], json_rows(returned[1])) == (second.sales + 1, [[300]])
