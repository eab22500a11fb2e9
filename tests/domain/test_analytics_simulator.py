"""The commission policy simulator re-prices the period's records at other rates, to the fen, and writes nothing
(the history is tests/domain/analytics_history.py)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.analytics.errors import AnalyticsError
from domain.analytics.periods import Period
from domain.analytics.simulator import simulate_commission
from domain.models import CommissionRecord
from tests.domain.analytics_history import PERIOD, build_history
from tests.refusals import refused


@pytest.fixture
def history(db, sandbox_url):
    return build_history(db, sandbox_url)


def test_new_rates_reprice_each_record_on_its_current_base_and_own_rates_are_kept(db, history):
    sim = simulate_commission(db, period=Period.of(*PERIOD), level1_bp=1500, level2_bp=800)
    # Re-priced at 15% / 8%: O1's 手机壳 line, 19998 → B 2999 (not 2999.7), A 1599.
    # Kept at 耳机's own 20% / 10%: O2 A 1000; O5 on its base after the refund of one unit, 5000 → B 1000, A 500.
    # O4 was refunded whole: its records are cancelled and left out.
    assert (sim.orders, sim.records, sim.kept_records) == (3, 5, 3)
    assert sim.actual_fen == 1999 + 999 + 1000 + 1000 + 500 == 5498
    assert sim.simulated_fen == 2999 + 1599 + 1000 + 1000 + 500 == 7098
    assert sim.delta_fen == 1600
    assert sim.net_sales_fen == 42997
    assert (sim.actual_ratio_bp, sim.simulated_ratio_bp) == (1278, 7098 * 10000 // 42997) == (1278, 1650)
    assert (sim.cap_bp, sim.over_cap) == (3000, False)
    u = history.users
    assert [(c.user_id, c.records, c.actual_fen, c.simulated_fen, c.delta_fen) for c in sim.by_beneficiary] == [
        (u["B"].id, 2, 1999 + 1000, 2999 + 1000, 1000),
        (u["A"].id, 3, 999 + 1000 + 500, 1599 + 1000 + 500, 600),
    ]
    assert [(w.week, w.actual_fen, w.simulated_fen) for w in sim.by_week] == [(date(2026, 3, 9), 5498, 7098)]


def test_the_current_rates_give_back_the_actual_commission(db, history):
    sim = simulate_commission(db, period=Period.of(*PERIOD), level1_bp=1000, level2_bp=500)
    assert (sim.actual_fen, sim.simulated_fen, sim.delta_fen) == (5498, 5498, 0)


def test_rates_above_the_cap_are_simulated_as_typed_and_flagged(db, history):
    sim = simulate_commission(db, period=Period.of(*PERIOD), level1_bp=3000, level2_bp=1000)
    assert sim.over_cap is True
    assert sim.simulated_fen == 19998 * 3000 // 10000 + 19998 * 1000 // 10000 + 2500 == 5999 + 1999 + 2500


def test_the_simulator_writes_nothing(db, history):
    def snapshot():
        db.expire_all()
        return db.execute(select(CommissionRecord.id, CommissionRecord.rate_bp, CommissionRecord.base_fen,
                                 CommissionRecord.amount_fen, CommissionRecord.status)
                          .order_by(CommissionRecord.id)).all()

    before = snapshot()
    simulate_commission(db, period=Period.of(*PERIOD), level1_bp=2500, level2_bp=500)
    assert not (db.new or db.dirty or db.deleted)
    assert snapshot() == before


def test_a_previous_period_and_an_empty_one(db, history):
    previous = simulate_commission(db, period=Period.of(date(2026, 3, 2), date(2026, 3, 8)), level1_bp=2000,
                                   level2_bp=0)
    assert (previous.actual_fen, previous.simulated_fen) == (999 + 499, 9999 * 2000 // 10000 + 0)
    empty = simulate_commission(db, period=Period.of(date(2025, 1, 1), date(2025, 1, 31)), level1_bp=2000,
                                level2_bp=0)
    assert (empty.orders, empty.records, empty.actual_fen, empty.simulated_fen, empty.simulated_ratio_bp) == \
        (0, 0, 0, 0, 0)
    assert empty.by_beneficiary == [] and {w.simulated_fen for w in empty.by_week} == {0}


@pytest.mark.parametrize("rates", [(-1, 500), (1000, 10001), (True, 500), (1000, 5.0)])
def test_a_rate_outside_0_to_100_percent_is_refused(db, rates):
    with refused(AnalyticsError.INVALID_RATE, status=422):
        simulate_commission(db, period=Period.of(*PERIOD), level1_bp=rates[0], level2_bp=rates[1])
