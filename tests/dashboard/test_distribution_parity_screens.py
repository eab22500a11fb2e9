"""What distributor screens add for merchants: the applicant's background before approving, manual wallet
adjustments, and why an inviter can never be changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard import state
from domain.db import unit_of_work
from domain.distribution.distributors import apply
from domain.models import AuditEntry, EntryType, WalletEntry
from tests.dashboard.conftest import table, texts
from tests.dashboard.shop import chain, credit, paid_order

APPLICATIONS, DISTRIBUTORS = "views/applications.py", "views/distributors.py"


@pytest.fixture
def network(committed, sandbox_url):
    """甲 invites 乙, 乙 invites 丙; 丙 paid ¥100.00 for 茶具 and applied to be a distributor; 甲 has ¥12.34."""
    with unit_of_work(committed) as session:
        a, b, c = chain(session)
        paid_order(session, sandbox_url, c, price_fen=10000, title="茶具")
        application = apply(session, user=c, real_name="陈明", phone="13800138000", reason="喜欢分享")
        credit(session, a, 1234)
        return {"a": a.id, "b": b.id, "b_code": b.invite_code, "application": application.id}


def adjust_key(user_id: int, field: str, version: int = 0) -> str:
    return state.widget_key(state.wallet_adjust_form(user_id), field, version)


def test_the_reviewer_sees_the_inviter_and_the_purchases_before_approving(network, open_as):
    at = open_as("owner", APPLICATIONS)
    shown = texts(at, "markdown")
    assert f"邀请人：乙（邀请码 {network['b_code']}，分销员）" in shown
    assert "付款订单 1 笔，共 ¥100.00，其中已退款 ¥0.00" in shown
    [row] = table(at, "订单号")
    assert (row["商品"], row["状态"], row["实付"]) == ("茶具", "待发货", "¥100.00")


def test_a_manual_adjustment_lands_in_the_ledger_with_its_reason_and_in_the_audit_log(committed, network, open_as):
    at = open_as("owner", DISTRIBUTORS)
    a = network["a"]
    at.selectbox(key=state.DISTRIBUTORS_SELECT).set_value(a).run()
    at.text_input(key=adjust_key(a, "amount")).set_value("-2.34")
    at.text_input(key=adjust_key(a, "reason")).set_value("重复结算更正")
    at.button(key=adjust_key(a, "submit")).click().run()
    assert texts(at, "warning") == ["请先勾选确认调整。"]

    at.checkbox(key=adjust_key(a, "confirm")).check()
    at.button(key=adjust_key(a, "submit")).click().run()
    assert not at.exception, at.exception
    assert "已调整 甲 的钱包：-¥2.34。" in texts(at, "success")
    assert [r["金额变动（元）"] for r in table(at, "说明") if r["说明"] == "人工调整：重复结算更正"] == ["-2.34"]
    assert {m.label: m.value for m in at.metric}["可提现"] == "¥10.00"
    with unit_of_work(committed) as session:
        entry = session.scalar(select(WalletEntry).where(WalletEntry.user_id == a).order_by(WalletEntry.id.desc()))
        assert (entry.entry_type, entry.amount_fen) == (EntryType.ADJUSTMENT, -234)
        audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "wallet.adjust"))
        assert audit.after == {"available_fen": 1000, "amount_fen": -234, "reason": "重复结算更正"}

    at.text_input(key=adjust_key(a, "amount", 1)).set_value("-20")
    at.text_input(key=adjust_key(a, "reason", 1)).set_value("扣回")
    at.checkbox(key=adjust_key(a, "confirm", 1)).check()
    at.button(key=adjust_key(a, "submit", 1)).click().run()
    assert texts(at, "error") == ["扣减 ¥20.00 超过可提现余额 ¥10.00"]


def test_the_screen_says_why_an_inviter_can_never_be_changed(network, open_as):
    at = open_as("owner", DISTRIBUTORS)
    at.selectbox(key=state.DISTRIBUTORS_SELECT).set_value(network["b"]).run()
    [note] = [i for i in texts(at, "info") if "邀请人：甲" in i]
    assert "不能修改" in note and "首次绑定" in note and "第三级" in note
