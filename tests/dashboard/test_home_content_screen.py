"""首页装修: an operator adds banners and a notice, reorders them and switches one off; every click is audited,
and the home page shoppers get follows."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from dashboard import state
from domain.content.queries import home_view
from domain.db import unit_of_work
from domain.models import AuditEntry, Banner, Notice
from tests.builders import make_category, make_product
from tests.dashboard.conftest import texts

HOME_CONTENT = "views/home_content.py"
NEW_BANNER, NEW_NOTICE = state.HOME_CONTENT_NEW_BANNER, state.HOME_CONTENT_NEW_NOTICE


def key(form: str, field: str, version: int = 0) -> str:
    return state.widget_key(form, field, version)


def banner_key(banner_id: int, field: str, version: int = 0) -> str:
    return key(state.home_item_form("banner", banner_id), field, version)


def png_bytes(size=(750, 300), colour=(242, 39, 12)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def shop(committed):
    with unit_of_work(committed) as session:
        tea = make_product(session, title="明前龙井 春茶")
        fruit = make_category(session, "水果")
        return {"tea": tea.id, "fruit": fruit.id}


def add_banner(at, title: str, *, version: int, link: tuple[str, int] | None = None):
    at.text_input(key=key(NEW_BANNER, "text", version)).set_value(title)
    at.file_uploader(key=key(NEW_BANNER, "image", version)).set_value((f"{title}.png", png_bytes(), "image/png"))
    if link:
        at.selectbox(key=key(NEW_BANNER, "link_kind", version)).set_value(link[0]).run()
        at.selectbox(key=key(NEW_BANNER, "link_id", version)).set_value(link[1])
    return at.button(key=key(NEW_BANNER, "submit", version)).click().run()


def banners(committed) -> list[tuple[str, bool, str, int | None]]:
    with unit_of_work(committed) as session:
        return [(b.title, b.is_enabled, b.link_kind, b.link_id)
                for b in session.scalars(select(Banner).order_by(Banner.position, Banner.id))]


def audit(committed) -> list[tuple[str, str, dict | None, dict | None]]:
    with unit_of_work(committed) as session:
        return [(e.action, e.actor, e.before, e.after)
                for e in session.scalars(select(AuditEntry).where(AuditEntry.entity_type.in_(("banner", "notice")))
                                         .order_by(AuditEntry.id))]


def test_an_operator_creates_reorders_and_switches_off_banners_and_each_click_is_audited(committed, shop, open_as):
    at = open_as("operator", HOME_CONTENT)
    assert [h.value for h in at.header] == ["首页装修"]
    assert texts(at, "caption")[1] == "顾客现在看到 0 张，共 0 张；按此顺序轮播。"

    at = add_banner(at, "春茶上新", version=0, link=("product", shop["tea"]))
    assert not at.exception, at.exception
    assert texts(at, "success") == ["已添加“春茶上新”，排在最后。"]
    at = add_banner(at, "水果节", version=1, link=("category", shop["fruit"]))
    assert banners(committed) == [("春茶上新", True, "product", shop["tea"]), ("水果节", True, "category", shop["fruit"])]
    [tea_id, fruit_id] = [b.id for b in _rows(committed)]
    assert _image_of(committed, tea_id).startswith("/media/banners/")
    assert "显示中 · 点击跳转到商品“明前龙井 春茶”" in texts(at, "caption")

    # 水果节 first: its ↑ (the first banner's ↑ and the last one's ↓ are greyed out).
    assert at.button(key=banner_key(tea_id, "up")).disabled and at.button(key=banner_key(fruit_id, "down")).disabled
    at.button(key=banner_key(fruit_id, "up")).click().run()
    assert texts(at, "success") == ["已调整“水果节”的顺序。"]
    assert [b[0] for b in banners(committed)] == ["水果节", "春茶上新"]
    assert [t.value for t in at.text][:2] == ["水果节", "春茶上新"]  # the screen lists them in the new order

    at.button(key=banner_key(tea_id, "switch")).click().run()
    assert texts(at, "success") == ["已停用“春茶上新”，顾客不再看到它。"]
    assert at.button(key=banner_key(tea_id, "switch")).label == "启用"
    assert texts(at, "caption")[1] == "顾客现在看到 1 张，共 2 张；按此顺序轮播。"
    with unit_of_work(committed) as session:
        assert [b.title for b in home_view(session).banners] == ["水果节"]

    who = at.session_state[state.SIGNED_IN].display_name
    assert [(action, actor) for action, actor, _, _ in audit(committed)] == [
        ("banner.create", who), ("banner.create", who), ("banner.move", who), ("banner.update", who)]
    _, _, before, after = audit(committed)[-1]
    assert (before, after) == ({"is_enabled": True}, {"is_enabled": False})
    assert audit(committed)[2][2:] == ({"position": 1}, {"position": 0})


def test_a_refused_banner_says_why_where_it_was_added_and_keeps_what_was_typed(committed, shop, open_as):
    at = open_as("operator", HOME_CONTENT)
    at.text_input(key=key(NEW_BANNER, "text")).set_value("没有图片的横幅")
    at.button(key=key(NEW_BANNER, "submit")).click().run()
    assert texts(at, "error") == ["请上传横幅图片"]
    assert at.text_input(key=key(NEW_BANNER, "text")).value == "没有图片的横幅"
    assert banners(committed) == [] and audit(committed) == []


def test_editing_a_banner_changes_its_title_and_link_and_a_notice_is_added_and_deleted(committed, shop, open_as):
    at = add_banner(open_as("owner", HOME_CONTENT), "春茶上新", version=0)
    [banner_id] = [b.id for b in _rows(committed)]
    at.text_input(key=banner_key(banner_id, "text")).set_value("龙井上新")
    at.selectbox(key=banner_key(banner_id, "link_kind")).set_value("product").run()
    at.button(key=banner_key(banner_id, "save")).click().run()
    assert texts(at, "success") == ["已保存“龙井上新”。"]
    assert banners(committed) == [("龙井上新", True, "product", shop["tea"])]

    at.text_input(key=key(NEW_NOTICE, "text")).set_value("春节期间 2 月 1 日起暂停发货")
    at.button(key=key(NEW_NOTICE, "submit")).click().run()
    with unit_of_work(committed) as session:
        [notice] = session.scalars(select(Notice)).all()
        notice_id = notice.id
        assert [n.text for n in home_view(session).notices] == ["春节期间 2 月 1 日起暂停发货"]
    notice_key = state.home_item_form("notice", notice_id)
    assert at.button(key=key(notice_key, "delete")).disabled  # until the deletion is confirmed
    at.checkbox(key=key(notice_key, "confirm_delete")).check().run()
    at.button(key=key(notice_key, "delete")).click().run()
    assert texts(at, "success") == ["已删除“春节期间 2 月 1 日起暂停发货”。"]
    assert [a[0] for a in audit(committed)] == ["banner.create", "banner.update", "notice.create", "notice.delete"]


def _rows(committed) -> list[Banner]:
    with unit_of_work(committed) as session:
        rows = list(session.scalars(select(Banner).order_by(Banner.id)))
        session.expunge_all()
        return rows


def _image_of(committed, banner_id: int) -> str:
    with unit_of_work(committed) as session:
        return session.get(Banner, banner_id).image_url
