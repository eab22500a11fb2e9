"""What an order's life means for members, in one place for the order code to call: completion gives growth,
the first payment may give the inviter a pending share reward, a refund takes growth back and a whole refund
cancels that reward (docs/money-and-rules.md, "Members and growth")."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from domain.members.growth import award_order_completion, take_back_for_refund
from domain.members.rewards import cancel_for_whole_refund, reward_first_payment
from domain.models import Order


def completed(session: Session, order_ids: Sequence[int]) -> None:
    """Orders just completed (by the buyer, or the auto-receive job): +1 growth per whole yuan of net goods."""
    award_order_completion(session, order_ids)


def paid(session: Session, *, order: Order) -> None:
    """An order just marked paid: its buyer's first paid order starts the inviter's share reward."""
    reward_first_payment(session, order=order)


def refunded(session: Session, *, order: Order, refund_id: int) -> None:
    """A refund just completed (its lines and the order's status already updated)."""
    take_back_for_refund(session, order=order, refund_id=refund_id)
    cancel_for_whole_refund(session, order=order)
