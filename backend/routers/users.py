from __future__ import annotations

from fastapi import APIRouter, Depends

from backend.deps import CurrentUser, SessionDep, WeChatDep, limit_login
from backend.schemas.users import (
    BindingOut,
    DistributorBrief,
    LoginIn,
    LoginOut,
    MemberOut,
    MeOut,
    PhoneIn,
    ProfileIn,
    UserOut,
)
from domain.distribution.distributors import distributor_status
from domain.members.service import member_summary
from domain.security import crypto
from domain.users import service as users

router = APIRouter(prefix="/api/v1", tags=["shopper: account"])


def user_out(user) -> UserOut:
    return UserOut(id=user.id, nickname=user.nickname, avatar_url=user.avatar_url, invite_code=user.invite_code,
                   inviter_id=user.inviter_id)


@router.post("/auth/login", response_model=LoginOut, dependencies=[Depends(limit_login)])
def login(body: LoginIn, session: SessionDep, wechat: WeChatDep) -> LoginOut:
    """``wx.login`` code → token. Creates the user on first login; binds the inviter when ``invite_code`` is given
    (a refused binding does not fail the login: see ``binding.error``)."""
    result = users.login(session, wechat=wechat, code=body.code, invite_code=body.invite_code,
                         nickname=body.nickname, avatar_url=body.avatar_url)
    binding = None
    if body.invite_code:
        err = result.bind_error
        binding = BindingOut(bound=err is None, inviter_id=result.user.inviter_id,
                             error={"code": err.code, "message": err.message} if err else None)
    return LoginOut(token=result.token, user=user_out(result.user), created=result.created, binding=binding)


@router.get("/me", response_model=MeOut)
def me(user: CurrentUser, session: SessionDep) -> MeOut:
    member = member_summary(session, user)
    return MeOut(
        id=user.id, nickname=user.nickname, avatar_url=user.avatar_url,
        phone_masked=crypto.mask_phone(users.phone_of(user)), invite_code=user.invite_code, inviter_id=user.inviter_id,
        member=MemberOut(**member.__dict__),
        distributor=DistributorBrief(status=distributor_status(session, user.id)),
    )


@router.patch("/me", response_model=MeOut)
@router.put("/me", response_model=MeOut, description="Same as PATCH: wx.request cannot send PATCH.")
def update_me(body: ProfileIn, user: CurrentUser, session: SessionDep) -> MeOut:
    users.update_profile(session, user=user, nickname=body.nickname, avatar_url=body.avatar_url)
    return me(user, session)


@router.post("/me/phone", response_model=MeOut)
def bind_phone(body: PhoneIn, user: CurrentUser, session: SessionDep, wechat: WeChatDep) -> MeOut:
    """Bind the phone number through WeChat's phone-number API (``getPhoneNumber`` button code)."""
    users.bind_phone(session, user=user, wechat=wechat, code=body.code)
    return me(user, session)


