"""Staff: the analyst's workbench — figures over any range of Shanghai days, the commission simulator, exports, and
the risk queue with its decisions. Analysts and the owner read (the analytics permission); the risk queue's
decisions belong to whoever pays withdrawals (finance, the owner), which the domain checks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response

from backend.deps import CurrentActor, SessionDep
from backend.schemas.analytics import (
    CohortsOut,
    DistributorDrilldownOut,
    DistributorFunnelOut,
    DistributorRankOut,
    FunnelOut,
    HoldIn,
    PlaceReviewIn,
    ProductRefundRateOut,
    ProductRefundsOut,
    RefundRateOut,
    RepeatPurchaseOut,
    ReviewIn,
    RiskKindName,
    RiskSignalOut,
    ScanOut,
    SeriesOut,
    SimulationIn,
    SimulationOut,
    SummaryOut,
    TeamRefundRateOut,
    TeamRefundsOut,
    WithdrawalReviewOut,
)
from backend.schemas.common import STAFF_ERRORS, IdPath, IdQuery, Page, PageParams, errors, page_params
from domain.analytics import cohorts, distributors, export, funnel, refunds, risk, risk_queue, series, simulator
from domain.analytics.periods import Granularity, Period, today
from domain.analytics.summary import summary as period_summary
from domain.security.actor import Actor
from domain.security.roles import Permission

router = APIRouter(prefix="/api/v1/admin/analytics", tags=["admin: analytics"], responses=STAFF_ERRORS)

DEFAULT_DAYS = 30
By = Literal["day", "week", "month"]


def analyst(actor: CurrentActor) -> Actor:
    actor.require(Permission.ANALYTICS)
    return actor


Analyst = Annotated[Actor, Depends(analyst)]


def period(date_from: Annotated[date | None, Query(alias="from", description="first Shanghai day, YYYY-MM-DD")] = None,
           date_to: Annotated[date | None, Query(alias="to", description="last Shanghai day, inclusive")] = None
           ) -> Period:
    """``from``–``to``; either left out: the last 30 days up to ``to`` (or today). 422 ``invalid_range``."""
    last = date_to or today()
    return Period.of(date_from or last - timedelta(days=DEFAULT_DAYS - 1), last)


Range = Annotated[Period, Depends(period)]


@router.get("/summary", response_model=SummaryOut, responses=errors(422))
def summary(_: Analyst, session: SessionDep, days: Range):
    """The headline figures of the orders paid in the range, beside the previous equal period, and liability now.
    Refusal: ``invalid_range`` (422)."""
    return period_summary(session, period=days)


@router.get("/series", response_model=SeriesOut, responses=errors(422))
def time_series(_: Analyst, session: SessionDep, days: Range, by: By = "day") -> SeriesOut:
    """Sales, commission by level and status, bindings and new distributors by day, week (from Monday) or month."""
    granularity = Granularity(by)
    return SeriesOut(by=by, sales=series.sales_series(session, period=days, by=granularity),
                     commission=series.commission_series(session, period=days, by=granularity),
                     growth=series.growth_series(session, period=days, by=granularity))


@router.get("/distributors", response_model=Page[DistributorRankOut], responses=errors(422))
def distributor_ranking(_: Analyst, session: SessionDep, days: Range,
                        paging: Annotated[PageParams, Depends(page_params)]) -> Page[DistributorRankOut]:
    """Every distributor, most commission in the range first."""
    rows, total = distributors.distributor_ranking(session, period=days, page=paging.page, page_size=paging.page_size)
    return Page[DistributorRankOut](items=rows, total=total)


@router.get("/distributors/{user_id}", response_model=DistributorDrilldownOut, responses=errors(404, 422))
def distributor_drilldown(user_id: IdPath, _: Analyst, session: SessionDep, days: Range, by: By = "week"):
    """One distributor's level-1 and level-2 sales, commission, team growth and conversion, bucket by bucket.
    Refusal: ``distributor_not_found`` (404)."""
    return distributors.distributor_drilldown(session, user_id=user_id, period=days, by=Granularity(by))


@router.get("/funnel", response_model=FunnelOut, responses=errors(422))
def shop_funnel(_: Analyst, session: SessionDep, days: Range, distributor_id: IdQuery = None):
    """Shares → visits → bound → ordered → paid → completed, for the shop or one inviter."""
    return funnel.funnel(session, period=days, distributor_id=distributor_id)


@router.get("/funnel/distributors", response_model=Page[DistributorFunnelOut], responses=errors(422))
def funnel_by_distributor(_: Analyst, session: SessionDep, days: Range,
                          paging: Annotated[PageParams, Depends(page_params)]) -> Page[DistributorFunnelOut]:
    rows, total = funnel.funnel_by_distributor(session, period=days, page=paging.page, page_size=paging.page_size)
    return Page[DistributorFunnelOut](items=rows, total=total)


@router.get("/cohorts", response_model=CohortsOut, responses=errors(422))
def cohort_table(_: Analyst, session: SessionDep, days: Range,
                 weeks: Annotated[int, Query(ge=1, le=52)] = cohorts.DEFAULT_WEEKS):
    """Shoppers bound in each week of the range, and the share who had paid an order by week W+k."""
    return cohorts.cohorts(session, period=days, weeks=weeks)


@router.get("/repeat-purchase", response_model=RepeatPurchaseOut, responses=errors(422))
def repeat_purchase(_: Analyst, session: SessionDep, days: Range):
    return cohorts.repeat_purchase(session, period=days)


@router.get("/refunds/products", response_model=ProductRefundsOut, responses=errors(422))
def product_refunds(_: Analyst, session: SessionDep, days: Range,
                    paging: Annotated[PageParams, Depends(page_params)]) -> ProductRefundsOut:
    """Refund rate by product (most refunded first), with the shop's."""
    rows, total = refunds.refund_rate_by_product(session, period=days, page=paging.page, page_size=paging.page_size)
    return ProductRefundsOut(items=[ProductRefundRateOut.model_validate(r) for r in rows], total=total,
                             shop=RefundRateOut.model_validate(refunds.shop_refund_rate(session, period=days)))


@router.get("/refunds/teams", response_model=TeamRefundsOut, responses=errors(422))
def team_refunds(_: Analyst, session: SessionDep, days: Range,
                 paging: Annotated[PageParams, Depends(page_params)]) -> TeamRefundsOut:
    """Refund rate by distributor's team (level 1 and 2), the highest first, with the shop's."""
    rows, total = refunds.refund_rate_by_team(session, period=days, page=paging.page, page_size=paging.page_size)
    return TeamRefundsOut(items=[TeamRefundRateOut.model_validate(r) for r in rows], total=total,
                          shop=RefundRateOut.model_validate(refunds.shop_refund_rate(session, period=days)))


@router.post("/commission-simulation", response_model=SimulationOut, responses=errors(422))
def commission_simulation(body: SimulationIn, _: Analyst, session: SessionDep):
    """What the orders paid in the range would have cost at these rates; writes nothing. Refusals:
    ``invalid_range``, ``invalid_rate`` (422)."""
    return simulator.simulate_commission(session, period=Period.of(body.first, body.last), level1_bp=body.level1_bp,
                                         level2_bp=body.level2_bp)


@router.get("/export/{table}", response_class=Response, responses={
    **errors(404, 422), 200: {"content": {export.XLSX_MIME: {}}, "description": "an .xlsx workbook"}})
def export_table(table: export.Table, actor: CurrentActor, session: SessionDep, days: Range, by: By = "day",
                 level1_bp: Annotated[int | None, Query(ge=0, le=10_000)] = None,
                 level2_bp: Annotated[int | None, Query(ge=0, le=10_000)] = None) -> Response:
    """Every row of one analytics table as Excel: Chinese headers, amounts in yuan, a file name that says what and
    when. ``simulation`` takes ``level1_bp`` and ``level2_bp``; ``risk_signals`` the signals raised in the range."""
    rates = (level1_bp, level2_bp) if level1_bp is not None and level2_bp is not None else None
    name, data = export.analytics_export(session, viewer=actor, table=table, period=days, by=Granularity(by),
                                         rates=rates)
    return Response(data, media_type=export.XLSX_MIME,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


# --- the risk queue ---------------------------------------------------------------------------------


@router.get("/risk-signals", response_model=Page[RiskSignalOut])
def risk_signals(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                 status: Literal["open", "reviewed", "all"] = "open", kind: RiskKindName | None = None,
                 distributor_id: IdQuery = None) -> Page[RiskSignalOut]:
    """The queue, newest first, with the evidence and the actions each signal offers the caller."""
    rows, total = risk_queue.list_risk_signals(session, viewer=actor, status=None if status == "all" else status,
                                               kind=kind, distributor_id=distributor_id, page=paging.page,
                                               page_size=paging.page_size)
    return Page[RiskSignalOut](items=rows, total=total)


@router.get("/risk-signals/{signal_id}", response_model=RiskSignalOut, responses=errors(404))
def risk_signal(signal_id: IdPath, actor: CurrentActor, session: SessionDep):
    """Refusal: ``signal_not_found`` (404)."""
    return risk_queue.risk_signal_detail(session, viewer=actor, signal_id=signal_id)


@router.post("/risk-signals/scan", response_model=ScanOut)
def scan(actor: CurrentActor, session: SessionDep) -> ScanOut:
    """Look for new patterns now (the ``scan-risks`` job does it every hour); answers how many were raised."""
    actor.require(Permission.WITHDRAWALS)
    return ScanOut(raised=risk.scan_risks(session))


@router.post("/risk-signals/{signal_id}/review", response_model=RiskSignalOut, responses=errors(404, 409))
def mark_reviewed(signal_id: IdPath, actor: CurrentActor, session: SessionDep, body: ReviewIn | None = None):
    """Looked at, nothing to do. Refusals: ``signal_not_found`` (404), ``signal_already_reviewed`` (409)."""
    risk_queue.mark_signal_reviewed(session, actor=actor, signal_id=signal_id, note=body.note if body else "")
    return risk_queue.risk_signal_detail(session, viewer=actor, signal_id=signal_id)


@router.post("/risk-signals/{signal_id}/hold-withdrawals", response_model=RiskSignalOut, responses=errors(404, 409))
def hold_withdrawals(signal_id: IdPath, body: HoldIn, actor: CurrentActor, session: SessionDep):
    """Put the signal's distributor on withdrawal review (each withdrawal then needs a second approval by another
    staff member) and close the signal. Refusals: ``signal_not_found`` (404), ``signal_already_reviewed``,
    ``withdrawals_already_on_review`` (409), ``reason_required`` (422)."""
    risk_queue.hold_withdrawals(session, actor=actor, signal_id=signal_id, reason=body.reason)
    return risk_queue.risk_signal_detail(session, viewer=actor, signal_id=signal_id)


@router.get("/withdrawal-reviews", response_model=list[WithdrawalReviewOut])
def withdrawal_reviews(actor: CurrentActor, session: SessionDep):
    """Distributors whose withdrawals are on review, with how many withdrawals wait."""
    return risk_queue.list_reviews(session, viewer=actor)


@router.post("/withdrawal-reviews", response_model=list[WithdrawalReviewOut], status_code=201,
             responses=errors(404, 409))
def place_on_review(body: PlaceReviewIn, actor: CurrentActor, session: SessionDep):
    """Put a distributor's withdrawals on review by hand. Refusals: ``distributor_not_found`` (404),
    ``withdrawals_already_on_review`` (409), ``reason_required`` (422)."""
    risk_queue.place_on_review(session, actor=actor, user_id=body.user_id, reason=body.reason)
    return risk_queue.list_reviews(session, viewer=actor)


@router.delete("/withdrawal-reviews/{user_id}", status_code=204, responses=errors(404, 409))
def lift_review(user_id: IdPath, actor: CurrentActor, session: SessionDep) -> Response:
    """Withdrawals need one approval again. Refusal: ``withdrawals_not_on_review`` (409)."""
    risk_queue.lift_review(session, actor=actor, user_id=user_id)
    return Response(status_code=204)
