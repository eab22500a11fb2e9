"""The products screen: what staff type ends up in the catalog the mini-program reads."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from dashboard import state
from domain.catalog.service import get_product
from domain.db import unit_of_work
from domain.media import save_image
from domain.models import AuditEntry, Product
from domain.settings.service import update_settings
from tests.builders import make_category, make_product
from tests.dashboard.conftest import open_screen

PRODUCTS = "views/products.py"
NEW = state.PRODUCTS_NEW_FORM


def key(form: str, field: str, version: int = 0) -> str:
    return state.widget_key(form, field, version)


def editor_key(at, form: str) -> str:
    """The SKU editor's key (it also depends on the form's version and on the spec matrix's generations)."""
    [editor] = [e for e in at.data_editor if e.key.startswith(form + ".") and ".skus" in e.key]
    return editor.key


def png_bytes(colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def api():
    from backend.app import create_app

    with TestClient(create_app()) as client:
        yield client


@pytest.fixture
def products_screen(open_as):
    return open_as("operator", PRODUCTS)


def fill_new_product(at, *, title: str, axes: str, rows: list[dict], category_id: int | None = None):
    at.text_input(key=key(NEW, "axes")).set_value(axes).run()  # the spec names become the table's columns
    at.text_input(key=key(NEW, "title")).set_value(title)
    at.text_input(key=key(NEW, "subtitle")).set_value("测试副标题")
    if category_id is not None:
        at.selectbox(key=key(NEW, "category")).set_value(category_id)
    at.session_state[editor_key(at, NEW)] = {"edited_rows": {}, "added_rows": rows, "deleted_rows": [0]}
    return at


def products_titled(committed, title: str) -> list[Product]:
    with unit_of_work(committed) as session:
        return [get_product(session, p.id) for p in session.scalars(select(Product).where(Product.title == title))]


def test_creating_a_product_with_two_skus_shows_both_in_the_shopper_api(committed, products_screen, api):
    with unit_of_work(committed) as session:
        fruit = make_category(session, "水果").id
    at = open_screen(products_screen, PRODUCTS)
    fill_new_product(at, title="阳光玫瑰葡萄", axes="颜色", category_id=fruit, rows=[
        {"颜色": "绿", "price_yuan": "12.50", "stock": 5},
        {"颜色": "紫", "price_yuan": "13", "stock": 7},
    ])
    at.file_uploader(key=key(NEW, "uploads")).set_value(("grapes.png", png_bytes(), "image/png"))
    at.button(key=key(NEW, "submit")).click().run()

    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["商品“阳光玫瑰葡萄”已创建。"]
    [product] = products_titled(committed, "阳光玫瑰葡萄")
    body = api.get(f"/api/v1/products/{product.id}").json()
    assert body["category_name"] == "水果"
    assert [(s["specs"], s["price_fen"], s["stock"]) for s in body["skus"]] == [
        ({"颜色": "绿"}, 1250, 5),
        ({"颜色": "紫"}, 1300, 7),
    ]
    assert len(body["images"]) == 1 and body["images"][0].endswith(".jpg")
    assert api.get(urlsplit(body["images"][0]).path).headers["content-type"] == "image/jpeg"
    # The form starts afresh for the next product.
    assert at.text_input(key=key(NEW, "title", version=1)).value == ""


def test_typing_mistakes_in_the_sku_table_are_reported_by_row_and_nothing_is_created(committed, products_screen):
    at = fill_new_product(products_screen, title="错价商品", axes="尺码", rows=[
        {"尺码": "M", "price_yuan": "9.99", "stock": 1},
        {"尺码": "L", "price_yuan": "12.345", "stock": 1},
    ])
    at.button(key=key(NEW, "submit")).click().run()
    assert [e.value for e in at.error] == ["第 2 行：价格请填写金额（元），最多两位小数，如 39.90。"]
    assert products_titled(committed, "错价商品") == []


def test_per_product_commission_above_the_cap_is_refused_with_the_domain_message(committed, products_screen):
    at = fill_new_product(products_screen, title="高佣商品", axes="", rows=[{"price_yuan": "100", "stock": 1}])
    at.checkbox(key=key(NEW, "override")).check()
    at.text_input(key=key(NEW, "level1")).set_value("25")
    at.text_input(key=key(NEW, "level2")).set_value("10")
    at.button(key=key(NEW, "submit")).click().run()
    assert [e.value for e in at.error] == ["一级 + 二级佣金合计 35% 超过上限 30%"]
    assert products_titled(committed, "高佣商品") == []

    at.text_input(key=key(NEW, "level1")).set_value("12.5")
    at.text_input(key=key(NEW, "level2")).set_value("7.5")
    at.button(key=key(NEW, "submit")).click().run()
    [product] = products_titled(committed, "高佣商品")
    assert (product.commission_level1_bp, product.commission_level2_bp) == (1250, 750)



def test_editing_a_product_above_a_lowered_cap_is_refused_and_its_rates_stay(committed, products_screen):
    with unit_of_work(committed) as session:
        product_id = make_product(session, title="限佣商品", prices=(10000,), commission_level1_bp=1200,
                                  commission_level2_bp=800).id
        update_settings(session, {"commission_cap_bp": 2000})
    form = state.product_edit_form(product_id)
    at = open_screen(products_screen, PRODUCTS)
    at.text_input(key=key(form, "level1")).set_value("15")
    at.text_input(key=key(form, "level2")).set_value("6")
    at.button(key=key(form, "submit")).click().run()
    assert [e.value for e in at.error] == ["一级 + 二级佣金合计 21% 超过上限 20%"]
    with unit_of_work(committed) as session:
        saved = get_product(session, product_id)
        assert (saved.commission_level1_bp, saved.commission_level2_bp) == (1200, 800)

def test_editing_keeps_sales_made_meanwhile_and_stops_selling_removed_skus(committed, products_screen):
    with unit_of_work(committed) as session:
        photo = save_image(png_bytes((10, 120, 200)))
        product = make_product(session, title="双色杯", prices=(1000, 2000), stock=10, images=[photo])
        first, second = (s.id for s in product.skus)
        product_id = product.id
    form = state.product_edit_form(product_id)
    at = open_screen(products_screen, PRODUCTS)
    assert at.selectbox(key=state.PRODUCTS_EDIT_SELECT).value == product_id

    # While the form is open, an order takes 2 of the first SKU.
    with unit_of_work(committed) as session:
        get_product(session, product_id).skus[0].stock -= 2
    at.text_input(key=key(form, "title")).set_value("双色马克杯")
    at.multiselect(key=key(form, "remove_images")).select(0)
    at.session_state[editor_key(at, form)] = {
        "edited_rows": {0: {"price_yuan": "15.00", "stock": 14}},  # shown 10, typed 14: four more
        "added_rows": [{"规格": "款3", "price_yuan": "30", "stock": 3}],
        "deleted_rows": [1],
    }
    at.button(key=key(form, "submit")).click().run()

    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["商品“双色马克杯”已保存。"]
    with unit_of_work(committed) as session:
        saved = get_product(session, product_id)
        skus = {s.id: (s.specs, s.price_fen, s.stock, s.is_active) for s in saved.skus}
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.staff_id.is_not(None)).order_by(AuditEntry.id)))
    assert saved.title == "双色马克杯" and saved.images == []
    assert skus[first] == ({"规格": "款1"}, 1500, 12, True)  # 10 - 2 sold + 4 added
    assert skus[second][3] is False  # removed from the table: no longer sold, kept for old orders
    [new] = [v for k, v in skus.items() if k not in (first, second)]
    assert new == ({"规格": "款3"}, 3000, 3, True)
    assert actions == ["product.update", "sku.adjust_stock"]


def test_quick_stock_adjustment_is_relative_and_refuses_going_negative(committed, products_screen):
    with unit_of_work(committed) as session:
        product = make_product(session, title="库存调整", stock=10)
        product_id, sku_id = product.id, product.skus[0].id
    form = state.stock_adjust_form(product_id)
    at = open_screen(products_screen, PRODUCTS)
    at.number_input(key=key(form, "delta")).set_value(-3)
    at.text_input(key=key(form, "reason")).set_value("盘点损耗")
    at.button(key=key(form, "submit")).click().run()
    assert [s.value for s in at.success] == ["库存已调整：10 → 7。"]

    at.number_input(key=key(form, "delta", version=1)).set_value(-20)
    at.button(key=key(form, "submit", version=1)).click().run()
    assert [e.value for e in at.error] == ["调整后库存不能为负数"]
    with unit_of_work(committed) as session:
        assert get_product(session, product_id).skus[0].stock == 7
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "sku.adjust_stock"))
        assert (entry.entity_id, entry.before, entry.after["reason"]) == (str(sku_id), {"stock": 10}, "盘点损耗")


def test_list_searches_filters_by_category_and_flags_low_stock(committed, products_screen):
    with unit_of_work(committed) as session:
        tea, cups = make_category(session, "茶叶").id, make_category(session, "杯具").id
        make_product(session, title="西湖龙井", prices=(19900, 29900), stock=3, category_id=tea)
        make_product(session, title="玻璃茶杯", prices=(2900,), stock=50, category_id=cups)
        make_product(session, title="白瓷茶杯", prices=(3900,), stock=50, category_id=cups, is_on_shelf=False)
    at = open_screen(products_screen, PRODUCTS)
    assert at.warning[0].value == "有 2 个在售规格库存少于 10 件，请及时补货。"
    table = at.dataframe[0].value
    assert list(table["title"]) == ["白瓷茶杯", "玻璃茶杯", "西湖龙井"]
    assert list(table["price"]) == ["¥39.00", "¥29.00", "¥199.00 – ¥299.00"]
    assert list(table["status"]) == ["已下架", "在售", "在售"]
    assert list(table["low"]) == ["", "", "⚠ 2"]

    at.selectbox(key=state.PRODUCTS_FILTER_CATEGORY).set_value(cups).run()
    assert list(at.dataframe[0].value["title"]) == ["白瓷茶杯", "玻璃茶杯"]
    at.text_input(key=state.PRODUCTS_FILTER_Q).set_value("玻璃").run()
    assert list(at.dataframe[0].value["title"]) == ["玻璃茶杯"]


def test_creating_a_category_and_refusing_a_duplicate(committed, products_screen):
    form = state.PRODUCTS_CATEGORY_FORM
    at = products_screen
    at.text_input(key=key(form, "name")).set_value("数码配件")
    at.button(key=key(form, "submit")).click().run()
    assert [s.value for s in at.success] == ["分类“数码配件”已创建。"]
    at.text_input(key=key(form, "name", version=1)).set_value("数码配件")
    at.button(key=key(form, "submit", version=1)).click().run()
    assert [e.value for e in at.error] == ["分类“数码配件”已存在"]
    assert at.selectbox(key=state.PRODUCTS_FILTER_CATEGORY).options == ["全部分类", "数码配件"]


def test_long_lists_are_paged_and_a_new_search_starts_at_page_one(committed, products_screen):
    with unit_of_work(committed) as session:
        for n in range(1, 56):
            make_product(session, title=f"批量商品{n:02d}", stock=50)
    at = open_screen(products_screen, PRODUCTS)
    assert at.caption[0].value == "共 55 件商品（含已下架）"
    assert len(at.dataframe[0].value) == 50
    at.get("pagination")[0].set_value(2).run()
    assert list(at.dataframe[0].value["title"]) == [f"批量商品{n:02d}" for n in range(5, 0, -1)]
    at.text_input(key=state.PRODUCTS_FILTER_Q).set_value("批量商品1").run()
    assert len(at.dataframe[0].value) == 10  # 10–19, on page one again


def test_the_spec_matrix_makes_two_colours_by_three_sizes_into_six_skus_at_the_typed_price(committed, products_screen):
    at = products_screen
    at.text_input(key=key(NEW, "axes")).set_value("颜色，尺码").run()
    at.text_input(key=key(NEW, "matrix.颜色")).set_value("黑，白")
    at.text_input(key=key(NEW, "matrix.尺码")).set_value("S、M、L")
    at.text_input(key=key(NEW, "matrix.price")).set_value("99")
    at.number_input(key=key(NEW, "matrix.stock")).set_value(8)
    at.button(key=key(NEW, "matrix.generate")).click().run()
    assert "已生成 6 个规格，请在下方规格表中核对后保存。" in [s.value for s in at.success]
    at.text_input(key=key(NEW, "title")).set_value("矩阵T恤")
    # Staff then make the L sizes dearer in the generated table before saving.
    at.session_state[editor_key(at, NEW)] = {
        "edited_rows": {2: {"price_yuan": "109"}, 5: {"price_yuan": "109", "original_yuan": "159"}},
        "added_rows": [], "deleted_rows": []}
    at.button(key=key(NEW, "submit")).click().run()
    assert not at.error, [e.value for e in at.error]
    [product] = products_titled(committed, "矩阵T恤")
    assert [(s.specs, s.price_fen, s.original_price_fen, s.stock) for s in product.skus] == [
        ({"颜色": "黑", "尺码": "S"}, 9900, None, 8), ({"颜色": "黑", "尺码": "M"}, 9900, None, 8),
        ({"颜色": "黑", "尺码": "L"}, 10900, None, 8), ({"颜色": "白", "尺码": "S"}, 9900, None, 8),
        ({"颜色": "白", "尺码": "M"}, 9900, None, 8), ({"颜色": "白", "尺码": "L"}, 10900, 15900, 8),
    ]


def test_every_bad_cell_is_reported_at_once_and_marked_and_the_domains_refusals_too(committed, products_screen):
    at = fill_new_product(products_screen, title="多错商品", axes="尺码", rows=[
        {"尺码": "S", "price_yuan": "abc", "stock": "-5"},
        {"尺码": "M", "price_yuan": "10", "original_yuan": "1.234", "stock": "3"},
    ])
    at.button(key=key(NEW, "submit")).click().run()
    assert [e.value for e in at.error] == [
        "第 1 行：价格请填写金额（元），最多两位小数，如 39.90。", "第 1 行：库存请填写不小于 0 的整数。",
        "第 2 行：原价请填写金额（元），最多两位小数，或留空。"]
    marked = at.dataframe[-1]
    assert list(marked.value["价格（元）"]) == ["abc", "10"] and list(marked.value["库存"]) == ["-5", "3"]
    assert products_titled(committed, "多错商品") == []

    # Typed well, but the domain refuses an original price under the price: shown on its row and cell.
    at.session_state[editor_key(at, NEW)] = {"edited_rows": {}, "deleted_rows": [0], "added_rows": [
        {"尺码": "S", "price_yuan": "20", "stock": "1"},
        {"尺码": "M", "price_yuan": "10", "original_yuan": "8", "stock": "3"},
    ]}
    at.button(key=key(NEW, "submit")).click().run()
    assert [e.value for e in at.error] == ["第 2 行：原价不能低于售价"]
    assert products_titled(committed, "多错商品") == []


def test_batch_shelving_copying_and_the_shelf_filter(committed, products_screen):
    with unit_of_work(committed) as session:
        kettle = make_product(session, title="电水壶", stock=9).id
        lamp = make_product(session, title="台灯", stock=9, is_on_shelf=False).id
    at = open_screen(products_screen, PRODUCTS)
    at.multiselect(key=state.PRODUCTS_BATCH).select(kettle).select(lamp).run()
    at.button(key=state.PRODUCTS_BATCH_OFF).click().run()
    assert [s.value for s in at.success] == ["已下架 1 件商品（所选 2 件，其余原本就已下架）。"]
    assert list(at.dataframe[0].value["status"]) == ["已下架", "已下架"]

    at.selectbox(key=state.PRODUCTS_EDIT_SELECT).set_value(kettle).run()
    at.button(key=key(state.product_edit_form(kettle), "copy")).click().run()
    assert not at.exception, at.exception
    with unit_of_work(committed) as session:
        [copy] = [p for p in products_titled(committed, "电水壶（副本）")]
        assert (copy.is_on_shelf, [s.stock for s in copy.skus]) == (False, [0])
    assert at.selectbox(key=state.PRODUCTS_EDIT_SELECT).value == copy.id
    assert "已复制为“电水壶（副本）”：已下架、库存为 0，修改后再上架。" in [s.value for s in at.success]

    at.multiselect(key=state.PRODUCTS_BATCH).select(lamp).run()
    at.button(key=state.PRODUCTS_BATCH_ON).click().run()
    at.selectbox(key=state.PRODUCTS_FILTER_SHELF).set_value(True).run()
    assert list(at.dataframe[0].value["title"]) == ["台灯"]


def test_images_are_put_in_order_and_the_ticked_cover_goes_first(committed, products_screen):
    with unit_of_work(committed) as session:
        photos = [save_image(png_bytes(colour)) for colour in ((200, 0, 0), (0, 200, 0), (0, 0, 200))]
        product_id = make_product(session, title="三图商品", images=photos).id
    form = state.product_edit_form(product_id)
    at = open_screen(products_screen, PRODUCTS)
    [images] = [e for e in at.data_editor if e.key.endswith(".images")]
    at.session_state[images.key] = {"edited_rows": {0: {"position": 3, "cover": False}, 2: {"cover": True}},
                                    "added_rows": [], "deleted_rows": []}
    at.text_area(key=key(form, "detail_html")).set_value('<p>细节</p><img src="/media/x/../../a.jpg"><script>x</script>')
    at.button(key=key(form, "submit")).click().run()
    assert not at.error, [e.value for e in at.error]
    with unit_of_work(committed) as session:
        saved = get_product(session, product_id)
        assert saved.images == [photos[2], photos[1], photos[0]]  # the cover first, then by position
        assert saved.detail_html == "<p>细节</p>"
