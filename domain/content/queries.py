"""Read models of the home page's content: what shoppers see, and the list staff edit (首页装修).

A banner or notice is shown to shoppers only when it is switched on and its link still leads somewhere: a
product that is off the shelf or gone, or a category that was removed, would open an empty page, so the item is
left out until staff fix it (the staff list says why).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.content.errors import ContentError
from domain.errors import NotFound
from domain.media import media_url
from domain.models import Banner, Category, LinkKind, Notice, Product
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.service import get_settings

HomeItem = Banner | Notice
LINK_CHOICES_LIMIT = 500


class LinkState(StrEnum):
    OK = "ok"
    OFF_SHELF = "off_shelf"  # the product exists but is not on sale
    MISSING = "missing"  # the product or category is gone


@dataclass(frozen=True)
class BannerView:
    id: int
    title: str
    image_url: str  # absolute
    link_kind: str
    link_id: int | None
    link_title: str  # the product's title or the category's name; "" without a link


@dataclass(frozen=True)
class NoticeView:
    id: int
    text: str
    link_kind: str
    link_id: int | None
    link_title: str


@dataclass(frozen=True)
class HomeView:
    shop_name: str
    service_phone: str  # for the privacy guide's contact line and the shop's help
    banners: list[BannerView]
    notices: list[NoticeView]


@dataclass(frozen=True)
class StaffHomeItem:
    """A banner or notice as the 首页装修 screen lists it, in order."""

    id: int
    text: str  # a banner's title, a notice's text
    image_url: str  # as stored (/media/...); "" for a notice
    link_kind: str
    link_id: int | None
    link_title: str
    link_state: LinkState
    is_enabled: bool
    shown: bool  # what shoppers see now: switched on and its link leads somewhere


@dataclass(frozen=True)
class LinkChoices:
    products: dict[int, str]  # products on the shelf: id → title
    categories: dict[int, str]  # id → name


def home_view(session: Session) -> HomeView:
    """The shop's name, the carousel and the notices in staff's order: a fixed number of queries."""
    banners, notices = _enabled(session, Banner), _enabled(session, Notice)
    targets = _link_targets(session, [*banners, *notices])
    settings = get_settings(session)
    return HomeView(
        shop_name=settings.shop_name, service_phone=settings.service_phone,
        banners=[BannerView(id=b.id, title=b.title, image_url=media_url(b.image_url), link_kind=b.link_kind,
                            link_id=b.link_id, link_title=targets.title(b))
                 for b in banners if targets.state(b) is LinkState.OK],
        notices=[NoticeView(id=n.id, text=n.text, link_kind=n.link_kind, link_id=n.link_id,
                            link_title=targets.title(n))
                 for n in notices if targets.state(n) is LinkState.OK],
    )


def staff_banners(session: Session, *, viewer: Actor) -> list[StaffHomeItem]:
    viewer.require(Permission.MARKETING)
    return _staff_items(session, Banner)


def staff_notices(session: Session, *, viewer: Actor) -> list[StaffHomeItem]:
    viewer.require(Permission.MARKETING)
    return _staff_items(session, Notice)


def staff_banner(session: Session, banner_id: int, *, viewer: Actor) -> StaffHomeItem:
    viewer.require(Permission.MARKETING)
    found = _staff_items(session, Banner, item_id=banner_id)
    if not found:
        raise NotFound(ContentError.BANNER_NOT_FOUND, "横幅不存在")
    return found[0]


def staff_notice(session: Session, notice_id: int, *, viewer: Actor) -> StaffHomeItem:
    viewer.require(Permission.MARKETING)
    found = _staff_items(session, Notice, item_id=notice_id)
    if not found:
        raise NotFound(ContentError.NOTICE_NOT_FOUND, "公告不存在")
    return found[0]


def link_choices(session: Session) -> LinkChoices:
    """What a banner or notice can link to: the products on the shelf (in the shop's order) and the categories."""
    products = session.execute(
        select(Product.id, Product.title).where(Product.is_on_shelf.is_(True))
        .order_by(Product.sort.desc(), Product.id.desc()).limit(LINK_CHOICES_LIMIT)
    ).all()
    categories = session.execute(select(Category.id, Category.name).order_by(Category.sort.desc(), Category.id)).all()
    return LinkChoices(products=dict(products), categories=dict(categories))


# --- shared ---------------------------------------------------------------------------------------------

def _enabled(session: Session, model: type[HomeItem]) -> list[HomeItem]:
    return list(session.scalars(select(model).where(model.is_enabled.is_(True)).order_by(model.position, model.id)))


def _staff_items(session: Session, model: type[HomeItem], *, item_id: int | None = None) -> list[StaffHomeItem]:
    query = select(model).order_by(model.position, model.id)
    if item_id is not None:
        query = query.where(model.id == item_id)
    items = list(session.scalars(query))
    targets = _link_targets(session, items)
    return [
        StaffHomeItem(
            id=i.id, text=i.title if isinstance(i, Banner) else i.text,
            image_url=i.image_url if isinstance(i, Banner) else "", link_kind=i.link_kind, link_id=i.link_id,
            link_title=targets.title(i), link_state=targets.state(i), is_enabled=i.is_enabled,
            shown=i.is_enabled and targets.state(i) is LinkState.OK,
        )
        for i in items
    ]


@dataclass(frozen=True)
class _Targets:
    products: dict[int, tuple[str, bool]]  # id → (title, on the shelf)
    categories: dict[int, str]

    def title(self, item: HomeItem) -> str:
        if item.link_kind == LinkKind.PRODUCT:
            return self.products.get(item.link_id, ("", False))[0]
        if item.link_kind == LinkKind.CATEGORY:
            return self.categories.get(item.link_id, "")
        return ""

    def state(self, item: HomeItem) -> LinkState:
        if item.link_kind == LinkKind.PRODUCT:
            if item.link_id not in self.products:
                return LinkState.MISSING
            return LinkState.OK if self.products[item.link_id][1] else LinkState.OFF_SHELF
        if item.link_kind == LinkKind.CATEGORY and item.link_id not in self.categories:
            return LinkState.MISSING
        return LinkState.OK


def _link_targets(session: Session, items: list[HomeItem]) -> _Targets:
    """The products and categories that ``items`` link to, in one query each."""
    product_ids = {i.link_id for i in items if i.link_kind == LinkKind.PRODUCT}
    category_ids = {i.link_id for i in items if i.link_kind == LinkKind.CATEGORY}
    products = session.execute(
        select(Product.id, Product.title, Product.is_on_shelf).where(Product.id.in_(product_ids))
    ).all() if product_ids else []
    categories = session.execute(
        select(Category.id, Category.name).where(Category.id.in_(category_ids))
    ).all() if category_ids else []
    return _Targets(products={pid: (title, on_shelf) for pid, title, on_shelf in products},
                    categories=dict(categories))
