"""The workbench's reads, cached for a minute per database and arguments: every analyst looking at the same range
costs the database one query, and a rerun (a click elsewhere on the screen) costs nothing. Only plain dataclasses
are cached, never a Session (docs/architecture.md, "Analytics")."""

from __future__ import annotations

import streamlit as st

from dashboard.components.actions import read
from domain.analytics import cohorts as cohort_queries
from domain.analytics import distributors as distributor_queries
from domain.analytics import funnel as funnel_queries
from domain.analytics import queries, refunds, series, simulator
from domain.analytics import summary as summary_queries
from domain.analytics.periods import Granularity, Period
from domain.config import get_config
from domain.distribution.team import TeamNode, team_tree
from domain.orders.queries import status_counts
from domain.settings.service import get_settings

TTL = 60
PAGE_SIZE = 20
ALL_ROWS = 10_000  # lists drawn whole: products, teams' refund rates


def database() -> str:
    """The cache's first argument: tests and hosts with another database never share answers."""
    return get_config().resolved_database_url


@st.cache_data(ttl=TTL, show_spinner=False)
def summary(db: str, period: Period) -> summary_queries.Summary:
    return read(lambda s: summary_queries.summary(s, period=period))


@st.cache_data(ttl=TTL, show_spinner=False)
def sales(db: str, period: Period, by: Granularity) -> list[series.SalesPoint]:
    return read(lambda s: series.sales_series(s, period=period, by=by))


@st.cache_data(ttl=TTL, show_spinner=False)
def commission(db: str, period: Period, by: Granularity) -> list[series.CommissionPoint]:
    return read(lambda s: series.commission_series(s, period=period, by=by))


@st.cache_data(ttl=TTL, show_spinner=False)
def growth(db: str, period: Period, by: Granularity) -> list[series.GrowthPoint]:
    return read(lambda s: series.growth_series(s, period=period, by=by))


@st.cache_data(ttl=TTL, show_spinner=False)
def order_statuses(db: str) -> dict[str, int]:
    return read(status_counts)


@st.cache_data(ttl=TTL, show_spinner=False)
def ranking(db: str, period: Period, page: int) -> tuple[list[distributor_queries.DistributorRank], int]:
    return read(lambda s: distributor_queries.distributor_ranking(s, period=period, page=page, page_size=PAGE_SIZE))


@st.cache_data(ttl=TTL, show_spinner=False)
def drilldown(db: str, user_id: int, period: Period, by: Granularity) -> distributor_queries.DistributorDrilldown:
    return read(lambda s: distributor_queries.distributor_drilldown(s, user_id=user_id, period=period, by=by))


@st.cache_data(ttl=TTL, show_spinner=False)
def team(db: str, user_id: int) -> tuple[list[TeamNode], int]:
    return read(lambda s: team_tree(s, user_id, limit=500))


@st.cache_data(ttl=TTL, show_spinner=False)
def funnel(db: str, period: Period) -> funnel_queries.FunnelCounts:
    return read(lambda s: funnel_queries.funnel(s, period=period))


@st.cache_data(ttl=TTL, show_spinner=False)
def funnel_by_distributor(db: str, period: Period,
                          page: int) -> tuple[list[funnel_queries.DistributorFunnel], int]:
    return read(lambda s: funnel_queries.funnel_by_distributor(s, period=period, page=page, page_size=PAGE_SIZE))


@st.cache_data(ttl=TTL, show_spinner=False)
def cohorts(db: str, period: Period, weeks: int) -> cohort_queries.CohortTable:
    return read(lambda s: cohort_queries.cohorts(s, period=period, weeks=weeks))


@st.cache_data(ttl=TTL, show_spinner=False)
def repeat_purchase(db: str, period: Period) -> cohort_queries.RepeatPurchase:
    return read(lambda s: cohort_queries.repeat_purchase(s, period=period))


@st.cache_data(ttl=TTL, show_spinner=False)
def product_refunds(db: str, period: Period) -> tuple[list[refunds.ProductRefundRate], int]:
    return read(lambda s: refunds.refund_rate_by_product(s, period=period, page_size=ALL_ROWS))


@st.cache_data(ttl=TTL, show_spinner=False)
def team_refunds(db: str, period: Period, page: int) -> tuple[list[refunds.TeamRefundRate], int]:
    return read(lambda s: refunds.refund_rate_by_team(s, period=period, page=page, page_size=PAGE_SIZE))


@st.cache_data(ttl=TTL, show_spinner=False)
def shop_refund_rate(db: str, period: Period) -> refunds.RefundRate:
    return read(lambda s: refunds.shop_refund_rate(s, period=period))


@st.cache_data(ttl=TTL, show_spinner=False)
def network(db: str, limit: int) -> tuple[list[queries.NetworkRow], int]:
    return read(lambda s: queries.distribution_network(s, limit=limit))


@st.cache_data(ttl=TTL, show_spinner=False)
def simulation(db: str, period: Period, level1_bp: int, level2_bp: int) -> simulator.Simulation:
    return read(lambda s: simulator.simulate_commission(s, period=period, level1_bp=level1_bp, level2_bp=level2_bp))


def commission_rates() -> tuple[int, int, int]:
    """The shop's level-1 and level-2 rates and their cap now (bp); read fresh, they are settings."""
    settings = read(get_settings)
    return settings.commission_level1_bp, settings.commission_level2_bp, settings.commission_cap_bp
