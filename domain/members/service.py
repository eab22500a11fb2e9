"""Member levels by growth value."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.models import MemberLevel, User

DEFAULT_LEVELS = (("普通会员", 0, 10_000), ("银卡会员", 1000, 9800), ("金卡会员", 5000, 9500))


@dataclass(frozen=True)
class MemberSummary:
    level: int  # 0-based rank among the levels
    name: str
    growth: int
    discount_bp: int
    next_level_growth: int | None


def list_levels(session: Session) -> list[MemberLevel]:
    return list(session.scalars(select(MemberLevel).order_by(MemberLevel.growth_threshold)))


def ensure_default_levels(session: Session) -> None:
    if session.scalar(select(MemberLevel.id).limit(1)) is None:
        for name, threshold, bp in DEFAULT_LEVELS:
            session.add(MemberLevel(name=name, growth_threshold=threshold, discount_bp=bp))
        session.flush()


def member_summary(session: Session, user: User) -> MemberSummary:
    levels = list_levels(session)
    growth = user.growth
    if not levels:
        return MemberSummary(level=0, name="普通会员", growth=growth, discount_bp=10_000, next_level_growth=None)
    rank = 0
    for i, level in enumerate(levels):
        if growth >= level.growth_threshold:
            rank = i
    current = levels[rank]
    nxt = levels[rank + 1].growth_threshold if rank + 1 < len(levels) else None
    return MemberSummary(level=rank, name=current.name, growth=growth, discount_bp=current.discount_bp,
                         next_level_growth=nxt)
