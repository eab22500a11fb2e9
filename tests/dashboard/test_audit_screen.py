"""The audit log as staff read it: sentences in their language with amounts in yuan, filters in Chinese, and
each record opening on its own screen."""

from __future__ import annotations

import pytest

from dashboard import state
from domain.db import unit_of_work
from domain.models import Refund
from tests.builders import refund
from tests.dashboard.conftest import table, texts
from tests.dashboard.shop import chain, paid_order

AUDIT = "views/audit.py"


@pytest.fixture
def refunded(committed, sandbox_url):
    """丙 paid ¥39.90 + ¥10.00 postage for a 保温杯 and, before it shipped, got all ¥49.90 back."""
    with unit_of_work(committed) as session:
        _, _, c = chain(session)
        order = paid_order(session, sandbox_url, c, price_fen=3990, title="保温杯")
        done = refund(session, order, [(order.lines[0].id, 1)])
        return session.get(Refund, done.id).refund_no, done.id


def sentences(at) -> list[str]:
    return [row["sentence"] for row in table(at, "sentence")]


def test_the_log_reads_as_sentences_with_yuan_and_no_codes_or_json(refunded, open_as):
    refund_no, _ = refunded
    at = open_as("owner", AUDIT)
    shown = sentences(at)
    assert f"同意了退款 {refund_no}，退款 ¥49.90" in shown
    assert "新建了商品《保温杯》" in shown
    [frame] = [f for f in at.dataframe if "sentence" in f.value.columns]
    assert frame.proto.column_order == ["time", "actor", "what", "sentence"]  # what staff see: no codes, no JSON
    assert {row["what"] for row in table(at, "sentence")} >= {"同意退款", "新建商品", "通过分销申请"}


def test_filters_work_in_chinese(refunded, open_as):
    refund_no, _ = refunded
    at = open_as("owner", AUDIT)
    assert "退款 (1)" in at.selectbox(key=state.AUDIT_FILTER_TYPE).options
    at.text_input(key=state.AUDIT_FILTER_ACTION).set_value("退款").run()
    assert sentences(at) == [f"同意了退款 {refund_no}，退款 ¥49.90"]
    assert texts(at, "caption")[1] == "匹配的操作：同意退款"
    at.text_input(key=state.AUDIT_FILTER_ACTION).set_value("分销申请").run()
    assert len(sentences(at)) == 2 and all(s.startswith("通过了“") for s in sentences(at))


def test_the_english_switch_gives_english_sentences_and_options(refunded, open_as):
    refund_no, _ = refunded
    at = open_as("owner", AUDIT)
    at.session_state[state.LANG] = "en"
    at.run()
    assert f"approved refund {refund_no}, refunding ¥49.90" in sentences(at)
    assert "refund (1)" in at.selectbox(key=state.AUDIT_FILTER_TYPE + "@en").options


def test_a_record_in_the_log_opens_on_its_screen(refunded, open_as):
    refund_no, refund_id = refunded
    at = open_as("owner", AUDIT)
    chooser = at.selectbox(key=state.AUDIT_OPEN)
    [wanted] = [option for option in chooser.options if refund_no in option]
    chooser.set_value(("refund", str(refund_id))).run()
    at.button(key=state.AUDIT_OPEN_BUTTON).click().run()
    assert not at.exception, at.exception
    assert at.session_state[state.REFUNDS_SELECT] == refund_id
    assert any(refund_no in h.value for h in at.subheader), [h.value for h in at.subheader]
    assert wanted == f"退款 {refund_no}"
