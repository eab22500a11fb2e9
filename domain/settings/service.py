"""Business settings: typed, validated, one row per key (defaults: docs/money-and-rules.md, Business settings)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import ColumnElement, Text, cast, event, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session

from domain.audit.service import record_action
from domain.errors import Invalid
from domain.models import Product, SettingValue
from domain.money import percent, yuan
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.errors import SettingsError

MAX_COMMISSION_CAP_BP = 5000
MAX_NAMED = 10  # products named in a refusal; more are summed up as 等


class BusinessSettings(BaseModel):
    # Strict: an amount or a count is a JSON integer, never ``true``, ``2.0`` or ``"2"``.
    model_config = ConfigDict(extra="forbid", validate_assignment=False, strict=True)

    shop_name: str = Field("优选生活馆", min_length=1, max_length=32)
    service_phone: str = "400-800-1234"
    # Distribution. Two levels only: there is deliberately no setting for a third.
    commission_level1_bp: int = Field(1000, ge=0, le=MAX_COMMISSION_CAP_BP)
    commission_level2_bp: int = Field(500, ge=0, le=MAX_COMMISSION_CAP_BP)
    commission_cap_bp: int = Field(3000, ge=0, le=MAX_COMMISSION_CAP_BP)
    binding_mode: Literal["first_touch", "registration_only", "overwrite"] = "first_touch"
    distributor_mode: Literal["application", "auto"] = "application"
    self_purchase_rebate: bool = False
    settle_after_days: int = Field(7, ge=0, le=90)
    # Orders.
    auto_receive_days: int = Field(7, ge=1, le=60)
    after_sale_days: int = Field(7, ge=0, le=365)  # refunds may be asked for until this long after completion
    unpaid_timeout_minutes: int = Field(30, ge=1, le=1440)
    shipping_fee_fen: int = Field(1000, ge=0, le=100_000)
    free_shipping_threshold_fen: int = Field(9900, ge=0)
    # Where buyers send returns (退货退款): receiver, phone and address as the merchant writes them, shown to the
    # buyer once a return is approved; a return cannot be approved while it is empty.
    return_address: str = Field("", max_length=200)
    # Withdrawals.
    withdraw_min_fen: int = Field(100, ge=1)
    withdraw_max_fen: int = Field(2_000_000, ge=1)
    withdraw_fee_bp: int = Field(0, ge=0, le=2000)
    withdraw_daily_count: int = Field(3, ge=1, le=100)
    withdraw_real_name_threshold_fen: int = Field(200_000, ge=0)
    # Members: check-in points for streak day 1, 2, … (the cycle restarts after the last), and 分享有礼.
    # A share reward only ever follows an invitee's paid first order (docs/security.md, WeChat's rules).
    checkin_points: list[Annotated[int, Field(ge=0, le=10_000)]] = Field(
        default_factory=lambda: [5, 5, 5, 10, 10, 10, 20], min_length=1, max_length=31)
    share_reward_kind: Literal["none", "coupon", "growth"] = "none"
    share_reward_coupon_id: int | None = Field(None, ge=1)
    share_reward_growth_points: int = Field(100, ge=1, le=100_000)
    share_reward_daily_cap: int = Field(3, ge=1, le=1000)
    share_reward_lifetime_cap: int = Field(100, ge=1, le=1_000_000)
    share_reward_rules: str = Field("", max_length=1000)  # the merchant's own words, after the generated rules
    share_text: str = Field("好物推荐，一起来逛逛", min_length=1, max_length=40)  # the title of a shared card

    @model_validator(mode="after")
    def _check_rules(self) -> BusinessSettings:
        total = self.commission_level1_bp + self.commission_level2_bp
        if total > self.commission_cap_bp:
            raise PydanticCustomError(
                SettingsError.COMMISSION_CAP_EXCEEDED,
                "一级 + 二级佣金比例合计 {total} 超过上限 {cap}（两级分销，合计不得超过上限）",
                {"total": percent(total), "cap": percent(self.commission_cap_bp)},
            )
        if self.withdraw_min_fen > self.withdraw_max_fen:
            raise PydanticCustomError(SettingsError.INVALID_WITHDRAW_LIMITS, "最低提现金额不能高于单笔最高提现金额")
        if self.share_reward_kind == "coupon" and self.share_reward_coupon_id is None:
            raise PydanticCustomError(SettingsError.INVALID_SETTINGS, "分享有礼奖励为优惠券时，请选择优惠券")
        return self


DEFAULTS = BusinessSettings()
FIELD_NAMES = tuple(BusinessSettings.model_fields)
_DEFAULT_VALUES = DEFAULTS.model_dump()


_MEMO = "business_settings"


def get_settings(session: Session) -> BusinessSettings:
    """The settings as this transaction sees them: read from the database at the transaction's first use and
    kept until it ends (docs/architecture.md, "What is cached"). Nothing outlives the transaction, so a change
    committed before it began is always seen, and a change made in it (``update_settings``) is seen at once."""
    memo = session.info.get(_MEMO)
    if memo is None:
        memo = session.info[_MEMO] = _read_settings(session)
    return memo


_VALIDATED: dict[str, BusinessSettings] = {}  # the stored rows' fingerprint → their settings, the last few only
# The fingerprint: every stored row as key, RS, its JSON text, joined by US, in key order. Neither separator can
# stand unescaped in a key or in JSON text, so two different sets of rows never share one.
_RS, _US = "\x1e", "\x1f"
_TEXT = cast(SettingValue.value, Text)
_ROWS = select(SettingValue.key, _TEXT).order_by(SettingValue.key)


class _Fingerprint(ColumnElement[str]):
    """The stored settings as one string, as a column: every row as key, RS, its JSON text, joined by US, in key
    order. One row, one string, whatever the number of settings (iterating the rows and decoding each value cost more
    than the read itself). Compiled per dialect, so one statement built once serves both databases."""

    type = Text()
    inherit_cache = True
    _traverse_internals = []  # nothing varies: the class is its whole cache key


@compiles(_Fingerprint)
def _fingerprint_sqlite(_element, compiler, **kw) -> str:
    rs, us = func.char(0x1E), func.char(0x1F)  # the separators are made in SQL (bound control characters are refused)
    ordered = select(SettingValue.key.label("k"), _TEXT.label("v")).order_by(SettingValue.key).subquery()
    return compiler.process(select(func.group_concat(ordered.c.k + rs + ordered.c.v, us)).scalar_subquery(), **kw)


@compiles(_Fingerprint, "postgresql")
def _fingerprint_postgresql(_element, compiler, **kw) -> str:
    rs, us = func.chr(0x1E), func.chr(0x1F)
    aggregated = func.string_agg(SettingValue.key + rs + _TEXT, aggregate_order_by(us, SettingValue.key))
    return compiler.process(select(aggregated).scalar_subquery(), **kw)


# A column any statement may carry (the shopper's token look-up does: docs/architecture.md, "What is cached"); the
# value goes to ``adopt_settings``.
SETTINGS_FINGERPRINT = _Fingerprint()
_FINGERPRINT = select(SETTINGS_FINGERPRINT)


def adopt_settings(session: Session, fingerprint: str | None) -> None:
    """The settings this transaction reads, from their fingerprint read by a statement of this transaction: kept as
    the transaction's settings when they are the ones validated before, else left for ``get_settings`` to read."""
    if _MEMO not in session.info:
        known = _VALIDATED.get(fingerprint or "")
        if known is not None:
            session.info[_MEMO] = known


def _read_settings(session: Session) -> BusinessSettings:
    """Always read from the database (one statement); validated again only when what is stored differs from what
    was validated before (the validation cost more than the read). Settings are never changed in place, so one
    instance can be shared."""
    fingerprint = session.scalar(_FINGERPRINT) or ""
    known = _VALIDATED.get(fingerprint)
    if known is None:
        # Read again row by row, and kept under the fingerprint of these rows: a change committed between the two
        # reads is then kept under its own fingerprint, never under the older one.
        rows = [(key, text) for key, text in session.execute(_ROWS)]
        fingerprint = _US.join(key + _RS + text for key, text in rows)
        stored = {key: json.loads(text) for key, text in rows if key in FIELD_NAMES}
        known = BusinessSettings.model_validate(_DEFAULT_VALUES | stored)
        if len(_VALIDATED) >= 8:
            _VALIDATED.clear()
        _VALIDATED[fingerprint] = known
    return known


@event.listens_for(Session, "after_transaction_end")
def _forget_at_transaction_end(session: Session, transaction) -> None:
    # Any transaction or savepoint that ends, committed or rolled back, drops the memo: a savepoint rolled back
    # may have held a change, and the next transaction must read what is committed by then.
    session.info.pop(_MEMO, None)


def validate_settings(values: dict) -> BusinessSettings:
    """Validate a whole set of settings, raising ``Invalid`` with a readable message."""
    try:
        return BusinessSettings.model_validate(values)
    except ValidationError as exc:
        raise Invalid(_error_code(exc), _readable(exc)) from None


def update_settings(session: Session, changes: dict) -> tuple[BusinessSettings, BusinessSettings]:
    """Apply a partial update; returns (before, after). Unknown keys and bad values are refused whole."""
    unknown = sorted(set(changes) - set(FIELD_NAMES))
    if unknown:
        raise Invalid(SettingsError.UNKNOWN_SETTING, f"未知设置项：{', '.join(unknown)}")
    before = get_settings(session)
    after = validate_settings(before.model_dump() | changes)
    if after.commission_cap_bp < before.commission_cap_bp:
        _refuse_overrides_above(session, after.commission_cap_bp)
    existing = {row.key: row for row in session.scalars(select(SettingValue))}
    for key, value in after.model_dump().items():
        if key in existing:
            existing[key].value = value
        else:
            session.add(SettingValue(key=key, value=value))
    session.flush()
    session.info[_MEMO] = after
    return before, after


def _refuse_overrides_above(session: Session, cap_bp: int) -> None:
    """A lower cap may not leave products whose own pair adds up to more: staff change those products first.
    (Commission writing applies the cap anyway, so a product saved at the same moment still pays within it.)"""
    total = Product.commission_level1_bp + Product.commission_level2_bp
    above = session.execute(
        select(Product.id, Product.title, total).where(Product.commission_level1_bp.is_not(None),
                                                       Product.commission_level2_bp.is_not(None), total > cap_bp)
        .order_by(Product.id).limit(MAX_NAMED + 1)
    ).all()
    if not above:
        return
    named = "、".join(f"《{title}》(#{pid}，{percent(rates)})" for pid, title, rates in above[:MAX_NAMED])
    more = "等" if len(above) > MAX_NAMED else ""
    raise Invalid(SettingsError.COMMISSION_CAP_EXCEEDED,
                  f"佣金合计上限不能低于商品单独设置的比例：{named}{more}的一级 + 二级合计超过 {percent(cap_bp)}，"
                  "请先修改这些商品的佣金比例")


def change_settings(session: Session, *, actor: Actor, changes: dict) -> BusinessSettings:
    """What staff do: check the role, apply, and write the audit log (only the keys that changed)."""
    actor.require(Permission.SETTINGS)
    before, after = update_settings(session, changes)
    changed = {k for k in changes if getattr(before, k) != getattr(after, k)}
    if changed:
        record_action(session, actor=actor, action="settings.update", entity_type="settings", entity_id="business",
                      before={k: getattr(before, k) for k in sorted(changed)},
                      after={k: getattr(after, k) for k in sorted(changed)})
    return after


def ensure_defaults(session: Session) -> None:
    existing = set(session.scalars(select(SettingValue.key)))
    for key, value in DEFAULTS.model_dump().items():
        if key not in existing:
            session.add(SettingValue(key=key, value=value))
    session.flush()
    session.info.pop(_MEMO, None)


_FIELD_LABELS = {
    "commission_level1_bp": "一级佣金比例",
    "commission_level2_bp": "二级佣金比例",
    "commission_cap_bp": "佣金合计上限",
    "settle_after_days": "结算等待天数",
    "withdraw_min_fen": "最低提现金额",
    "withdraw_max_fen": "单笔最高提现金额",
    "withdraw_fee_bp": "提现手续费比例",
    "withdraw_daily_count": "每日提现次数",
    "checkin_points": "签到积分",
    "share_reward_growth_points": "分享有礼成长值",
    "share_reward_daily_cap": "每日奖励上限",
    "share_reward_lifetime_cap": "累计奖励上限",
}


_TYPE_MESSAGES = {"int_type": "需为整数", "bool_type": "需为 true 或 false", "string_type": "需为文本"}


def _error_code(exc: ValidationError) -> SettingsError:
    """A stable code: the first custom rule broken, else ``negative_rate`` for a rate below 0."""
    errors = exc.errors()
    for err in errors:
        if err["type"] in (SettingsError.COMMISSION_CAP_EXCEEDED, SettingsError.INVALID_WITHDRAW_LIMITS):
            return SettingsError(err["type"])
    for err in errors:
        if err["type"] == "greater_than_equal" and str(err["loc"][-1]).endswith("_bp") and err["ctx"]["ge"] == 0:
            return SettingsError.NEGATIVE_RATE
        if err["type"] == "less_than_equal" and str(err["loc"][-1]).startswith("commission_"):
            return SettingsError.COMMISSION_CAP_EXCEEDED
    return SettingsError.INVALID_SETTINGS


def _readable(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = str(err["loc"][0]) if err["loc"] else ""
        label = _FIELD_LABELS.get(loc, loc)
        if len(err["loc"]) > 1 and isinstance(err["loc"][1], int):  # an item of a list: 签到积分第 2 项
            label = f"{label}第 {err['loc'][1] + 1} 项"
        msg = err["msg"]
        if err["type"] == "greater_than_equal":
            msg = f"不能小于 {_bound(loc, err['ctx']['ge'])}"
        elif err["type"] == "less_than_equal":
            msg = f"不能大于 {_bound(loc, err['ctx']['le'])}"
        elif err["type"] in _TYPE_MESSAGES:
            msg = _TYPE_MESSAGES[err["type"]]
        parts.append(f"{label}：{msg}" if label else msg)
    return "；".join(parts)


def _bound(name: str, value: object) -> str:
    """A limit in the unit staff type: rates in percent, amounts in yuan (never basis points or fen)."""
    if isinstance(value, int) and name.endswith("_bp"):
        return percent(value)
    if isinstance(value, int) and name.endswith("_fen"):
        return f"¥{yuan(value)}"
    return str(value)
