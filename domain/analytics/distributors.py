"""Distributors over a period: the ranking (most commission first) and one distributor's drill-down — level-1
and level-2 sales, commission, team growth and conversion, bucket by bucket (docs/money-and-rules.md,
"Analytics": per-distributor figures).

``level1_sales_fen`` (``level2_sales_fen``) is the net of the lines, of orders paid in the period, on which the
distributor holds a level-1 (level-2) record; ``commission_fen`` its records there that are not cancelled, less
clawbacks; ``team_size`` its level-1 and level-2 members now; ``new_members`` those bound in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, exists, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from domain.analytics.errors import AnalyticsError
from domain.analytics.periods import Granularity, Period, aggregate_query, bucket, ratio_bp
from domain.analytics.summary import records_paid_in
from domain.errors import NotFound
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    Distributor,
    Order,
    OrderStatus,
    User,
)


@dataclass(frozen=True)
class DistributorRank:
    user_id: int
    nickname: str
    is_enabled: bool
    level1_sales_fen: int
    level2_sales_fen: int
    commission_fen: int
    level1_members: int
    level2_members: int
    new_members: int

    @property
    def team_size(self) -> int:
        return self.level1_members + self.level2_members


@dataclass(frozen=True)
class DistributorPoint:
    bucket: date
    level1_sales_fen: int
    level2_sales_fen: int
    commission_fen: int
    new_members: int  # level 1 and 2, bound in the bucket
    new_members_bought: int  # of those, how many have paid for an order since
    team_size: int  # at the end of the bucket

    @property
    def conversion_bp(self) -> int:
        return ratio_bp(self.new_members_bought, self.new_members)


@dataclass(frozen=True)
class DistributorDrilldown:
    period: Period
    totals: DistributorRank
    series: list[DistributorPoint]


def _earnings(period: Period, *, by: Granularity | None = None, user_id: int | None = None):
    """Per distributor (and per bucket when ``by`` is given): its level-1 and level-2 sales and its commission."""
    # A record's base is its line's net (paid less refunded), kept so by every refund: no join with the lines.
    net = CommissionRecord.base_fen
    columns = [CommissionRecord.beneficiary_id.label("user_id")]
    if by is not None:
        columns.append(bucket(CommissionRecord.paid_at, by).label("bucket"))
    query = (
        select(*columns,
               func.sum(case((CommissionRecord.level == 1, net), else_=0)).label("level1"),
               func.sum(case((CommissionRecord.level == 2, net), else_=0)).label("level2"),
               func.sum(case((CommissionRecord.status != CommissionStatus.CANCELLED,
                              CommissionRecord.amount_fen - CommissionRecord.clawed_back_fen), else_=0))
               .label("commission"))
        .where(*records_paid_in(period))
        .group_by(*columns)
    )
    if user_id is not None:
        query = query.where(CommissionRecord.beneficiary_id == user_id)
    return query


def _members(user_ids):
    """Every level-1 and level-2 member of these distributors: (distributor, level, member, bound_at)."""
    parent = aliased(User)
    return union_all(
        select(User.inviter_id.label("user_id"), literal(1).label("level"), User.id.label("member_id"),
               User.bound_at.label("bound_at")).where(User.inviter_id.in_(user_ids)),
        select(parent.inviter_id.label("user_id"), literal(2).label("level"), User.id.label("member_id"),
               User.bound_at.label("bound_at"))
        .join(parent, parent.id == User.inviter_id).where(parent.inviter_id.in_(user_ids)),
    ).subquery()


def _team_counts(session: Session, user_ids: list[int], period: Period) -> dict[int, tuple[int, int, int]]:
    members = _members(user_ids)
    new = (members.c.bound_at >= period.start) & (members.c.bound_at < period.end)
    rows = session.execute(
        select(members.c.user_id, func.sum(case((members.c.level == 1, 1), else_=0)),
               func.sum(case((members.c.level == 2, 1), else_=0)), func.sum(case((new, 1), else_=0)))
        .group_by(members.c.user_id)
    ).all()
    return {uid: (int(a or 0), int(b or 0), int(c or 0)) for uid, a, b, c in rows}


@aggregate_query
def distributor_ranking(session: Session, *, period: Period, page: int = 1,
                        page_size: int = 20) -> tuple[list[DistributorRank], int]:
    """Every distributor, most commission in the period first (then by user id); team counts for the page only."""
    earned = _earnings(period).subquery()
    commission = func.coalesce(earned.c.commission, 0)
    rows = session.execute(
        select(Distributor.user_id, User.nickname, Distributor.is_enabled, func.coalesce(earned.c.level1, 0),
               func.coalesce(earned.c.level2, 0), commission)
        .join(User, User.id == Distributor.user_id)
        .outerjoin(earned, earned.c.user_id == Distributor.user_id)
        .order_by(commission.desc(), Distributor.user_id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    total = session.scalar(select(func.count()).select_from(Distributor)) or 0
    teams = _team_counts(session, [r[0] for r in rows], period) if rows else {}
    return [DistributorRank(uid, nickname or "", enabled, int(l1), int(l2), int(fen), *teams.get(uid, (0, 0, 0)))
            for uid, nickname, enabled, l1, l2, fen in rows], total


@aggregate_query
def distributor_drilldown(session: Session, *, user_id: int, period: Period,
                          by: Granularity = Granularity.WEEK) -> DistributorDrilldown:
    row = session.execute(select(User.nickname, Distributor.is_enabled).join(User, User.id == Distributor.user_id)
                          .where(Distributor.user_id == user_id)).first()
    if row is None:
        raise NotFound(AnalyticsError.DISTRIBUTOR_NOT_FOUND, "分销员不存在")
    earned = {b: (int(l1 or 0), int(l2 or 0), int(fen or 0)) for _, b, l1, l2, fen in
              session.execute(_earnings(period, by=by, user_id=user_id)).all()}

    # The team in one pass: each member bound before the period, in one of its buckets, or after it, by level.
    members = _members([user_id])
    bound_at = members.c.bound_at
    inside = (bound_at >= period.start) & (bound_at < period.end)
    bought = exists().where(Order.user_id == members.c.member_id, Order.status.in_(OrderStatus.PAID_STATES))
    phase = case((inside, "in"), (bound_at >= period.end, "after"), else_="before")  # never bound: before
    when = case((inside, bucket(bound_at, by)))
    rows = session.execute(
        select(phase, when, members.c.level, func.count(), func.sum(case((inside & bought, 1), else_=0)))
        .group_by(phase, when, members.c.level)).all()
    before = sum(int(n) for p, _, _, n, _ in rows if p == "before")
    joined: dict[str, tuple[int, int]] = {}
    for p, b, _, n, k in rows:
        if p == "in":
            had = joined.get(b, (0, 0))
            joined[b] = (had[0] + int(n), had[1] + int(k or 0))

    series, team = [], before
    for b in period.buckets(by):
        l1, l2, fen = earned.get(b.isoformat(), (0, 0, 0))
        n, k = joined.get(b.isoformat(), (0, 0))
        team += n
        series.append(DistributorPoint(b, l1, l2, fen, n, k, team))
    level1, level2 = (sum(int(n) for _, _, level, n, _ in rows if level == lvl) for lvl in (1, 2))
    new = sum(n for n, _ in joined.values())
    totals = DistributorRank(user_id, row.nickname or "", row.is_enabled, sum(p.level1_sales_fen for p in series),
                             sum(p.level2_sales_fen for p in series), sum(p.commission_fen for p in series),
                             level1, level2, new)
    return DistributorDrilldown(period=period, totals=totals, series=series)
