"""Becoming and staying a distributor: what staff may do with an application or a distributor now, and what
each viewer sees of the applicant."""

from __future__ import annotations

import pytest

from domain.distribution.actions import (
    ApplicationAction,
    DistributorAction,
    application_actions,
    distributor_actions,
)
from domain.distribution.distributors import (
    apply,
    approve_application,
    distributor_status,
    reject_application,
    set_enabled,
)
from domain.distribution.errors import DistributionError
from domain.distribution.queries import (
    application_detail,
    distributor_row,
    list_applications,
    list_commissions,
    list_distributors,
)
from domain.errors import CommonError
from domain.models import ApplicationStatus, Distributor
from domain.security.actor import Actor, Shopper
from domain.security.roles import Role
from tests.builders import approve_distributor, make_product, make_user, pay, place
from tests.refusals import refused

OWNER, FINANCE = Actor(staff_id=None, username="own", role=Role.OWNER), Actor(None, "fin", Role.FINANCE)
ANALYST = Actor(None, "ana", Role.ANALYST)


@pytest.fixture
def applicant(db):
    user = make_user(db, "小李")
    return user, apply(db, user=user, real_name="李娜", phone="139 1234 5678", reason="朋友多")


def test_a_pending_application_offers_approve_and_reject_to_reviewers_only(db, applicant):
    _, application = applicant
    assert application_actions(application, OWNER) == (ApplicationAction.APPROVE, ApplicationAction.REJECT)
    for nobody in (FINANCE, ANALYST, Shopper(user_id=application.user_id)):
        assert application_actions(application, nobody) == ()
    with refused(CommonError.FORBIDDEN, status=403):
        approve_application(db, actor=FINANCE, application_id=application.id)
    assert application.status == ApplicationStatus.PENDING


def test_a_reviewed_application_offers_nothing_and_is_not_reviewed_twice(db, applicant):
    user, application = applicant
    approve_application(db, actor=OWNER, application_id=application.id)
    assert (application_actions(application, OWNER), distributor_status(db, user.id)) == ((), "approved")
    with refused(DistributionError.APPLICATION_ALREADY_REVIEWED, status=409):
        reject_application(db, actor=OWNER, application_id=application.id, reason="资料不完整")
    with refused(DistributionError.APPLICATION_NOT_FOUND, status=404):
        approve_application(db, actor=OWNER, application_id=application.id + 1000)
    assert application.status == ApplicationStatus.APPROVED


def test_reviewers_see_the_applicant_in_clear_and_the_masked_forms_beside(db, applicant):
    user, application = applicant
    rows, total = list_applications(db, viewer=OWNER, status=ApplicationStatus.PENDING)
    [row] = [r for r in rows if r.id == application.id]
    assert (row.nickname, row.real_name, row.real_name_masked, row.phone, row.phone_masked, row.actions) == (
        "小李", "李娜", "李*", "13912345678", "139****5678", (ApplicationAction.APPROVE, ApplicationAction.REJECT))
    with refused(CommonError.FORBIDDEN, status=403):
        list_applications(db, viewer=FINANCE)
    # The applicant sees their own in full; anyone else's answers as missing.
    own = application_detail(db, viewer=Shopper.of(user), application_id=application.id)
    assert (own.real_name, own.phone, own.actions) == ("李娜", "13912345678", ())
    with refused(DistributionError.APPLICATION_NOT_FOUND, status=404):
        application_detail(db, viewer=Shopper.of(make_user(db)), application_id=application.id)


def test_an_enabled_distributor_offers_disable_and_a_disabled_one_enable(db):
    user = make_user(db)
    approve_distributor(db, user)
    distributor = db.get(Distributor, user.id)
    assert distributor_actions(distributor, OWNER) == (DistributorAction.DISABLE,)
    assert distributor_actions(distributor, FINANCE) == ()
    set_enabled(db, actor=OWNER, user_id=user.id, enabled=False, reason="违规宣传")
    assert distributor_actions(distributor, OWNER) == (DistributorAction.ENABLE,)
    row = distributor_row(db, viewer=OWNER, user_id=user.id)
    assert (row.is_enabled, row.disabled_reason, row.actions) == (False, "违规宣传", (DistributorAction.ENABLE,))
    assert distributor_row(db, viewer=FINANCE, user_id=user.id).actions == ()


def test_disabling_needs_a_reason_and_happens_once(db):
    user = make_user(db)
    approve_distributor(db, user)
    for blank in ("", "  \n "):
        with refused(DistributionError.REASON_REQUIRED, status=422):
            set_enabled(db, actor=OWNER, user_id=user.id, enabled=False, reason=blank)
    assert db.get(Distributor, user.id).is_enabled
    with refused(DistributionError.DISTRIBUTOR_ALREADY_ENABLED, status=409):
        set_enabled(db, actor=OWNER, user_id=user.id, enabled=True)
    set_enabled(db, actor=OWNER, user_id=user.id, enabled=False, reason="  违规宣传 ")
    assert (db.get(Distributor, user.id).disabled_reason, distributor_status(db, user.id)) == ("违规宣传", "disabled")
    with refused(DistributionError.DISTRIBUTOR_ALREADY_DISABLED, status=409):
        set_enabled(db, actor=OWNER, user_id=user.id, enabled=False, reason="再次停用")
    set_enabled(db, actor=OWNER, user_id=user.id, enabled=True)
    assert (db.get(Distributor, user.id).disabled_reason, distributor_status(db, user.id)) == ("", "approved")


def test_distributor_rows_mask_the_real_name_for_all_staff(db):
    user = make_user(db, "林晓的号")
    approve_distributor(db, user)  # real name 测试用户
    rows, _ = list_distributors(db, viewer=OWNER, user_id=user.id)
    assert [(r.nickname, r.real_name_masked) for r in rows] == [("林晓的号", "测***")]


def test_a_distributor_sees_buyers_by_masked_nickname_and_only_their_own_records(db, sandbox_url):
    a = make_user(db, "甲")
    b = make_user(db, "乙", inviter=a)
    c = make_user(db, "丙丙丙", inviter=b)
    approve_distributor(db, a)
    approve_distributor(db, b)
    order = pay(db, place(db, c, [(make_product(db, prices=(10000,)).skus[0].id, 1)]), sandbox_url)
    mine, total = list_commissions(db, viewer=Shopper.of(b), beneficiary_id=a.id)  # a's id is ignored
    assert total == 1 and [(r.order_no, r.buyer_nickname, r.beneficiary_id, r.level, r.amount_fen) for r in mine] == [
        (order.order_no, "丙**", b.id, 1, 1000)]
    staff, _ = list_commissions(db, viewer=FINANCE, order_no=order.order_no)
    assert [(r.buyer_nickname, r.beneficiary_nickname, r.level, r.amount_fen) for r in staff] == [
        ("丙丙丙", "甲", 2, 500), ("丙丙丙", "乙", 1, 1000)]
