from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile

from backend.deps import CurrentUser, SessionDep, WeChatDep, bearer_token, limit_shopper_login
from backend.schemas.common import PUBLIC_ERRORS, SHOPPER_ERRORS, errors
from backend.schemas.users import LoginIn, LoginOut, MeOut, PhoneIn, ProfileIn
from domain.media import MAX_UPLOAD_BYTES
from domain.users import service as users
from domain.users.account import Account, account

router = APIRouter(prefix="/api/v1", tags=["shopper: account"], responses=PUBLIC_ERRORS)


@router.post("/auth/login", response_model=LoginOut, dependencies=[Depends(limit_shopper_login)],
             responses=errors(429, 502))
def login(body: LoginIn, session: SessionDep, wechat: WeChatDep) -> users.LoginResult:
    """``wx.login`` code → token. Creates the user on first login; binds the inviter when ``invite_code`` is given
    (a refused binding does not fail the login: see ``binding.error``)."""
    return users.login(session, wechat=wechat, code=body.code, invite_code=body.invite_code,
                       nickname=body.nickname, avatar_url=body.avatar_url)


@router.post("/auth/logout", status_code=204, responses=SHOPPER_ERRORS)
def logout(_user: CurrentUser, request: Request, session: SessionDep) -> None:
    """End this token: it answers 401 from now on. The shopper's other devices stay signed in."""
    users.log_out(session, token=bearer_token(request))


@router.get("/me", response_model=MeOut, responses=SHOPPER_ERRORS)
def me(user: CurrentUser, session: SessionDep) -> Account:
    return account(session, user)


@router.patch("/me", response_model=MeOut, responses=SHOPPER_ERRORS)
@router.put("/me", response_model=MeOut, responses=SHOPPER_ERRORS,
            description="Same as PATCH: wx.request cannot send PATCH.")
def update_me(body: ProfileIn, user: CurrentUser, session: SessionDep) -> Account:
    users.update_profile(session, user=user, nickname=body.nickname, avatar_url=body.avatar_url)
    return account(session, user)


@router.post("/me/avatar", response_model=MeOut, responses=SHOPPER_ERRORS | errors(502))
def upload_avatar(user: CurrentUser, session: SessionDep,
                  file: Annotated[UploadFile, File(description="the image chooseAvatar gave (wx.uploadFile, name file)")]
                  ) -> Account:
    """Set my avatar from an uploaded image (JPEG or PNG, at most 5 MB; kept 256 px). 422 ``invalid_image``,
    ``image_too_large``; 502 ``media_store_unavailable``."""
    users.set_avatar(session, user=user, image=file.file.read(MAX_UPLOAD_BYTES + 1))
    return account(session, user)


@router.post("/me/phone", response_model=MeOut, responses=SHOPPER_ERRORS | errors(502))
def bind_phone(body: PhoneIn, user: CurrentUser, session: SessionDep, wechat: WeChatDep) -> Account:
    """Bind the phone number through WeChat's phone-number API (``getPhoneNumber`` button code)."""
    users.bind_phone(session, user=user, wechat=wechat, code=body.code)
    return account(session, user)
