"""The home page's content: the shopper's ``GET /home`` and the staff's banners and notices (首页装修)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from backend.schemas.common import IdField, ReadModel, Strict, StrictInt

LinkKindField = Literal["none", "product", "category"]


class BannerOut(ReadModel):
    id: int
    title: str
    image_url: str = Field(description="absolute URL")
    link_kind: LinkKindField
    link_id: int | None
    link_title: str = Field(description="the linked product's title or category's name; empty without a link")


class NoticeOut(ReadModel):
    id: int
    text: str
    link_kind: LinkKindField
    link_id: int | None
    link_title: str


class HomeOut(ReadModel):
    shop_name: str
    service_phone: str
    banners: list[BannerOut]
    notices: list[NoticeOut]


class HomeItemAdminOut(ReadModel):
    """A banner (``text`` is its title, ``image_url`` its stored picture) or a notice, in the shop's order."""

    id: int
    text: str
    image_url: str
    link_kind: LinkKindField
    link_id: int | None
    link_title: str
    link_state: Literal["ok", "off_shelf", "missing"] = Field(
        description="whether the link still leads somewhere; a banner whose product is off the shelf is not shown")
    is_enabled: bool
    shown: bool = Field(description="shoppers see it now: switched on and its link leads somewhere")


class BannerIn(Strict):
    title: str = Field(max_length=40)
    image_url: str = Field(max_length=512, description="a /media/... path or an http(s) URL")
    link_kind: LinkKindField = "none"
    link_id: IdField | None = None
    is_enabled: StrictBool = True


class BannerPatch(Strict):
    title: str | None = Field(None, max_length=40)
    image_url: str | None = Field(None, max_length=512)
    link_kind: LinkKindField | None = None
    link_id: IdField | None = None
    is_enabled: StrictBool | None = None


class NoticeIn(Strict):
    text: str = Field(max_length=120)
    link_kind: LinkKindField = "none"
    link_id: IdField | None = None
    is_enabled: StrictBool = True


class NoticePatch(Strict):
    text: str | None = Field(None, max_length=120)
    link_kind: LinkKindField | None = None
    link_id: IdField | None = None
    is_enabled: StrictBool | None = None


class MoveIn(Strict):
    offset: Annotated[StrictInt, Field(ge=-100, le=100, description="places to move: negative towards the first")]
