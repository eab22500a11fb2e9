"""Staff: member levels (the settings permission), members and their growth ledger, share rewards, their settings
and the share funnel (the marketing permission). Every change is written to the audit log by the domain."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from backend.deps import CurrentActor, SessionDep
from backend.schemas.common import STAFF_ERRORS, IdPath, Page, PageParams, errors, page_params
from backend.schemas.members import (
    GrowthAdjustIn,
    LedgerOut,
    LevelIn,
    LevelOut,
    MemberOut,
    ShareFunnelOut,
    ShareRewardSettingsIn,
    ShareRewardSettingsOut,
    StaffShareRewardOut,
)
from domain.members import growth, queries, staff_queries
from domain.members.reward_settings import SHARE_REWARD_KEYS, change_share_reward_settings, share_reward_rules
from domain.members.service import LevelInput, save_levels
from domain.models import GrowthEntry, Staff
from domain.security.roles import Permission
from domain.settings.service import get_settings

router = APIRouter(prefix="/api/v1/admin", tags=["admin: members"], responses=STAFF_ERRORS)


@router.get("/member-levels", response_model=list[LevelOut])
def member_levels(_actor: CurrentActor, session: SessionDep) -> list[queries.LevelView]:
    """The levels, lowest first (any staff member: the member screens name them)."""
    return queries.levels(session)


@router.put("/member-levels", response_model=list[LevelOut], responses=errors(422))
def replace_member_levels(body: list[LevelIn], actor: CurrentActor, session: SessionDep) -> list[queries.LevelView]:
    """The whole list (settings permission): levels with an ``id`` are edited, others added, those left out
    removed; the lowest threshold must be 0. Everyone is re-ranked at once. 422 ``invalid_levels``."""
    save_levels(session, actor=actor, levels=[LevelInput(**item.model_dump()) for item in body])
    return queries.levels(session)


@router.get("/members", response_model=Page[MemberOut], responses=errors(422))
def members(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
            q: Annotated[str | None, Query(max_length=64)] = None,
            level: Annotated[int | None, Query(ge=0, le=99, description="level rank, 0 = the lowest")] = None,
            sort: Literal["newest", "growth", "spend"] = "newest") -> Page[MemberOut]:
    """Members by nickname, or an 11-digit phone (blind index), and by level; with growth, paid orders and spend."""
    items, total = staff_queries.search_members(session, viewer=actor, q=q, level=level, sort=sort, page=paging.page,
                                                page_size=paging.page_size)
    return Page[MemberOut](items=items, total=total)


@router.get("/members/{user_id}", response_model=MemberOut, responses=errors(404))
def member(user_id: IdPath, actor: CurrentActor, session: SessionDep) -> staff_queries.MemberRow:
    return staff_queries.member_detail(session, viewer=actor, user_id=user_id)


@router.get("/members/{user_id}/growth", response_model=Page[LedgerOut], responses=errors(404))
def member_ledger(user_id: IdPath, actor: CurrentActor, session: SessionDep,
                  paging: Annotated[PageParams, Depends(page_params)]) -> Page[LedgerOut]:
    """The member's growth ledger, newest first, with each adjustment's reason and who made it."""
    items, total = staff_queries.member_ledger(session, viewer=actor, user_id=user_id, page=paging.page,
                                               page_size=paging.page_size)
    return Page[LedgerOut](items=items, total=total)


@router.post("/members/{user_id}/growth", response_model=LedgerOut, status_code=201, responses=errors(404, 409))
def adjust_growth(user_id: IdPath, body: GrowthAdjustIn, actor: CurrentActor, session: SessionDep) -> LedgerOut:
    """Add (or, negative, take) growth with a reason; audited. The level follows at once; growth never goes below
    0 (taking more takes what there is). 404 ``member_not_found``; 409 ``growth_at_zero``; 422
    ``invalid_adjustment``."""
    entry: GrowthEntry = growth.adjust_growth(session, actor=actor, user_id=user_id, points=body.points,
                                              reason=body.reason)
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    return LedgerOut(id=entry.id, kind=entry.kind, points=entry.points, ref=entry.ref, reason=entry.reason,
                     staff_username=staff.username if staff else None, created_at=entry.created_at)


@router.get("/share-rewards", response_model=Page[StaffShareRewardOut])
def share_rewards(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                  status: Annotated[Literal["pending", "granted", "cancelled"] | None, Query()] = None
                  ) -> Page[StaffShareRewardOut]:
    """Every share reward, newest first; ``failure`` says why a pending one could not be granted yet."""
    items, total = staff_queries.share_rewards(session, viewer=actor, status=status, page=paging.page,
                                               page_size=paging.page_size)
    return Page[StaffShareRewardOut](items=items, total=total)


@router.get("/share-rewards/funnel", response_model=ShareFunnelOut, responses=errors(422))
def share_funnel(actor: CurrentActor, session: SessionDep,
                 date_from: Annotated[date | None, Query(alias="from")] = None,
                 date_to: Annotated[date | None, Query(alias="to")] = None) -> staff_queries.ShareFunnel:
    """Shares made on Shanghai days ``from``–``to`` (default: the last 30) → visits → visitors bound to the sharer
    → those with a paid order; rewards created and granted in the range. 422 ``invalid_range``."""
    return staff_queries.share_funnel(session, viewer=actor, first=date_from, last=date_to)


@router.get("/share-rewards/settings", response_model=ShareRewardSettingsOut)
def share_reward_settings(actor: CurrentActor, session: SessionDep) -> ShareRewardSettingsOut:
    actor.require(Permission.MARKETING)
    return _settings_out(session)


@router.put("/share-rewards/settings", response_model=ShareRewardSettingsOut, responses=errors(422))
def change_share_reward_settings_endpoint(body: ShareRewardSettingsIn, actor: CurrentActor,
                                          session: SessionDep) -> ShareRewardSettingsOut:
    """Only the fields sent change (``share_reward_coupon_id`` may be sent as null). A coupon reward needs an
    active template whose per-user limit allows the lifetime cap. 422 ``invalid_share_reward_settings``,
    ``invalid_settings``. Audited."""
    change_share_reward_settings(session, actor=actor, changes=body.model_dump(exclude_unset=True))
    return _settings_out(session)


def _settings_out(session: Session) -> ShareRewardSettingsOut:
    settings = get_settings(session)
    return ShareRewardSettingsOut(**{key: getattr(settings, key) for key in SHARE_REWARD_KEYS},
                       preview=share_reward_rules(session))
