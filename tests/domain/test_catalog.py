"""The catalog staff build: SKUs from a spec matrix, original and cost prices, SKU images, the detail rich text,
copies, batch shelving, and the orders the shop list comes in."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domain import clock
from domain.catalog.errors import CatalogError
from domain.catalog.queries import ProductSort, list_products, product_view, staff_product_rows
from domain.catalog.rich_text import sanitize
from domain.catalog.service import (
    ProductInput,
    SkuInput,
    copy_product,
    create_product,
    get_product,
    set_on_shelf,
    update_product,
)
from domain.catalog.specs import SpecAxis, matrix_skus, spec_matrix
from domain.config import get_config
from domain.models import AuditEntry
from domain.security.actor import SYSTEM
from tests.builders import make_product
from tests.refusals import refused

COLOURS = SpecAxis("颜色", ("黑", "白"))
SIZES = SpecAxis("尺码", ("S", "M", "L"))
SIZE_PRICES = {"S": 9900, "M": 10900, "L": 11900}


def matrix_product(db, **fields):
    skus = matrix_skus([COLOURS, SIZES], [], limit=100,
                       make=lambda specs: SkuInput(specs=specs, price_fen=SIZE_PRICES[specs["尺码"]], stock=5))
    return create_product(db, actor=SYSTEM, data=ProductInput(title="纯棉T恤", skus=skus, **fields))


def test_two_colours_by_three_sizes_make_six_skus_with_their_prices(db):
    product = matrix_product(db)
    assert [(s.specs, s.price_fen, s.stock) for s in product.skus] == [
        ({"颜色": "黑", "尺码": "S"}, 9900, 5), ({"颜色": "黑", "尺码": "M"}, 10900, 5),
        ({"颜色": "黑", "尺码": "L"}, 11900, 5), ({"颜色": "白", "尺码": "S"}, 9900, 5),
        ({"颜色": "白", "尺码": "M"}, 10900, 5), ({"颜色": "白", "尺码": "L"}, 11900, 5),
    ]
    view = product_view(db, product.id, viewer=None)
    assert view.spec_names == ["颜色", "尺码"] and view.price_fen == 9900


def test_a_new_colour_adds_its_three_skus_and_keeps_the_six_with_their_ids_prices_and_stock(db):
    product = matrix_product(db)
    before = {tuple(s.specs.values()): (s.id, s.price_fen) for s in product.skus}
    existing = [SkuInput(id=s.id, specs=s.specs, price_fen=s.price_fen, stock=s.stock) for s in product.skus]
    existing[0].price_fen = 8800  # a price staff changed since
    regenerated = matrix_skus([SpecAxis("颜色", ("黑", "白", "红")), SIZES], existing, limit=100,
                              make=lambda specs: SkuInput(specs=specs, price_fen=12900, stock=0))
    saved = update_product(db, actor=SYSTEM, product_id=product.id, changes={"skus": regenerated})
    active = {tuple(s.specs.values()): (s.id, s.price_fen, s.stock) for s in saved.skus if s.is_active}
    assert len(active) == 9
    assert active[("黑", "S")] == (before[("黑", "S")][0], 8800, 5)
    assert active[("白", "L")] == (*before[("白", "L")], 5)
    assert [active[("红", size)][1:] for size in "SML"] == [(12900, 0)] * 3


def test_a_matrix_refuses_repeated_values_empty_specs_and_more_combinations_than_allowed(db):
    with refused(CatalogError.INVALID_SPEC):
        spec_matrix([SpecAxis("颜色", ("黑", "黑"))], limit=100)
    with refused(CatalogError.INVALID_SPEC):
        spec_matrix([SpecAxis("颜色", ())], limit=100)
    with refused(CatalogError.TOO_MANY_SKUS):
        spec_matrix([SpecAxis("A", tuple("abcdefghijk")), SpecAxis("B", tuple("abcdefghijk"))], limit=100)
    assert spec_matrix([], limit=100) == [{}]


def test_original_and_cost_prices_and_the_sku_image_are_kept_and_the_shopper_sees_only_the_struck_price(db):
    product = create_product(db, actor=SYSTEM, data=ProductInput(title="羊毛围巾", images=["/media/products/a.jpg"], skus=[
        SkuInput(specs={"颜色": "灰"}, price_fen=15900, stock=3, original_price_fen=29900, cost_price_fen=6000,
                 image="/media/products/grey.jpg"),
        SkuInput(specs={"颜色": "蓝"}, price_fen=15900, stock=3, original_price_fen=15900),
    ]))
    grey, blue = get_product(db, product.id).skus
    assert (grey.original_price_fen, grey.cost_price_fen, grey.image) == (29900, 6000, "/media/products/grey.jpg")
    view = product_view(db, product.id, viewer=None)
    base = get_config().public_url.rstrip("/")
    assert [(s.original_price_fen, s.image_url) for s in view.skus] == [
        (29900, f"{base}/media/products/grey.jpg"), (None, "")]  # equal to the price: nothing to strike through
    assert not hasattr(view.skus[0], "cost_price_fen")
    [card], _ = list_products(db, q="羊毛围巾")
    assert (card.price_fen, card.original_price_fen) == (15900, 29900)
    assert blue.original_price_fen == 15900


def test_every_bad_sku_value_is_refused_at_once_with_its_row_and_field(db):
    with refused(CatalogError.INVALID_ORIGINAL_PRICE) as info:
        create_product(db, actor=SYSTEM, data=ProductInput(title="错价", skus=[
            SkuInput(specs={"尺码": "S"}, price_fen=5000, stock=1, original_price_fen=4000),
            SkuInput(specs={"尺码": "M"}, price_fen=5000, stock=-5, cost_price_fen=-1),
            SkuInput(specs={"尺码": "L"}, price_fen=5000, stock=1, image="javascript:alert(1)"),
        ]))
    assert [(p["row"], p["field"], p["code"]) for p in info.value.details["problems"]] == [
        (1, "original_price_fen", CatalogError.INVALID_ORIGINAL_PRICE),
        (2, "cost_price_fen", CatalogError.INVALID_COST_PRICE),
        (2, "stock", CatalogError.INVALID_STOCK),
        (3, "image", CatalogError.INVALID_IMAGE),
    ]
    assert info.value.message.startswith("第 1 个规格：原价不能低于售价；第 2 个规格：成本价")


def test_the_rich_text_loses_scripts_event_handlers_and_foreign_images_when_saved(db):
    typed = ('<h2>产地直发</h2><p onclick="steal()">当季<script>alert(1)</script>现摘</p>'
             '<img src="/media/products/farm.jpg" onerror="alert(2)" width="750">'
             '<img src="http://evil.example/x.png"><img src="https://cdn.example.com/ok.png">'
             '<a href="javascript:alert(3)">看看</a><style>p{display:none}</style>')
    product = make_product(db, title="富文本", detail_html=typed)
    stored = get_product(db, product.id).detail_html
    assert stored == ('<h2>产地直发</h2><p>当季现摘</p><img src="/media/products/farm.jpg" width="750">'
                      '<img src="https://cdn.example.com/ok.png"><a>看看</a>')
    assert "script" not in stored and "onerror" not in stored and "onclick" not in stored
    shown = product_view(db, product.id, viewer=None).detail_html
    base = get_config().public_url.rstrip("/")
    assert f'<img src="{base}/media/products/farm.jpg" width="750" style="max-width:100%;height:auto;display:block;">' in shown


def test_sanitising_handles_entities_unclosed_tags_and_tricks_in_the_scheme():
    assert sanitize('<img src="java&#x09;script:alert(1)">') == ""
    assert sanitize('<img src="/media/../../etc/passwd">') == ""
    assert sanitize("<p><b>粗<i>斜</p>尾") == "<p><b>粗<i>斜</i></b></p>尾"
    assert sanitize("<p>&lt;script&gt;1 &amp; 2</p>") == "<p>&lt;script&gt;1 &amp; 2</p>"
    assert sanitize('<svg><script>alert(1)</script></svg><iframe src="https://x">x</iframe>好') == "好"


def test_a_copy_is_off_the_shelf_with_no_stock_or_sales_and_keeps_everything_else(db):
    source = matrix_product(db, images=["/media/products/t1.jpg", "/media/products/t2.jpg"], sort=7,
                            detail_html="<p>详情</p>", commission_level1_bp=1200, commission_level2_bp=600)
    source.sales = 30
    copy = copy_product(db, actor=SYSTEM, product_id=source.id)
    assert copy.id != source.id and copy.title == "纯棉T恤（副本）"
    assert (copy.is_on_shelf, copy.sales, copy.sort, copy.images, copy.detail_html) == (
        False, 0, 7, ["/media/products/t1.jpg", "/media/products/t2.jpg"], "<p>详情</p>")
    assert (copy.commission_level1_bp, copy.commission_level2_bp) == (1200, 600)
    assert [(s.specs, s.price_fen, s.stock) for s in copy.skus] == [(s.specs, s.price_fen, 0) for s in source.skus]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "product.copy"))
    assert (entry.entity_id, entry.before["source_id"]) == (str(copy.id), source.id)


def test_batch_shelving_changes_only_those_not_so_already_and_audits_each(db):
    on = make_product(db, title="在售A")
    off = make_product(db, title="下架B", is_on_shelf=False)
    also_off = make_product(db, title="下架C", is_on_shelf=False)
    assert set_on_shelf(db, actor=SYSTEM, product_ids=[on.id, off.id, also_off.id], on_shelf=True) == 2
    assert {p.title for p in (on, off, also_off) if get_product(db, p.id).is_on_shelf} == {"在售A", "下架B", "下架C"}
    assert set_on_shelf(db, actor=SYSTEM, product_ids=[on.id, off.id], on_shelf=False) == 2
    actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("product.%shelve"))
                              .order_by(AuditEntry.id)))
    assert actions == ["product.shelve", "product.shelve", "product.unshelve", "product.unshelve"]
    with refused(CatalogError.PRODUCT_NOT_FOUND, status=404):
        set_on_shelf(db, actor=SYSTEM, product_ids=[also_off.id, 987654], on_shelf=False)
    assert get_product(db, also_off.id).is_on_shelf is True
    with refused(CatalogError.NO_PRODUCTS_CHOSEN):
        set_on_shelf(db, actor=SYSTEM, product_ids=[], on_shelf=True)


def test_the_shop_list_comes_by_sort_value_then_newest_and_newest_first_when_asked(db):
    clock.freeze(clock.now())
    older = make_product(db, title="排序老品", sort=5)
    clock.advance(timedelta(minutes=1))
    newer = make_product(db, title="排序新品", sort=0)
    clock.advance(timedelta(minutes=1))
    newest = make_product(db, title="排序最新", sort=0)
    cards, _ = list_products(db, q="排序")
    assert [c.title for c in cards] == ["排序老品", "排序最新", "排序新品"]
    cards, _ = list_products(db, q="排序", sort=ProductSort.NEWEST)
    assert [c.id for c in cards] == [newest.id, newer.id, older.id]


def test_the_staff_list_filters_on_or_off_the_shelf(db):
    make_product(db, title="货架甲")
    make_product(db, title="货架乙", is_on_shelf=False)
    assert [r.title for r in staff_product_rows(db, q="货架", on_shelf=True)[0]] == ["货架甲"]
    assert [r.title for r in staff_product_rows(db, q="货架", on_shelf=False)[0]] == ["货架乙"]
    assert len(staff_product_rows(db, q="货架")[0]) == 2
