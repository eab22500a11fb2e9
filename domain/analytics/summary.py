"""The workbench's headline figures over a period, beside the previous equal period (docs/money-and-rules.md,
"Analytics": the definitions shared by the API and the dashboard).

The orders counted are those whose payment falls in the period, whatever their state now. Each group of figures
is one SQL aggregate per period: sales and paid orders (over the orders' lines), buyers, commission (over the
orders' records), new distributors and new bound users; liability is as of now.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from domain.analytics.periods import Period, aggregate_query, change_bp, in_period, ratio_bp
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    Distributor,
    Order,
    OrderLine,
    OrderStatus,
    User,
    WalletEntry,
    Withdrawal,
    WithdrawalStatus,
)


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    net_sales_fen: int  # Σ (paid − refunded) of the lines of the orders paid in the period
    refunded_fen: int
    paid_orders: int
    buyers: int
    aov_fen: int  # net sales // paid orders
    distribution_sales_fen: int  # the same over lines that carry at least one commission record
    distribution_share_bp: int
    commission_fen: int  # their records that are not cancelled, less clawbacks
    commission_ratio_bp: int  # commission // net sales
    new_distributors: int
    new_bound_users: int


@dataclass(frozen=True)
class Liability:
    """What the shop owes distributors now: frozen commission, available balances and withdrawals in flight."""

    frozen_fen: int
    available_fen: int
    withdrawing_fen: int

    @property
    def total_fen(self) -> int:
        return self.frozen_fen + self.available_fen + self.withdrawing_fen


@dataclass(frozen=True)
class Summary(PeriodFigures):
    previous: PeriodFigures
    liability: Liability

    def change_bp(self, figure: str) -> int | None:
        """The change of one figure (``"net_sales_fen"`` …) against the previous period, in bp."""
        return change_bp(getattr(self, figure), getattr(self.previous, figure))


def paid_in(period: Period):
    """The orders counted in a period: paid in it (a closed order was paid, then refunded whole)."""
    return (*in_period(Order.paid_at, period), Order.status.in_(OrderStatus.PAID_STATES))


def lines_paid_in(period: Period):
    """Their lines: each carries its order's payment time, written once when the order is paid."""
    return in_period(OrderLine.paid_at, period)


def records_paid_in(period: Period):
    """Their commission records, likewise."""
    return in_period(CommissionRecord.paid_at, period)


def orders_counted():
    """Every order has exactly one first line: counting those counts the orders without a DISTINCT."""
    return func.sum(case((OrderLine.line_no == 1, 1), else_=0))


@aggregate_query
def net_sales_fen(session: Session, period: Period) -> int:
    return int(session.scalar(select(func.sum(OrderLine.paid_fen - OrderLine.refunded_fen))
                              .where(*lines_paid_in(period))) or 0)


@aggregate_query
def period_figures(session: Session, *periods: Period) -> list[PeriodFigures]:
    """Each period's figures: per period, one aggregate over each table (the lines, the orders, the records) and
    one count of the new distributors and bound users. One pass over the span both periods cover, each sum filtered
    to its period, was slower on a million orders (bench/analytics.py): twice the range tips the plan from the
    ``paid_at`` index to a full scan, and every row pays each period's filter."""
    return [_figures(session, period) for period in periods]


def _figures(session: Session, period: Period) -> PeriodFigures:
    net = OrderLine.paid_fen - OrderLine.refunded_fen
    net_sales, refunded, distribution, paid_orders = (int(v or 0) for v in session.execute(select(
        func.sum(net), func.sum(OrderLine.refunded_fen),
        func.sum(case((OrderLine.earns_commission, net), else_=0)), orders_counted(),
    ).where(*lines_paid_in(period))).one())
    buyers = int(session.scalar(select(func.count(distinct(Order.user_id))).where(*paid_in(period))) or 0)
    fen = int(session.scalar(select(func.sum(CommissionRecord.amount_fen - CommissionRecord.clawed_back_fen))
                             .where(*records_paid_in(period), CommissionRecord.status != CommissionStatus.CANCELLED))
              or 0)
    new_distributors, new_bound_users = session.execute(select(
        select(func.count()).select_from(Distributor).where(*in_period(Distributor.created_at, period))
        .scalar_subquery(),
        select(func.count()).select_from(User).where(*in_period(User.bound_at, period)).scalar_subquery(),
    )).one()
    return PeriodFigures(
        period=period, net_sales_fen=net_sales, refunded_fen=refunded, paid_orders=paid_orders, buyers=buyers,
        aov_fen=net_sales // paid_orders if paid_orders else 0,
        distribution_sales_fen=distribution, distribution_share_bp=ratio_bp(distribution, net_sales),
        commission_fen=fen, commission_ratio_bp=ratio_bp(fen, net_sales),
        new_distributors=int(new_distributors), new_bound_users=int(new_bound_users),
    )


@aggregate_query
def liability(session: Session) -> Liability:
    frozen, available, withdrawing = (int(v or 0) for v in session.execute(select(
        select(func.sum(CommissionRecord.amount_fen))
        .where(CommissionRecord.status == CommissionStatus.FROZEN).scalar_subquery(),
        select(func.sum(WalletEntry.amount_fen)).scalar_subquery(),
        select(func.sum(Withdrawal.amount_fen)).where(Withdrawal.status.in_(WithdrawalStatus.IN_FLIGHT))
        .scalar_subquery(),
    )).one())
    return Liability(frozen_fen=int(frozen), available_fen=int(available), withdrawing_fen=int(withdrawing))


@aggregate_query
def summary(session: Session, *, period: Period) -> Summary:
    current, previous = period_figures(session, period, period.previous())
    fields = {name: getattr(current, name) for name in PeriodFigures.__dataclass_fields__}
    return Summary(**fields, previous=previous, liability=liability(session))
