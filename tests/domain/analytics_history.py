"""A small shop history with figures known to the fen, for the analytics tests.

A invites B and D; B invites C and G; E and F were invited by nobody. A and B are distributors from 1 March, F
from 14 March. Three products: 手机壳 at ¥99.99 on the shop's rates (10% / 5%), 耳机 at ¥50.00 with its own rates
(20% / 10%), 贴膜 at ¥30.00 out of distribution. The period is the week of Monday 9 March 2026; the previous
equal period the week before. Times are Shanghai noon unless said otherwise; "now" is 16 March.

    03-03  C bound to B                                      (previous week)
    03-05  B shares the shop; O0: C buys 手机壳 ×1            9999   B 999 (L1), A 499 (L2)
    03-09  A shares twice
    03-10  D opens A's share and is bound to A;
           O1: C buys 手机壳 ×2                              19998   B 1999, A 999
    03-11  O2: D buys 耳机 ×1 + 贴膜 ×1                  5000+3000   A 1000 (L1, 耳机's own 20%)
    03-12  O3: E buys 手机壳 ×1                               9999   (no inviter: no commission)
           O4: C buys 手机壳 ×1, refunded whole              9999   B, A records cancelled
    03-13  O5: C buys 耳机 ×2, one refunded                 10000   B 2000→1000, A 1000→500 (own rates)
    03-14  G opens B's share and is bound to B; F approved; E leaves O6 unpaid
    03-15  O1 and O2 completed; A's wallet +¥8.00 by hand, A asks to withdraw ¥3.00
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from domain import clock
from domain.distribution.binding import bind_inviter
from domain.models import Share, ShareVisit, User
from domain.security.actor import SYSTEM
from domain.wallet.service import adjust_wallet, request_withdrawal
from tests.builders import (
    approve_distributor,
    complete,
    make_address,
    make_product,
    make_user,
    pay,
    place,
    refund,
)

PERIOD = (date(2026, 3, 9), date(2026, 3, 15))
PREVIOUS = (date(2026, 3, 2), date(2026, 3, 8))


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    """Stop the business clock at a Shanghai time (``"03-10"`` is 10 March 2026)."""
    moment = datetime.fromisoformat(f"2026-{day}T{hour:02d}:{minute:02d}").replace(tzinfo=clock.SHANGHAI)
    clock.freeze(moment.astimezone(UTC))
    return moment


def bind(session: Session, user: User, inviter: User) -> None:
    bind_inviter(session, user=user, invite_code=inviter.invite_code)


def share(session: Session, sharer: User) -> Share:
    """A share as share tracking records it (the funnel only counts rows)."""
    row = Share(user_id=sharer.id, target="shop", channel="friend", created_at=clock.now())
    session.add(row)
    session.flush()
    return row


def visit(session: Session, visitor: User, of: Share) -> None:
    session.add(ShareVisit(share_id=of.id, visitor_id=visitor.id, created_at=clock.now()))
    session.flush()


@dataclass
class History:
    users: dict[str, User] = field(default_factory=dict)
    products: dict[str, object] = field(default_factory=dict)
    orders: dict[str, object] = field(default_factory=dict)


def build_history(session: Session, sandbox_url: str) -> History:
    h = History()
    at("02-20")
    u = h.users
    for name in "ABCDEFG":
        u[name] = make_user(session, f"用户{name}")
        make_address(session, u[name], phone=f"1380013800{'ABCDEFG'.index(name)}",
                     detail=f"科技园 {name} 栋")
    bind(session, u["B"], u["A"])
    at("03-01")
    approve_distributor(session, u["A"])
    approve_distributor(session, u["B"])
    case = make_product(session, title="手机壳", prices=(9999,), stock=100).skus[0]
    earbuds = make_product(session, title="耳机", prices=(5000,), stock=100, commission_level1_bp=2000,
                           commission_level2_bp=1000).skus[0]
    film = make_product(session, title="贴膜", prices=(3000,), stock=100, distribution_enabled=False).skus[0]
    h.products.update(case=case, earbuds=earbuds, film=film)

    def buy(key: str, who: str, items):
        h.orders[key] = pay(session, place(session, u[who], items), sandbox_url)
        return h.orders[key]

    at("03-03")
    bind(session, u["C"], u["B"])
    at("03-05")
    b_share = share(session, u["B"])
    buy("O0", "C", [(case.id, 1)])
    at("03-09", 9)
    a_share = share(session, u["A"])
    share(session, u["A"])
    at("03-10")
    visit(session, u["D"], a_share)
    bind(session, u["D"], u["A"])
    buy("O1", "C", [(case.id, 2)])
    at("03-11")
    buy("O2", "D", [(earbuds.id, 1), (film.id, 1)])
    at("03-12")
    buy("O3", "E", [(case.id, 1)])
    o4 = buy("O4", "C", [(case.id, 1)])
    refund(session, o4, [(o4.lines[0].id, 1)])
    at("03-13")
    o5 = buy("O5", "C", [(earbuds.id, 2)])
    refund(session, o5, [(o5.lines[0].id, 1)])
    at("03-14")
    visit(session, u["G"], b_share)
    bind(session, u["G"], u["B"])
    approve_distributor(session, u["F"])
    h.orders["O6"] = place(session, u["E"], [(case.id, 1)])
    at("03-15", 20)
    complete(session, h.orders["O1"])
    complete(session, h.orders["O2"])
    adjust_wallet(session, actor=SYSTEM, user_id=u["A"].id, amount_fen=800, reason="补发")
    request_withdrawal(session, user=u["A"], amount_fen=300, method="wechat")
    at("03-16", 10)
    session.expire_all()
    return h
