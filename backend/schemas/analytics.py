"""Analytics answers, read from the domain's read models (``domain/analytics/``) by attribute. Amounts are fen,
ratios bp; days are Shanghai days ``YYYY-MM-DD``, ``from`` and ``to`` inclusive."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.common import ReadModel, Strict, StrictInt
from domain.analytics.risk_queue import RiskAction


class PeriodOut(ReadModel):
    first: date = Field(serialization_alias="from")
    last: date = Field(serialization_alias="to")


class FiguresOut(ReadModel):
    period: PeriodOut
    net_sales_fen: int
    refunded_fen: int
    paid_orders: int
    buyers: int
    aov_fen: int
    distribution_sales_fen: int
    distribution_share_bp: int
    commission_fen: int
    commission_ratio_bp: int
    new_distributors: int
    new_bound_users: int


class LiabilityOut(ReadModel):
    frozen_fen: int
    available_fen: int
    withdrawing_fen: int
    total_fen: int


class SummaryOut(FiguresOut):
    previous: FiguresOut = Field(description="the same figures over the previous period of equal length")
    liability: LiabilityOut = Field(description="what is owed to distributors now")


class SalesPointOut(ReadModel):
    bucket: date = Field(description="the day, the week's Monday, or the month's first day")
    paid_orders: int
    net_sales_fen: int
    refunded_fen: int
    distribution_sales_fen: int


class CommissionPointOut(ReadModel):
    bucket: date
    level: int
    status: Literal["frozen", "settled", "cancelled"]
    records: int
    amount_fen: int


class GrowthPointOut(ReadModel):
    bucket: date
    bindings: int
    new_distributors: int


class SeriesOut(BaseModel):
    by: Literal["day", "week", "month"]
    sales: list[SalesPointOut]
    commission: list[CommissionPointOut]
    growth: list[GrowthPointOut]


class DistributorRankOut(ReadModel):
    user_id: int
    nickname: str
    is_enabled: bool
    level1_sales_fen: int
    level2_sales_fen: int
    commission_fen: int
    team_size: int
    level1_members: int
    level2_members: int
    new_members: int


class DistributorPointOut(ReadModel):
    bucket: date
    level1_sales_fen: int
    level2_sales_fen: int
    commission_fen: int
    new_members: int
    new_members_bought: int
    conversion_bp: int
    team_size: int


class DistributorDrilldownOut(ReadModel):
    period: PeriodOut
    totals: DistributorRankOut
    series: list[DistributorPointOut]


class FunnelOut(ReadModel):
    shares: int
    visits: int
    bound: int
    ordered: int
    paid: int
    completed: int


class DistributorFunnelOut(FunnelOut):
    user_id: int
    nickname: str


class CohortRowOut(ReadModel):
    week: date
    size: int
    bought: list[int | None]
    shares_bp: list[int | None]


class CohortsOut(ReadModel):
    period: PeriodOut
    weeks: int
    rows: list[CohortRowOut]


class RepeatPurchaseOut(ReadModel):
    buyers: int
    repeat_buyers: int
    rate_bp: int


class RefundRateOut(ReadModel):
    orders: int
    paid_fen: int
    refunded_fen: int
    rate_bp: int


class ProductRefundRateOut(RefundRateOut):
    product_id: int
    title: str


class TeamRefundRateOut(RefundRateOut):
    user_id: int
    nickname: str


class ProductRefundsOut(BaseModel):
    items: list[ProductRefundRateOut]
    total: int
    shop: RefundRateOut


class TeamRefundsOut(BaseModel):
    items: list[TeamRefundRateOut]
    total: int
    shop: RefundRateOut


class SimulationIn(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: date = Field(alias="from")
    last: date = Field(alias="to")
    level1_bp: StrictInt = Field(ge=0, le=10_000)
    level2_bp: StrictInt = Field(ge=0, le=10_000)


class BeneficiaryChangeOut(ReadModel):
    user_id: int
    nickname: str
    records: int
    actual_fen: int
    simulated_fen: int
    delta_fen: int


class WeekChangeOut(ReadModel):
    week: date
    actual_fen: int
    simulated_fen: int


class SimulationOut(ReadModel):
    period: PeriodOut
    level1_bp: int
    level2_bp: int
    cap_bp: int
    over_cap: bool
    orders: int
    records: int
    kept_records: int = Field(description="records of products with their own rates, simulated at those rates")
    net_sales_fen: int
    actual_fen: int
    simulated_fen: int
    delta_fen: int
    actual_ratio_bp: int
    simulated_ratio_bp: int
    by_beneficiary: list[BeneficiaryChangeOut]
    by_week: list[WeekChangeOut]


RiskKindName = Literal["shared_phone", "shared_address", "shared_payer", "team_refunds", "binding_burst"]


class RiskSignalOut(ReadModel):
    id: int
    kind: RiskKindName
    distributor_id: int
    distributor_nickname: str
    user_id: int | None
    user_nickname: str
    evidence: dict
    status: Literal["open", "reviewed"]
    outcome: Literal["dismissed", "withdrawals_on_review"] | None
    review_note: str
    reviewed_by: str
    reviewed_at: datetime | None
    created_at: datetime
    withdrawals_on_review: bool
    actions: list[RiskAction]


class ReviewIn(Strict):
    note: str = Field("", max_length=200)


class HoldIn(Strict):
    reason: str = Field(max_length=200)


class PlaceReviewIn(Strict):
    user_id: StrictInt = Field(ge=1, le=2_147_483_647)
    reason: str = Field(max_length=200)


class ScanOut(BaseModel):
    raised: int


class WithdrawalReviewOut(ReadModel):
    user_id: int
    nickname: str
    reason: str
    signal_id: int | None
    placed_by: str
    created_at: datetime
    pending_withdrawals: int
