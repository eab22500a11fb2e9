"""Member levels: the list staff edit, and where a shopper stands (docs/money-and-rules.md, "Members and growth").

A user's level is kept on their row (``member_level_id``, see growth.py); editing the levels re-ranks everyone in
one statement. A user whose row has no level yet (no growth entry since they joined) stands at the lowest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from domain.audit.service import record_action
from domain.errors import Invalid
from domain.json_rows import json_rows, rows_json
from domain.members.errors import MemberError
from domain.members.growth import rerank
from domain.models import MemberLevel, User
from domain.money import BP_SCALE
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.text import clean_text

DEFAULT_LEVELS = (
    ("普通会员", 0, 10_000, "签到领成长值"),
    ("银卡会员", 1000, 9800, "全场商品 9.8 折"),
    ("金卡会员", 5000, 9500, "全场商品 9.5 折"),
)
MAX_LEVELS = 10


@dataclass(frozen=True)
class MemberSummary:
    level: int  # 0-based rank among the levels
    name: str
    growth: int
    discount_bp: int
    next_level_growth: int | None
    benefits: str = ""
    next_level_name: str | None = None


@dataclass(frozen=True)
class LevelInput:
    name: str
    growth_threshold: int
    discount_bp: int
    benefits: str = ""
    id: int | None = None  # an existing level kept (its members stay on it unless their growth says otherwise)


# Every placement reads them: built once, on the table (rows, not ORM entities: whoever lists them only reads them,
# and loading entities cost more than the statement; docs/architecture.md, "Performance").
_LEVELS = select(*MemberLevel.__table__.c).order_by(MemberLevel.__table__.c.growth_threshold)


class LevelRow(NamedTuple):
    id: int
    name: str
    growth_threshold: int
    discount_bp: int
    benefits: str


# The levels as one column of another statement (domain/json_rows.py): placing and previewing an order read them
# with the shopper's token, one statement fewer each.
LEVELS_JSON = rows_json(select(*(MemberLevel.__table__.c[name] for name in LevelRow._fields)))


def list_levels(session: Session) -> list[Row]:
    """The member levels, lowest first, as rows (``id``, ``name``, ``growth_threshold``, ``discount_bp``,
    ``benefits`` …); ``save_levels`` changes them."""
    return list(session.execute(_LEVELS))


@lru_cache(maxsize=16)
def levels_from_json(text: str) -> tuple[LevelRow, ...]:
    """The levels ``LEVELS_JSON`` read, lowest first. Kept by their text: the same text is the same levels."""
    return tuple(sorted((LevelRow(*row) for row in json_rows(text)), key=lambda level: level.growth_threshold))


def ensure_default_levels(session: Session) -> None:
    if session.scalar(select(MemberLevel.id).limit(1)) is None:
        for name, threshold, bp, benefits in DEFAULT_LEVELS:
            session.add(MemberLevel(name=name, growth_threshold=threshold, discount_bp=bp, benefits=benefits))
        session.flush()
        rerank(session)


def rank_of(levels: Sequence[MemberLevel], level_id: int | None) -> int:
    """A level id's 0-based rank; no level (or one just removed) is the lowest."""
    return next((i for i, level in enumerate(levels) if level.id == level_id), 0)


def member_summary(session: Session, user: User, *, levels: Sequence[LevelRow] | None = None) -> MemberSummary:
    """Where ``user`` stands; ``levels``: the levels as this transaction read them already, else read here."""
    if levels is None:
        levels = list_levels(session)
    if not levels:
        return MemberSummary(level=0, name="普通会员", growth=user.growth, discount_bp=BP_SCALE, next_level_growth=None)
    rank = rank_of(levels, user.member_level_id)
    current, following = levels[rank], (levels[rank + 1] if rank + 1 < len(levels) else None)
    return MemberSummary(level=rank, name=current.name, growth=user.growth, discount_bp=current.discount_bp,
                         next_level_growth=following.growth_threshold if following else None,
                         benefits=current.benefits, next_level_name=following.name if following else None)


def save_levels(session: Session, *, actor: Actor, levels: Sequence[LevelInput]) -> list[MemberLevel]:
    """Staff replace the whole list: levels with an ``id`` are edited, others added, the missing removed. Then
    everyone is re-ranked in one statement. Audited."""
    actor.require(Permission.SETTINGS)
    wanted = _checked(levels)
    existing = {lv.id: lv for lv in session.scalars(select(MemberLevel).with_for_update())}
    unknown = [lv.id for lv in wanted if lv.id is not None and lv.id not in existing]
    if unknown:
        raise Invalid(MemberError.INVALID_LEVELS, f"等级不存在：{', '.join(map(str, unknown))}")
    before = [_snapshot(lv) for lv in sorted(existing.values(), key=lambda lv: lv.growth_threshold)]
    kept = {lv.id for lv in wanted if lv.id is not None}
    for level_id in set(existing) - kept:
        session.delete(existing.pop(level_id))
    session.flush()  # the removed go first: a flush writes inserts before deletes, and thresholds are unique
    if existing:  # thresholds are unique: move the kept ones out of the way before giving them their new values
        session.execute(update(MemberLevel).where(MemberLevel.id.in_(list(existing)))
                        .values(growth_threshold=-MemberLevel.id), execution_options={"synchronize_session": False})
        for level in existing.values():
            session.expire(level, ["growth_threshold"])  # so that each gets its value written, even an unchanged one
    saved = []
    for item in wanted:
        level = existing.get(item.id) if item.id is not None else None
        if level is None:
            level = MemberLevel()
            session.add(level)
        level.name, level.growth_threshold = item.name, item.growth_threshold
        level.discount_bp, level.benefits = item.discount_bp, item.benefits
        saved.append(level)
    session.flush()
    rerank(session)
    record_action(session, actor=actor, action="member_levels.update", entity_type="member_levels", entity_id="all",
                  before={"levels": before}, after={"levels": [_snapshot(lv) for lv in saved]})
    return saved


def _checked(levels: Sequence[LevelInput]) -> list[LevelInput]:
    if not 1 <= len(levels) <= MAX_LEVELS:
        raise Invalid(MemberError.INVALID_LEVELS, f"会员等级需为 1–{MAX_LEVELS} 个")
    cleaned = []
    for item in levels:
        name = clean_text(item.name)
        if not name or len(name) > 32:
            raise Invalid(MemberError.INVALID_LEVELS, "等级名称需为 1–32 个字")
        if not _whole(item.growth_threshold) or not 0 <= item.growth_threshold <= 100_000_000:
            raise Invalid(MemberError.INVALID_LEVELS, f"“{name}”的成长值门槛需为 0–100000000 的整数")
        if not _whole(item.discount_bp) or not 1 <= item.discount_bp <= BP_SCALE:
            raise Invalid(MemberError.INVALID_LEVELS, f"“{name}”的折扣需在 0.01%–100% 之间（100% 为不打折）")
        benefits = clean_text(item.benefits or "")
        if len(benefits) > 500:
            raise Invalid(MemberError.INVALID_LEVELS, f"“{name}”的权益说明不超过 500 字")
        cleaned.append(LevelInput(name=name, growth_threshold=item.growth_threshold, discount_bp=item.discount_bp,
                                  benefits=benefits, id=item.id))
    cleaned.sort(key=lambda lv: lv.growth_threshold)
    thresholds = [lv.growth_threshold for lv in cleaned]
    if thresholds[0] != 0:
        raise Invalid(MemberError.INVALID_LEVELS, "最低等级的成长值门槛需为 0（每位会员都有等级）")
    if len(set(thresholds)) != len(thresholds):
        raise Invalid(MemberError.INVALID_LEVELS, "各等级的成长值门槛不能相同")
    if len({lv.name for lv in cleaned}) != len(cleaned):
        raise Invalid(MemberError.INVALID_LEVELS, "等级名称不能重复")
    ids = [lv.id for lv in cleaned if lv.id is not None]
    if len(set(ids)) != len(ids):
        raise Invalid(MemberError.INVALID_LEVELS, "同一等级出现了两次")
    return cleaned


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _snapshot(level: MemberLevel) -> dict:
    return {"id": level.id, "name": level.name, "growth_threshold": level.growth_threshold,
            "discount_bp": level.discount_bp, "benefits": level.benefits}
