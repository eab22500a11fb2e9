"""Sharing: the invite path, the mini-program code (fetched from WeChat once, then kept), the distributor's shop
poster, and the per-product poster any shopper can share."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageOps
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from domain.catalog.queries import product_view
from domain.config import get_config
from domain.distribution.distributors import is_qualified
from domain.distribution.errors import DistributionError
from domain.errors import Forbidden, Invalid, NotFound
from domain.fonts import drawable, font
from domain.media import MEDIA_PREFIX
from domain.members.errors import ShareError
from domain.models import Product, QrCodeImage, Share, ShareTarget, User
from domain.money import yuan
from domain.settings.service import get_settings
from domain.wechat.gateway import WeChatGateway

HOME_PAGE = "pages/index/index"
PRODUCT_PAGE = "pages/product/detail"
SCENE_MAX_CHARS = 32  # WeChat's limit for a mini-program code's scene


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


def product_scene(*, product_id: int, invite_code: str, share_id: int) -> str:
    """What a product poster's code carries: the product, the sharer's invite code and the share
    (``p=…&i=…&s=…``). Past WeChat's 32 characters the share is left out: the code still opens the product and
    binds the invitee, only that visit goes uncounted."""
    scene = f"p={product_id}&i={invite_code}&s={share_id}"
    return scene if len(scene) <= SCENE_MAX_CHARS else f"p={product_id}&i={invite_code}"


def product_poster_png(session: Session, *, user: User, share_id: int, wechat: WeChatGateway) -> bytes:
    """The poster of a product share (``POST /shares`` with ``channel: poster``): the product's picture, title and
    price, and a mini-program code that opens the product with the sharer's invite and the share. Any shopper may
    make one; like every share it earns nothing by itself (docs/security.md, "WeChat's rules about sharing").
    Refusals: ``share_not_found`` (also someone else's share), ``invalid_share`` (a shop share),
    ``product_not_found`` (no longer on the shelf)."""
    share = session.get(Share, share_id)
    if share is None or share.user_id != user.id:
        raise NotFound(ShareError.SHARE_NOT_FOUND, "分享不存在")
    if share.target != ShareTarget.PRODUCT or share.product_id is None:
        raise Invalid(ShareError.INVALID_SHARE, "只有商品分享可以生成商品海报")
    view = product_view(session, share.product_id, viewer=None)  # the price anyone opening it sees
    product = session.get(Product, share.product_id)  # loaded by product_view: no further query
    code = wechat.wxa_code(product_scene(product_id=view.id, invite_code=user.invite_code, share_id=share.id),
                           page=PRODUCT_PAGE)
    prices = [s.promo_price_fen if s.promo_price_fen is not None else s.price_fen for s in view.skus]
    lowest = min(prices, default=view.price_fen)
    return _draw_product_poster(
        picture=_media_image(product.cover_url if product else ""), title=view.title,
        price=f"¥{yuan(lowest)}" + ("起" if len(set(prices)) > 1 else ""),
        sharer=user.nickname, shop=get_settings(session).shop_name, code=code,
    )


POSTER_WIDTH, POSTER_HEIGHT = 750, 1180
RED, GREY, DARK = (242, 39, 12), (140, 140, 140), (31, 31, 31)


def _draw_product_poster(*, picture: Image.Image | None, title: str, price: str, sharer: str, shop: str,
                         code: bytes) -> bytes:
    poster = Image.new("RGB", (POSTER_WIDTH, POSTER_HEIGHT), (255, 255, 255))
    side = POSTER_WIDTH - 60
    if picture is not None:
        poster.paste(ImageOps.fit(picture.convert("RGB"), (side, side)), (30, 30))
    else:
        ImageDraw.Draw(poster).rectangle([30, 30, 30 + side, 30 + side], fill=(240, 236, 232))
    draw = ImageDraw.Draw(poster)
    y = 30 + side + 28
    for line in _wrapped(draw, drawable(title), font(34), POSTER_WIDTH - 60, max_lines=2):
        draw.text((30, y), line, font=font(34), fill=DARK)
        y += 48
    draw.text((30, y + 10), drawable(price), font=font(48), fill=RED)
    draw.line([30, POSTER_HEIGHT - 250, POSTER_WIDTH - 30, POSTER_HEIGHT - 250], fill=(238, 238, 238), width=2)
    qr = Image.open(io.BytesIO(code)).convert("RGB").resize((200, 200))
    poster.paste(qr, (POSTER_WIDTH - 230, POSTER_HEIGHT - 230))
    draw.text((30, POSTER_HEIGHT - 200), drawable(f"{sharer} 推荐给你")[:20], font=font(30), fill=DARK)
    draw.text((30, POSTER_HEIGHT - 150), "长按识别小程序码，查看商品", font=font(26), fill=GREY)
    draw.text((30, POSTER_HEIGHT - 100), drawable(shop)[:20], font=font(26), fill=GREY)
    out = io.BytesIO()
    poster.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _media_image(path: str) -> Image.Image | None:
    """A picture from the shop's own media store; anything else (an outside address) is not fetched."""
    if not path.startswith(MEDIA_PREFIX):
        return None
    root = get_config().media_dir.resolve()
    file = (root / path[len(MEDIA_PREFIX):]).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        return None
    try:
        with Image.open(file) as image:
            image.load()
            return image.copy()
    except OSError:
        return None


def _wrapped(draw: ImageDraw.ImageDraw, text: str, f, width: int, *, max_lines: int) -> list[str]:
    """Lines that fit ``width``, character by character (Chinese has no spaces to break at); the last one
    ends in … when the text goes on."""
    lines, line = [], ""
    for ch in text:
        if draw.textlength(line + ch, font=f) > width:
            lines.append(line)
            line = ch
            if len(lines) == max_lines:
                lines[-1] = lines[-1][:-1] + "…"
                return lines
        else:
            line += ch
    return lines + [line] if line else lines


def _centered(draw: ImageDraw.ImageDraw, text: str, y: int, f, fill, width: int) -> None:
    text = drawable(text)
    w = draw.textlength(text, font=f)
    draw.text(((width - w) / 2, y), text, font=f, fill=fill)
