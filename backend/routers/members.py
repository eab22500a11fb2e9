"""Shoppers: member levels, my growth, check-in (签到), share tracking and my share rewards (分享有礼).

Sharing and visiting are recorded and earn nothing (WeChat's 小程序平台运营规范 5.1): a reward only ever follows the
invitee's own paid first order (docs/security.md, "WeChat's rules about sharing").
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from backend.deps import CurrentUser, SessionDep, WeChatDep
from backend.schemas.common import PUBLIC_ERRORS, SHOPPER_ERRORS, IdPath, Page, PageParams, errors, page_params
from backend.schemas.members import (
    CheckInOut,
    GrowthEntryOut,
    InviteeOut,
    LevelOut,
    ShareIn,
    ShareOut,
    ShareRewardOut,
    ShareRewardRulesOut,
    ShareRewardTotalsOut,
)
from domain.distribution.share import product_poster_png
from domain.members import checkin, queries, shares
from domain.members.reward_settings import ShareRewardRules, share_reward_rules

router = APIRouter(prefix="/api/v1", tags=["shopper: members"])

Month = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM; this month by default")]


@router.get("/members/levels", response_model=list[LevelOut], responses=PUBLIC_ERRORS)
def member_levels(session: SessionDep) -> list[queries.LevelView]:
    """Every level, lowest first, with its growth threshold, price multiplier and benefits (no token needed)."""
    return queries.levels(session)


@router.get("/me/growth", response_model=Page[GrowthEntryOut], responses=SHOPPER_ERRORS)
def my_growth(user: CurrentUser, session: SessionDep,
              paging: Annotated[PageParams, Depends(page_params)]) -> Page[GrowthEntryOut]:
    """My growth history, newest first. Kinds: ``order_completed`` (+1 per whole yuan of an order's net goods),
    ``order_refunded`` (what a refund takes back), ``check_in``, ``share_reward``, ``adjustment`` (staff)."""
    items, total = queries.my_growth(session, user=user, page=paging.page, page_size=paging.page_size)
    return Page[GrowthEntryOut](items=items, total=total)


@router.get("/me/check-in", response_model=CheckInOut, responses=SHOPPER_ERRORS)
def check_in_status(user: CurrentUser, session: SessionDep, month: Month = None) -> checkin.CheckInStatus:
    """Today's check-in, the streak, and the calendar of a month (Shanghai days)."""
    return checkin.check_in_status(session, user=user, month=month)


@router.post("/me/check-in", response_model=CheckInOut, responses={**SHOPPER_ERRORS, **errors(409)})
def check_in(user: CurrentUser, session: SessionDep) -> checkin.CheckInStatus:
    """签到: once per Shanghai day; the points follow ``checkin_points`` by streak day. A second check-in the same
    day, even sent at the same moment, answers 409 ``already_checked_in``."""
    return checkin.check_in(session, user=user)


@router.post("/shares", response_model=ShareOut, status_code=201, responses={**SHOPPER_ERRORS, **errors(404)})
def record_share(body: ShareIn, user: CurrentUser, session: SessionDep) -> shares.ShareRecorded:
    """Record a share of the shop or a product (``channel``: friend, timeline, poster) and get the path to share,
    which carries ``invite`` and ``s``. Sharing earns nothing by itself. 404 ``product_not_found``; 422
    ``invalid_share`` (a product share without ``product_id``)."""
    return shares.record_share(session, user=user, target=body.target, channel=body.channel,
                               product_id=body.product_id)


@router.post("/shares/{share_id}/visits", status_code=204, responses={**SHOPPER_ERRORS, **errors(404)})
def record_visit(share_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """The visitor (this token) opened share ``share_id``: counted once per visitor; the sharer's own taps are not
    counted. Earns nothing for anyone. 404 ``share_not_found``."""
    shares.record_visit(session, visitor=user, share_id=share_id)
    return Response(status_code=204)


@router.get("/shares/{share_id}/poster", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, **SHOPPER_ERRORS, **errors(404, 502)})
def share_poster(share_id: IdPath, user: CurrentUser, session: SessionDep, wechat: WeChatDep) -> Response:
    """The poster (PNG) of my product share (record it with ``channel: poster``): the product's picture, title and
    price, and a mini-program code whose scene is ``p=PRODUCT&i=INVITE&s=SHARE``. 404 ``share_not_found`` (also
    someone else's share) or ``product_not_found``; 422 ``invalid_share`` (a shop share); 502 WeChat unavailable."""
    png = product_poster_png(session, user=user, share_id=share_id, wechat=wechat)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


@router.get("/me/share-rewards", response_model=Page[ShareRewardOut], responses=SHOPPER_ERRORS)
def my_share_rewards(user: CurrentUser, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                     status: Annotated[Literal["pending", "granted", "cancelled"] | None, Query()] = None
                     ) -> Page[ShareRewardOut]:
    """My 分享有礼 rewards, newest first: ``pending`` until the invitee's first order is past the after-sale
    window, then ``granted``; ``cancelled`` if that order was refunded whole."""
    items, total = queries.my_share_rewards(session, user=user, status=status, page=paging.page,
                                            page_size=paging.page_size)
    return Page[ShareRewardOut](items=items, total=total)


@router.get("/me/share-rewards/summary", response_model=ShareRewardTotalsOut, responses=SHOPPER_ERRORS)
def my_share_reward_totals(user: CurrentUser, session: SessionDep) -> queries.ShareRewardTotals:
    return queries.my_share_reward_totals(session, user=user)


@router.get("/me/invitees", response_model=Page[InviteeOut], responses=SHOPPER_ERRORS)
def my_invitees(user: CurrentUser, session: SessionDep,
                paging: Annotated[PageParams, Depends(page_params)]) -> Page[InviteeOut]:
    """The shoppers bound to me, newest first: whether they have paid an order, and the state of its reward."""
    items, total = queries.my_invitees(session, user=user, page=paging.page, page_size=paging.page_size)
    return Page[InviteeOut](items=items, total=total)


@router.get("/share-rewards/rules", response_model=ShareRewardRulesOut, responses=PUBLIC_ERRORS)
def rules(session: SessionDep) -> ShareRewardRules:
    """分享有礼's complete rules (规则说明), written from the settings the shop applies: to show before the shopper
    shares. Also the shop's name and share text for share cards. No token needed."""
    return share_reward_rules(session)
