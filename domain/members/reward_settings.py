"""分享有礼's settings and the complete rules shoppers read before they share.

WeChat's rules ask every reward to be shown with its complete rules (规则说明) before the shopper shares, so the
rules are written from the settings the code applies, never typed separately from them; the merchant's own words
come after (``share_reward_rules``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from domain.audit.service import record_action
from domain.errors import Invalid
from domain.marketing.labels import coupon_summary
from domain.members.errors import ShareError
from domain.models import CouponTemplate, TemplateStatus
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.service import BusinessSettings, get_settings, update_settings

# The settings this screen edits (names as in ``GET /admin/settings``).
SHARE_REWARD_KEYS = ("share_reward_kind", "share_reward_coupon_id", "share_reward_growth_points",
                     "share_reward_daily_cap", "share_reward_lifetime_cap", "share_reward_rules", "share_text")


@dataclass(frozen=True)
class ShareRewardRules:
    enabled: bool
    kind: str  # none | coupon | growth
    reward: str  # what one reward is, in words: "优惠券「满100减20」" or "100 成长值"
    growth_points: int | None
    coupon_template_id: int | None
    coupon_summary: str | None
    daily_cap: int
    lifetime_cap: int
    settle_after_days: int
    rules: list[str]  # the complete rules, one sentence each
    note: str  # the merchant's own words
    shop_name: str
    share_text: str


def share_reward_rules(session: Session) -> ShareRewardRules:
    return rules_for(session, get_settings(session))


def rules_for(session: Session, settings: BusinessSettings) -> ShareRewardRules:
    template = session.get(CouponTemplate, settings.share_reward_coupon_id) \
        if settings.share_reward_kind == "coupon" and settings.share_reward_coupon_id else None
    summary = coupon_summary(kind=template.kind, value_fen=template.value_fen, percent_off_bp=template.percent_off_bp,
                             cap_fen=template.cap_fen, threshold_fen=template.threshold_fen) if template else None
    if settings.share_reward_kind == "growth":
        reward = f"{settings.share_reward_growth_points} 成长值"
    elif template is not None:
        reward = f"优惠券「{template.name}」（{summary}）"
    else:
        reward = ""
    enabled = bool(reward)
    return ShareRewardRules(
        enabled=enabled, kind=settings.share_reward_kind if enabled else "none", reward=reward,
        growth_points=settings.share_reward_growth_points if settings.share_reward_kind == "growth" else None,
        coupon_template_id=template.id if template else None, coupon_summary=summary,
        daily_cap=settings.share_reward_daily_cap, lifetime_cap=settings.share_reward_lifetime_cap,
        settle_after_days=settings.settle_after_days, rules=_sentences(settings, reward) if enabled else [
            "本店暂未开展分享有礼活动。",
            "分享商品或店铺、好友访问或绑定，均不获得任何奖励。",
        ],
        note=settings.share_reward_rules, shop_name=settings.shop_name, share_text=settings.share_text,
    )


def _sentences(settings: BusinessSettings, reward: str) -> list[str]:
    return [
        "好友通过你分享的商品、店铺链接或海报进入商城，并绑定你为邀请人。",
        f"好友的第一笔订单支付成功、确认收货满 {settings.settle_after_days} 天且未整单退款后，你获得 1 份奖励：{reward}。",
        "每位好友只计一次，以其第一笔支付成功的订单为准；该订单整单退款的，奖励取消。",
        f"每天最多获得 {settings.share_reward_daily_cap} 份奖励（按好友支付的日期计），累计最多 "
        f"{settings.share_reward_lifetime_cap} 份；超出上限的不再发放。",
        "分享本身、好友访问、好友绑定均不获得奖励；分享到朋友圈不获得任何奖励。",
        "奖励为优惠券或成长值，不是佣金，不能提现。",
    ]


def change_share_reward_settings(session: Session, *, actor: Actor, changes: dict) -> ShareRewardRules:
    """Staff with the marketing permission set the reward; audited. A coupon reward needs an active template whose
    per-user limit allows the lifetime cap (a grant gives each inviter one coupon per reward)."""
    actor.require(Permission.MARKETING)
    unknown = sorted(set(changes) - set(SHARE_REWARD_KEYS))
    if unknown:
        raise Invalid(ShareError.INVALID_SHARE_REWARD_SETTINGS, f"不能在此修改：{', '.join(unknown)}")
    before, after = _checked_update(session, changes)
    changed = sorted(k for k in changes if getattr(before, k) != getattr(after, k))
    if changed:
        record_action(session, actor=actor, action="share_rewards.settings", entity_type="settings",
                      entity_id="share_rewards", before={k: getattr(before, k) for k in changed},
                      after={k: getattr(after, k) for k in changed})
    return rules_for(session, after)


def _checked_update(session: Session, changes: dict) -> tuple[BusinessSettings, BusinessSettings]:
    before, after = update_settings(session, changes)
    if after.share_reward_kind == "coupon":
        template = session.get(CouponTemplate, after.share_reward_coupon_id)
        if template is None or template.status != TemplateStatus.ACTIVE:
            raise Invalid(ShareError.INVALID_SHARE_REWARD_SETTINGS, "请选择一张进行中的优惠券作为奖励")
        if template.per_user_limit < after.share_reward_lifetime_cap:
            raise Invalid(ShareError.INVALID_SHARE_REWARD_SETTINGS,
                          f"优惠券「{template.name}」每人限领 {template.per_user_limit} 张，少于累计奖励上限 "
                          f"{after.share_reward_lifetime_cap} 份：请提高其每人限领张数，或降低累计上限")
    return before, after
