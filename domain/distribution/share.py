"""Sharing: the invite path, the mini-program codes (fetched from WeChat once, then kept), the distributor's shop
poster, and the per-product poster any shopper can share.

Codes and posters are kept in the media store, which every host shares (docs/architecture.md, "Media"): a code is
asked of WeChat once per scene whichever host is asked, and a poster is drawn once per everything it shows."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageOps
from sqlalchemy.orm import Session

from domain.catalog.queries import product_view
from domain.distribution.distributors import is_qualified
from domain.distribution.errors import DistributionError
from domain.errors import Forbidden, Invalid, NotFound
from domain.fonts import drawable, font
from domain.media import read_media, store_file
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
    _require_distributor(session, user)
    return _mini_program_code(session, scene=scene_for(user), page=HOME_PAGE, wechat=wechat)


def _require_distributor(session: Session, user: User) -> None:
    if not is_qualified(session, user.id):
        raise Forbidden(DistributionError.NOT_DISTRIBUTOR, "成为分销员后才能使用推广功能")


def _mini_program_code(session: Session, *, scene: str, page: str, wechat: WeChatGateway) -> bytes:
    """WeChat's code for ``scene`` on ``page``: asked for once, then read from the media store. Two hosts asking at
    once both store it; either image is the same code."""
    key = f"codes/{_code_name(wechat, scene=scene, page=page)}.png"
    if (kept := read_media(f"/media/{key}")) is not None:
        return kept
    # Shop codes fetched before the media store was kept in the database: moved over on first use.
    legacy = session.get(QrCodeImage, scene) if page == HOME_PAGE else None
    png = legacy.png if legacy is not None and legacy.page == page else wechat.wxa_code(scene, page=page)
    store_file(key, png, content_type="image/png")
    return png


# Part of every poster's name: bump it when a poster's design changes, so that none drawn before is shown again.
POSTER_DESIGN = 1


def _kept_poster(parts: tuple, draw: Callable[[], bytes]) -> bytes:
    """The poster showing ``parts`` (everything drawn on it, the code by its name), drawn once and then read from
    the media store."""
    key = f"posters/{_digest(POSTER_DESIGN, *parts)}.png"
    if (kept := read_media(f"/media/{key}")) is not None:
        return kept
    png = draw()
    store_file(key, png, content_type="image/png")
    return png


def _code_name(wechat: WeChatGateway, *, scene: str, page: str) -> str:
    """What names a code: the mini-program it opens (another AppID draws another code), its page and scene."""
    return _digest(wechat.config.wechat_appid, page, scene)


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


def poster_png(session: Session, *, user: User, wechat: WeChatGateway) -> bytes:
    """A share poster: the shop's name, the distributor's nickname and their code."""
    _require_distributor(session, user)
    shop, scene = get_settings(session).shop_name, scene_for(user)
    code_name = _code_name(wechat, scene=scene, page=HOME_PAGE)
    return _kept_poster(("shop", shop, user.nickname, user.invite_code, code_name), lambda: _draw_shop_poster(
        shop=shop, nickname=user.nickname, invite_code=user.invite_code,
        code=_mini_program_code(session, scene=scene, page=HOME_PAGE, wechat=wechat)))


def _draw_shop_poster(*, shop: str, nickname: str, invite_code: str, code: bytes) -> bytes:
    qr = Image.open(io.BytesIO(code)).convert("RGB").resize((360, 360))
    width, height = 600, 900
    poster = Image.new("RGB", (width, height), (255, 247, 240))
    draw = ImageDraw.Draw(poster)
    draw.rectangle([0, 0, width, 260], fill=(230, 67, 45))
    _centered(draw, shop, 60, font(52), (255, 255, 255), width)
    _centered(draw, "好物推荐 · 品质生活", 140, font(30), (255, 226, 214), width)
    _centered(draw, f"{nickname} 邀请你一起逛", 300, font(34), (60, 60, 60), width)
    poster.paste(qr, ((width - 360) // 2, 370))
    _centered(draw, "长按识别小程序码，立即进店", 760, font(28), (120, 120, 120), width)
    _centered(draw, f"邀请码 {invite_code}", 810, font(26), (230, 67, 45), width)
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
    scene = product_scene(product_id=view.id, invite_code=user.invite_code, share_id=share.id)
    prices = [s.promo_price_fen if s.promo_price_fen is not None else s.price_fen for s in view.skus]
    lowest = min(prices, default=view.price_fen)
    price = f"¥{yuan(lowest)}" + ("起" if len(set(prices)) > 1 else "")
    cover, shop = product.cover_url if product else "", get_settings(session).shop_name
    return _kept_poster(
        ("product", cover, view.title, price, user.nickname, shop, _code_name(wechat, scene=scene, page=PRODUCT_PAGE)),
        lambda: _draw_product_poster(picture=_media_image(cover), title=view.title, price=price, sharer=user.nickname,
                                     shop=shop, code=_mini_program_code(session, scene=scene, page=PRODUCT_PAGE,
                                                                        wechat=wechat)),
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
    data = read_media(path)
    if data is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
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
