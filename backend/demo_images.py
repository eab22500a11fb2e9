"""Product photos for the demo catalog, drawn locally with Pillow: a studio backdrop, the product's silhouette,
a soft shadow and the product name."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFilter

from domain.fonts import font

SIZE = 800


def _palette(seed: str) -> tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]:
    h = hashlib.sha256(seed.encode()).digest()
    base = (200 + h[0] % 50, 200 + h[1] % 50, 200 + h[2] % 50)
    deep = (40 + h[3] % 120, 40 + h[4] % 120, 40 + h[5] % 120)
    accent = (h[6], h[7], h[8])
    return base, deep, accent


def _backdrop(base) -> Image.Image:
    img = Image.new("RGB", (SIZE, SIZE), base)
    draw = ImageDraw.Draw(img)
    for y in range(SIZE):  # vertical studio gradient
        k = y / SIZE
        draw.line([(0, y), (SIZE, y)], fill=tuple(int(c * (1 - 0.18 * k)) for c in base))
    return img


def _shape(draw: ImageDraw.ImageDraw, kind: str, color, accent) -> None:
    c = SIZE // 2
    if kind == "cup":
        draw.rounded_rectangle([c - 150, c - 170, c + 130, c + 170], radius=40, fill=color)
        draw.arc([c + 90, c - 90, c + 230, c + 70], start=-90, end=90, fill=color, width=34)
        draw.ellipse([c - 150, c - 200, c + 130, c - 140], fill=accent)
    elif kind == "shirt":
        draw.polygon([(c - 230, c - 170), (c - 90, c - 230), (c + 90, c - 230), (c + 230, c - 170), (c + 180, c - 60),
                      (c + 120, c - 90), (c + 120, c + 230), (c - 120, c + 230), (c - 120, c - 90), (c - 180, c - 60)],
                     fill=color)
        draw.ellipse([c - 60, c - 250, c + 60, c - 190], fill=accent)
    elif kind == "bottle":
        draw.rounded_rectangle([c - 110, c - 120, c + 110, c + 240], radius=50, fill=color)
        draw.rectangle([c - 45, c - 230, c + 45, c - 110], fill=color)
        draw.rectangle([c - 55, c - 270, c + 55, c - 220], fill=accent)
        draw.rectangle([c - 110, c, c + 110, c + 90], fill=accent)
    elif kind == "box":
        draw.polygon([(c - 200, c - 80), (c, c - 180), (c + 200, c - 80), (c, c + 20)], fill=accent)
        draw.polygon([(c - 200, c - 80), (c, c + 20), (c, c + 240), (c - 200, c + 140)], fill=color)
        draw.polygon([(c + 200, c - 80), (c, c + 20), (c, c + 240), (c + 200, c + 140)],
                     fill=tuple(max(0, v - 40) for v in color))
    elif kind == "bag":
        draw.rounded_rectangle([c - 200, c - 100, c + 200, c + 220], radius=30, fill=color)
        draw.arc([c - 110, c - 240, c + 110, c - 20], start=180, end=360, fill=accent, width=26)
    else:  # round: fruit, cosmetics jars
        draw.ellipse([c - 200, c - 200, c + 200, c + 200], fill=color)
        draw.ellipse([c - 110, c - 150, c - 30, c - 70], fill=tuple(min(255, v + 70) for v in color))
        draw.polygon([(c, c - 200), (c + 40, c - 290), (c + 80, c - 270)], fill=accent)


def draw_product_image(*, title: str, kind: str, variant: int = 0) -> bytes:
    """A product photo as JPEG bytes, for the media store."""
    base, deep, accent = _palette(f"{title}:{variant}")
    img = _backdrop(base)
    shadow = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(shadow).ellipse([SIZE // 2 - 230, SIZE // 2 + 200, SIZE // 2 + 230, SIZE // 2 + 270], fill=110)
    img.paste((0, 0, 0), mask=shadow.filter(ImageFilter.GaussianBlur(18)))
    draw = ImageDraw.Draw(img)
    _shape(draw, kind, deep, accent)
    caption = title if len(title) <= 14 else title[:13] + "…"
    f = font(44)
    width = draw.textlength(caption, font=f)
    draw.text(((SIZE - width) / 2, SIZE - 90), caption, font=f, fill=(60, 60, 60))
    return _jpeg(img, quality=82)


BANNER_SIZE = (750, 300)  # what the mini-program's carousel shows at 750rpx wide


def draw_banner_image(*, headline: str, tagline: str, colours: tuple[tuple[int, int, int], ...]) -> bytes:
    """A home-page banner as JPEG bytes: a diagonal gradient between two colours, a headline and a tagline."""
    width, height = BANNER_SIZE
    start, end = colours
    img = Image.new("RGB", BANNER_SIZE, start)
    draw = ImageDraw.Draw(img)
    for x in range(width):
        k = x / width
        draw.line([(x, 0), (x, height)], fill=tuple(int(a + (b - a) * k) for a, b in zip(start, end, strict=True)))
    glow = Image.new("L", BANNER_SIZE, 0)  # soft light circles at the right edge, for depth
    for cx, cy, r in ((width - 40, 40, 170), (width - 150, height + 10, 120)):
        ImageDraw.Draw(glow).ellipse([cx - r, cy - r, cx + r, cy + r], fill=60)
    img.paste((255, 255, 255), mask=glow.filter(ImageFilter.GaussianBlur(6)))
    draw.text((56, 86), headline, font=font(64), fill=(255, 255, 255))
    draw.text((60, 184), tagline, font=font(30), fill=(255, 244, 230))
    return _jpeg(img, quality=85)


def _jpeg(img: Image.Image, *, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()
