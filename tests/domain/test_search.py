"""Typed search text is matched literally: ``%``, ``_`` and ``\\`` match only themselves in every search outside
the orders area (products, distributors, commissions and their totals, the audit log)."""

from __future__ import annotations

import pytest

from domain.analytics.queries import commission_totals
from domain.audit.service import list_actions
from domain.catalog.queries import list_products, staff_product_rows
from domain.distribution.queries import list_commissions, list_distributors
from domain.search import escape_like
from domain.security.actor import Actor
from domain.security.roles import Role
from tests.builders import approve_distributor, make_product, make_user, pay, place

OWNER = Actor(staff_id=None, username="own", role=Role.OWNER)


def test_escape_like_escapes_the_escape_first():
    assert escape_like(r"50%_a\b") == r"50\%\_a\\b"


@pytest.mark.parametrize(("typed", "found"), [
    ("%", ["满50%返"]), ("50%", ["满50%返"]), ("_", ["a_b 杯"]), ("a_b", ["a_b 杯"]), ("\\", ["C:\\盘 收纳"]),
    ("50", ["满50%返", "满50返"]), ("A_B", ["a_b 杯"]),
])
def test_product_search_matches_wildcards_literally(db, typed, found):
    for title in ("满50%返", "满50返", "a_b 杯", "axb 杯", "C:\\盘 收纳", "C:盘 收纳"):
        make_product(db, title=title)
    cards, total = list_products(db, q=typed, page_size=50)
    assert sorted(c.title for c in cards) == sorted(found) and total == len(found)
    rows, total = staff_product_rows(db, q=typed, page_size=50)
    assert sorted(r.title for r in rows) == sorted(found) and total == len(found)


def test_distributor_search_matches_wildcards_literally(db):
    for name in ("好评100%", "好评1000", "小_王", "小李王"):
        approve_distributor(db, make_user(db, name))
    for typed, found in (("%", ["好评100%"]), ("_", ["小_王"]), ("小_", ["小_王"]), ("好评", ["好评1000", "好评100%"])):
        rows, total = list_distributors(db, viewer=OWNER, q=typed)
        assert sorted(r.nickname for r in rows) == sorted(found) and total == len(found), typed


def test_commission_search_by_order_number_matches_wildcards_literally(db, sandbox_url):
    a = make_user(db)
    b = make_user(db, inviter=a)
    approve_distributor(db, a)
    order = pay(db, place(db, b, [(make_product(db, prices=(10000,)).skus[0].id, 1)]), sandbox_url)
    for typed, n in ((order.order_no[2:8], 1), ("%", 0), ("_", 0), (order.order_no[:3] + "_", 0)):
        rows, total = list_commissions(db, viewer=OWNER, order_no=typed)
        assert (len(rows), total) == (n, n), typed
        assert commission_totals(db, order_no=typed).overall.records == n, typed


def test_audit_action_prefix_matches_wildcards_literally(db):
    make_product(db, title="审计商品")
    assert [e.action for e in list_actions(db, action_prefix="product.")[0]] == ["product.create"]
    for typed in ("%", "_roduct", "product%", "produc_"):
        assert list_actions(db, action_prefix=typed) == ([], 0), typed
