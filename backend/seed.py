"""``python -m backend seed [--demo]``: base settings and the owner; with ``--demo`` a realistic shop."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.demo_history import seed_history
from backend.demo_images import draw_banner_image, draw_product_image
from domain.catalog.service import (
    ProductInput,
    SkuInput,
    create_category,
    create_product,
)
from domain.config import get_config
from domain.content.service import BannerInput, NoticeInput, create_banner, create_notice
from domain.errors import DomainError
from domain.media import store_file
from domain.members.service import ensure_default_levels
from domain.models import Category, Order, Product, Staff, User
from domain.payments.service import notify_url, record_payment
from domain.settings.service import ensure_defaults
from domain.staff.service import create_staff
from domain.wechat import get_wechat

OWNER = ("owner", "owner-pass-2026")
DEMO_STAFF = (
    ("operator", "operator-pass-2026", "operator", "运营小李"),
    ("support", "support-pass-2026", "support", "客服小王"),
    ("finance", "finance-pass-2026", "finance", "财务老张"),
    ("analyst", "analyst-pass-2026", "analyst", "数据分析小赵"),
)

CATEGORIES = ("美食生鲜", "服饰鞋包", "美妆个护", "家居日用", "数码配件")

# (category, title, subtitle, image kind, specs axes, base price fen, description)
CATALOG = [
    ("美食生鲜", "赣南脐橙 新鲜当季", "果园直发 酸甜多汁", "round", {"规格": ["5斤装", "10斤装"]}, 3990,
     "产自江西赣州，树上自然成熟，现摘现发。单果 75–85mm，坏果包赔。"),
    ("美食生鲜", "云南高山普洱茶饼 357g", "十年陈 熟茶", "box", {"年份": ["2016年", "2019年"]}, 16800,
     "勐海茶区大叶种晒青毛茶，传统渥堆发酵，汤色红浓明亮。"),
    ("美食生鲜", "五常稻花香大米 5kg", "当季新米 真空包装", "bag", {"规格": ["5kg", "10kg"]}, 6990,
     "黑龙江五常核心产区，一年一季，米粒饱满，煮饭清香。"),
    ("美食生鲜", "每日坚果 混合装 30袋", "7种坚果果干", "box", {"规格": ["30袋", "60袋"]}, 9900,
     "核桃、腰果、巴旦木、榛子、蔓越莓、蓝莓干、南瓜子，科学配比，独立小包。"),
    ("美食生鲜", "宁夏中宁枸杞 特级", "颗粒饱满 免洗即食", "round", {"规格": ["250g", "500g"]}, 4590,
     "中宁核心产区头茬枸杞，无硫熏，开袋即食或泡水。"),
    ("服饰鞋包", "纯棉圆领短袖T恤", "260g 重磅 不易变形", "shirt", {"颜色": ["白色", "黑色", "雾霾蓝"], "尺码": ["M", "L", "XL"]}, 7900,
     "新疆长绒棉，精梳紧密纺，领口罗纹加厚，多次洗涤不变形。"),
    ("服饰鞋包", "轻薄羽绒服 男女同款", "90% 白鸭绒 可收纳", "shirt", {"颜色": ["黑色", "米白"], "尺码": ["S", "M", "L", "XL"]}, 39900,
     "蓬松度 650+，面料防泼水，可收纳进随附小袋，旅行通勤皆宜。"),
    ("服饰鞋包", "真皮通勤双肩包", "14 英寸电脑隔层", "bag", {"颜色": ["黑色", "棕色"]}, 45900,
     "头层牛皮，YKK 拉链，背板透气，容量 18L。"),
    ("服饰鞋包", "羊毛混纺围巾", "秋冬保暖 亲肤不扎", "bag", {"颜色": ["燕麦色", "酒红", "藏青"]}, 12900,
     "30% 羊毛混纺，长 180cm，宽 35cm，送礼佳选。"),
    ("美妆个护", "玻尿酸补水面膜 10片", "深层补水 温和修护", "box", {"规格": ["10片", "20片"]}, 8900,
     "三重玻尿酸，蚕丝膜布，敏感肌可用。"),
    ("美妆个护", "氨基酸洗面奶 120g", "温和洁净 不紧绷", "bottle", {"规格": ["120g", "120g×2"]}, 5900,
     "氨基酸表活，弱酸性配方，绵密泡沫，洗后不紧绷。"),
    ("美妆个护", "清爽防晒霜 SPF50+", "轻薄不油腻 防水防汗", "bottle", {"规格": ["50ml"]}, 13900,
     "PA++++ 高倍防护，质地水润，可作妆前乳。"),
    ("美妆个护", "电动牙刷 声波款", "5 种清洁模式 续航 60 天", "bottle", {"颜色": ["珍珠白", "曜石黑"]}, 19900,
     "每分钟 38000 次声波振动，IPX7 防水，附 2 支刷头。"),
    ("家居日用", "陶瓷马克杯 350ml", "手工釉色 可微波", "cup", {"颜色": ["奶白", "雾蓝", "墨绿"]}, 4900,
     "高温烧制，釉面光滑不挂色，杯柄贴合手型。"),
    ("家居日用", "全棉四件套 1.8m床", "A 类母婴级 60 支长绒棉", "box", {"颜色": ["云朵白", "燕麦灰"], "尺寸": ["1.5m", "1.8m"]}, 49900,
     "60 支贡缎工艺，亲肤柔软，含被套、床单和两个枕套。"),
    ("家居日用", "真空保温杯 500ml", "316 不锈钢 保温 12 小时", "bottle", {"颜色": ["月光白", "深空灰"]}, 8900,
     "316 医用级不锈钢内胆，一键弹盖，防漏设计。"),
    ("家居日用", "香薰蜡烛 礼盒装", "大豆蜡 约 40 小时", "cup", {"香型": ["白茶", "无花果", "雪松"]}, 6800,
     "天然大豆蜡，棉芯无烟，礼盒包装附贺卡。"),
    ("家居日用", "收纳箱 三件套", "可折叠 带盖", "box", {"颜色": ["米白", "浅灰"]}, 5900,
     "加厚 PP 材质，可叠放，衣物玩具杂物都能装。"),
    ("数码配件", "氮化镓快充充电器 65W", "三口快充 小巧便携", "box", {"颜色": ["白色", "黑色"]}, 12900,
     "2C1A 三口输出，支持笔记本、平板、手机同时快充。"),
    ("数码配件", "降噪蓝牙耳机", "主动降噪 续航 30 小时", "round", {"颜色": ["白色", "黑色"]}, 29900,
     "-42dB 深度降噪，通透模式，蓝牙 5.3 低延迟。"),
    ("数码配件", "磁吸无线充电宝 10000mAh", "15W 磁吸 边充边用", "box", {"颜色": ["星光色", "午夜色"]}, 15900,
     "强磁对位，支持 15W 无线和 20W 有线快充。"),
    ("数码配件", "编织数据线 1.5m 两条装", "Type-C 60W 快充", "bag", {"规格": ["1.5m×2", "2m×2"]}, 3900,
     "高密度编织线身，弯折 20000 次测试，支持 60W 快充。"),
]

# The demo distribution tree (sandbox login names): A invites B, B invites C.
DEMO_USERS = (
    # login name, nickname, inviter login name, distributor?
    ("demo_a", "林晓（分销员A）", None, True),
    ("demo_b", "王芳（分销员B）", "demo_a", True),
    ("demo_c", "陈明（顾客C）", "demo_b", False),
    ("demo_d", "赵磊", "demo_a", False),
    ("demo_e", "孙婷", "demo_b", False),
    ("demo_f", "周杰", None, False),
)


def seed_base(session: Session) -> list[str]:
    """Settings rows, member levels and the owner account; safe to run again."""
    ensure_defaults(session)
    ensure_default_levels(session)
    lines = []
    if session.scalar(select(func.count()).select_from(Staff)) == 0:
        create_staff(session, username=OWNER[0], password=OWNER[1], role="owner", display_name="店主")
        lines.append(f"owner account: {OWNER[0]} / {OWNER[1]}  (change it in production)")
    return lines


def seed_demo(session: Session, *, history: bool = False) -> list[str]:
    """The demo shop; with ``history``, six months of bulk order history as well, for the analytics workbench."""
    if session.scalar(select(func.count()).select_from(Product)) > 0:
        return ["demo data already present; skipped"]
    lines = []
    for username, password, role, name in DEMO_STAFF:
        if not session.scalar(select(Staff.id).where(Staff.username == username)):
            create_staff(session, username=username, password=password, role=role, display_name=name)
    categories = {}
    for i, name in enumerate(CATEGORIES):
        existing = session.scalar(select(Category).where(Category.name == name))
        categories[name] = existing or _category(session, name, sort=len(CATEGORIES) - i)
    for n, (cat, title, subtitle, kind, axes, base_price, description) in enumerate(CATALOG, start=1):
        # Into the media store, so that every API host serves them (docs/architecture.md, "Media").
        images = [store_file(f"demo/p{n:02d}_{v}.jpg", draw_product_image(title=title, kind=kind, variant=v),
                             content_type="image/jpeg") for v in range(2)]
        create_product(session, actor=_system(), data=ProductInput(
            title=title, subtitle=subtitle, description=description, images=images,
            category_id=categories[cat].id, sort=len(CATALOG) - n, skus=_skus(axes, base_price, n),
            # One product shows a per-product commission override, one opts out of distribution.
            commission_level1_bp=1500 if n == 2 else None, commission_level2_bp=800 if n == 2 else None,
            distribution_enabled=n != 22,
        ))
    lines.append(f"demo catalog: {len(CATEGORIES)} categories, {len(CATALOG)} products")
    lines.append(_demo_home(session, categories))
    from datetime import timedelta

    from domain import clock

    with clock.travel(-timedelta(days=30)):  # the shoppers joined before their order history
        users = _demo_users(session)
    lines.append(f"demo shoppers (sandbox login code sandbox-<name>): {', '.join(users)};"
                 " demo_a invites demo_b, demo_b invites demo_c")
    lines.append(_demo_share_reward_offer(session))  # before the orders: their first payments start rewards
    lines.append(_demo_return_address(session))
    lines.extend(_demo_orders(session, users))
    lines.append(_demo_members(session, users))
    lines.append(_demo_marketing(session, users, categories))  # after the order history, which it must not price
    if history:
        lines.append(seed_history(session))
    for username, password, role, _ in DEMO_STAFF:
        lines.append(f"demo staff {role}: {username} / {password}")
    return lines


# 首页装修: (headline, tagline, colours, link to a product title or a category name)
DEMO_BANNERS = (
    ("春季焕新 全场包邮", "满 99 元包邮 · 下单即发", ((242, 39, 12), (255, 140, 60)), None),
    ("云南高山普洱", "十年陈 熟茶 · 汤色红浓", ((120, 62, 28), (196, 128, 64)), ("product", "云南高山普洱茶饼 357g")),
    ("数码好物节", "快充 · 降噪 · 无线充", ((26, 72, 160), (64, 150, 230)), ("category", "数码配件")),
)
DEMO_NOTICES = ("全场满 99 元包邮，偏远地区除外", "分享好物给好友，好友下单你赚佣金")


def _demo_home(session: Session, categories: dict[str, Category]) -> str:
    """The home page's banners (drawn like the product photos) and notices."""
    products = {p.title: p.id for p in session.scalars(select(Product))}
    for n, (headline, tagline, colours, link) in enumerate(DEMO_BANNERS, start=1):
        image = store_file(f"demo/banner_{n}.jpg", draw_banner_image(headline=headline, tagline=tagline,
                                                                     colours=colours), content_type="image/jpeg")
        kind, target = link or ("none", None)
        target_id = products.get(target) if kind == "product" else categories[target].id if target else None
        create_banner(session, actor=_system(), data=BannerInput(title=headline, image_url=image,
                                                                 link_kind=kind, link_id=target_id))
    for text in DEMO_NOTICES:
        create_notice(session, actor=_system(), data=NoticeInput(text=text))
    return f"demo home page: {len(DEMO_BANNERS)} banners, {len(DEMO_NOTICES)} notices"


def _category(session: Session, name: str, sort: int) -> Category:
    return create_category(session, actor=_system(), name=name, sort=sort)


def _skus(axes: dict[str, list[str]], base_price: int, n: int) -> list[SkuInput]:
    combos: list[dict[str, str]] = [{}]
    for axis, values in axes.items():
        combos = [{**c, axis: v} for c in combos for v in values]
    skus = []
    for i, specs in enumerate(combos):
        # Bigger packs cost more; stock varies so that low-stock warnings show.
        step = list(axes.values())[0].index(next(iter(specs.values())))
        price = base_price + step * (base_price * 6 // 10) // 100 * 100
        stock = 5 if (n + i) % 7 == 0 else 40 + (n * 13 + i * 7) % 160
        skus.append(SkuInput(specs=specs, price_fen=price, stock=stock))
    return skus


def _demo_users(session: Session) -> dict[str, User]:
    from domain.distribution.binding import bind_inviter
    from domain.distribution.distributors import apply, approve_application
    from domain.distribution.invite_codes import new_invite_code

    users: dict[str, User] = {}
    for login, nickname, inviter, _ in DEMO_USERS:
        user = User(openid=f"o_sandbox_{login}", nickname=nickname, invite_code=new_invite_code())
        session.add(user)
        session.flush()
        users[login] = user
        if inviter:
            bind_inviter(session, user=user, invite_code=users[inviter].invite_code, at_registration=True)
    for i, (login, _, _, distributor) in enumerate(DEMO_USERS):  # noqa: B007
        if distributor:
            application = apply(session, user=users[login], real_name=["林晓", "王芳"][i], phone=f"1380013800{i}",
                                reason="朋友多，愿意分享好物")
            approve_application(session, actor=_system(), application_id=application.id)
    apply(session, user=users["demo_d"], real_name="赵磊", phone="13700137001", reason="想在朋友圈分享好物")
    return users


def _demo_orders(session: Session, users: dict[str, User]) -> list[str]:
    """Order history written through the domain, travelling back in time so that commissions have settled.
    Payments go through the sandbox when it runs (so that the seeded refund can be approved), and are recorded
    as WeChat would confirm them otherwise; shipping uploads go to the sandbox when it runs."""
    from datetime import timedelta

    from domain import clock
    from domain.distribution.settlement import settle_due_commissions
    from domain.orders.addresses import AddressInput, create_address
    from domain.orders.checkout import OrderItem, place_order
    from domain.orders.lifecycle import confirm_receipt, ship_order
    from domain.orders.refunds import RefundItem, request_refund
    from domain.payments.service import mark_paid
    from domain.wallet.service import request_withdrawal
    from domain.wechat import get_wechat
    from domain.wechat.pay_types import PaymentNotice

    skus = {p.title: p.skus for p in session.scalars(select(Product))}
    sandbox = _SandboxPayments()
    addresses = {}
    for i, (login, user) in enumerate(users.items()):
        addresses[login] = create_address(session, user=user, data=AddressInput(
            name=user.nickname.split("（")[0], phone=f"1391234560{i}", province="广东省", city="深圳市",
            district="南山区", detail=f"科技园科苑路 {10 + i} 号", is_default=True))

    def buy(login: str, items: list[tuple[str, int, int]], *, paid=True, shipped=False, received=False):
        order = place_order(session, user=users[login], address_id=addresses[login].id,
                            items=[OrderItem(skus[title][variant].id, qty) for title, variant, qty in items])
        if paid and not sandbox.pay(session, order=order, user=users[login]):
            mark_paid(session, order=order, payment=PaymentNotice(
                out_trade_no=order.order_no, transaction_id=f"4200DEMO{order.order_no}", amount_fen=order.payable_fen))
        if shipped:
            ship_order(session, actor=_system(), order_id=order.id, carrier="顺丰速运",
                       tracking_no=f"SF{order.order_no[-10:]}", wechat=get_wechat())
        if received:
            confirm_receipt(session, user=users[login], order_id=order.id)
        return order

    with clock.travel(-timedelta(days=20)):
        buy("demo_c", [("降噪蓝牙耳机", 0, 1), ("陶瓷马克杯 350ml", 1, 2)], shipped=True, received=True)
        buy("demo_e", [("纯棉圆领短袖T恤", 2, 3)], shipped=True, received=True)
        buy("demo_d", [("五常稻花香大米 5kg", 0, 2)], shipped=True, received=True)
    settled = settle_due_commissions(session)
    with clock.travel(-timedelta(days=3)):
        buy("demo_c", [("赣南脐橙 新鲜当季", 1, 1)], shipped=True, received=True)
    with clock.travel(-timedelta(days=2)):
        _demo_share(session, users)  # 周杰 (demo_f) opens 林晓's share and is bound to her
    with clock.travel(-timedelta(days=1)):
        returned = buy("demo_c", [("玻尿酸补水面膜 10片", 0, 2)], shipped=True)
        request_refund(session, user=users["demo_c"], order_id=returned.id, reason="包装破损",
                       items=[RefundItem(order_line_id=returned.lines[0].id, quantity=1)])
        buy("demo_f", [("真空保温杯 500ml", 0, 1)], shipped=True)
    buy("demo_d", [("全棉四件套 1.8m床", 1, 1)])
    buy("demo_e", [("氮化镓快充充电器 65W", 0, 1)], paid=False)
    request_withdrawal(session, user=users["demo_b"], amount_fen=1000, method="wechat")
    return [f"demo orders: 8, {settled} commissions settled; a refund request, a withdrawal and a distributor "
            "application wait for staff", sandbox.summary()]


class _SandboxPayments:
    """Demo orders paid as a shopper pays in the sandbox: the unified order, the sandbox's confirmation, and the
    payment read back by an order query. The sandbox then knows each payment, so refunding one goes through.
    Without a sandbox (not running, or live mode) the caller records the payment itself."""

    def __init__(self) -> None:
        self.registered = 0
        self.available = get_config().sandbox

    def pay(self, session: Session, *, order: Order, user: User) -> bool:
        if not self.available:
            return False
        wechat = get_wechat()
        try:
            order.prepay_id = wechat.unified_order(out_trade_no=order.order_no, amount_fen=order.payable_fen,
                                                   body="演示订单", openid=user.openid, notify_url=notify_url())
            httpx.post(get_config().wechat_sandbox_url.rstrip("/") + "/pay/confirm",
                       json={"prepay_id": order.prepay_id, "deliver": False}, timeout=10).raise_for_status()
            answer = wechat.query_order(order.order_no)
        except (DomainError, httpx.HTTPError):
            answer = None
        if answer is None or answer.payment is None:
            self.available, order.prepay_id = False, None  # no sandbox: the remaining orders are recorded here
            return False
        record_payment(session, payment=answer.payment, wechat=wechat)
        self.registered += 1
        return True

    def summary(self) -> str:
        if self.registered:
            return f"demo payments registered with the WeChat sandbox: {self.registered}"
        return "demo payments recorded without the WeChat sandbox (not running): refunds of them cannot go through"


def _demo_marketing(session: Session, users: dict[str, User], categories: dict[str, Category]) -> str:
    """Claimable coupons (fixed with a threshold, percent with a cap, one for a category), a running ladder 满减
    and a limited-time discount on two SKUs; 陈明 (demo_c) holds two coupons."""
    from datetime import timedelta

    from domain import clock
    from domain.marketing.coupons import CouponTemplateInput, claim_coupon, create_template, issue_coupon
    from domain.marketing.promotions import PromotionInput, PromotionItemInput, create_promotion

    system = _system()
    fixed = create_template(session, actor=system, data=CouponTemplateInput(
        name="满199减20", kind="fixed", value_fen=2000, threshold_fen=19900, valid_days=30, total_quantity=1000,
        per_user_limit=1, description="全场通用，领取后 30 天内有效"))
    percent = create_template(session, actor=system, data=CouponTemplateInput(
        name="满100享9折", kind="percent", percent_off_bp=1000, cap_fen=3000, threshold_fen=10000, valid_days=15,
        total_quantity=500, per_user_limit=2, description="最高减 30 元"))
    fresh = create_template(session, actor=system, data=CouponTemplateInput(
        name="生鲜满50减8", kind="fixed", value_fen=800, threshold_fen=5000, valid_days=7, total_quantity=300,
        category_ids=(categories["美食生鲜"].id,), description="限美食生鲜类商品"))
    now = clock.now()
    create_promotion(session, actor=system, data=PromotionInput(
        kind="full_reduction", name="满199减20，满299减50", starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30), tiers=((19900, 2000), (29900, 5000))))
    skus = {p.title: p.skus for p in session.scalars(select(Product))}
    create_promotion(session, actor=system, data=PromotionInput(
        kind="time_limited", name="限时特惠", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=7),
        items=(PromotionItemInput(skus["降噪蓝牙耳机"][0].id, 24900, 30, 2),
               PromotionItemInput(skus["陶瓷马克杯 350ml"][0].id, 3900, 50, None))))
    claim_coupon(session, user=users["demo_c"], template_id=fixed.id)
    issue_coupon(session, actor=system, template_id=percent.id, user_ids=[users["demo_c"].id], reason="新客礼包")
    return (f"demo marketing: coupons {fixed.name} / {percent.name} / {fresh.name}, 满减 满199减20·满299减50, "
            "限时特惠 on 降噪蓝牙耳机 and 陶瓷马克杯; demo_c holds two coupons")


def _demo_share_reward_offer(session: Session) -> str:
    """分享有礼 for the demo: a ¥10 coupon (not in the coupon centre) for each invitee's first order."""
    from domain.marketing.coupons import CouponTemplateInput, create_template
    from domain.members.reward_settings import change_share_reward_settings

    reward = create_template(session, actor=_system(), data=CouponTemplateInput(
        name="邀请有礼 无门槛减10", kind="fixed", value_fen=1000, threshold_fen=0, valid_days=30, per_user_limit=100,
        claimable=False, description="好友首单完成后发放"))
    change_share_reward_settings(session, actor=_system(), changes={
        "share_reward_kind": "coupon", "share_reward_coupon_id": reward.id, "share_reward_daily_cap": 3,
        "share_reward_lifetime_cap": 100,
        "share_reward_rules": "活动最终解释权在法律允许范围内归本店所有；如发现刷单等作弊行为，奖励不予发放。"})
    return f"demo 分享有礼: {reward.name} for each invitee's first order"


DEMO_RETURN_ADDRESS = "优选生活馆退货组 王五 13700137000 浙江省杭州市余杭区文一西路 100 号 3 号仓"


def _demo_return_address(session: Session) -> str:
    """Where the demo shop's buyers send returns (退货退款 cannot be approved without one)."""
    from domain.settings.service import change_settings

    change_settings(session, actor=_system(), changes={"return_address": DEMO_RETURN_ADDRESS})
    return f"demo return address: {DEMO_RETURN_ADDRESS}"


def _demo_share(session: Session, users: dict[str, User]) -> None:
    from domain.distribution.binding import bind_inviter
    from domain.members.shares import record_share, record_visit

    earbuds = session.scalar(select(Product.id).where(Product.title == "降噪蓝牙耳机"))
    share = record_share(session, user=users["demo_a"], target="product", product_id=earbuds, channel="friend")
    for login in ("demo_f", "demo_b", "demo_c"):
        record_visit(session, visitor=users[login], share_id=share.share_id)
    bind_inviter(session, user=users["demo_f"], invite_code=users["demo_a"].invite_code)
    poster = record_share(session, user=users["demo_b"], target="shop", channel="poster")
    record_visit(session, visitor=users["demo_e"], share_id=poster.share_id)


def _demo_members(session: Session, users: dict[str, User]) -> str:
    """Check-ins over the last days, and the share rewards whose orders are past the window granted."""
    from datetime import timedelta

    from domain import clock
    from domain.members.checkin import check_in
    from domain.members.rewards import grant_due_rewards

    for login, days in (("demo_c", 4), ("demo_a", 2)):
        for back in range(days - 1, -1, -1):
            with clock.travel(-timedelta(days=back)):
                check_in(session, user=users[login])
    granted, _ = grant_due_rewards(session)
    return (f"demo members: check-ins for demo_c (4 days) and demo_a (2 days); {granted} share rewards granted, "
            "demo_f's (invited by demo_a through a share) pending")


def _system():
    from domain.security.actor import SYSTEM

    return SYSTEM
