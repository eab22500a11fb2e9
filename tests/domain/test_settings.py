from __future__ import annotations

import pytest

from domain.settings.errors import SettingsError
from domain.settings.service import get_settings, update_settings
from tests.refusals import refused


def test_defaults_follow_the_design(db):
    s = get_settings(db)
    assert (s.commission_level1_bp, s.commission_level2_bp) == (1000, 500)
    assert s.binding_mode == "first_touch" and s.distributor_mode == "application"
    assert s.self_purchase_rebate is False
    assert (s.settle_after_days, s.auto_receive_days, s.unpaid_timeout_minutes) == (7, 7, 30)
    assert (s.withdraw_min_fen, s.withdraw_max_fen, s.withdraw_fee_bp, s.withdraw_daily_count) == (100, 2_000_000, 0, 3)
    assert s.withdraw_real_name_threshold_fen == 200_000


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"commission_level1_bp": -1}, SettingsError.NEGATIVE_RATE),
        ({"commission_level2_bp": -500}, SettingsError.NEGATIVE_RATE),
        ({"commission_level1_bp": 2600, "commission_level2_bp": 500}, SettingsError.COMMISSION_CAP_EXCEEDED),
        ({"commission_cap_bp": 5001}, SettingsError.COMMISSION_CAP_EXCEEDED),
        ({"commission_level3_bp": 100}, SettingsError.UNKNOWN_SETTING),
        ({"binding_mode": "forever"}, SettingsError.INVALID_SETTINGS),
        ({"withdraw_min_fen": 5000, "withdraw_max_fen": 1000}, SettingsError.INVALID_WITHDRAW_LIMITS),
    ],
)
def test_bad_settings_are_refused_whole(db, changes, code):
    with refused(code, status=422):
        update_settings(db, changes)
    assert get_settings(db).commission_level1_bp == 1000


def test_cap_up_to_5000_allows_higher_rates(db):
    update_settings(db, {"commission_cap_bp": 5000, "commission_level1_bp": 3000, "commission_level2_bp": 2000})
    s = get_settings(db)
    assert (s.commission_level1_bp, s.commission_level2_bp, s.commission_cap_bp) == (3000, 2000, 5000)
