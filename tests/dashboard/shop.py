"""Shop data for the screen tests, built through the domain (``tests.builders``) inside a committed unit of work."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.models import EntryType, Order, User, WalletEntry
from tests.builders import approve_distributor, make_product, make_user, pay, place


def chain(session: Session, names: tuple[str, str, str] = ("甲", "乙", "丙")) -> tuple[User, User, User]:
    """docs/money-and-rules.md's example (Commission records): A invites B, B invites C; A and B are distributors."""
    a = make_user(session, names[0])
    b = make_user(session, names[1], inviter=a)
    c = make_user(session, names[2], inviter=b)
    approve_distributor(session, a)
    approve_distributor(session, b)
    return a, b, c


def paid_order(session: Session, sandbox_url: str, buyer: User, *, price_fen: int = 9999, quantity: int = 1,
               title: str | None = None) -> Order:
    """One product, bought and paid through the sandbox. At ¥99.99 and above shipping is free."""
    sku = make_product(session, title=title, prices=(price_fen,), stock=50).skus[0]
    return pay(session, place(session, buyer, [(sku.id, quantity)]), sandbox_url)


def credit(session: Session, user: User, amount_fen: int) -> None:
    """Money in a distributor's wallet without the order → settle story (which the domain tests cover)."""
    session.add(WalletEntry(user_id=user.id, entry_type=EntryType.ADJUSTMENT, amount_fen=amount_fen,
                            note="测试入账"))
    session.flush()
