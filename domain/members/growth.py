"""The growth ledger (成长值) and the level that follows it (docs/money-and-rules.md, "Members and growth").

Growth is an append-only ledger per user; ``users.growth`` is its sum and ``users.member_level_id`` the highest
level whose threshold that sum meets. Every entry goes through ``record_growth``, which locks the users (in id
order), writes the entries, moves the sums and re-ranks those users in a fixed number of statements however
many entries there are, so a level goes up or down in the same transaction as the points. A negative entry
never takes the sum below 0: it takes at most what is there, and the entry records what it took.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from domain.audit.service import record_action
from domain.errors import Conflict, Invalid, NotFound
from domain.members.errors import MemberError
from domain.models import GrowthEntry, GrowthKind, MemberLevel, Order, OrderLine, User
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.text import required_text

MAX_ADJUSTMENT = 1_000_000


@dataclass(frozen=True)
class GrowthChange:
    user_id: int
    kind: GrowthKind
    points: int
    key: str | None = None  # the event's own key: an event gives points once, however often it is reported
    ref: str | None = None
    order_id: int | None = None
    reason: str = ""
    staff_id: int | None = None


def level_reached(growth):
    """The id of the highest level whose threshold ``growth`` (a column or an expression) meets."""
    return (select(MemberLevel.id).where(MemberLevel.growth_threshold <= growth)
            .order_by(MemberLevel.growth_threshold.desc()).limit(1).scalar_subquery())


def rerank(session: Session, user_ids: Sequence[int] | None = None) -> int:
    """Set the level of the given users (everyone when ``None``) from their growth: one statement, which writes
    only the rows whose level changes. Returns how many changed."""
    level = level_reached(User.growth)
    statement = update(User).where(User.member_level_id.is_distinct_from(level)).values(member_level_id=level)
    if user_ids is not None:
        statement = statement.where(User.id.in_(list(user_ids)))
    changed = session.execute(statement, execution_options={"synchronize_session": False}).rowcount or 0
    _expire_users(session, None if user_ids is None else set(user_ids))
    return changed


def record_growth(session: Session, changes: Sequence[GrowthChange]) -> list[GrowthEntry]:
    """Append ledger entries and move each user's growth and level with them. An entry whose key is already in
    the ledger, or that comes to 0 points, is left out. Returns the entries written."""
    if not changes:
        return []
    user_ids = sorted({c.user_id for c in changes})
    growth = dict(session.execute(
        select(User.id, User.growth).where(User.id.in_(user_ids)).order_by(User.id).with_for_update(key_share=True)
    ).all())
    keys = [c.key for c in changes if c.key]
    seen = set(session.scalars(select(GrowthEntry.key).where(GrowthEntry.key.in_(keys)))) if keys else set()
    entries = []
    for change in changes:
        if change.user_id not in growth or (change.key is not None and change.key in seen):
            continue
        points = max(change.points, -growth[change.user_id])  # never below 0
        if points == 0:
            continue
        growth[change.user_id] += points
        seen.add(change.key)
        entries.append(GrowthEntry(user_id=change.user_id, kind=change.kind, points=points, ref=change.ref,
                                   key=change.key, order_id=change.order_id, reason=change.reason,
                                   staff_id=change.staff_id))
    if not entries:
        return []
    session.add_all(entries)
    session.flush()
    moved = sorted({e.user_id for e in entries})
    session.execute(
        update(User).where(User.id.in_(moved)).values(growth=case({uid: growth[uid] for uid in moved}, value=User.id)),
        execution_options={"synchronize_session": False},
    )
    rerank(session, moved)
    return entries


def award_order_completion(session: Session, order_ids: Sequence[int]) -> list[GrowthEntry]:
    """Orders just completed: +1 point per whole yuan of each order's net goods (paid less refunded; shipping is
    no goods), one entry per order."""
    if not order_ids:
        return []
    rows = session.execute(
        select(Order.id, Order.user_id, Order.order_no, func.sum(OrderLine.paid_fen - OrderLine.refunded_fen))
        .join(OrderLine, OrderLine.order_id == Order.id).where(Order.id.in_(list(order_ids)))
        .group_by(Order.id, Order.user_id, Order.order_no).order_by(Order.id)
    ).all()
    return record_growth(session, [
        GrowthChange(user_id=uid, kind=GrowthKind.ORDER_COMPLETED, points=int(net or 0) // 100, key=f"order:{oid}",
                     ref=order_no, order_id=oid)
        for oid, uid, order_no, net in rows
    ])


def take_back_for_refund(session: Session, *, order: Order, refund_id: int) -> GrowthEntry | None:
    """A refund of a completed order: what the order gave, less what its remaining net goods are worth now."""
    given = session.scalar(select(func.coalesce(func.sum(GrowthEntry.points), 0))
                           .where(GrowthEntry.order_id == order.id)) or 0
    if given <= 0:
        return None  # not completed yet (it will count only what is left), or nothing left to take
    net = session.scalar(select(func.coalesce(func.sum(OrderLine.paid_fen - OrderLine.refunded_fen), 0))
                         .where(OrderLine.order_id == order.id)) or 0
    keep = int(net) // 100
    if keep >= given:
        return None
    entries = record_growth(session, [GrowthChange(
        user_id=order.user_id, kind=GrowthKind.ORDER_REFUNDED, points=keep - int(given), key=f"refund:{refund_id}",
        ref=order.order_no, order_id=order.id)])
    return entries[0] if entries else None


def adjust_growth(session: Session, *, actor: Actor, user_id: int, points: int, reason: str) -> GrowthEntry:
    """Staff add or take points, with a reason; audited. Taking more than the shopper has takes what there is."""
    actor.require(Permission.MARKETING)
    if not isinstance(points, int) or isinstance(points, bool) or points == 0 or abs(points) > MAX_ADJUSTMENT:
        raise Invalid(MemberError.INVALID_ADJUSTMENT, f"请填写调整的成长值（非 0 的整数，绝对值不超过 {MAX_ADJUSTMENT}）")
    reason = required_text(reason, code=MemberError.INVALID_ADJUSTMENT, message="请填写调整原因（不超过 200 字）")
    before = session.scalar(select(User.growth).where(User.id == user_id))
    if before is None:
        raise NotFound(MemberError.MEMBER_NOT_FOUND, "会员不存在")
    entries = record_growth(session, [GrowthChange(user_id=user_id, kind=GrowthKind.ADJUSTMENT, points=points,
                                                   reason=reason, staff_id=actor.staff_id)])
    if not entries:
        raise Conflict(MemberError.GROWTH_AT_ZERO, "该会员成长值已为 0，无法再扣减")
    entry = entries[0]
    record_action(session, actor=actor, action="member.growth_adjust", entity_type="user", entity_id=user_id,
                  before={"growth": before},
                  after={"growth": before + entry.points, "points": entry.points, "reason": reason})
    return entry


def recompute_growth(session: Session) -> int:
    """Repair: every user's growth is set to their ledger's sum and re-ranked (two statements). Returns how many
    users changed."""
    total = (select(func.coalesce(func.sum(GrowthEntry.points), 0)).where(GrowthEntry.user_id == User.id)
             .scalar_subquery())
    fixed = session.execute(update(User).where(User.growth != total).values(growth=total),
                            execution_options={"synchronize_session": False}).rowcount or 0
    _expire_users(session, None)
    return fixed + rerank(session)


def _expire_users(session: Session, user_ids: set[int] | None) -> None:
    for obj in list(session.identity_map.values()):
        if isinstance(obj, User) and (user_ids is None or obj.id in user_ids):
            session.expire(obj, ["growth", "member_level_id"])
