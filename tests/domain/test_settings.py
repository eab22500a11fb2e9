from __future__ import annotations

import pytest

from domain.settings.errors import SettingsError
from domain.settings.service import get_settings, update_settings
from tests.refusals import refused
from tests.support import statements_sent


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


def test_settings_are_read_in_one_statement_and_validated_again_only_when_changed(db, monkeypatch):
    from domain.settings import service

    update_settings(db, {"shop_name": "新店：测试", "checkin_points": [1, 2, 3], "commission_level1_bp": 1200})
    db.flush()
    validations = []
    real = service.BusinessSettings.model_validate
    monkeypatch.setattr(service.BusinessSettings, "model_validate",
                        lambda values: validations.append(values) or real(values))
    with statements_sent(db.get_bind()) as statements:
        service._VALIDATED.clear()
        first = service._read_settings(db)  # not validated before: read again row by row, validated once
        assert (len(validations), len(statements)) == (1, 2)
        second = service._read_settings(db)  # the same rows: one statement, no validation
        assert (len(validations), len(statements)) == (1, 3) and second is first
        assert (second.shop_name, second.checkin_points, second.commission_level1_bp) == ("新店：测试", [1, 2, 3], 1200)
        update_settings(db, {"commission_level1_bp": 1300})
        db.flush()
        validations.clear()
        assert service._read_settings(db).commission_level1_bp == 1300 and len(validations) == 1


def test_a_shoppers_token_look_up_brings_the_settings_it_validated_before(db):
    """The token's statement carries the settings' fingerprint: settings validated before need no statement of their
    own in that transaction; settings changed since are read and validated as usual, never taken for the old ones."""
    from domain.users.service import issue_token, user_for_token
    from tests.builders import make_user

    token = issue_token(db, user=make_user(db))
    update_settings(db, {"commission_level1_bp": 1200})
    db.commit()
    get_settings(db)  # validated once
    db.commit()
    with statements_sent(db.get_bind()) as statements:
        user_for_token(db, token)
        assert get_settings(db).commission_level1_bp == 1200 and len(statements) == 1
        update_settings(db, {"commission_level1_bp": 1300})
        db.commit()
        statements.clear()
        user_for_token(db, token)  # a fingerprint never validated: read again row by row
        assert get_settings(db).commission_level1_bp == 1300 and len(statements) == 3
        db.commit()
        statements.clear()
        user_for_token(db, token)
        assert get_settings(db).commission_level1_bp == 1300 and len(statements) == 1
