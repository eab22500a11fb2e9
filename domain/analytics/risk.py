"""Risk signals: patterns that may mean someone is gaming the commission scheme, each with the evidence behind it
(docs/security.md, "Risk signals"). A signal only flags for review; staff decide (domain/analytics/risk_queue.py).

- ``shared_phone``: a buyer and an inviter who earned on the buyer's orders share a phone — by blind index, over
  the account's phone, the distributor application's and the receiver phone of their paid orders;
- ``shared_address``: the buyer's paid orders ship to an address where the inviter's own paid orders ship;
- ``shared_payer``: the WeChat account that paid for the buyer's order is the inviter's;
- ``team_refunds``: a distributor's team refunds, over the last ``team_window_days``, more than ``factor_percent``
  of the shop's refund rate, on at least ``team_min_orders`` orders;
- ``binding_burst``: at least ``burst_bindings`` shoppers bound to one invite code within ``burst_minutes``.

Pairs are (buyer, beneficiary) of commission records; a distributor's own purchases (the self-purchase rebate)
are no pair. Addresses and phones are compared as HMAC blind indexes, never decrypted in SQL; the scan writes
each paid order's fingerprint once, in batches. Each signal's ``key`` names what it found, so a scan can run any
number of times and never raises the same signal twice.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Float, and_, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from domain import clock
from domain.analytics.periods import Period, aggregate_query, ratio_bp, shanghai_day, today
from domain.analytics.refunds import shop_refund_rate, team_refunds
from domain.db import is_postgres, unit_of_work
from domain.models import (
    CommissionRecord,
    DistributorApplication,
    Order,
    OrderFingerprint,
    OrderStatus,
    Payment,
    RiskKind,
    RiskSignal,
    User,
)
from domain.models.base import UTCDateTime
from domain.security import crypto

FINGERPRINT_BATCH = 2000


@dataclass(frozen=True)
class RiskThresholds:
    team_window_days: int = 90
    factor_percent: int = 300  # a team refunding 3× the shop's rate
    team_min_orders: int = 5
    burst_bindings: int = 20
    burst_minutes: int = 60
    burst_window_days: int = 30  # how far back the scan looks for bursts


@dataclass(frozen=True)
class Finding:
    kind: RiskKind
    distributor_id: int
    user_id: int | None
    key: str
    evidence: dict


# --- fingerprints -----------------------------------------------------------------------------------


def address_index(province: str, city: str, district: str, street: str) -> str:
    """The blind index of an address: the same place however it was typed (width, spaces, case)."""
    text = unicodedata.normalize("NFKC", f"{province}{city}{district}{street}")
    return crypto.blind_index("address:" + "".join(text.split()).lower())


def fingerprint_orders(session: Session, *, batch: int = FINGERPRINT_BATCH) -> int:
    """Write the fingerprints of paid orders that have none yet, up to ``batch`` of them; returns how many."""
    rows = session.execute(
        select(Order.id, Order.user_id, Order.receiver_province, Order.receiver_city, Order.receiver_district,
               Order.receiver_street_enc, Order.receiver_phone_enc)
        .outerjoin(OrderFingerprint, OrderFingerprint.order_id == Order.id)
        .where(OrderFingerprint.order_id.is_(None), Order.status.in_(OrderStatus.PAID_STATES))
        .order_by(Order.id).limit(batch)
    ).all()
    session.add_all(OrderFingerprint(
        order_id=order_id, user_id=user_id,
        address_bidx=address_index(province, city, district, crypto.decrypt(street) if street else ""),
        phone_bidx=crypto.phone_index(crypto.decrypt(phone)) if phone else "",
    ) for order_id, user_id, province, city, district, street, phone in rows)
    session.flush()
    return len(rows)


# --- the signals --------------------------------------------------------------------------------------


def _pairs():
    """(buyer, beneficiary, level) of every commission record, a distributor's own purchases left out."""
    return (select(CommissionRecord.buyer_id, CommissionRecord.beneficiary_id, func.min(CommissionRecord.level)
                   .label("level"), func.count(func.distinct(CommissionRecord.order_id)).label("orders"),
                   func.sum(CommissionRecord.amount_fen - CommissionRecord.clawed_back_fen).label("commission"))
            .where(CommissionRecord.buyer_id != CommissionRecord.beneficiary_id)
            .group_by(CommissionRecord.buyer_id, CommissionRecord.beneficiary_id).subquery())


def _phones():
    """Every phone blind index a user is known by, and where it comes from."""
    return union_all(
        select(User.id.label("user_id"), User.phone_bidx.label("bidx"), literal("account").label("source"))
        .where(User.phone_bidx.is_not(None)),
        select(DistributorApplication.user_id, DistributorApplication.phone_bidx, literal("application")),
        select(OrderFingerprint.user_id, OrderFingerprint.phone_bidx, literal("order"))
        .where(OrderFingerprint.phone_bidx != ""),
    ).subquery()


def _pair_evidence(level, orders, commission) -> dict:
    return {"level": int(level), "orders": int(orders), "commission_fen": int(commission or 0)}


def shared_phones(session: Session) -> list[Finding]:
    pairs, buyer, inviter = _pairs(), _phones(), _phones()
    rows = session.execute(
        select(pairs.c.buyer_id, pairs.c.beneficiary_id, pairs.c.level, pairs.c.orders, pairs.c.commission,
               func.min(buyer.c.source), func.min(inviter.c.source))
        .join(buyer, buyer.c.user_id == pairs.c.buyer_id)
        .join(inviter, and_(inviter.c.user_id == pairs.c.beneficiary_id, inviter.c.bidx == buyer.c.bidx))
        .group_by(pairs.c.buyer_id, pairs.c.beneficiary_id, pairs.c.level, pairs.c.orders, pairs.c.commission)
    ).all()
    return [Finding(RiskKind.SHARED_PHONE, inviter_id, buyer_id, f"shared_phone:{buyer_id}:{inviter_id}",
                    {**_pair_evidence(level, orders, fen), "buyer_phone_from": b_src, "inviter_phone_from": i_src})
            for buyer_id, inviter_id, level, orders, fen, b_src, i_src in rows]


def shared_addresses(session: Session) -> list[Finding]:
    pairs, theirs, mine = _pairs(), aliased(OrderFingerprint), aliased(OrderFingerprint)
    buyer_order, inviter_order = aliased(Order), aliased(Order)
    matches = (
        select(pairs.c.buyer_id, pairs.c.beneficiary_id, pairs.c.level, pairs.c.orders, pairs.c.commission,
               func.min(theirs.order_id).label("buyer_order_id"), func.min(mine.order_id).label("inviter_order_id"),
               func.count(func.distinct(theirs.order_id)).label("shared_orders"))
        .join(theirs, theirs.user_id == pairs.c.buyer_id)
        .join(mine, and_(mine.user_id == pairs.c.beneficiary_id, mine.address_bidx == theirs.address_bidx))
        .group_by(pairs.c.buyer_id, pairs.c.beneficiary_id, pairs.c.level, pairs.c.orders, pairs.c.commission)
        .subquery()
    )
    rows = session.execute(
        select(matches, buyer_order.order_no, inviter_order.order_no, buyer_order.receiver_province,
               buyer_order.receiver_city, buyer_order.receiver_district)
        .join(buyer_order, buyer_order.id == matches.c.buyer_order_id)
        .join(inviter_order, inviter_order.id == matches.c.inviter_order_id)
    ).all()
    return [Finding(RiskKind.SHARED_ADDRESS, inviter_id, buyer_id, f"shared_address:{buyer_id}:{inviter_id}",
                    {**_pair_evidence(level, orders, fen), "shared_orders": int(shared), "buyer_order_no": b_no,
                     "inviter_order_no": i_no, "region": f"{province}{city}{district}"})
            for buyer_id, inviter_id, level, orders, fen, _, _, shared, b_no, i_no, province, city, district
            in rows]


def payer_openid():
    """Who paid, as WeChat said: v3 names the payer's openid under ``payer``, v2 at the top."""
    return func.coalesce(Payment.raw["payer"]["openid"].as_string(), Payment.raw["openid"].as_string())


def shared_payers(session: Session) -> list[Finding]:
    pairs, inviter = _pairs(), aliased(User)
    rows = session.execute(
        select(pairs.c.buyer_id, pairs.c.beneficiary_id, pairs.c.level, pairs.c.orders, pairs.c.commission,
               func.count(Order.id), func.min(Order.order_no))
        .join(Order, Order.user_id == pairs.c.buyer_id)
        .join(Payment, Payment.order_id == Order.id)
        .join(inviter, inviter.id == pairs.c.beneficiary_id)
        .where(payer_openid() == inviter.openid)
        .group_by(pairs.c.buyer_id, pairs.c.beneficiary_id, pairs.c.level, pairs.c.orders, pairs.c.commission)
    ).all()
    return [Finding(RiskKind.SHARED_PAYER, inviter_id, buyer_id, f"shared_payer:{buyer_id}:{inviter_id}",
                    {**_pair_evidence(level, orders, fen), "paid_by_inviter": int(n), "example_order_no": no})
            for buyer_id, inviter_id, level, orders, fen, n, no in rows]


def refunding_teams(session: Session, thresholds: RiskThresholds) -> list[Finding]:
    end = today()
    period = Period(end - timedelta(days=thresholds.team_window_days - 1), end)
    shop = shop_refund_rate(session, period=period)
    teams = team_refunds(period)
    # team refunded / team paid > factor × shop refunded / shop paid, in whole numbers
    above = (teams.c.refunded * 100 * shop.paid_fen > thresholds.factor_percent * shop.refunded_fen * teams.c.paid)
    rows = session.execute(
        select(teams.c.user_id, teams.c.orders, teams.c.paid, teams.c.refunded)
        .where(teams.c.orders >= thresholds.team_min_orders, teams.c.refunded > 0, above)
    ).all()
    month = f"{end:%Y-%m}"
    return [Finding(RiskKind.TEAM_REFUNDS, uid, None, f"team_refunds:{uid}:{month}", {
        "from": period.first.isoformat(), "to": period.last.isoformat(), "team_orders": int(n),
        "team_paid_fen": int(paid), "team_refunded_fen": int(back), "team_rate_bp": ratio_bp(int(back), int(paid)),
        "shop_rate_bp": shop.rate_bp, "factor_percent": thresholds.factor_percent})
        for uid, n, paid, back in rows]


class seconds_between(FunctionElement):  # noqa: N801 (an SQL function, named like one)
    """Seconds from the first stored time to the second, on both databases."""

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element, compiler, **kw):
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({second}) - julianday({first})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element, compiler, **kw):
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({second} - {first}))"


def binding_bursts(session: Session, thresholds: RiskThresholds) -> list[Finding]:
    """For each binding, the time of the (N−1)th after it to the same inviter: within the window, a burst. One
    signal per inviter and Shanghai day on which a burst starts."""
    n = thresholds.burst_bindings
    nth = func.lead(User.bound_at, n - 1, type_=UTCDateTime()).over(partition_by=User.inviter_id, order_by=(User.bound_at, User.id))
    windows = (select(User.inviter_id, User.bound_at, nth.label("nth"))
               .where(User.inviter_id.is_not(None),
                      User.bound_at >= clock.now() - timedelta(days=thresholds.burst_window_days))
               .subquery())
    inviter = aliased(User)
    day = shanghai_day(windows.c.bound_at)
    rows = session.execute(
        select(windows.c.inviter_id, inviter.invite_code, day, func.min(windows.c.bound_at), func.max(windows.c.nth),
               func.count())
        .join(inviter, inviter.id == windows.c.inviter_id)
        .where(windows.c.nth.is_not(None),
               seconds_between(windows.c.bound_at, windows.c.nth) <= thresholds.burst_minutes * 60)
        .group_by(windows.c.inviter_id, inviter.invite_code, day)
    ).all()
    return [Finding(RiskKind.BINDING_BURST, uid, None, f"binding_burst:{uid}:{d}", {
        "invite_code": code, "day": d, "first_at": first.isoformat(), "last_at": last.isoformat(),
        "bindings_at_least": n + int(count) - 1, "threshold": n, "minutes": thresholds.burst_minutes})
        for uid, code, d, first, last, count in rows]


# --- the scan -----------------------------------------------------------------------------------------


@aggregate_query
def find_risks(session: Session, thresholds: RiskThresholds | None = None) -> list[Finding]:
    """Every pattern there is now, raised before or not (reads only, once fingerprints are written)."""
    thresholds = thresholds or RiskThresholds()
    return [*shared_phones(session), *shared_addresses(session), *shared_payers(session),
            *refunding_teams(session, thresholds), *binding_bursts(session, thresholds)]


def scan_risks(session: Session, thresholds: RiskThresholds | None = None) -> int:
    """Fingerprint the orders not yet fingerprinted, find the patterns and raise those not raised before; returns
    how many signals are new. Safe to run at once on several workers: a key already there is skipped by the
    database (``ON CONFLICT DO NOTHING``)."""
    while fingerprint_orders(session):
        pass
    rows = [{"kind": f.kind.value, "distributor_id": f.distributor_id, "user_id": f.user_id, "key": f.key,
             "evidence": f.evidence} for f in find_risks(session, thresholds)]
    insert = pg_insert if is_postgres(session) else sqlite_insert
    raised = 0
    for start in range(0, len(rows), 1000):  # a statement takes only so many parameters
        stmt = insert(RiskSignal).values(rows[start:start + 1000])
        raised += len(session.execute(stmt.on_conflict_do_nothing(index_elements=["key"])
                                      .returning(RiskSignal.id)).all())
    session.flush()
    return raised


def scan_risks_job() -> int:
    """The ``scan-risks`` job: one unit of work per fingerprint batch, then the scan itself."""
    while True:
        with unit_of_work() as session:
            if not fingerprint_orders(session):
                break
    with unit_of_work() as session:
        return scan_risks(session)

