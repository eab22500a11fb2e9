"""Small builders for test data, all through domain services."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy.orm import Session

from domain.catalog.service import (
    ProductInput,
    SkuInput,
    create_category,
    create_product,
)
from domain.distribution.invite_codes import new_invite_code
from domain.models import Product, Staff, User
from domain.security.actor import SYSTEM, Actor
from domain.staff.service import create_staff

_seq = itertools.count(1)


def make_user(session: Session, name: str | None = None, *, inviter: User | None = None) -> User:
    name = name or f"user{next(_seq)}"
    user = User(openid=f"o_sandbox_{name}", nickname=name, invite_code=new_invite_code(),
                inviter_id=inviter.id if inviter else None)
    session.add(user)
    session.flush()
    return user


def make_product(session: Session, *, title: str | None = None, prices: tuple[int, ...] = (9999,),
                 stock: int = 100, category_id: int | None = None, **fields) -> Product:
    skus = [SkuInput(specs={"规格": f"款{i + 1}"} if len(prices) > 1 else {}, price_fen=p, stock=stock)
            for i, p in enumerate(prices)]
    return create_product(session, actor=SYSTEM, data=ProductInput(
        title=title or f"测试商品{next(_seq)}", skus=skus, category_id=category_id, **fields))


def make_category(session: Session, name: str | None = None):
    return create_category(session, actor=SYSTEM, name=name or f"分类{next(_seq)}")


def make_staff(session: Session, role: str, username: str | None = None, password: str = "pass-word-123") -> Staff:
    return create_staff(session, username=username or f"{role}{next(_seq)}", password=password, role=role)


def actor(staff: Staff) -> Actor:
    return Actor.of(staff)


# --- orders -------------------------------------------------------------------------------------

def make_address(session: Session, user: User, **fields):
    from domain.orders.addresses import AddressInput, create_address

    data = dict(name="张三", phone="13800138000", province="广东省", city="深圳市", district="南山区",
                detail="科技园科苑路 15 号", is_default=True)
    data.update(fields)
    return create_address(session, user=user, data=AddressInput(**data))


def place(session: Session, user: User, items: list[tuple[int, int]], *, key: str | None = None, address=None,
          coupon_id: int | None = None):
    """Place an order for [(sku_id, quantity)], with a user coupon when one is given."""
    from domain.orders.addresses import list_addresses
    from domain.orders.checkout import OrderItem, place_order

    address = address or next(iter(list_addresses(session, user=user)), None) or make_address(session, user)
    return place_order(session, user=user, items=[OrderItem(sku_id=s, quantity=q) for s, q in items],
                       address_id=address.id, idempotency_key=key, coupon_id=coupon_id)


def notification_xml(sandbox_url: str, prepay_id: str, **overrides) -> bytes:
    """Ask the sandbox for WeChat's signed v2 payment notification without delivering it."""
    import httpx

    res = httpx.post(sandbox_url + "pay/confirm", json={"prepay_id": prepay_id, "deliver": False, **overrides})
    res.raise_for_status()
    return res.json()["xml"].encode()


def notification(sandbox_url: str, prepay_id: str, **overrides) -> tuple[bytes, dict[str, str]]:
    """WeChat's signed payment notification, undelivered, as the order's Pay API sends it: (body, headers) —
    v2 XML with no headers, or v3 JSON with its Wechatpay-* headers. ``total_fee`` overrides the amount and
    ``signed_at`` the v3 signing time."""
    import httpx

    res = httpx.post(sandbox_url + "pay/confirm", json={"prepay_id": prepay_id, "deliver": False, **overrides})
    res.raise_for_status()
    answer = res.json()
    if answer["api"] == "v2":
        return answer["xml"].encode(), {"Content-Type": "text/xml"}
    return answer["body"].encode(), answer["headers"]


def deliver_notification(client, sandbox_url: str, prepay_id: str, **overrides):
    """What the sandbox does after the shopper pays: deliver WeChat's signed notification (here, to a TestClient)."""
    body, headers = notification(sandbox_url, prepay_id, **overrides)
    return client.post("/api/v1/payments/wechat/notify", content=body, headers=headers)


def pay(session: Session, order, sandbox_url: str):
    """Pay through the real unified order of the configured Pay API and the sandbox's signed notification."""
    from domain.payments.service import handle_payment_notification, start_payment
    from domain.wechat import get_wechat

    user = session.get(User, order.user_id)
    started = start_payment(session, user=user, order_id=order.id, wechat=get_wechat())
    body, headers = notification(sandbox_url, started.prepay_id)
    handle_payment_notification(session, wechat=get_wechat(), body=body, headers=headers)
    session.refresh(order)
    return order


def paid_at_wechat(session: Session, order, sandbox_url: str) -> tuple[bytes, dict[str, str]]:
    """The shopper pays at WeChat and the notification never arrives: the unified order, then the sandbox's
    confirmation, undelivered. Returns the notification (body, headers), to deliver late or never."""
    from domain.payments.service import start_payment
    from domain.wechat import get_wechat

    started = start_payment(session, user=session.get(User, order.user_id), order_id=order.id, wechat=get_wechat())
    return notification(sandbox_url, started.prepay_id)


def ship(session: Session, order, *, carrier: str = "顺丰速运", tracking_no: str = "SF1234567890"):
    from domain.orders.lifecycle import ship_order
    from domain.wechat import get_wechat

    return ship_order(session, actor=SYSTEM, order_id=order.id, carrier=carrier, tracking_no=tracking_no,
                      wechat=get_wechat())


def complete(session: Session, order):
    from domain.orders.lifecycle import confirm_receipt

    ship(session, order)
    return confirm_receipt(session, user=session.get(User, order.user_id), order_id=order.id)


def approve_distributor(session: Session, user: User):
    from domain.distribution.distributors import apply, approve_application

    application = apply(session, user=user, real_name="测试用户", phone="13900139000", reason="")
    return approve_application(session, actor=SYSTEM, application_id=application.id)


def refund(session: Session, order, items: list[tuple[int, int]], *, approve: bool = True, reason: str = "不想要了"):
    """Request a refund of [(order_line_id, quantity)] and (by default) approve it through the sandbox."""
    from domain.orders.refunds import RefundItem, approve_refund, request_refund
    from domain.wechat import get_wechat

    user = session.get(User, order.user_id)
    r = request_refund(session, user=user, order_id=order.id, reason=reason,
                       items=[RefundItem(order_line_id=line_id, quantity=q) for line_id, q in items])
    if approve:
        r = approve_refund(session, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
    return r


# --- marketing ----------------------------------------------------------------------------------

def make_coupon(session: Session, *, name: str = "满100减20", kind: str = "fixed", value_fen: int = 2000,
                threshold_fen: int = 10000, valid_days: int | None = 7, **fields):
    """A coupon template (claimable, one per shopper, valid 7 days from claiming unless told otherwise)."""
    from domain.marketing.coupons import CouponTemplateInput, create_template

    return create_template(session, actor=SYSTEM, data=CouponTemplateInput(
        name=name, kind=kind, value_fen=value_fen, threshold_fen=threshold_fen, valid_days=valid_days, **fields))


def give_coupon(session: Session, template, user: User):
    """One of the template's coupons for the user, through the grant that claims and issues use."""
    from domain.marketing.coupons import grant_coupon
    from domain.models import CouponSource

    return grant_coupon(session, template_id=template.id, user_id=user.id, source=CouponSource.ISSUE, reason="测试")


def make_promotion(session: Session, kind: str, *, name: str = "测试活动", starts_in: timedelta = timedelta(hours=-1),
                   lasts: timedelta = timedelta(days=2), **fields):
    """A 满减 (``tiers=((threshold, off), …)``) or a limited-time activity (``items=[(sku_id, promo_price,
    activity_stock, per_user_limit), …]``), running from an hour ago unless told otherwise."""
    from domain import clock
    from domain.marketing.promotions import PromotionInput, PromotionItemInput, create_promotion

    if "items" in fields:
        fields["items"] = tuple(PromotionItemInput(*item) for item in fields["items"])
    start = clock.now() + starts_in
    return create_promotion(session, actor=SYSTEM, data=PromotionInput(
        kind=kind, name=name, starts_at=start, ends_at=start + lasts, **fields))


# --- members ------------------------------------------------------------------------------------

def give_growth(session: Session, user: User, points: int, *, reason: str = "测试"):
    """Points into the user's growth ledger (a staff adjustment's entry, without the audit), moving the level."""
    from domain.members.growth import GrowthChange, record_growth
    from domain.models import GrowthKind

    entries = record_growth(session, [GrowthChange(user_id=user.id, kind=GrowthKind.ADJUSTMENT, points=points,
                                                   reason=reason)])
    session.refresh(user)
    return entries[0] if entries else None
