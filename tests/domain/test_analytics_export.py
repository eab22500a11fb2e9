"""Excel exports: Chinese headers, every row, amounts as numbers in yuan, rates as percentages, a file name that
says what and when."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from domain import clock
from domain.analytics import export
from domain.analytics.cohorts import cohorts
from domain.analytics.distributors import distributor_ranking
from domain.analytics.periods import Period
from domain.analytics.summary import summary
from tests.domain.analytics_history import PERIOD, build_history


def opened(data: bytes):
    return load_workbook(BytesIO(data))


def test_a_list_exports_whole_with_yuan_and_percentages():
    rows = [{"name": f"商品{n}", "paid_fen": 12345 * n, "rate_bp": 1278, "at": datetime(2026, 3, 9, 16, 30, tzinfo=UTC)}
            for n in range(1, 251)]
    data = export.workbook([export.Sheet("商品退款率", (
        export.Column("商品", "name"), export.Column("实付（元）", "paid_fen", export.Kind.MONEY),
        export.Column("退款率", "rate_bp", export.Kind.RATE), export.Column("时间", "at", export.Kind.TIME)), rows)])
    ws = opened(data)["商品退款率"]
    assert [c.value for c in ws[1]] == ["商品", "实付（元）", "退款率", "时间"]
    assert ws.max_row == 251  # the header and every row, not a page
    name, paid, rate, at = (c for c in ws[2])
    assert (name.value, paid.value, paid.number_format) == ("商品1", 123.45, "#,##0.00")
    assert (rate.value, rate.number_format) == (pytest.approx(0.1278), "0.00%")
    assert at.value == datetime(2026, 3, 10, 0, 30)  # Shanghai time
    assert ws.cell(row=251, column=2).value == pytest.approx(12345 * 250 / 100)


def test_money_is_an_exact_decimal_before_excel():
    assert export.cell_value(1999, export.Kind.MONEY) == Decimal("19.99")
    assert export.cell_value(-300, export.Kind.MONEY) == Decimal("-3.00")


def test_the_file_name_says_what_for_which_days_and_when():
    clock.freeze(datetime(2026, 3, 16, 2, 5, tzinfo=UTC))
    name = export.export_filename("分销员排行", period=Period(date(2026, 3, 9), date(2026, 3, 15)))
    assert name == "分销员排行_2026-03-09至2026-03-15_导出于20260316-1005.xlsx"


def test_the_analytics_tables_export(db, sandbox_url):
    build_history(db, sandbox_url)
    week = Period.of(*PERIOD)
    ranking, _ = distributor_ranking(db, period=week, page_size=1000)
    table = cohorts(db, period=Period.of(date(2026, 3, 2), date(2026, 3, 15)), weeks=3)
    book = opened(export.workbook([export.summary_sheet(summary(db, period=week)),
                                   export.Sheet("分销员排行", export.DISTRIBUTOR_RANKING, ranking),
                                   export.cohort_sheet(table)]))
    overview = {row[0].value: (row[1].value, row[2].value) for row in book["概览"].iter_rows(min_row=2)}
    assert overview["净销售额（元）"] == (429.97, 99.99)
    assert overview["佣金率"] == (pytest.approx(0.1278), pytest.approx(0.1498))
    assert overview["可提现余额（元，当前）"] == (5, None)
    ranked = book["分销员排行"]
    assert [c.value for c in ranked[1]][:5] == ["用户ID", "昵称", "一级销售额（元）", "二级销售额（元）", "佣金（元）"]
    assert [(r[1].value, r[4].value) for r in ranked.iter_rows(min_row=2)] == [("用户B", 29.99), ("用户A", 24.99),
                                                                              ("用户F", 0)]
    cohort = book["绑定用户同期群"]
    assert [c.value for c in cohort[1]] == ["绑定周（周一）", "人数", "第0周", "第1周", "第2周"]
    assert [c.value for c in cohort[3]][1:] == [2, 0.5, 0.5, None]
