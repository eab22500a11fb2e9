from __future__ import annotations

from pydantic import BaseModel, Field

from backend.schemas.common import ReadModel, Strict


class LoginIn(Strict):
    code: str = Field(min_length=1, max_length=128)
    invite_code: str | None = Field(None, max_length=64)
    nickname: str | None = Field(None, max_length=64)
    avatar_url: str | None = Field(None, max_length=512)


class UserOut(ReadModel):
    id: int
    nickname: str
    avatar_url: str
    invite_code: str
    inviter_id: int | None


class RefusalOut(ReadModel):
    code: str
    message: str


class BindingOut(ReadModel):
    bound: bool
    inviter_id: int | None = None
    error: RefusalOut | None = None


class LoginOut(ReadModel):
    token: str
    user: UserOut
    created: bool
    binding: BindingOut | None = None


class MemberOut(ReadModel):
    level: int
    name: str
    growth: int
    discount_bp: int
    next_level_growth: int | None
    next_level_name: str | None = None
    benefits: str = ""


class DistributorBrief(ReadModel):
    status: str


class MeOut(ReadModel):
    id: int
    nickname: str
    avatar_url: str
    phone_masked: str
    invite_code: str
    inviter_id: int | None
    member: MemberOut
    distributor: DistributorBrief


class ProfileIn(Strict):
    nickname: str | None = Field(None, max_length=64)
    avatar_url: str | None = Field(None, max_length=512)


class PhoneIn(Strict):
    code: str = Field(min_length=1, max_length=128)


class BindIn(Strict):
    invite_code: str = Field(min_length=1, max_length=64)


class BindOut(BaseModel):
    inviter_id: int
