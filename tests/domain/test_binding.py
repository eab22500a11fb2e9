"""Binding an inviter: the three modes and every refusal."""

from __future__ import annotations

from domain.distribution.binding import bind_inviter, upline_ids
from domain.distribution.errors import DistributionError
from domain.settings.service import update_settings
from tests.builders import make_user
from tests.refusals import refused


def test_binding_sets_the_inviter(db):
    a, b = make_user(db), make_user(db)
    inviter = bind_inviter(db, user=b, invite_code=a.invite_code.lower())
    assert inviter.id == a.id
    assert b.inviter_id == a.id and b.bound_at is not None


def test_binding_to_yourself_is_refused(db):
    a = make_user(db)
    with refused(DistributionError.CANNOT_BIND_SELF):
        bind_inviter(db, user=a, invite_code=a.invite_code)
    assert a.inviter_id is None


def test_unknown_code_is_refused(db):
    a = make_user(db)
    with refused(DistributionError.INVITE_CODE_NOT_FOUND):
        bind_inviter(db, user=a, invite_code="NOPE2345")


def test_cycle_is_refused_along_the_whole_chain(db):
    # A → B → C → D; A may not bind to D (D is in A's downline, three levels down).
    a = make_user(db)
    b = make_user(db, inviter=a)
    c = make_user(db, inviter=b)
    d = make_user(db, inviter=c)
    update_settings(db, {"binding_mode": "overwrite"})
    with refused(DistributionError.BINDING_CYCLE):
        bind_inviter(db, user=a, invite_code=d.invite_code)
    with refused(DistributionError.BINDING_CYCLE):
        bind_inviter(db, user=b, invite_code=c.invite_code)
    assert a.inviter_id is None
    assert upline_ids(db, d.id) == [d.id, c.id, b.id, a.id]


def test_first_touch_refuses_a_second_binding(db):
    a, b, c = make_user(db), make_user(db), make_user(db)
    bind_inviter(db, user=c, invite_code=a.invite_code)
    with refused(DistributionError.ALREADY_BOUND):
        bind_inviter(db, user=c, invite_code=b.invite_code)
    assert c.inviter_id == a.id
    # Binding again to the same inviter is harmless.
    assert bind_inviter(db, user=c, invite_code=a.invite_code).id == a.id


def test_overwrite_lets_the_last_touch_win(db):
    update_settings(db, {"binding_mode": "overwrite"})
    a, b, c = make_user(db), make_user(db), make_user(db)
    bind_inviter(db, user=c, invite_code=a.invite_code)
    bind_inviter(db, user=c, invite_code=b.invite_code)
    assert c.inviter_id == b.id


def test_registration_only_binds_only_in_the_creating_login(db):
    update_settings(db, {"binding_mode": "registration_only"})
    a, b = make_user(db), make_user(db)
    with refused(DistributionError.BINDING_CLOSED):
        bind_inviter(db, user=b, invite_code=a.invite_code, at_registration=False)
    bind_inviter(db, user=b, invite_code=a.invite_code, at_registration=True)
    assert b.inviter_id == a.id
    c = make_user(db)
    with refused(DistributionError.ALREADY_BOUND):
        bind_inviter(db, user=b, invite_code=c.invite_code, at_registration=False)
