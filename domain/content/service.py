"""What staff do to the home page (首页装修): add, edit, switch on or off, reorder and remove banners and notices.

Every change is audited (``banner.*``, ``notice.*``) in the same transaction. Shoppers read the result through
``domain.content.queries.home_view``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.audit.service import record_action
from domain.content.errors import ContentError
from domain.errors import Invalid, NotFound
from domain.media import MEDIA_PREFIX
from domain.models import Banner, Category, LinkKind, Notice, Product
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.text import clean_text, required_text

TITLE_MAX = 40
NOTICE_MAX = 120

HomeItem = Banner | Notice


@dataclass
class BannerInput:
    title: str
    image_url: str
    link_kind: str = LinkKind.NONE
    link_id: int | None = None
    is_enabled: bool = True


@dataclass
class NoticeInput:
    text: str
    link_kind: str = LinkKind.NONE
    link_id: int | None = None
    is_enabled: bool = True


def create_banner(session: Session, *, actor: Actor, data: BannerInput) -> Banner:
    actor.require(Permission.MARKETING)
    banner = Banner(**asdict(_valid_banner(session, data)), position=_next_position(session, Banner))
    session.add(banner)
    session.flush()
    record_action(session, actor=actor, action="banner.create", entity_type="banner", entity_id=banner.id,
                  after=_snapshot(banner))
    return banner


def create_notice(session: Session, *, actor: Actor, data: NoticeInput) -> Notice:
    actor.require(Permission.MARKETING)
    notice = Notice(**asdict(_valid_notice(session, data)), position=_next_position(session, Notice))
    session.add(notice)
    session.flush()
    record_action(session, actor=actor, action="notice.create", entity_type="notice", entity_id=notice.id,
                  after=_snapshot(notice))
    return notice


def update_banner(session: Session, *, actor: Actor, banner_id: int, changes: dict) -> Banner:
    """Partial update of any ``BannerInput`` field; switching a banner off is ``{"is_enabled": False}``."""
    actor.require(Permission.MARKETING)
    banner = _get(session, Banner, banner_id)
    current = BannerInput(title=banner.title, image_url=banner.image_url, link_kind=banner.link_kind,
                          link_id=banner.link_id, is_enabled=banner.is_enabled)
    return _apply(session, actor, banner, _valid_banner(session, _changed(current, changes)))


def update_notice(session: Session, *, actor: Actor, notice_id: int, changes: dict) -> Notice:
    actor.require(Permission.MARKETING)
    notice = _get(session, Notice, notice_id)
    current = NoticeInput(text=notice.text, link_kind=notice.link_kind, link_id=notice.link_id,
                          is_enabled=notice.is_enabled)
    return _apply(session, actor, notice, _valid_notice(session, _changed(current, changes)))


def move_banner(session: Session, *, actor: Actor, banner_id: int, offset: int) -> list[Banner]:
    """Move one banner ``offset`` places (negative: towards the first); returns the banners in their new order."""
    return _move(session, actor, Banner, banner_id, offset)


def move_notice(session: Session, *, actor: Actor, notice_id: int, offset: int) -> list[Notice]:
    return _move(session, actor, Notice, notice_id, offset)


def delete_banner(session: Session, *, actor: Actor, banner_id: int) -> None:
    _delete(session, actor, Banner, banner_id)


def delete_notice(session: Session, *, actor: Actor, notice_id: int) -> None:
    _delete(session, actor, Notice, notice_id)


# --- shared by banners and notices -------------------------------------------------------------------

def _entity(model: type[HomeItem]) -> str:
    return "banner" if model is Banner else "notice"


def _get(session: Session, model: type[HomeItem], item_id: int) -> HomeItem:
    item = session.get(model, item_id)
    if item is None:
        if model is Banner:
            raise NotFound(ContentError.BANNER_NOT_FOUND, "横幅不存在")
        raise NotFound(ContentError.NOTICE_NOT_FOUND, "公告不存在")
    return item


def _changed(current: BannerInput | NoticeInput, changes: dict) -> BannerInput | NoticeInput:
    unknown = set(changes) - set(type(current).__dataclass_fields__)
    if unknown:
        raise Invalid(ContentError.UNKNOWN_FIELD, f"未知字段：{', '.join(sorted(unknown))}")
    for key, value in changes.items():
        setattr(current, key, value)
    return current


def _apply(session: Session, actor: Actor, item: HomeItem, data: BannerInput | NoticeInput) -> HomeItem:
    before = _snapshot(item)
    for key, value in asdict(data).items():
        setattr(item, key, value)
    session.flush()
    after = _snapshot(item)
    changed = [k for k in after if after[k] != before[k]]
    if changed:  # only what changed, as settings.update does: the log says what the click did
        record_action(session, actor=actor, action=f"{_entity(type(item))}.update", entity_type=_entity(type(item)),
                      entity_id=item.id, before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return item


def _ordered(session: Session, model: type[HomeItem]) -> list[HomeItem]:
    return list(session.scalars(select(model).order_by(model.position, model.id)))


def _move(session: Session, actor: Actor, model: type[HomeItem], item_id: int, offset: int) -> list[HomeItem]:
    actor.require(Permission.MARKETING)
    item = _get(session, model, item_id)
    items = _ordered(session, model)
    old = items.index(item)
    new = min(max(old + offset, 0), len(items) - 1)
    if new == old:
        return items
    items.insert(new, items.pop(old))
    for position, each in enumerate(items):  # positions are kept as 0…n-1, so a move is always one step of order
        each.position = position
    session.flush()
    record_action(session, actor=actor, action=f"{_entity(model)}.move", entity_type=_entity(model),
                  entity_id=item.id, before={"position": old}, after={"position": new})
    return items


def _delete(session: Session, actor: Actor, model: type[HomeItem], item_id: int) -> None:
    actor.require(Permission.MARKETING)
    item = _get(session, model, item_id)
    before = _snapshot(item)
    session.delete(item)
    session.flush()
    record_action(session, actor=actor, action=f"{_entity(model)}.delete", entity_type=_entity(model),
                  entity_id=item_id, before=before)


def _next_position(session: Session, model: type[HomeItem]) -> int:
    last = session.scalar(select(func.max(model.position)))
    return 0 if last is None else last + 1


def _snapshot(item: HomeItem) -> dict:
    shown = {"title": item.title, "image_url": item.image_url} if isinstance(item, Banner) else {"text": item.text}
    return shown | {"link_kind": item.link_kind, "link_id": item.link_id, "is_enabled": item.is_enabled}


# --- validation ----------------------------------------------------------------------------------------

def _valid_banner(session: Session, data: BannerInput) -> BannerInput:
    link_kind, link_id = _valid_link(session, data.link_kind, data.link_id)
    return BannerInput(
        title=required_text(data.title, code=ContentError.INVALID_TITLE, message=f"横幅标题需为 1–{TITLE_MAX} 个字",
                            max_length=TITLE_MAX),
        image_url=_valid_image(data.image_url), link_kind=link_kind, link_id=link_id,
        is_enabled=bool(data.is_enabled),
    )


def _valid_notice(session: Session, data: NoticeInput) -> NoticeInput:
    link_kind, link_id = _valid_link(session, data.link_kind, data.link_id)
    return NoticeInput(
        text=required_text(data.text, code=ContentError.INVALID_NOTICE_TEXT,
                           message=f"公告内容需为 1–{NOTICE_MAX} 个字", max_length=NOTICE_MAX),
        link_kind=link_kind, link_id=link_id, is_enabled=bool(data.is_enabled),
    )


def _valid_image(url: str | None) -> str:
    value = clean_text(url)
    if not value or len(value) > 512 or not value.startswith((MEDIA_PREFIX, "https://", "http://")):
        raise Invalid(ContentError.INVALID_IMAGE, "请上传横幅图片")
    return value


def _valid_link(session: Session, kind: str | None, target_id: int | None) -> tuple[str, int | None]:
    try:
        kind = LinkKind(kind or LinkKind.NONE)
    except ValueError:
        raise Invalid(ContentError.INVALID_LINK, "跳转只能是：不跳转、商品或分类") from None
    if kind is LinkKind.NONE:
        return kind.value, None
    what = "商品" if kind is LinkKind.PRODUCT else "分类"
    if target_id is None:
        raise Invalid(ContentError.INVALID_LINK, f"请选择要跳转的{what}")
    if session.get(Product if kind is LinkKind.PRODUCT else Category, target_id) is None:
        raise NotFound(ContentError.LINK_TARGET_NOT_FOUND, f"要跳转的{what}不存在")
    return kind.value, target_id
