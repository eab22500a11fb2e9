"""The shopper's own account page (我的): profile, member level and distributor status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from domain.distribution.distributors import distributor_status
from domain.members.service import MemberSummary, member_summary
from domain.models import User
from domain.security.disclosure import Field, masked


@dataclass(frozen=True)
class DistributorBrief:
    status: str  # none | pending | approved | rejected | disabled


@dataclass(frozen=True)
class Account:
    """The 我的 page: who the shopper is, their member level and where they stand as a distributor."""

    id: int
    nickname: str
    avatar_url: str
    phone_masked: str  # 138****5678
    invite_code: str
    inviter_id: int | None
    member: MemberSummary
    distributor: DistributorBrief


def account(session: Session, user: User) -> Account:
    return Account(
        id=user.id, nickname=user.nickname, avatar_url=user.avatar_url,
        phone_masked=masked(Field.USER_PHONE, user.phone_enc), invite_code=user.invite_code,
        inviter_id=user.inviter_id, member=member_summary(session, user),
        distributor=DistributorBrief(status=distributor_status(session, user.id)),
    )
