"""The home page's content (首页装修): banners and notices that owner and operator edit, each change audited, and
what shoppers see of them; and the product list's sorts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain import clock
from domain.catalog.queries import ProductSort, list_products
from domain.catalog.service import update_product
from domain.content.errors import ContentError
from domain.content.queries import LinkState, home_view, link_choices, staff_banners, staff_notices
from domain.content.service import (
    BannerInput,
    NoticeInput,
    create_banner,
    create_notice,
    delete_banner,
    move_banner,
    move_notice,
    update_banner,
    update_notice,
)
from domain.errors import CommonError
from domain.models import AuditEntry, Banner
from domain.security.actor import SYSTEM, Actor
from domain.security.roles import Role
from tests.builders import make_category, make_product
from tests.refusals import refused
from tests.support import statements_sent

OWNER = Actor(staff_id=None, username="own", role=Role.OWNER)
OPERATOR = Actor(staff_id=None, username="ops", role=Role.OPERATOR)
SUPPORT = Actor(staff_id=None, username="sup", role=Role.SUPPORT)
IMAGE = "/media/banners/spring.jpg"


def banner(db, title: str, **fields) -> Banner:
    return create_banner(db, actor=OPERATOR, data=BannerInput(title=title, image_url=fields.pop("image_url", IMAGE),
                                                              **fields))


def audit(db, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_shoppers_see_switched_on_banners_in_the_order_staff_set_with_absolute_image_urls(db):
    tea = make_product(db, title="春茶")
    first = banner(db, "春茶上新", link_kind="product", link_id=tea.id)
    second = banner(db, "全场包邮", image_url="https://cdn.example.com/free.jpg")
    banner(db, "已停用", is_enabled=False)

    home = home_view(db)

    assert [(b.title, b.link_kind, b.link_id, b.link_title) for b in home.banners] == [
        ("春茶上新", "product", tea.id, "春茶"), ("全场包邮", "none", None, "")]
    assert home.banners[0].image_url.startswith("http") and home.banners[0].image_url.endswith(IMAGE)
    assert home.banners[1].image_url == "https://cdn.example.com/free.jpg"
    assert (first.position, second.position) == (0, 1)


def test_moving_a_banner_up_changes_the_carousel_order_and_is_audited(db):
    a, b, c = banner(db, "甲"), banner(db, "乙"), banner(db, "丙")

    order = move_banner(db, actor=OPERATOR, banner_id=c.id, offset=-1)

    assert [x.title for x in order] == ["甲", "丙", "乙"]
    assert [x.title for x in home_view(db).banners] == ["甲", "丙", "乙"]
    [moved] = audit(db, "banner.move")
    assert (moved.entity_id, moved.before, moved.after) == (str(c.id), {"position": 2}, {"position": 1})
    # Past either end it stops there; a move that changes nothing writes nothing.
    assert [x.title for x in move_banner(db, actor=OPERATOR, banner_id=a.id, offset=-5)] == ["甲", "丙", "乙"]
    assert [x.title for x in move_banner(db, actor=OPERATOR, banner_id=a.id, offset=9)] == ["丙", "乙", "甲"]
    assert len(audit(db, "banner.move")) == 2
    assert b.position == 1


def test_switching_a_banner_off_hides_it_and_the_log_holds_only_what_changed(db):
    spring = banner(db, "春茶上新")
    update_banner(db, actor=OPERATOR, banner_id=spring.id, changes={"is_enabled": False})

    assert home_view(db).banners == []
    [entry] = audit(db, "banner.update")
    assert (entry.actor, entry.before, entry.after) == ("ops", {"is_enabled": True}, {"is_enabled": False})
    [listed] = staff_banners(db, viewer=OWNER)
    assert (listed.is_enabled, listed.shown) == (False, False)


def test_a_banner_whose_product_leaves_the_shelf_is_hidden_and_staff_are_told_why(db):
    tea = make_product(db, title="春茶")
    banner(db, "春茶上新", link_kind="product", link_id=tea.id)
    update_product(db, actor=SYSTEM, product_id=tea.id, changes={"is_on_shelf": False})

    assert home_view(db).banners == []
    [listed] = staff_banners(db, viewer=OPERATOR)
    assert (listed.link_state, listed.shown, listed.link_title) == (LinkState.OFF_SHELF, False, "春茶")


def test_a_category_link_leads_to_that_category(db):
    fruit = make_category(db, "水果")
    banner(db, "水果节", link_kind="category", link_id=fruit.id)
    [shown] = home_view(db).banners
    assert (shown.link_kind, shown.link_id, shown.link_title) == ("category", fruit.id, "水果")
    assert link_choices(db).categories[fruit.id] == "水果"


def test_notices_are_shown_in_order_and_edited_like_banners(db):
    first = create_notice(db, actor=OWNER, data=NoticeInput(text="春节期间 2 月 1 日起暂停发货"))
    second = create_notice(db, actor=OWNER, data=NoticeInput(text="满 99 元包邮"))
    move_notice(db, actor=OWNER, notice_id=second.id, offset=-1)
    update_notice(db, actor=OWNER, notice_id=first.id, changes={"text": "春节期间 2 月 5 日起暂停发货"})

    assert [n.text for n in home_view(db).notices] == ["满 99 元包邮", "春节期间 2 月 5 日起暂停发货"]
    assert [n.text for n in staff_notices(db, viewer=OWNER)] == ["满 99 元包邮", "春节期间 2 月 5 日起暂停发货"]
    assert [e.action for e in db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "notice")
                                         .order_by(AuditEntry.id))] == [
        "notice.create", "notice.create", "notice.move", "notice.update"]


def test_deleting_a_banner_keeps_its_last_state_in_the_log(db):
    spring = banner(db, "春茶上新")
    delete_banner(db, actor=OPERATOR, banner_id=spring.id)
    assert db.get(Banner, spring.id) is None
    [entry] = audit(db, "banner.delete")
    assert entry.before["title"] == "春茶上新" and entry.after is None
    with refused(ContentError.BANNER_NOT_FOUND, status=404):
        delete_banner(db, actor=OPERATOR, banner_id=spring.id)


@pytest.mark.parametrize(("fields", "code"), [
    ({"title": " "}, ContentError.INVALID_TITLE),
    ({"title": "长" * 41}, ContentError.INVALID_TITLE),
    ({"image_url": ""}, ContentError.INVALID_IMAGE),
    ({"image_url": "javascript:alert(1)"}, ContentError.INVALID_IMAGE),
    ({"link_kind": "page"}, ContentError.INVALID_LINK),
    ({"link_kind": "product"}, ContentError.INVALID_LINK),
    ({"link_kind": "product", "link_id": 999_999}, ContentError.LINK_TARGET_NOT_FOUND),
    ({"link_kind": "category", "link_id": 999_999}, ContentError.LINK_TARGET_NOT_FOUND),
])
def test_a_banner_needs_a_title_a_picture_and_a_link_that_exists(db, fields, code):
    with refused(code):
        banner(db, fields.pop("title", "春茶上新"), **fields)
    assert db.scalar(select(Banner.id)) is None


def test_only_staff_with_marketing_edit_or_list_the_home_page(db):
    with refused(CommonError.FORBIDDEN, status=403):
        create_banner(db, actor=SUPPORT, data=BannerInput(title="春茶上新", image_url=IMAGE))
    spring = banner(db, "春茶上新")
    with refused(CommonError.FORBIDDEN):
        update_banner(db, actor=SUPPORT, banner_id=spring.id, changes={"is_enabled": False})
    with refused(CommonError.FORBIDDEN):
        staff_banners(db, viewer=SUPPORT)
    with refused(ContentError.UNKNOWN_FIELD):
        update_banner(db, actor=OWNER, banner_id=spring.id, changes={"position": 0})


def test_the_home_page_loads_in_the_same_number_of_queries_however_many_items(db):
    products = [make_product(db, title=f"商品{i}") for i in range(6)]
    category = make_category(db)
    banner(db, "一", link_kind="product", link_id=products[0].id)
    create_notice(db, actor=OWNER, data=NoticeInput(text="一", link_kind="category", link_id=category.id))
    db.flush()
    with statements_sent(db.get_bind().engine) as for_one:
        home_view(db)
    for p in products[1:]:
        banner(db, p.title, link_kind="product", link_id=p.id)
        create_notice(db, actor=OWNER, data=NoticeInput(text=p.title, link_kind="product", link_id=p.id))
    db.flush()
    with statements_sent(db.get_bind().engine) as for_many:
        home = home_view(db)
    assert (len(home.banners), len(home.notices)) == (6, 6)
    assert len(for_many) == len(for_one) == 5  # settings, banners, notices, their products, their categories


# --- the product list's sorts (the home page's 销量 / 价格 / 新品) -------------------------------------------

@pytest.fixture
def shelf(db):
    """Three products in their own category: older and cheap with many sales, newer and dear, newest and mid."""
    category = make_category(db)
    with clock.travel(-timedelta(days=3)):
        cheap = make_product(db, title="便宜", prices=(1990, 990), category_id=category.id)
    with clock.travel(-timedelta(days=1)):
        dear = make_product(db, title="贵", prices=(29900,), category_id=category.id)
    middle = make_product(db, title="中", prices=(9900,), category_id=category.id)
    cheap.sales, dear.sales, middle.sales = 300, 12, 45
    db.flush()
    return category.id


@pytest.mark.parametrize(("sort", "titles"), [
    (ProductSort.SALES, ["便宜", "中", "贵"]),
    (ProductSort.PRICE_ASC, ["便宜", "中", "贵"]),  # by the lowest SKU price: ¥9.90, ¥99.00, ¥299.00
    (ProductSort.PRICE_DESC, ["贵", "中", "便宜"]),
    (ProductSort.NEWEST, ["中", "贵", "便宜"]),
])
def test_the_product_list_sorts_by_sales_price_either_way_or_newest(db, shelf, sort, titles):
    cards, total = list_products(db, category_id=shelf, sort=sort)
    assert ([c.title for c in cards], total) == (titles, 3)


def test_a_sorted_list_pages_without_repeating_or_losing_a_product(db, shelf):
    first, _ = list_products(db, category_id=shelf, sort=ProductSort.PRICE_ASC, page_size=2)
    second, _ = list_products(db, category_id=shelf, sort=ProductSort.PRICE_ASC, page=2, page_size=2)
    assert [c.title for c in first + second] == ["便宜", "中", "贵"]
    assert [c.price_fen for c in first + second] == [990, 9900, 29900]
