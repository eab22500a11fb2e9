"""Six months of demo history for the analyst's workbench, written in bulk (a few statements per table, whatever
the number of rows): 40 distributors in two levels and 360 shoppers bound to them over the months, about 2,500
paid orders of the demo catalogue with their payments, refunds, commission records (at the rates the domain would
have used, settled once past the after-sale window, with their ledger credits), shares and visits, paid
withdrawals, and one planted ring for the risk queue. Deterministic: the same history on every machine.

The rules are the domain's (``rates_for``, ``bp_of``); the rows are made here without replaying each order, so a
demo shop has enough history for its charts to say something in a second or two.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from domain import clock
from domain.analytics.risk import scan_risks
from domain.distribution.invite_codes import new_invite_code
from domain.distribution.rates import rates_for
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    Distributor,
    EntryType,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Product,
    Refund,
    RefundLine,
    RefundStatus,
    Share,
    ShareVisit,
    User,
    Wallet,
    WalletEntry,
    Withdrawal,
    WithdrawalStatus,
)
from domain.money import bp_of
from domain.security import crypto
from domain.settings.service import get_settings

DAYS = 180
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ("晓", "芳", "明", "磊", "婷", "杰", "静", "伟", "敏", "强", "丽", "军", "燕", "涛", "霞", "鹏", "娜", "斌",
         "雪", "浩", "琳", "凯", "悦", "宇", "欣", "阳", "颖", "博", "佳", "然")
CITIES = (("广东省", "深圳市", "南山区"), ("上海市", "上海市", "浦东新区"), ("北京市", "北京市", "朝阳区"),
          ("浙江省", "杭州市", "西湖区"), ("四川省", "成都市", "武侯区"), ("湖北省", "武汉市", "洪山区"))


@dataclass
class _Plan:
    users: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    lines: list[list[dict]] = field(default_factory=list)  # per order


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _insert(session: Session, model, rows: list[dict]) -> list[int]:
    """Many rows in one statement's worth of round trips; their ids in the order given."""
    if not rows:
        return []
    return list(session.scalars(insert(model).returning(model.__table__.primary_key.columns.values()[0],
                                                        sort_by_parameter_order=True), rows))


def seed_history(session: Session) -> str:
    rng = random.Random(2026)
    now = clock.now()
    start = now - timedelta(days=DAYS)
    settings = get_settings(session)
    products = list(session.scalars(select(Product).order_by(Product.id)))
    catalogue = [(p, sku) for p in products for sku in p.skus]
    rates = {p.id: (rates_for(p, settings), p.commission_level1_bp is not None and p.commission_level2_bp is not None)
             for p in products}

    def moment(fraction: float) -> datetime:
        """A time in the history, later ones denser: the shop is growing."""
        return start + timedelta(days=DAYS * (fraction ** 0.7))

    # People: 8 distributors at the top, 32 beneath them, 360 shoppers bound to one of the 40 (some far more
    # popular than others), 40 shoppers bound to nobody.
    people: list[dict] = []
    for n in range(440):
        joined = moment(n / 440)
        people.append({"openid": f"o_demo_history_{n}", "nickname": _name(rng), "avatar_url": "",
                       "invite_code": new_invite_code(), "created_at": joined, "growth": 0})
    ids = _insert(session, User, people)
    top, second, shoppers = ids[:8], ids[8:40], ids[40:400]
    inviter: dict[int, int | None] = dict.fromkeys(ids)
    for uid in second:
        inviter[uid] = rng.choice(top)
    weights = [rng.paretovariate(1.2) for _ in range(40)]
    for uid in shoppers:
        inviter[uid] = rng.choices(top + second, weights=weights)[0]
    joined_at = {uid: row["created_at"] for uid, row in zip(ids, people, strict=True)}
    session.execute(update(User), [{"id": uid, "inviter_id": inviter[uid], "bound_at": joined_at[uid] + timedelta(minutes=3)}
                                   for uid in ids if inviter[uid] is not None])
    approved = {uid: joined_at[uid] + timedelta(days=2) for uid in top + second}
    session.execute(insert(Distributor), [{"user_id": uid, "is_enabled": True, "disabled_reason": "",
                                           "created_at": at} for uid, at in approved.items()])
    session.execute(insert(Wallet), [{"user_id": uid, "created_at": at} for uid, at in approved.items()])

    buyers = shoppers + ids[400:] + second
    # Each buyer ships to their own address, so that the risk scan finds only the ring planted below.
    names = {uid: row["nickname"] for uid, row in zip(ids, people, strict=True)}
    snapshots = {uid: (crypto.encrypt(names[uid]), crypto.encrypt(f"139{uid:08d}"), crypto.encrypt(f"幸福路 {uid} 号"),
                       CITIES[uid % len(CITIES)]) for uid in buyers}
    orders, lines = _plan_orders(rng, buyers, joined_at, catalogue, settings, now, snapshots)
    order_ids = _insert(session, Order, orders)
    session.execute(insert(Payment), [{
        "order_id": oid, "out_trade_no": o["order_no"], "transaction_id": f"42000{oid:010d}",
        "amount_fen": o["payable_fen"], "paid_at": o["paid_at"], "raw": {"payer": {"openid": f"o_demo_history_p{oid}"}},
    } for oid, o in zip(order_ids, orders, strict=True)])
    flat = [dict(line, order_id=oid, paid_at=o["paid_at"])
            for oid, o, order_lines in zip(order_ids, orders, lines, strict=True) for line in order_lines]
    line_ids = _insert(session, OrderLine, [{k: v for k, v in line.items() if not k.startswith("_")} for line in flat])

    records, refunds = [], []
    by_id = dict(zip(order_ids, orders, strict=True))
    for line_id, line in zip(line_ids, flat, strict=True):
        order = by_id[line["order_id"]]
        if line["refunded_fen"]:
            refunds.append((order, line, line_id))
        records.extend(_records(order, line, line_id, inviter, approved, rates, now, settings.settle_after_days))
    record_ids = _insert(session, CommissionRecord, records)
    session.execute(update(OrderLine).where(OrderLine.id.in_({r["order_line_id"] for r in records}))
                    .values(earns_commission=True).execution_options(synchronize_session=False))
    session.execute(insert(WalletEntry), [{
        "user_id": r["beneficiary_id"], "entry_type": EntryType.COMMISSION_SETTLED, "amount_fen": r["amount_fen"],
        "commission_record_id": rid, "note": "佣金结算", "created_at": r["settled_at"],
    } for rid, r in zip(record_ids, records, strict=True) if r["status"] == CommissionStatus.SETTLED])
    _refunds(session, refunds)
    _withdrawals(session, rng, records, now)
    _sharing(session, rng, top + second, inviter, joined_at, now)
    sold: dict[int, int] = {}
    for line in flat:
        sold[line["product_id"]] = sold.get(line["product_id"], 0) + line["quantity"]
    session.execute(update(Product), [{"id": p.id, "sales": p.sales + sold[p.id]} for p in products if p.id in sold])
    _planted_ring(session, top[0], records, now)
    session.flush()
    raised = scan_risks(session)
    return (f"demo history: {DAYS} days, {len(approved)} distributors, {len(shoppers)} bound shoppers, "
            f"{len(orders)} paid orders, {len(records)} commission records, {raised} risk signals to review")


def _plan_orders(rng, buyers, joined_at, catalogue, settings, now, snapshots) -> tuple[list[dict], list[list[dict]]]:
    orders, lines = [], []
    for buyer in buyers:
        receiver, phone, street, region = snapshots[buyer]
        for _ in range(min(12, int(rng.expovariate(1 / 5.5)) + 1)):
            paid_at = joined_at[buyer] + (now - timedelta(hours=2) - joined_at[buyer]) * rng.random()
            chosen = rng.sample(catalogue, rng.choice((1, 1, 1, 2)))
            order_lines, products_seen = [], set()
            for n, (product, sku) in enumerate(chosen, start=1):
                quantity = rng.choice((1, 1, 1, 2, 3))
                amount = sku.price_fen * quantity
                order_lines.append({"line_no": n, "product_id": product.id, "sku_id": sku.id, "title": product.title,
                                    "specs": dict(sku.specs), "cover_url": product.cover_url,
                                    "unit_price_fen": sku.price_fen, "quantity": quantity, "amount_fen": amount,
                                    "discount_fen": 0, "paid_fen": amount, "refunded_fen": 0,
                                    "refunded_quantity": 0, "buyer_id": buyer,
                                    "first_of_product": product.id not in products_seen})
                products_seen.add(product.id)
            age = now - paid_at
            closed = rng.random() < 0.04
            for line in order_lines:
                if closed:
                    line["refunded_fen"], line["refunded_quantity"] = line["paid_fen"], line["quantity"]
                elif rng.random() < 0.05:
                    line["refunded_quantity"] = 1
                    line["refunded_fen"] = line["unit_price_fen"]
            goods = sum(line["paid_fen"] for line in order_lines)
            shipping = 0 if goods >= settings.free_shipping_threshold_fen else settings.shipping_fee_fen
            status = (OrderStatus.CLOSED if closed else OrderStatus.PAID if age < timedelta(days=2)
                      else OrderStatus.SHIPPED if age < timedelta(days=8) else OrderStatus.COMPLETED)
            orders.append({
                "order_no": f"H{paid_at:%y%m%d%H%M%S}{len(orders):06d}", "user_id": buyer, "status": status,
                "goods_fen": goods, "shipping_fen": shipping, "payable_fen": goods + shipping,
                "refunded_fen": sum(line["refunded_fen"] for line in order_lines),
                "receiver_name_enc": receiver, "receiver_phone_enc": phone, "receiver_street_enc": street,
                "receiver_province": region[0], "receiver_city": region[1], "receiver_district": region[2],
                "created_at": paid_at - timedelta(minutes=2), "paid_at": paid_at,
                "shipped_at": paid_at + timedelta(days=1) if status != OrderStatus.PAID else None,
                "completed_at": paid_at + timedelta(days=6) if status == OrderStatus.COMPLETED else None,
                "closed_at": paid_at + timedelta(days=1) if closed else None,
            })
            lines.append(order_lines)
    return orders, lines


def _records(order, line, line_id, inviter, approved, rates, now, settle_after_days) -> list[dict]:
    """What ``commission_rows`` would have written when the order was paid, as it stands after refunds."""
    product_rates, own = rates[line["product_id"]]
    level1 = inviter.get(order["user_id"])
    level2 = inviter.get(level1) if level1 else None
    out = []
    for level, beneficiary in ((1, level1), (2, level2)):
        if product_rates is None or beneficiary is None or approved.get(beneficiary, now) > order["paid_at"]:
            continue  # not a distributor when the order was paid: skipped, nobody moves up
        bp = product_rates.level1_bp if level == 1 else product_rates.level2_bp
        if bp_of(line["paid_fen"], bp) <= 0:
            continue
        base = line["paid_fen"] - line["refunded_fen"]
        amount = bp_of(base, bp)
        completed = order["completed_at"]
        due = completed is not None and completed + timedelta(days=settle_after_days) < now
        status = (CommissionStatus.CANCELLED if amount == 0 else CommissionStatus.SETTLED if due
                  else CommissionStatus.FROZEN)
        out.append({"order_id": line["order_id"], "order_line_id": line_id, "buyer_id": order["user_id"],
                    "beneficiary_id": beneficiary, "level": level, "rate_bp": bp, "base_fen": base,
                    "amount_fen": amount, "clawed_back_fen": 0, "status": status, "created_at": order["paid_at"],
                    "paid_at": order["paid_at"], "own_rates": own,
                    "settled_at": completed + timedelta(days=settle_after_days) if status == "settled" else None,
                    "cancelled_at": order["closed_at"] if status == "cancelled" else None})
    return out


def _refunds(session: Session, refunded: list[tuple[dict, dict, int]]) -> None:
    rows = [{"refund_no": f"R{order['order_no'][1:]}{n:03d}", "order_id": line["order_id"],
             "user_id": order["user_id"], "status": RefundStatus.REFUNDED, "reason": "不想要了",
             "goods_fen": line["refunded_fen"], "shipping_fen": 0, "amount_fen": line["refunded_fen"],
             "decided_at": order["paid_at"] + timedelta(hours=20), "refunded_at": order["paid_at"] + timedelta(days=1),
             "created_at": order["paid_at"] + timedelta(hours=12)}
            for n, (order, line, _) in enumerate(refunded)]
    refund_ids = _insert(session, Refund, rows)
    session.execute(insert(RefundLine), [{"refund_id": rid, "order_line_id": line_id,
                                          "quantity": line["refunded_quantity"], "amount_fen": line["refunded_fen"]}
                                         for rid, (_, line, line_id) in zip(refund_ids, refunded, strict=True)])


def _withdrawals(session: Session, rng, records: list[dict], now) -> None:
    """Half of what each of the ten best earners had settled, withdrawn and paid."""
    settled: dict[int, int] = {}
    for r in records:
        if r["status"] == CommissionStatus.SETTLED:
            settled[r["beneficiary_id"]] = settled.get(r["beneficiary_id"], 0) + r["amount_fen"]
    best = sorted(settled.items(), key=lambda kv: -kv[1])[:10]
    rows = [{"withdrawal_no": f"WH{n:06d}", "user_id": uid, "amount_fen": fen // 2, "fee_fen": 0, "method": "wechat",
             "status": WithdrawalStatus.PAID, "created_at": now - timedelta(days=rng.randint(3, 20)),
             "paid_at": now - timedelta(days=2)} for n, (uid, fen) in enumerate(best) if fen // 2 >= 100]
    ids = _insert(session, Withdrawal, rows)
    session.execute(insert(WalletEntry), [{
        "user_id": w["user_id"], "entry_type": EntryType.WITHDRAWAL_HOLD, "amount_fen": -w["amount_fen"],
        "withdrawal_id": wid, "note": f"提现冻结 {w['withdrawal_no']}", "created_at": w["created_at"],
    } for wid, w in zip(ids, rows, strict=True)])


def _sharing(session: Session, rng, distributors: list[int], inviter: dict, joined_at: dict, now) -> None:
    """Each shopper bound to a distributor came through one of their shares; distributors share more than that."""
    invited: dict[int, list[int]] = {}
    for uid, parent in inviter.items():
        if parent in distributors:
            invited.setdefault(parent, []).append(uid)
    shares, visits = [], []
    for d in distributors:
        for member in invited.get(d, []):
            shares.append(({"user_id": d, "target": "shop", "channel": rng.choice(("friend", "poster", "timeline")),
                            "created_at": joined_at[member] - timedelta(hours=rng.randint(1, 48))}, member))
        for _ in range(rng.randint(2, 12)):
            at = joined_at[d] + (now - joined_at[d]) * rng.random()
            shares.append(({"user_id": d, "target": "shop", "channel": "friend", "created_at": at}, None))
    ids = _insert(session, Share, [s for s, _ in shares])
    for sid, (share, member) in zip(ids, shares, strict=True):
        if member is not None:
            visits.append({"share_id": sid, "visitor_id": member, "created_at": joined_at[member]})
        elif rng.random() < 0.5:
            visitor = rng.choice(list(inviter))
            if visitor != share["user_id"]:
                visits.append({"share_id": sid, "visitor_id": visitor, "created_at": share["created_at"]})
    unique = {(v["share_id"], v["visitor_id"]): v for v in visits}
    session.execute(insert(ShareVisit), list(unique.values()))


def _planted_ring(session: Session, distributor: int, records: list[dict], now) -> None:
    """For the risk queue: 24 accounts bound to one code within half an hour, three days ago; and a shopper who
    earned that distributor commission, known by the distributor's own phone."""
    at = now - timedelta(days=3)
    _insert(session, User, [{
        "openid": f"o_demo_ring_{n}", "nickname": f"新用户{n:02d}", "avatar_url": "", "invite_code": new_invite_code(),
        "created_at": at + timedelta(minutes=n), "growth": 0, "inviter_id": distributor,
        "bound_at": at + timedelta(minutes=n, seconds=30)} for n in range(24)])
    buyer = next((r["buyer_id"] for r in records if r["beneficiary_id"] == distributor and r["level"] == 1), None)
    index, phone = crypto.phone_index("13912345678"), crypto.encrypt("13912345678")
    session.execute(update(User), [{"id": uid, "phone_bidx": index, "phone_enc": phone}
                                   for uid in (distributor, buyer) if uid is not None])
