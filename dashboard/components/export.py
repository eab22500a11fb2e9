"""Excel exports from any list screen: the whole filtered list (not the page shown), Chinese headers and labels,
amounts as numbers in yuan, and a file name that says what it is and when (``domain/analytics/export.py``).

A screen builds an ``Export`` from the filters it shows and draws ``export_button``. The file is made only when
staff press the button, in a unit of work of its own: a screen never pays for a file nobody asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from dashboard.components.actions import read
from dashboard.i18n import STRINGS, t
from domain.analytics.export import (
    EVERYTHING,
    TITLES,
    XLSX_MIME,
    Column,
    Kind,
    Sheet,
    Table,
    analytics_export,
    export_filename,
    workbook,
)
from domain.analytics.periods import Granularity, Period
from domain.distribution.queries import list_commissions, list_distributors
from domain.members.staff_queries import search_members
from domain.orders.queries import order_list
from domain.security.actor import Actor
from domain.wallet.queries import list_withdrawals


@dataclass(frozen=True)
class Export:
    what: str  # the file's subject, in Chinese: 订单, 佣金明细_冻结中 …
    make: Callable[[Session], bytes]  # the whole workbook, read when staff ask for it
    period: Period | None = None

    def file_name(self) -> str:
        return export_filename(self.what, period=self.period)

    def xlsx(self) -> bytes:
        return read(self.make)


def export_button(key: str, export: Export, *, label_key: str = "export.xlsx") -> None:
    """A download button; pressing it reads the list and hands the browser the file, without rerunning."""
    st.download_button(t(label_key), data=export.xlsx, file_name=export.file_name(), mime=XLSX_MIME, key=key,
                       on_click="ignore", icon=":material/download:", help=t("export.help"))


def zh(key: str, **values: object) -> str:
    """A label in Chinese whatever the screen's language: exports are read in Chinese."""
    text = STRINGS[key][0]
    return text.format(**values) if values else text


def chinese(kind: str, code: object) -> str:
    """A stored code as the Chinese label staff read (``label.<kind>.<code>``)."""
    return zh(f"label.{kind}.{code}") if f"label.{kind}.{code}" in STRINGS else str(code)


def subject(what: str, *parts: object) -> str:
    """``佣金明细_冻结中_一级``: the list and the chosen filters that narrowed it (labels, never typed text), for
    the file name."""
    return "_".join([what, *(str(p) for p in parts if p)])


def sheet_export(what: str, sheet: Callable[[Session], Sheet], *, period: Period | None = None) -> Export:
    return Export(what, lambda session: workbook([sheet(session)]), period)


def analytics_table(viewer: Actor, table: Table, period: Period, *, by: Granularity = Granularity.DAY,
                    rates: tuple[int, int] | None = None) -> Export:
    """One analytics table over the period, whole, as the API exports it."""
    return Export(TITLES[Table(table)], lambda session: analytics_export(
        session, viewer=viewer, table=table, period=period, by=by, rates=rates)[1], period)


# --- the list screens ------------------------------------------------------------------------------------------

ORDERS = (
    Column("订单号", "order_no"), Column("下单时间", "created_at", Kind.TIME), Column("付款时间", "paid_at", Kind.TIME),
    Column("买家", "buyer_nickname"),
    Column("商品", lambda o: "、".join(f"{line.title}×{line.quantity}" for line in o.lines)),
    Column("商品金额（元）", "goods_fen", Kind.MONEY), Column("会员折扣（元）", "member_discount_fen", Kind.MONEY),
    Column("满减（元）", "full_reduction_fen", Kind.MONEY), Column("优惠券（元）", "coupon_discount_fen", Kind.MONEY),
    Column("运费（元）", "shipping_fen", Kind.MONEY), Column("实付（元）", "payable_fen", Kind.MONEY),
    Column("已退款（元）", "refunded_fen", Kind.MONEY), Column("状态", lambda o: chinese("order", o.status)),
    Column("快递公司", lambda o: o.shipment.carrier if o.shipment else ""),
    Column("运单号", lambda o: o.shipment.tracking_no if o.shipment else ""),
    Column("发货时间", "shipped_at", Kind.TIME), Column("完成时间", "completed_at", Kind.TIME),
)

COMMISSIONS = (
    Column("时间", "created_at", Kind.TIME), Column("订单号", "order_no"), Column("受益人", "beneficiary_nickname"),
    Column("买家", "buyer_nickname"), Column("商品", "title"), Column("层级", lambda c: chinese("level", c.level)),
    Column("计佣基数（元）", "base_fen", Kind.MONEY), Column("比例", "rate_bp", Kind.RATE),
    Column("佣金（元）", "amount_fen", Kind.MONEY), Column("已追回（元）", "clawed_back_fen", Kind.MONEY),
    Column("状态", lambda c: chinese("commission", c.status)), Column("结算时间", "settled_at", Kind.TIME),
)

WITHDRAWALS = (
    Column("提现单号", "withdrawal_no"), Column("分销员", "nickname"), Column("申请金额（元）", "amount_fen", Kind.MONEY),
    Column("手续费（元）", "fee_fen", Kind.MONEY), Column("实际到账（元）", "payout_fen", Kind.MONEY),
    Column("方式", lambda w: chinese("method", w.method)), Column("账户", "account_text"),
    Column("状态", lambda w: chinese("withdrawal", w.status)),
    Column("需二次审核", lambda w: "是" if w.second_approval_required else ""),
    Column("申请时间", "created_at", Kind.TIME), Column("审核时间", "reviewed_at", Kind.TIME),
    Column("打款时间", "paid_at", Kind.TIME), Column("打款凭证", "payout_ref"),
    Column("备注", lambda w: w.failure or w.reject_reason),
)

DISTRIBUTORS = (
    Column("用户ID", "user_id", Kind.INTEGER), Column("昵称", "nickname"), Column("邀请码", "invite_code"),
    Column("姓名", "real_name_masked"), Column("状态", lambda d: "正常" if d.is_enabled else "已停用"),
    Column("一级成员", "level1_count", Kind.INTEGER), Column("二级成员", "level2_count", Kind.INTEGER),
    Column("可提现（元）", "available_fen", Kind.MONEY), Column("冻结中（元）", "frozen_fen", Kind.MONEY),
    Column("已提现（元）", "withdrawn_fen", Kind.MONEY), Column("累计佣金（元）", "total_earned_fen", Kind.MONEY),
    Column("成为分销员时间", "since", Kind.TIME),
)

MEMBERS = (
    Column("用户ID", "user_id", Kind.INTEGER), Column("昵称", "nickname"), Column("手机", "phone_masked"),
    Column("等级", "level_name"), Column("成长值", "growth", Kind.INTEGER), Column("付款订单", "orders", Kind.INTEGER),
    Column("消费（元）", "spend_fen", Kind.MONEY), Column("注册时间", "created_at", Kind.TIME),
)

def orders(viewer: Actor, *, status: str | None = None, **filters) -> Export:
    def sheet(session: Session) -> Sheet:
        rows, _ = order_list(session, viewer=viewer, status=status, page_size=EVERYTHING, **filters)
        return Sheet("订单", ORDERS, rows)

    return sheet_export(subject("订单", status and chinese("order", status)), sheet)


def commissions(viewer: Actor, *, status: str | None = None, level: int | None = None, **filters) -> Export:
    def sheet(session: Session) -> Sheet:
        rows, _ = list_commissions(session, viewer=viewer, status=status, level=level, page_size=EVERYTHING,
                                   **filters)
        return Sheet("佣金明细", COMMISSIONS, rows)

    return sheet_export(subject("佣金明细", status and chinese("commission", status), level and chinese("level", level)),
                        sheet)


def withdrawals(viewer: Actor, *, status: str | None = None) -> Export:
    def sheet(session: Session) -> Sheet:
        rows, _ = list_withdrawals(session, viewer=viewer, status=status, page_size=EVERYTHING)
        return Sheet("提现", WITHDRAWALS, rows)

    return sheet_export(subject("提现", status and chinese("withdrawal", status)), sheet)


def distributors(viewer: Actor, *, q: str = "") -> Export:
    def sheet(session: Session) -> Sheet:
        rows, _ = list_distributors(session, viewer=viewer, q=q, page_size=EVERYTHING)
        return Sheet("分销员", DISTRIBUTORS, rows)

    return sheet_export("分销员", sheet)


def members(viewer: Actor, *, q: str = "", level: int | None = None, sort: str = "newest") -> Export:
    def sheet(session: Session) -> Sheet:
        rows, _ = search_members(session, viewer=viewer, q=q, level=level, sort=sort, page_size=EVERYTHING)
        return Sheet("会员", MEMBERS, rows)

    return sheet_export("会员", sheet)
