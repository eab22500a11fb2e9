"""The home page's content: what shoppers see at ``GET /home``, and the banners and notices staff edit."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.deps import CurrentActor, SessionDep
from backend.schemas.common import PUBLIC_ERRORS, STAFF_ERRORS, IdPath, errors
from backend.schemas.content import (
    BannerIn,
    BannerPatch,
    HomeItemAdminOut,
    HomeOut,
    MoveIn,
    NoticeIn,
    NoticePatch,
)
from domain.content import queries
from domain.content import service as content
from domain.content.queries import HomeView, StaffHomeItem

shop = APIRouter(prefix="/api/v1", tags=["shopper: home"], responses=PUBLIC_ERRORS)
admin = APIRouter(prefix="/api/v1/admin/home", tags=["admin: home"], responses=STAFF_ERRORS)


@shop.get("/home", response_model=HomeOut)
def home(session: SessionDep) -> HomeView:
    """The home page's banner carousel and notices, in the shop's order. Items switched off, and items whose
    product is off the shelf or whose category is gone, are left out."""
    return queries.home_view(session)


# --- banners ---

@admin.get("/banners", response_model=list[HomeItemAdminOut])
def banners(actor: CurrentActor, session: SessionDep) -> list[StaffHomeItem]:
    return queries.staff_banners(session, viewer=actor)


@admin.post("/banners", response_model=HomeItemAdminOut, status_code=201, responses=errors(404))
def create_banner(body: BannerIn, actor: CurrentActor, session: SessionDep) -> StaffHomeItem:
    """Added last. 404 ``link_target_not_found`` for an unknown product or category."""
    banner = content.create_banner(session, actor=actor, data=content.BannerInput(**body.model_dump()))
    return queries.staff_banner(session, banner.id, viewer=actor)


@admin.patch("/banners/{banner_id}", response_model=HomeItemAdminOut, responses=errors(404))
def update_banner(banner_id: IdPath, body: BannerPatch, actor: CurrentActor, session: SessionDep) -> StaffHomeItem:
    """Any field; ``{"is_enabled": false}`` switches it off. 404 ``banner_not_found``, ``link_target_not_found``."""
    content.update_banner(session, actor=actor, banner_id=banner_id, changes=body.model_dump(exclude_unset=True))
    return queries.staff_banner(session, banner_id, viewer=actor)


@admin.post("/banners/{banner_id}/move", response_model=list[HomeItemAdminOut], responses=errors(404))
def move_banner(banner_id: IdPath, body: MoveIn, actor: CurrentActor, session: SessionDep) -> list[StaffHomeItem]:
    """Every banner in the new order."""
    content.move_banner(session, actor=actor, banner_id=banner_id, offset=body.offset)
    return queries.staff_banners(session, viewer=actor)


@admin.delete("/banners/{banner_id}", status_code=204, responses=errors(404))
def delete_banner(banner_id: IdPath, actor: CurrentActor, session: SessionDep) -> Response:
    content.delete_banner(session, actor=actor, banner_id=banner_id)
    return Response(status_code=204)


# --- notices ---

@admin.get("/notices", response_model=list[HomeItemAdminOut])
def notices(actor: CurrentActor, session: SessionDep) -> list[StaffHomeItem]:
    return queries.staff_notices(session, viewer=actor)


@admin.post("/notices", response_model=HomeItemAdminOut, status_code=201, responses=errors(404))
def create_notice(body: NoticeIn, actor: CurrentActor, session: SessionDep) -> StaffHomeItem:
    notice = content.create_notice(session, actor=actor, data=content.NoticeInput(**body.model_dump()))
    return queries.staff_notice(session, notice.id, viewer=actor)


@admin.patch("/notices/{notice_id}", response_model=HomeItemAdminOut, responses=errors(404))
def update_notice(notice_id: IdPath, body: NoticePatch, actor: CurrentActor, session: SessionDep) -> StaffHomeItem:
    content.update_notice(session, actor=actor, notice_id=notice_id, changes=body.model_dump(exclude_unset=True))
    return queries.staff_notice(session, notice_id, viewer=actor)


@admin.post("/notices/{notice_id}/move", response_model=list[HomeItemAdminOut], responses=errors(404))
def move_notice(notice_id: IdPath, body: MoveIn, actor: CurrentActor, session: SessionDep) -> list[StaffHomeItem]:
    content.move_notice(session, actor=actor, notice_id=notice_id, offset=body.offset)
    return queries.staff_notices(session, viewer=actor)


@admin.delete("/notices/{notice_id}", status_code=204, responses=errors(404))
def delete_notice(notice_id: IdPath, actor: CurrentActor, session: SessionDep) -> Response:
    content.delete_notice(session, actor=actor, notice_id=notice_id)
    return Response(status_code=204)


router = APIRouter()
router.include_router(shop)
router.include_router(admin)
