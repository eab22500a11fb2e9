"""Excel exports (``.xlsx``, through openpyxl): Chinese headers, amounts as numbers in yuan (formatted ``0.00``),
rates as percentages, times in Shanghai, and a file name that says what it is and when.

Any list can be exported: a ``Sheet`` names its columns (header, how to read the value from a row, its kind) and
takes every row of the filtered list, not one page. Column sets for the analytics tables are below; screens that
export other lists (orders, commissions, withdrawals, distributors, members) declare theirs the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from domain import clock
from domain.analytics.cohorts import cohorts
from domain.analytics.distributors import distributor_ranking
from domain.analytics.errors import AnalyticsError
from domain.analytics.funnel import funnel_by_distributor
from domain.analytics.periods import Granularity, Period
from domain.analytics.refunds import refund_rate_by_product, refund_rate_by_team
from domain.analytics.risk_queue import list_risk_signals
from domain.analytics.series import commission_series, growth_series, sales_series
from domain.analytics.simulator import simulate_commission
from domain.analytics.summary import summary
from domain.errors import CommonError, Forbidden, Invalid
from domain.security.actor import Viewer
from domain.security.roles import Permission

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_TITLE = 31  # Excel's limit for a sheet name


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"  # fen in, yuan out: 12345 → 123.45
    RATE = "rate"  # bp in, a percentage out: 1278 → 12.78%
    DATE = "date"
    TIME = "time"  # an aware UTC time in, Shanghai wall time out


_FORMATS = {Kind.MONEY: "#,##0.00", Kind.RATE: "0.00%", Kind.DATE: "yyyy-mm-dd", Kind.TIME: "yyyy-mm-dd hh:mm:ss",
            Kind.INTEGER: "0"}
_WIDTHS = {Kind.MONEY: 14, Kind.RATE: 10, Kind.DATE: 12, Kind.TIME: 20, Kind.INTEGER: 10}


@dataclass(frozen=True)
class Column:
    header: str
    value: str | Callable[[Any], Any]  # an attribute (or dict key) of the row, or a function of it
    kind: Kind = Kind.TEXT

    def read(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        return row.get(self.value) if isinstance(row, dict) else getattr(row, self.value)


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple[Column, ...]
    rows: Iterable[Any]


def cell_value(value: Any, kind: Kind) -> Any:
    """What Excel stores: yuan and fractions as exact decimals (never floats), times without a zone."""
    if value is None:
        return None
    if kind == Kind.MONEY:
        return Decimal(int(value)) / 100
    if kind == Kind.RATE:
        return Decimal(int(value)) / 10_000
    if kind == Kind.TIME and isinstance(value, datetime):
        return clock.local(value).replace(tzinfo=None)
    if isinstance(value, StrEnum):
        return value.value
    return value


def workbook(sheets: Iterable[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:MAX_TITLE])
        ws.append([c.header for c in sheet.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([cell_value(c.read(row), c.kind) for c in sheet.columns])
        for n, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(n)
            ws.column_dimensions[letter].width = max(_WIDTHS.get(column.kind, 16), len(column.header) * 2 + 2)
            if column.kind in _FORMATS:
                for (cell,) in ws.iter_rows(min_row=2, min_col=n, max_col=n):
                    cell.number_format = _FORMATS[column.kind]
        ws.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def export_filename(what: str, *, period: Period | None = None, at: datetime | None = None) -> str:
    """``分销员排行_2026-03-09至2026-03-15_导出于20260316-1000.xlsx``: what, for which days, and when."""
    moment = clock.local(at or clock.now())
    days = f"_{period.first.isoformat()}至{period.last.isoformat()}" if period else ""
    return f"{what}{days}_导出于{moment:%Y%m%d-%H%M}.xlsx"


# --- the analytics tables -------------------------------------------------------------------------

SUMMARY = (
    Column("指标", "name"), Column("本期", "current"), Column("上期", "previous"),
)

SALES_SERIES = (
    Column("日期", "bucket", Kind.DATE), Column("付款订单", "paid_orders", Kind.INTEGER),
    Column("净销售额（元）", "net_sales_fen", Kind.MONEY), Column("退款（元）", "refunded_fen", Kind.MONEY),
    Column("分销销售额（元）", "distribution_sales_fen", Kind.MONEY),
)

COMMISSION_SERIES = (
    Column("日期", "bucket", Kind.DATE), Column("层级", "level", Kind.INTEGER), Column("状态", "status"),
    Column("记录数", "records", Kind.INTEGER), Column("佣金（元）", "amount_fen", Kind.MONEY),
)

GROWTH_SERIES = (
    Column("日期", "bucket", Kind.DATE), Column("新绑定", "bindings", Kind.INTEGER),
    Column("新分销员", "new_distributors", Kind.INTEGER),
)

DISTRIBUTOR_RANKING = (
    Column("用户ID", "user_id", Kind.INTEGER), Column("昵称", "nickname"),
    Column("一级销售额（元）", "level1_sales_fen", Kind.MONEY), Column("二级销售额（元）", "level2_sales_fen", Kind.MONEY),
    Column("佣金（元）", "commission_fen", Kind.MONEY), Column("一级成员", "level1_members", Kind.INTEGER),
    Column("二级成员", "level2_members", Kind.INTEGER), Column("团队人数", "team_size", Kind.INTEGER),
    Column("新增成员", "new_members", Kind.INTEGER),
)

DISTRIBUTOR_SERIES = (
    Column("日期", "bucket", Kind.DATE), Column("一级销售额（元）", "level1_sales_fen", Kind.MONEY),
    Column("二级销售额（元）", "level2_sales_fen", Kind.MONEY), Column("佣金（元）", "commission_fen", Kind.MONEY),
    Column("新增成员", "new_members", Kind.INTEGER), Column("其中已购买", "new_members_bought", Kind.INTEGER),
    Column("转化率", "conversion_bp", Kind.RATE), Column("团队人数", "team_size", Kind.INTEGER),
)

FUNNEL_BY_DISTRIBUTOR = (
    Column("用户ID", "user_id", Kind.INTEGER), Column("昵称", "nickname"), Column("分享", "shares", Kind.INTEGER),
    Column("访问", "visits", Kind.INTEGER), Column("绑定", "bound", Kind.INTEGER),
    Column("下单", "ordered", Kind.INTEGER), Column("付款", "paid", Kind.INTEGER),
    Column("完成", "completed", Kind.INTEGER),
)

PRODUCT_REFUNDS = (
    Column("商品ID", "product_id", Kind.INTEGER), Column("商品", "title"), Column("订单数", "orders", Kind.INTEGER),
    Column("实付（元）", "paid_fen", Kind.MONEY), Column("退款（元）", "refunded_fen", Kind.MONEY),
    Column("退款率", "rate_bp", Kind.RATE),
)

TEAM_REFUNDS = (
    Column("用户ID", "user_id", Kind.INTEGER), Column("分销员", "nickname"), Column("团队订单", "orders", Kind.INTEGER),
    Column("实付（元）", "paid_fen", Kind.MONEY), Column("退款（元）", "refunded_fen", Kind.MONEY),
    Column("退款率", "rate_bp", Kind.RATE),
)

SIMULATION_BY_BENEFICIARY = (
    Column("用户ID", "user_id", Kind.INTEGER), Column("昵称", "nickname"), Column("记录数", "records", Kind.INTEGER),
    Column("实际佣金（元）", "actual_fen", Kind.MONEY), Column("模拟佣金（元）", "simulated_fen", Kind.MONEY),
    Column("差额（元）", "delta_fen", Kind.MONEY),
)

SIMULATION_BY_WEEK = (
    Column("周（周一）", "week", Kind.DATE), Column("实际佣金（元）", "actual_fen", Kind.MONEY),
    Column("模拟佣金（元）", "simulated_fen", Kind.MONEY),
)

RISK_SIGNALS = (
    Column("编号", "id", Kind.INTEGER), Column("类型", "kind"), Column("分销员ID", "distributor_id", Kind.INTEGER),
    Column("分销员", "distributor_nickname"), Column("买家ID", "user_id", Kind.INTEGER),
    Column("买家", "user_nickname"), Column("证据", lambda s: "；".join(f"{k}={v}" for k, v in s.evidence.items())),
    Column("状态", "status"), Column("处理结果", "outcome"), Column("备注", "review_note"),
    Column("发现时间", "created_at", Kind.TIME),
)


def cohort_sheet(table) -> Sheet:
    """A cohort table as rows: the week, its size, then the share who had bought by each week after."""
    weeks = tuple(Column(f"第{k}周", (lambda row, k=k: row.shares_bp[k]), Kind.RATE) for k in range(table.weeks))
    return Sheet("绑定用户同期群", (Column("绑定周（周一）", "week", Kind.DATE), Column("人数", "size", Kind.INTEGER),
                                *weeks), table.rows)


def summary_sheet(summary) -> Sheet:
    """The headline figures, this period beside the previous one; amounts in yuan, ratios as percentages."""
    rows = [
        ("净销售额（元）", "net_sales_fen", Kind.MONEY), ("退款（元）", "refunded_fen", Kind.MONEY),
        ("付款订单", "paid_orders", Kind.INTEGER), ("买家数", "buyers", Kind.INTEGER),
        ("客单价（元）", "aov_fen", Kind.MONEY), ("分销销售额（元）", "distribution_sales_fen", Kind.MONEY),
        ("分销占比", "distribution_share_bp", Kind.RATE), ("佣金（元）", "commission_fen", Kind.MONEY),
        ("佣金率", "commission_ratio_bp", Kind.RATE), ("新分销员", "new_distributors", Kind.INTEGER),
        ("新绑定用户", "new_bound_users", Kind.INTEGER),
    ]
    # One sheet holds numbers of several kinds: each value is converted here, the column stays general.
    data = [{"name": name, "current": cell_value(getattr(summary, key), kind),
             "previous": cell_value(getattr(summary.previous, key), kind)} for name, key, kind in rows]
    owed = summary.liability
    data += [{"name": name, "current": cell_value(fen, Kind.MONEY), "previous": None} for name, fen in (
        ("待结算佣金（元，当前）", owed.frozen_fen), ("可提现余额（元，当前）", owed.available_fen),
        ("提现中（元，当前）", owed.withdrawing_fen))]
    return Sheet("概览", SUMMARY, data)


# --- whole analytics tables, as the API and the workbench export them ------------------------------


class Table(StrEnum):
    SUMMARY = "summary"
    SALES = "sales"
    COMMISSION = "commission"
    GROWTH = "growth"
    DISTRIBUTORS = "distributors"
    FUNNEL = "funnel"
    COHORTS = "cohorts"
    PRODUCT_REFUNDS = "product_refunds"
    TEAM_REFUNDS = "team_refunds"
    SIMULATION = "simulation"
    RISK_SIGNALS = "risk_signals"


TITLES = {
    Table.SUMMARY: "数据概览", Table.SALES: "销售趋势", Table.COMMISSION: "佣金趋势", Table.GROWTH: "绑定与新分销员",
    Table.DISTRIBUTORS: "分销员排行", Table.FUNNEL: "分销漏斗", Table.COHORTS: "绑定用户同期群",
    Table.PRODUCT_REFUNDS: "商品退款率", Table.TEAM_REFUNDS: "团队退款率", Table.SIMULATION: "佣金模拟",
    Table.RISK_SIGNALS: "风险信号",
}
EVERYTHING = 1_000_000  # "every row": the lists are paged, an export takes them whole


def _sheets(session: Session, table: Table, period: Period, by: Granularity, rates: tuple[int, int]) -> list[Sheet]:
    title = TITLES[table]
    if table == Table.SUMMARY:
        return [summary_sheet(summary(session, period=period))]
    if table == Table.SALES:
        return [Sheet(title, SALES_SERIES, sales_series(session, period=period, by=by))]
    if table == Table.COMMISSION:
        return [Sheet(title, COMMISSION_SERIES, commission_series(session, period=period, by=by))]
    if table == Table.GROWTH:
        return [Sheet(title, GROWTH_SERIES, growth_series(session, period=period, by=by))]
    if table == Table.DISTRIBUTORS:
        return [Sheet(title, DISTRIBUTOR_RANKING, distributor_ranking(session, period=period, page_size=EVERYTHING)[0])]
    if table == Table.FUNNEL:
        return [Sheet(title, FUNNEL_BY_DISTRIBUTOR, funnel_by_distributor(session, period=period,
                                                                          page_size=EVERYTHING)[0])]
    if table == Table.COHORTS:
        return [cohort_sheet(cohorts(session, period=period))]
    if table == Table.PRODUCT_REFUNDS:
        return [Sheet(title, PRODUCT_REFUNDS, refund_rate_by_product(session, period=period, page_size=EVERYTHING)[0])]
    if table == Table.TEAM_REFUNDS:
        return [Sheet(title, TEAM_REFUNDS, refund_rate_by_team(session, period=period, page_size=EVERYTHING)[0])]
    sim = simulate_commission(session, period=period, level1_bp=rates[0], level2_bp=rates[1])
    return [Sheet("按分销员", SIMULATION_BY_BENEFICIARY, sim.by_beneficiary),
            Sheet("按周", SIMULATION_BY_WEEK, sim.by_week)]


def analytics_export(session: Session, *, viewer: Viewer, table: Table, period: Period,
                     by: Granularity = Granularity.DAY, rates: tuple[int, int] | None = None) -> tuple[str, bytes]:
    """One analytics table, every row of it, as ``(file name, xlsx bytes)``. The simulation needs ``rates``
    (level 1, level 2 in bp); the risk queue exports every signal raised in the period, open or reviewed."""
    table = Table(table)
    if table == Table.RISK_SIGNALS:
        rows, _ = list_risk_signals(session, viewer=viewer, status=None, raised_in=period, page_size=EVERYTHING)
        sheets = [Sheet(TITLES[table], RISK_SIGNALS, rows)]
    else:
        if not viewer.can(Permission.ANALYTICS):
            raise Forbidden(CommonError.FORBIDDEN, "当前角色无权导出数据分析")
        if table == Table.SIMULATION and rates is None:
            raise Invalid(AnalyticsError.INVALID_RATE, "佣金模拟导出需要一级和二级比例")
        sheets = _sheets(session, table, period, Granularity(by), rates or (0, 0))
    return export_filename(TITLES[table], period=period), workbook(sheets)
