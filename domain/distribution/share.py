"""Sharing: the invite path, the mini-program code (fetched from WeChat once, then kept) and the poster."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from domain.distribution.distributors import is_qualified
from domain.distribution.errors import DistributionError
from domain.errors import Forbidden
from domain.fonts import drawable, font
from domain.models import QrCodeImage, User
from domain.settings.service import get_settings
from domain.wechat.gateway import WeChatGateway

HOME_PAGE = "pages/index/index"


def share_path(user: User) -> str:
    return f"{HOME_PAGE}?invite={user.invite_code}"


def scene_for(user: User) -> str:
    return f"i={user.invite_code}"


def qrcode_png(session: Session, *, user: User, wechat: WeChatGateway) -> bytes:
    """The user's mini-program code (scene ``i=CODE``). WeChat is asked once; later calls read the cache.
    Promotion material is for distributors: anyone else is refused with ``not_distributor``."""
    if not is_qualified(session, user.id):
        raise Forbidden(DistributionError.NOT_DISTRIBUTOR, "成为分销员后才能使用推广功能")
    scene = scene_for(user)
    cached = session.get(QrCodeImage, scene)
    if cached is not None:
        return cached.png
    png = wechat.wxa_code(scene, page=HOME_PAGE)
    try:
        with session.begin_nested():
            session.add(QrCodeImage(scene=scene, page=HOME_PAGE, png=png))
    except (IntegrityError, OperationalError):
        pass  # fetched concurrently (either image is the same code), or the database is busy: cache next time
    return png


def poster_png(session: Session, *, user: User, wechat: WeChatGateway) -> bytes:
    """A share poster: the shop's name, the distributor's nickname and their code."""
    shop = get_settings(session).shop_name
    qr = Image.open(io.BytesIO(qrcode_png(session, user=user, wechat=wechat))).convert("RGB").resize((360, 360))
    width, height = 600, 900
    poster = Image.new("RGB", (width, height), (255, 247, 240))
    draw = ImageDraw.Draw(poster)
    draw.rectangle([0, 0, width, 260], fill=(230, 67, 45))
    _centered(draw, shop, 60, font(52), (255, 255, 255), width)
    _centered(draw, "好物推荐 · 品质生活", 140, font(30), (255, 226, 214), width)
    _centered(draw, f"{user.nickname} 邀请你一起逛", 300, font(34), (60, 60, 60), width)
    poster.paste(qr, ((width - 360) // 2, 370))
    _centered(draw, "长按识别小程序码，立即进店", 760, font(28), (120, 120, 120), width)
    _centered(draw, f"邀请码 {user.invite_code}", 810, font(26), (230, 67, 45), width)
    out = io.BytesIO()
    poster.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _centered(draw: ImageDraw.ImageDraw, text: str, y: int, f, fill, width: int) -> None:
    text = drawable(text)
    w = draw.textlength(text, font=f)
    draw.text(((width - w) / 2, y), text, font=f, fill=fill)
