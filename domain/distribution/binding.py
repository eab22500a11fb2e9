"""Binding a shopper to the inviter whose link or code brought them."""

from __future__ import annotations

from sqlalchemy import literal, select
from sqlalchemy.orm import Session, aliased

from domain import clock
from domain.db import lock_row
from domain.distribution.errors import DistributionError
from domain.distribution.invite_codes import normalize_invite_code
from domain.errors import Conflict, NotFound
from domain.models import User
from domain.settings.service import get_settings

# Longer chains than this cannot exist (every binding checks for cycles); the bound only guards the query.
MAX_CHAIN_DEPTH = 10_000


def bind_inviter(session: Session, *, user: User, invite_code: str, at_registration: bool = False) -> User:
    """Set ``user.inviter_id`` from an invite code, by the binding mode in the settings. Returns the inviter."""
    code = normalize_invite_code(invite_code)
    inviter = session.scalar(select(User).where(User.invite_code == code)) if code else None
    if inviter is None:
        raise NotFound(DistributionError.INVITE_CODE_NOT_FOUND, "邀请码不存在")
    if inviter.id == user.id:
        raise Conflict(DistributionError.CANNOT_BIND_SELF, "不能绑定自己为邀请人")
    if user.inviter_id == inviter.id:
        return inviter

    mode = get_settings(session).binding_mode
    if mode == "first_touch" and user.inviter_id is not None:
        raise Conflict(DistributionError.ALREADY_BOUND, "已绑定邀请人，不能更换")
    if mode == "registration_only" and not at_registration:
        if user.inviter_id is not None:
            raise Conflict(DistributionError.ALREADY_BOUND, "已绑定邀请人，不能更换")
        raise Conflict(DistributionError.BINDING_CLOSED, "仅新用户注册时可以绑定邀请人")

    # Lock both rows (in id order) so that A→B and B→A bound at once cannot both pass the cycle check.
    for uid in sorted((user.id, inviter.id)):
        lock_row(session, "users", "id", uid)
    if user.id in upline_ids(session, inviter.id):
        raise Conflict(DistributionError.BINDING_CYCLE, "不能绑定自己的下级为邀请人")

    user.inviter_id = inviter.id
    user.bound_at = clock.now()
    session.flush()
    return inviter


def upline_ids(session: Session, user_id: int) -> list[int]:
    """The whole chain above a user, nearest first (the user included), in one recursive query."""
    chain = (
        select(User.id, User.inviter_id, literal(0).label("depth"))
        .where(User.id == user_id)
        .cte("chain", recursive=True)
    )
    parent = aliased(User)
    chain = chain.union_all(
        select(parent.id, parent.inviter_id, (chain.c.depth + 1).label("depth"))
        .join(chain, parent.id == chain.c.inviter_id)
        .where(chain.c.depth < MAX_CHAIN_DEPTH)
    )
    return list(session.scalars(select(chain.c.id).order_by(chain.c.depth)))
