"""Before approving, a reviewer sees who invited the applicant and what they bought."""

from __future__ import annotations

from domain.distribution.applicants import applicant_profile
from domain.distribution.distributors import apply
from domain.distribution.errors import DistributionError
from domain.errors import CommonError
from domain.models import OrderStatus
from domain.security.actor import Actor
from tests.builders import approve_distributor, make_staff, make_user, pay, place, refund
from tests.refusals import refused


def test_the_inviter_and_the_purchase_history_with_amounts_and_refunds(db, sandbox_url):
    from tests.builders import make_product

    reviewer = Actor.of(make_staff(db, "owner"))
    inviter = make_user(db, "老王")
    approve_distributor(db, inviter)
    applicant = make_user(db, "小周", inviter=inviter)
    cup = make_product(db, title="玻璃杯", prices=(3900,)).skus[0]
    tea = make_product(db, title="龙井", prices=(12000,)).skus[0]
    first = pay(db, place(db, applicant, [(cup.id, 2)]), sandbox_url)  # ¥78.00 + ¥10.00 postage
    refund(db, first, [(first.lines[0].id, 1)])  # one cup back: ¥39.00
    pay(db, place(db, applicant, [(tea.id, 1)]), sandbox_url)  # ¥120.00, postage free
    unpaid = place(db, applicant, [(cup.id, 1)])
    application = apply(db, user=applicant, real_name="周杰", phone="13912345678", reason="想分享")

    profile = applicant_profile(db, viewer=reviewer, application_id=application.id)
    assert (profile.inviter.nickname, profile.inviter.invite_code, profile.inviter.is_distributor) == (
        "老王", inviter.invite_code, True)
    assert (profile.paid_orders, profile.paid_fen, profile.refunded_fen) == (2, 8800 + 12000, 3900)
    assert [(o.items, o.status, o.payable_fen) for o in profile.recent_orders] == [
        ("玻璃杯", OrderStatus.PENDING_PAYMENT, unpaid.payable_fen), ("龙井", OrderStatus.PAID, 12000),
        ("玻璃杯", OrderStatus.PAID, 8800)]


def test_an_applicant_without_inviter_or_orders_and_who_may_look(db):
    applicant = make_user(db, "路人")
    application = apply(db, user=applicant, real_name="路人甲", phone="13600136000")
    profile = applicant_profile(db, viewer=Actor.of(make_staff(db, "owner")), application_id=application.id)
    assert (profile.inviter, profile.paid_orders, profile.recent_orders) == (None, 0, [])
    with refused(CommonError.FORBIDDEN, status=403):
        applicant_profile(db, viewer=Actor.of(make_staff(db, "operator")), application_id=application.id)
    with refused(DistributionError.APPLICATION_NOT_FOUND, status=404):
        applicant_profile(db, viewer=Actor.of(make_staff(db, "owner")), application_id=987654)
