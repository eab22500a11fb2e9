"""The applications screen: approving makes a distributor; rejecting keeps the reason; phones stay masked."""

from __future__ import annotations

import pytest

from dashboard import state
from domain.db import unit_of_work
from domain.distribution.distributors import (
    apply,
    distributor_status,
    latest_application,
)
from domain.models import ApplicationStatus
from tests.builders import make_user
from tests.dashboard.conftest import texts

APPLICATIONS = "views/applications.py"


def key(application_id: int, field: str, version: int = 0) -> str:
    return state.widget_key(state.application_form(application_id), field, version)


@pytest.fixture
def applicants(committed):
    with unit_of_work(committed) as session:
        people = []
        for nickname, real_name, phone in (("小李", "李娜", "13912345678"), ("小赵", "赵磊", "13700137001")):
            user = make_user(session, nickname)
            application = apply(session, user=user, real_name=real_name, phone=phone, reason="朋友多，愿意分享")
            people.append((user.id, application.id))
        return people


def pending_rows(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def test_approving_makes_the_applicant_an_approved_distributor(committed, applicants, open_as):
    (li, li_application), _ = applicants
    at = open_as("owner", APPLICATIONS)
    assert [(r["微信昵称"], r["真实姓名"], r["手机号"]) for r in pending_rows(at)] == [
        ("小赵", "赵磊", "137****7001"), ("小李", "李娜", "139****5678")]
    at.toggle(key=state.APPLICATIONS_REVEAL).set_value(True).run()
    assert [r["手机号"] for r in pending_rows(at)] == ["13700137001", "13912345678"]

    at.selectbox(key=state.APPLICATIONS_SELECT).set_value(li_application).run()
    at.button(key=key(li_application, "approve")).click().run()
    assert texts(at, "success") == ["小李 已成为分销员。"]
    with unit_of_work(committed) as session:
        assert distributor_status(session, li) == "approved"
        assert latest_application(session, li).reviewed_by is not None
    assert [r["微信昵称"] for r in pending_rows(at)] == ["小赵"]


def test_rejecting_stores_the_reason_and_the_history_shows_it(committed, applicants, open_as):
    _, (zhao, zhao_application) = applicants
    at = open_as("owner", APPLICATIONS)
    at.selectbox(key=state.APPLICATIONS_SELECT).set_value(zhao_application).run()
    at.button(key=key(zhao_application, "reject_submit")).click().run()
    assert texts(at, "error") == ["请填写驳回原因"]

    at.text_area(key=key(zhao_application, "reason")).set_value("资料不完整，请补充后重新申请")
    at.button(key=key(zhao_application, "reject_submit")).click().run()
    assert texts(at, "success") == ["已驳回 小赵 的申请。"]
    with unit_of_work(committed) as session:
        application = latest_application(session, zhao)
        assert (application.status, application.reject_reason) == (ApplicationStatus.REJECTED,
                                                                    "资料不完整，请补充后重新申请")
        assert distributor_status(session, zhao) == "rejected"

    at.get("button_group")[0].set_value(ApplicationStatus.REJECTED).run()
    history = at.dataframe[1].value.to_dict("records")
    assert [(r["微信昵称"], r["真实姓名"], r["手机号"], r["结果"], r["驳回原因"]) for r in history] == [
        ("小赵", "赵*", "137****7001", "已驳回", "资料不完整，请补充后重新申请")]
