"""The audit log as people read it: each entry as a sentence in the staff's language, amounts in yuan, rates in
percent, and the record it concerns named as staff know it (an order by its number, a product by its title).

``audit_page`` reads one page: one query for the entries, one for the total and one per kind of record on the
page for their names, however many entries there are. An action this file does not know yet still reads as a
sentence: its name and the values it recorded, formatted the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.audit.service import list_actions
from domain.models import (
    AuditEntry,
    Banner,
    Category,
    CouponTemplate,
    DistributorApplication,
    Notice,
    Order,
    Product,
    Promotion,
    Refund,
    Sku,
    Staff,
    User,
    Withdrawal,
)
from domain.money import percent, yuan

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class EntityRef:
    """The record an entry is about, for a link to it: ``kind`` is the entry's entity type."""

    kind: str
    id: str
    label: str  # e.g. 订单 D20250101…, 商品《保温杯》
    search: str = ""  # what finds it on its screen: an order number, a product title, a nickname
    status: str = ""  # its state now, for screens that list one state at a time
    product_id: int | None = None  # a SKU's product


@dataclass(frozen=True)
class AuditLine:
    id: int
    created_at: datetime
    actor: str
    action: str
    action_label: str
    sentence: str
    entity: EntityRef
    before: dict | None = None  # as recorded, for those who need the raw values
    after: dict | None = None


# Kinds of record: (中文, English).
ENTITY_LABELS: dict[str, tuple[str, str]] = {
    "product": ("商品", "product"),
    "sku": ("规格", "SKU"),
    "category": ("分类", "category"),
    "order": ("订单", "order"),
    "refund": ("退款", "refund"),
    "withdrawal": ("提现", "withdrawal"),
    "distributor": ("分销员", "distributor"),
    "distributor_application": ("分销申请", "application"),
    "settings": ("系统设置", "settings"),
    "staff": ("员工", "staff member"),
    "job": ("定时任务", "job"),
    "coupon_template": ("优惠券", "coupon"),
    "promotion": ("营销活动", "promotion"),
    "banner": ("首页横幅", "home banner"),
    "notice": ("首页公告", "home notice"),
    "payment": ("收款", "payment"),
}

# Actions: (中文, English) — the filter's options and each sentence's verb.
ACTION_LABELS: dict[str, tuple[str, str]] = {
    "product.create": ("新建商品", "Created a product"),
    "product.update": ("修改商品", "Edited a product"),
    "product.copy": ("复制商品", "Copied a product"),
    "product.shelve": ("上架商品", "Put a product on the shelf"),
    "product.unshelve": ("下架商品", "Took a product off the shelf"),
    "sku.adjust_stock": ("调整库存", "Adjusted stock"),
    "category.create": ("新建分类", "Created a category"),
    "order.ship": ("订单发货", "Shipped an order"),
    "order.shipping_upload": ("上传发货信息", "Uploaded shipping info"),
    "order.tracking_event": ("添加物流信息", "Added a tracking event"),
    "refund.approve": ("同意退款", "Approved a refund"),
    "refund.reject": ("驳回退款", "Rejected a refund"),
    "refund.approve_return": ("同意退货", "Approved a return"),
    "refund.confirm_return": ("确认收到退货", "Confirmed a return arrived"),
    "order.change_address": ("修改收货地址", "Changed the receiver"),
    "order.merchant_note": ("修改商家备注", "Edited the merchant note"),
    "withdrawal.approve": ("同意提现", "Approved a withdrawal"),
    "withdrawal.reject": ("驳回提现", "Rejected a withdrawal"),
    "withdrawal.mark_paid": ("标记已打款", "Marked a withdrawal paid"),
    "withdrawal.reveal_account": ("查看完整收款账户", "Viewed a full bank account"),
    "settings.update": ("修改系统设置", "Changed settings"),
    "staff.create": ("新建员工账号", "Created a staff account"),
    "distributor.approve": ("通过分销申请", "Approved an application"),
    "distributor.reject": ("驳回分销申请", "Rejected an application"),
    "distributor.enable": ("恢复分销资格", "Enabled a distributor"),
    "distributor.disable": ("停用分销资格", "Disabled a distributor"),
    "wallet.adjust": ("人工调整钱包", "Adjusted a wallet"),
    "job.run": ("手动运行任务", "Ran a job"),
    "coupon.create": ("新建优惠券", "Created a coupon"),
    "coupon.update": ("修改优惠券", "Edited a coupon"),
    "coupon.stop": ("停止发放优惠券", "Stopped a coupon"),
    "coupon.issue": ("发放优惠券", "Issued a coupon"),
    "promotion.create": ("新建营销活动", "Created a promotion"),
    "promotion.update": ("修改营销活动", "Edited a promotion"),
    "promotion.stop": ("停止营销活动", "Stopped a promotion"),
    "banner.create": ("新建首页横幅", "Created a home banner"),
    "banner.update": ("修改首页横幅", "Edited a home banner"),
    "banner.move": ("调整首页横幅顺序", "Moved a home banner"),
    "banner.delete": ("删除首页横幅", "Deleted a home banner"),
    "notice.create": ("新建首页公告", "Created a home notice"),
    "notice.update": ("修改首页公告", "Edited a home notice"),
    "notice.move": ("调整首页公告顺序", "Moved a home notice"),
    "notice.delete": ("删除首页公告", "Deleted a home notice"),
    "payment.refund_retry": ("重试自动退款", "Retried an automatic refund"),
}

# Names of recorded values, for changes and for actions without a sentence of their own.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "title": ("标题", "title"),
    "category_id": ("分类", "category"),
    "is_on_shelf": ("上架", "on shelf"),
    "sort": ("排序", "sort"),
    "images": ("图片", "images"),
    "distribution_enabled": ("参与分销", "distribution"),
    "commission_level1_bp": ("一级佣金比例", "level-1 rate"),
    "commission_level2_bp": ("二级佣金比例", "level-2 rate"),
    "commission_cap_bp": ("佣金合计上限", "commission cap"),
    "skus": ("规格", "SKUs"),
    "price_fen": ("价格", "price"),
    "original_price_fen": ("原价", "original price"),
    "cost_price_fen": ("成本价", "cost"),
    "image": ("规格图", "image"),
    "status": ("状态", "status"),
    "amount_fen": ("金额", "amount"),
    "reason": ("原因", "reason"),
    "shop_name": ("店铺名称", "shop name"),
    "service_phone": ("客服电话", "service phone"),
    "binding_mode": ("邀请关系绑定方式", "inviter binding"),
    "distributor_mode": ("成为分销员的方式", "becoming a distributor"),
    "self_purchase_rebate": ("分销员自购返佣", "self-purchase rebate"),
    "settle_after_days": ("佣金结算等待天数", "days before settlement"),
    "auto_receive_days": ("自动确认收货天数", "auto-receive days"),
    "unpaid_timeout_minutes": ("未付款自动取消（分钟）", "unpaid timeout (minutes)"),
    "shipping_fee_fen": ("运费", "shipping fee"),
    "free_shipping_threshold_fen": ("包邮门槛", "free shipping from"),
    "withdraw_min_fen": ("最低提现金额", "minimum withdrawal"),
    "withdraw_max_fen": ("单笔最高提现金额", "maximum withdrawal"),
    "withdraw_fee_bp": ("提现手续费比例", "withdrawal fee"),
    "withdraw_daily_count": ("每日提现次数", "withdrawals per day"),
    "withdraw_real_name_threshold_fen": ("实名校验金额", "real-name check from"),
    "carrier": ("快递公司", "carrier"),
    "tracking_no": ("快递单号", "tracking number"),
    "text": ("内容", "text"),
    "note": ("备注", "note"),
    "processed": ("处理条数", "processed"),
    "name": ("名称", "name"),
    "kind": ("类型", "kind"),
    "value_fen": ("面额", "value"),
    "percent_off_bp": ("折扣", "percent off"),
    "cap_fen": ("最多减", "cap"),
    "threshold_fen": ("门槛", "threshold"),
    "starts_at": ("开始", "starts"),
    "ends_at": ("结束", "ends"),
    "valid_from": ("生效", "valid from"),
    "valid_to": ("失效", "valid to"),
    "valid_days": ("有效天数", "valid days"),
    "total_quantity": ("总量", "quantity"),
    "per_user_limit": ("每人限领", "per shopper"),
    "position": ("位置", "position"),
    "is_enabled": ("启用", "switched on"),
    "link_kind": ("跳转", "link"),
    "image_url": ("图片", "picture"),
    "return_address": ("退货地址", "return address"),
    "merchant_note": ("商家备注", "merchant note"),
    "receiver": ("收货人", "receiver"),
    "phone": ("手机号", "phone"),
    "region": ("地区", "region"),
    "restock": ("放回库存", "restocked"),
}

# Stored codes that appear as values (statuses), as staff read them.
VALUE_LABELS: dict[str, tuple[str, str]] = {
    "pending": ("待审核", "pending"), "approved": ("已同意", "approved"), "rejected": ("已驳回", "rejected"),
    "paid": ("已打款", "paid"), "failed": ("失败", "failed"), "refunded": ("已退款", "refunded"),
    "requested": ("待处理", "requested"), "shipped": ("已发货", "shipped"),
    "awaiting_confirmation": ("待分销员确认收款", "awaiting the distributor's confirmation"),
    "first_touch": ("首次绑定，永久有效", "first touch, permanent"),
    "registration_only": ("仅注册时绑定", "only at registration"), "overwrite": ("以最后一次分享为准", "last touch"),
    "application": ("申请审核", "application and review"), "auto": ("自动成为分销员", "automatic"),
    "owner": ("店主", "owner"), "operator": ("运营", "operator"), "support": ("客服", "support"),
    "finance": ("财务", "finance"), "analyst": ("分析师", "analyst"),
}


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[1] if lang == "en" else pair[0]


def entity_label(kind: str, lang: Lang) -> str:
    return _pick(ENTITY_LABELS[kind], lang) if kind in ENTITY_LABELS else kind


def action_label(action: str, lang: Lang) -> str:
    return _pick(ACTION_LABELS[action], lang) if action in ACTION_LABELS else action


def value_text(name: str, value: object, lang: Lang) -> str:
    """One recorded value as people read it: fen in yuan, basis points in percent, yes/no, statuses by name."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, int) and name.endswith("_fen"):
        return f"-¥{yuan(-value)}" if value < 0 else f"¥{yuan(value)}"
    if isinstance(value, int) and name.endswith("_bp"):
        return percent(value)
    if isinstance(value, list):
        return (f"{len(value)} 项" if lang == "zh" else f"{len(value)} items") if value else "—"
    if isinstance(value, dict):
        return "，".join(f"{field_label(k, lang)} {value_text(k, v, lang)}" for k, v in value.items())
    if isinstance(value, str) and value in VALUE_LABELS:
        return _pick(VALUE_LABELS[value], lang)
    return str(value)


def field_label(name: str, lang: Lang) -> str:
    return _pick(FIELD_LABELS[name], lang) if name in FIELD_LABELS else name


def changes_text(before: dict | None, after: dict | None, lang: Lang, *, skip: tuple[str, ...] = ()) -> str:
    """``标题 保温杯 → 保温杯 500ml；上架 是 → 否``: each value that differs, old → new."""
    before, after = before or {}, after or {}
    parts = []
    for name in dict.fromkeys([*before, *after]):
        if name in skip or before.get(name) == after.get(name):
            continue
        if name == "skus":
            parts.append(_skus_change(before.get("skus") or [], after.get("skus") or [], lang))
        elif name in before and name in after:
            parts.append(f"{field_label(name, lang)} {value_text(name, before[name], lang)} → "
                         f"{value_text(name, after[name], lang)}")
        else:
            parts.append(f"{field_label(name, lang)} {value_text(name, after.get(name, before.get(name)), lang)}")
    return ("；" if lang == "zh" else "; ").join(p for p in parts if p)


def _skus_change(before: list[dict], after: list[dict], lang: Lang) -> str:
    old = {s.get("id"): s for s in before}
    parts = []
    for sku in after:
        spec = " / ".join((sku.get("specs") or {}).values()) or ("默认" if lang == "zh" else "default")
        was = old.get(sku.get("id"))
        if was is None:
            parts.append(("新增规格 " if lang == "zh" else "new SKU ") + f"{spec} ¥{yuan(sku.get('price_fen') or 0)}")
        elif was.get("is_active") and not sku.get("is_active", True):
            parts.append(("停售规格 " if lang == "zh" else "stopped SKU ") + spec)
        else:
            parts.extend(f"{spec} {field_label(name, lang)} {value_text(name, was.get(name), lang)} → "
                         f"{value_text(name, sku.get(name), lang)}"
                         for name in _SKU_FIELDS if name in sku and was.get(name) != sku.get(name))
    return ("，" if lang == "zh" else ", ").join(parts) or ("规格" if lang == "zh" else "SKUs")


_SKU_FIELDS = ("price_fen", "original_price_fen", "cost_price_fen", "image")


# --- Sentences: (entry, the record's name, language) → the part after who did it. ---

Sentence = Callable[[AuditEntry, str, Lang], str]


def _a(entry: AuditEntry) -> dict:
    return entry.after or {}


def _b(entry: AuditEntry) -> dict:
    return entry.before or {}


def _zh_en(zh: str, en: str) -> Sentence:
    """A sentence from two templates, filled with the record's name and the entry's formatted values."""
    def sentence(entry: AuditEntry, name: str, lang: Lang) -> str:
        values = {k: value_text(k, v, lang) for k, v in {**_b(entry), **_a(entry)}.items()}
        values.update({f"before_{k}": value_text(k, v, lang) for k, v in _b(entry).items()})
        values["changes"] = changes_text(entry.before, entry.after, lang)
        return (en if lang == "en" else zh).format_map(_Missing(values, name=name))
    return sentence


class _Missing(dict):
    """A template's value that the entry did not record shows as —, never as a KeyError."""

    def __init__(self, values: dict, **more: str) -> None:
        super().__init__(values, **more)

    def __missing__(self, key: str) -> str:
        return "—"


def _stock(entry: AuditEntry, name: str, lang: Lang) -> str:
    before, after = _b(entry).get("stock"), _a(entry).get("stock")
    delta, reason = _a(entry).get("delta"), _a(entry).get("reason") or ""
    signed = f"{delta:+d}" if isinstance(delta, int) else "—"
    if lang == "en":
        return f"adjusted the stock of {name}: {before} → {after} ({signed})" + (f", reason: {reason}" if reason else "")
    return f"调整了{name}的库存：{before} → {after}（{signed}）" + (f"，原因：{reason}" if reason else "")


def _wallet(entry: AuditEntry, name: str, lang: Lang) -> str:
    after = _a(entry)
    amount = after.get("amount_fen") or 0
    signed = f"+¥{yuan(amount)}" if amount > 0 else f"-¥{yuan(-amount)}"
    before_fen = value_text("available_fen", _b(entry).get("available_fen"), lang)
    after_fen = value_text("available_fen", after.get("available_fen"), lang)
    if lang == "en":
        return f"adjusted the wallet of {name} by {signed} ({after.get('reason', '')}); available {before_fen} → {after_fen}"
    return f"人工调整了{name}的钱包 {signed}（原因：{after.get('reason', '')}），可提现 {before_fen} → {after_fen}"


def _upload(entry: AuditEntry, name: str, lang: Lang) -> str:
    ok = _a(entry).get("wechat_uploaded")
    if lang == "en":
        return f"uploaded the shipping info of {name} to WeChat ({'done' if ok else 'failed'})"
    return f"向微信上传了{name}的发货信息（{'成功' if ok else '未成功'}）"


def _refund(entry: AuditEntry, name: str, lang: Lang) -> str:
    after = _a(entry)
    amount, failure = value_text("amount_fen", after.get("amount_fen"), lang), after.get("failure") or ""
    if lang == "en":
        return f"approved {name}, refunding {amount}" + (f" (WeChat: {failure})" if failure else "")
    return f"同意了{name}，退款 {amount}" + (f"（微信未完成：{failure}）" if failure else "")


def _return_received(entry: AuditEntry, name: str, lang: Lang) -> str:
    after = _a(entry)
    amount, failure = value_text("amount_fen", after.get("amount_fen"), lang), after.get("failure") or ""
    if lang == "en":
        return (f"confirmed the goods of {name} arrived ({'back in stock' if after.get('restock') else 'not restocked'}),"
                f" refunding {amount}" + (f" (WeChat: {failure})" if failure else ""))
    return (f"确认收到{name}的退货（{'已放回库存' if after.get('restock') else '未放回库存'}），退款 {amount}"
            + (f"（微信未完成：{failure}）" if failure else ""))


def _receiver(entry: AuditEntry, name: str, lang: Lang) -> str:
    def who(values: dict) -> str:
        return " ".join(str(values.get(k) or "—") for k in ("receiver", "phone", "region"))
    if lang == "en":
        return f"changed the receiver of {name}: {who(_b(entry))} → {who(_a(entry))}"
    return f"修改了{name}的收货地址：{who(_b(entry))} → {who(_a(entry))}"


def _issue(entry: AuditEntry, name: str, lang: Lang) -> str:
    after = _a(entry)
    issued, reason = len(after.get("issued") or []), after.get("reason") or ""
    if lang == "en":
        return f"issued {name} to {issued} shoppers" + (f" ({reason})" if reason else "")
    return f"向 {issued} 位顾客发放了{name}" + (f"（原因：{reason}）" if reason else "")


SENTENCES: dict[str, Sentence] = {
    "product.create": _zh_en("新建了{name}", "created {name}"),
    "product.update": _zh_en("修改了{name}：{changes}", "edited {name}: {changes}"),
    "product.copy": _zh_en("复制商品《{before_title}》，得到{name}", "copied 《{before_title}》 into {name}"),
    "product.shelve": _zh_en("上架了{name}", "put {name} on the shelf"),
    "product.unshelve": _zh_en("下架了{name}", "took {name} off the shelf"),
    "sku.adjust_stock": _stock,
    "category.create": _zh_en("新建了{name}", "created {name}"),
    "order.ship": _zh_en("为{name}发货：{carrier} {tracking_no}", "shipped {name}: {carrier} {tracking_no}"),
    "order.shipping_upload": _upload,
    "order.tracking_event": _zh_en("为{name}添加了物流信息：{text}", "added a tracking event to {name}: {text}"),
    "refund.approve": _refund,
    "refund.reject": _zh_en("驳回了{name}：{reason}", "rejected {name}: {reason}"),
    "refund.approve_return": _zh_en("同意了{name}的退货，收到退货后退款 {amount_fen}",
                                    "approved the return of {name}; {amount_fen} is refunded once the goods arrive"),
    "refund.confirm_return": _return_received,
    "order.change_address": _receiver,
    "order.merchant_note": _zh_en("修改了{name}的商家备注：{before_merchant_note} → {merchant_note}",
                                  "edited the merchant note of {name}: {before_merchant_note} → {merchant_note}"),
    "withdrawal.approve": _zh_en("同意了{name}（{status}）", "approved {name} ({status})"),
    "withdrawal.reject": _zh_en("驳回了{name}：{reason}", "rejected {name}: {reason}"),
    "withdrawal.mark_paid": _zh_en("将{name}标记为已打款（银行流水号 {reference}）",
                                   "marked {name} paid (bank reference {reference})"),
    "withdrawal.reveal_account": _zh_en("查看了{name}的完整收款账户", "viewed the full bank account of {name}"),
    "settings.update": _zh_en("修改了系统设置：{changes}", "changed settings: {changes}"),
    "staff.create": _zh_en("新建了员工账号 {username}（{role}）", "created the staff account {username} ({role})"),
    "distributor.approve": _zh_en("通过了{name}", "approved {name}"),
    "distributor.reject": _zh_en("驳回了{name}：{reason}", "rejected {name}: {reason}"),
    "distributor.enable": _zh_en("恢复了{name}的分销资格", "enabled {name}"),
    "distributor.disable": _zh_en("停用了{name}的分销资格，原因：{reason}", "disabled {name}, because: {reason}"),
    "wallet.adjust": _wallet,
    "job.run": _zh_en("手动运行了{name}，处理 {processed} 条", "ran {name} by hand: {processed} processed"),
    "coupon.create": _zh_en("新建了{name}", "created {name}"),
    "coupon.update": _zh_en("修改了{name}：{changes}", "edited {name}: {changes}"),
    "coupon.stop": _zh_en("停止发放{name}", "stopped {name}"),
    "coupon.issue": _issue,
    "promotion.create": _zh_en("新建了{name}", "created {name}"),
    "promotion.update": _zh_en("修改了{name}：{changes}", "edited {name}: {changes}"),
    "promotion.stop": _zh_en("停止了{name}", "stopped {name}"),
    **{f"{kind}.{verb}": _zh_en(zh, en) for kind in ("banner", "notice") for verb, zh, en in (
        ("create", "新建了{name}", "created {name}"), ("update", "修改了{name}：{changes}", "edited {name}: {changes}"),
        ("move", "调整了{name}的顺序：{before_position} → {position}", "moved {name}: {before_position} → {position}"),
        ("delete", "删除了{name}", "deleted {name}"))},
    "payment.refund_retry": _zh_en("重试了{name}的自动退款", "retried the automatic refund of {name}"),
}


def sentence(entry: AuditEntry, name: str, lang: Lang) -> str:
    """What happened, after who did it: ``同意了退款 R2025…，退款 ¥39.90``."""
    write = SENTENCES.get(entry.action)
    if write is not None:
        return write(entry, name, lang)
    details = changes_text(entry.before, entry.after, lang)
    verb = action_label(entry.action, lang)
    if lang == "en":
        return f"{verb}: {name}" + (f" — {details}" if details else "")
    return f"{verb}：{name}" + (f"（{details}）" if details else "")


# --- The records' names, one query per kind on the page. ---

def _refs(session: Session, kind: str, ids: list[str], lang: Lang) -> dict[str, EntityRef]:
    numeric = [int(i) for i in ids if i.isdigit()]
    if kind in _LOOKUPS:
        query, name = _LOOKUPS[kind]
        return {str(row[0]): EntityRef(kind, str(row[0]), *name(row, lang))
                for row in session.execute(query(numeric)).all()}
    return {}


def _kind(kind: str, lang: Lang) -> str:
    return entity_label(kind, lang)


_LOOKUPS: dict[str, tuple[Callable, Callable]] = {
    "product": (lambda ids: select(Product.id, Product.title).where(Product.id.in_(ids)),
                lambda row, lang: (f"{_kind('product', lang)}《{row[1]}》", row[1])),
    "sku": (lambda ids: select(Sku.id, Product.title, Sku.specs, Sku.product_id)
            .join(Product, Product.id == Sku.product_id).where(Sku.id.in_(ids)),
            lambda row, lang: (f"《{row[1]}》" + (f"（{' / '.join(row[2].values())}）" if row[2] else ""), row[1], "",
                               row[3])),
    "order": (lambda ids: select(Order.id, Order.order_no, Order.status).where(Order.id.in_(ids)),
              lambda row, lang: (f"{_kind('order', lang)} {row[1]}", row[1], row[2])),
    "refund": (lambda ids: select(Refund.id, Refund.refund_no, Refund.status).where(Refund.id.in_(ids)),
               lambda row, lang: (f"{_kind('refund', lang)} {row[1]}", row[1], row[2])),
    "withdrawal": (lambda ids: select(Withdrawal.id, Withdrawal.withdrawal_no, Withdrawal.status)
                   .where(Withdrawal.id.in_(ids)),
                   lambda row, lang: (f"{_kind('withdrawal', lang)} {row[1]}", row[1], row[2])),
    "distributor": (lambda ids: select(User.id, User.nickname, User.invite_code).where(User.id.in_(ids)),
                    lambda row, lang: (_pick(("分销员“{n}”", "distributor “{n}”"), lang).format(n=row[1]), row[2])),
    "distributor_application": (
        lambda ids: select(DistributorApplication.id, User.nickname, DistributorApplication.status)
        .join(User, User.id == DistributorApplication.user_id).where(DistributorApplication.id.in_(ids)),
        lambda row, lang: (_pick(("“{n}”的分销员申请", "the application of “{n}”"), lang).format(n=row[1]), row[1],
                           row[2])),
    "category": (lambda ids: select(Category.id, Category.name).where(Category.id.in_(ids)),
                 lambda row, lang: (f"{_kind('category', lang)}“{row[1]}”", row[1])),
    "staff": (lambda ids: select(Staff.id, Staff.username).where(Staff.id.in_(ids)),
              lambda row, lang: (f"{_kind('staff', lang)} {row[1]}", row[1])),
    "coupon_template": (lambda ids: select(CouponTemplate.id, CouponTemplate.name).where(CouponTemplate.id.in_(ids)),
                        lambda row, lang: (f"{_kind('coupon_template', lang)}“{row[1]}”", row[1])),
    "promotion": (lambda ids: select(Promotion.id, Promotion.name).where(Promotion.id.in_(ids)),
                  lambda row, lang: (f"{_kind('promotion', lang)}“{row[1]}”", row[1])),
    "banner": (lambda ids: select(Banner.id, Banner.title).where(Banner.id.in_(ids)),
               lambda row, lang: (f"{_kind('banner', lang)}“{row[1]}”", row[1])),
    "notice": (lambda ids: select(Notice.id, Notice.text).where(Notice.id.in_(ids)),
               lambda row, lang: (f"{_kind('notice', lang)}“{row[1]}”", row[1])),
}


def _fallback_name(kind: str, entity_id: str, lang: Lang) -> str:
    if kind == "settings":
        return entity_label(kind, lang)
    if kind == "job":
        return f"任务 {entity_id}" if lang == "zh" else f"the job {entity_id}"
    return f"{entity_label(kind, lang)} #{entity_id}"


def audit_page(session: Session, *, lang: Lang, entity_type: str | None = None, entity_id: str | None = None,
               actions: list[str] | None = None, page: int = 1, page_size: int = 50) -> tuple[list[AuditLine], int]:
    """A page of the audit log as sentences, newest first (strict time order)."""
    entries, total = list_actions(session, entity_type=entity_type, entity_id=entity_id, actions=actions, page=page,
                                  page_size=page_size)
    wanted: dict[str, list[str]] = {}
    for e in entries:
        wanted.setdefault(e.entity_type, []).append(e.entity_id)
    refs = {kind: _refs(session, kind, ids, lang) for kind, ids in wanted.items()}
    lines = []
    for e in entries:
        ref = refs[e.entity_type].get(e.entity_id) or EntityRef(
            e.entity_type, e.entity_id, _fallback_name(e.entity_type, e.entity_id, lang))
        lines.append(AuditLine(id=e.id, created_at=e.created_at, actor=e.actor, action=e.action,
                               action_label=action_label(e.action, lang), sentence=sentence(e, ref.label, lang),
                               entity=ref, before=e.before, after=e.after))
    return lines, total


def matching_actions(typed: str, known: list[str]) -> list[str]:
    """The actions a typed filter means: codes it begins (``refund.``), or names that hold it in either language
    (退款, 分销申请, withdrawal)."""
    typed = typed.strip()
    if not typed:
        return list(known)
    lowered = typed.lower()
    return [a for a in known if a.startswith(typed)
            or any(lowered in name.lower() for name in ACTION_LABELS.get(a, ()))]
