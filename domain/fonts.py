"""A font that can draw Chinese, for posters and generated images."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


def cjk_font_path() -> str | None:
    for candidate in CJK_FONT_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return None


@lru_cache(maxsize=32)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = cjk_font_path()
    if path:
        # The basic layout engine: Chinese needs no shaping, and raqm refuses some strings users can type.
        return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
    return ImageFont.load_default(size=size)


def drawable(text: str) -> str:
    """Text safe to draw: no control or private-use characters (nicknames can hold anything)."""
    import unicodedata

    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in ("C",) or ch == " ")
