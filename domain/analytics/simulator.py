"""The commission policy simulator: what other rates would have cost over a period. It re-prices history and
writes nothing (docs/money-and-rules.md, "The commission simulator").

For the orders paid in the period it takes each commission record that is not cancelled:

- actual: what the record owes now, ``amount_fen − clawed_back_fen`` (after any refund);
- simulated: ``base_fen * new rate of its level // 10000``, on the record's current base (the line's paid amount
  less what has been refunded), floored per record as real commission is;
- a product with its own rates keeps them: records written at a product's own pair (``own_rates``) are simulated
  at the rate they were written with.

Only records that exist are re-priced: a level that earned nothing (an unqualified inviter, a product out of
distribution) stays at nothing. ``over_cap`` says whether the new pair passes ``commission_cap_bp``, which the
settings would refuse and which commission never exceeds when written; the figures show the rates as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain.analytics.errors import AnalyticsError
from domain.analytics.periods import Granularity, Period, aggregate_query, bucket, ratio_bp
from domain.analytics.summary import net_sales_fen, records_paid_in
from domain.errors import Invalid
from domain.models import CommissionRecord, CommissionStatus, User
from domain.settings.service import get_settings

MAX_RATE_BP = 10_000


@dataclass(frozen=True)
class BeneficiaryChange:
    user_id: int
    nickname: str
    records: int
    actual_fen: int
    simulated_fen: int

    @property
    def delta_fen(self) -> int:
        return self.simulated_fen - self.actual_fen


@dataclass(frozen=True)
class WeekChange:
    week: date  # Monday
    actual_fen: int
    simulated_fen: int


@dataclass(frozen=True)
class Simulation:
    period: Period
    level1_bp: int
    level2_bp: int
    cap_bp: int
    over_cap: bool
    orders: int  # orders paid in the period that carry a record re-priced
    records: int
    kept_records: int  # records of products with their own rates, simulated at those rates
    net_sales_fen: int
    actual_fen: int
    simulated_fen: int
    actual_ratio_bp: int
    simulated_ratio_bp: int  # simulated commission // net sales
    by_beneficiary: list[BeneficiaryChange]  # most simulated commission first
    by_week: list[WeekChange]

    @property
    def delta_fen(self) -> int:
        return self.simulated_fen - self.actual_fen


def _check_rate(bp: object, name: str) -> int:
    if not isinstance(bp, int) or isinstance(bp, bool) or not 0 <= bp <= MAX_RATE_BP:
        raise Invalid(AnalyticsError.INVALID_RATE, f"{name}须为 0–10000 的整数（基点，1% = 100）")
    return bp


@aggregate_query
def simulate_commission(session: Session, *, period: Period, level1_bp: int, level2_bp: int) -> Simulation:
    level1_bp, level2_bp = _check_rate(level1_bp, "一级佣金比例"), _check_rate(level2_bp, "二级佣金比例")
    cap_bp = get_settings(session).commission_cap_bp
    own_rates = CommissionRecord.own_rates
    new_rate = case((own_rates, CommissionRecord.rate_bp), (CommissionRecord.level == 1, level1_bp),
                    else_=level2_bp)
    actual = func.sum(CommissionRecord.amount_fen - CommissionRecord.clawed_back_fen)
    simulated = func.sum(CommissionRecord.base_fen * new_rate // 10_000)

    def repriced(*columns):
        return (select(*columns).select_from(CommissionRecord)
                .where(*records_paid_in(period), CommissionRecord.status != CommissionStatus.CANCELLED))

    per_beneficiary = (
        repriced(CommissionRecord.beneficiary_id.label("user_id"), func.count().label("records"),
                 actual.label("actual"), simulated.label("simulated"),
                 func.sum(case((own_rates, 1), else_=0)).label("kept"))
        .group_by(CommissionRecord.beneficiary_id).subquery()
    )
    beneficiaries = session.execute(
        select(per_beneficiary.c.user_id, User.nickname, per_beneficiary.c.records, per_beneficiary.c.actual,
               per_beneficiary.c.simulated, per_beneficiary.c.kept)
        .join(User, User.id == per_beneficiary.c.user_id)
    ).all()
    week = bucket(CommissionRecord.paid_at, Granularity.WEEK)
    weeks = {w: (int(n), int(a or 0), int(s or 0)) for w, n, a, s in session.execute(
        repriced(week, func.count(func.distinct(CommissionRecord.order_id)), actual, simulated).group_by(week))}
    changes = sorted((BeneficiaryChange(uid, nickname or "", int(n), int(a or 0), int(s or 0))
                      for uid, nickname, n, a, s, _ in beneficiaries), key=lambda c: (-c.simulated_fen, c.user_id))
    sales = net_sales_fen(session, period)
    actual_fen, simulated_fen = sum(c.actual_fen for c in changes), sum(c.simulated_fen for c in changes)
    return Simulation(
        period=period, level1_bp=level1_bp, level2_bp=level2_bp, cap_bp=cap_bp,
        over_cap=level1_bp + level2_bp > cap_bp, orders=sum(n for n, _, _ in weeks.values()),
        records=sum(c.records for c in changes), kept_records=sum(int(kept or 0) for *_, kept in beneficiaries),
        net_sales_fen=sales, actual_fen=actual_fen, simulated_fen=simulated_fen,
        actual_ratio_bp=ratio_bp(actual_fen, sales), simulated_ratio_bp=ratio_bp(simulated_fen, sales),
        by_beneficiary=changes,
        by_week=[WeekChange(w, *weeks.get(w.isoformat(), (0, 0, 0))[1:]) for w in period.buckets(Granularity.WEEK)],
    )
