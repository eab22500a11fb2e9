"""Share tracking: a share and the visits through it, for the funnel share → visit → bound → first order.

Nothing here gives anything to anyone. WeChat's 小程序平台运营规范 5.1 forbids a benefit for the act of sharing,
for a mere visit, and for sharing to Moments (docs/security.md, "WeChat's rules about sharing"); a reward only
ever follows the invitee's own paid first order (rewards.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.catalog.errors import CatalogError
from domain.distribution.share import HOME_PAGE, PRODUCT_PAGE
from domain.errors import Invalid, NotFound
from domain.members.errors import ShareError
from domain.models import Product, Share, ShareChannel, ShareTarget, ShareVisit, User
from domain.settings.service import get_settings


@dataclass(frozen=True)
class ShareRecorded:
    share_id: int
    path: str  # what the shared card or poster opens: carries ``invite`` and ``s``
    title: str  # the shared card's title, from the settings


def share_path(share: Share, invite_code: str) -> str:
    if share.target == ShareTarget.PRODUCT:
        return f"{PRODUCT_PAGE}?id={share.product_id}&invite={invite_code}&s={share.id}"
    return f"{HOME_PAGE}?invite={invite_code}&s={share.id}"


def record_share(session: Session, *, user: User, target: str, channel: str,
                 product_id: int | None = None) -> ShareRecorded:
    if target not in set(ShareTarget) or channel not in set(ShareChannel):
        raise Invalid(ShareError.INVALID_SHARE, "分享对象需为 shop 或 product，渠道需为 friend、timeline 或 poster")
    title = get_settings(session).share_text
    if target == ShareTarget.PRODUCT:
        if product_id is None:
            raise Invalid(ShareError.INVALID_SHARE, "分享商品时请给出商品")
        product_title = session.scalar(select(Product.title).where(Product.id == product_id))
        if product_title is None:
            raise NotFound(CatalogError.PRODUCT_NOT_FOUND, "商品不存在")
        title = product_title
    else:
        product_id = None
    share = Share(user_id=user.id, target=target, product_id=product_id, channel=channel)
    session.add(share)
    session.flush()
    return ShareRecorded(share_id=share.id, path=share_path(share, user.invite_code), title=title)


def record_visit(session: Session, *, visitor: User, share_id: int) -> bool:
    """Someone opened a share. Counted once per visitor and share; the sharer's own taps are not visits.
    Returns whether this visit was new."""
    sharer_id = session.scalar(select(Share.user_id).where(Share.id == share_id))
    if sharer_id is None:
        raise NotFound(ShareError.SHARE_NOT_FOUND, "分享不存在")
    if sharer_id == visitor.id:
        return False
    try:
        with session.begin_nested():
            session.add(ShareVisit(share_id=share_id, visitor_id=visitor.id))
    except IntegrityError:
        return False  # visited before (or at the same moment)
    return True
