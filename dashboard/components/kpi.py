"""KPI cards: a figure of the period and, when comparing, its change against the previous equal period.

Amounts and counts change by a percentage of what they were (``change_bp``); ratios (distribution share,
commission ratio) by percentage points, since a percentage of a percentage reads as nonsense.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.components.amounts import money, percent_text
from dashboard.i18n import t
from domain.analytics.periods import change_bp
from domain.analytics.summary import Liability, Summary
from domain.money import percent


class Unit(StrEnum):
    MONEY = "money"  # fen
    COUNT = "count"
    RATIO = "ratio"  # bp


@dataclass(frozen=True)
class Kpi:
    label_key: str
    field: str  # a ``Summary`` figure
    unit: Unit
    help_key: str | None = None
    rise_is_bad: bool = False  # refunds: up is red
    of: str | None = None  # a ratio's whole (a ``Summary`` figure): with none before, there is no change to show


SUMMARY_KPIS: tuple[Kpi, ...] = (
    Kpi("kpi.net_sales", "net_sales_fen", Unit.MONEY, "kpi.net_sales_help"),
    Kpi("kpi.paid_orders", "paid_orders", Unit.COUNT),
    Kpi("kpi.buyers", "buyers", Unit.COUNT),
    Kpi("kpi.aov", "aov_fen", Unit.MONEY, "kpi.aov_help"),
    Kpi("kpi.distribution_sales", "distribution_sales_fen", Unit.MONEY, "kpi.distribution_sales_help"),
    Kpi("kpi.distribution_share", "distribution_share_bp", Unit.RATIO, "kpi.distribution_share_help",
        of="net_sales_fen"),
    Kpi("kpi.commission", "commission_fen", Unit.MONEY, "kpi.commission_help"),
    Kpi("kpi.commission_ratio", "commission_ratio_bp", Unit.RATIO, "kpi.commission_ratio_help",
        of="net_sales_fen"),
    Kpi("kpi.refunded", "refunded_fen", Unit.MONEY, "kpi.refunded_help", rise_is_bad=True),
    Kpi("kpi.new_distributors", "new_distributors", Unit.COUNT),
    Kpi("kpi.new_bound_users", "new_bound_users", Unit.COUNT, "kpi.new_bound_users_help"),
)


def shown(value: int, unit: Unit) -> str:
    if unit == Unit.MONEY:
        return money(value)
    if unit == Unit.RATIO:
        return percent(value)
    return str(value)


def change_text(current: int, previous: int, unit: Unit) -> str | None:
    """'+12.5%' for amounts and counts, '+1.2 个百分点' for ratios; None when there is nothing to compare with."""
    if unit == Unit.RATIO:
        points = current - previous
        return t("kpi.points", points=("+" if points > 0 else "") + percent_text(points))
    moved = change_bp(current, previous)
    if moved is None:
        return None
    return ("+" if moved > 0 else "") + percent_text(moved) + "%"


def metric_card(column: DeltaGenerator, kpi: Kpi, current: int, previous: int | None, *, previous_label: str = "",
                comparable: bool = True) -> None:
    """One card; ``previous`` None shows the figure alone. A ratio whose whole was 0 before is not ``comparable``:
    0% of nothing is no figure to move from."""
    helps = [t(kpi.help_key)] if kpi.help_key else []
    delta = None
    if previous is not None:
        delta = change_text(current, previous, kpi.unit) if comparable else None
        helps.append(t("kpi.previous", period=previous_label, value=shown(previous, kpi.unit)))
        if delta is None:
            helps.append(t("kpi.no_previous"))
    column.metric(t(kpi.label_key), shown(current, kpi.unit), delta=delta, border=True,
                  delta_color="inverse" if kpi.rise_is_bad else "normal", help="\n\n".join(helps) or None)


def kpi_cards(summary: Summary, *, compare: bool, kpis: Sequence[Kpi] = SUMMARY_KPIS, per_row: int = 4) -> None:
    """The summary's figures in rows of ``per_row`` cards, then what the shop owes distributors now."""
    before = summary.previous
    label = t("kpi.previous_period", first=before.period.first, last=before.period.last)
    cards: list[Callable[[DeltaGenerator], None]] = [
        partial(metric_card, kpi=kpi, current=getattr(summary, kpi.field),
                previous=getattr(before, kpi.field) if compare else None, previous_label=label,
                comparable=kpi.of is None or getattr(before, kpi.of) > 0)
        for kpi in kpis
    ]
    cards.append(partial(_liability_card, owed=summary.liability))
    for start in range(0, len(cards), per_row):
        for column, card in zip(st.columns(per_row), cards[start:start + per_row], strict=False):
            card(column)


def _liability_card(column: DeltaGenerator, *, owed: Liability) -> None:
    """As of now, whatever the range: frozen commission, available balances and withdrawals in flight."""
    column.metric(t("kpi.liability"), money(owed.total_fen), border=True,
                  help=t("kpi.liability_help", frozen=money(owed.frozen_fen), available=money(owed.available_fen),
                         withdrawing=money(owed.withdrawing_fen)))
