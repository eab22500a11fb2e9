"""Uploaded and generated images, kept under ``var/media`` and served by the API at ``/media``."""

from __future__ import annotations

import io
import secrets

from PIL import Image

from domain.config import get_config
from domain.errors import Invalid

MEDIA_PREFIX = "/media/"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def media_url(path: str) -> str:
    """Stored image reference → absolute URL for the mini-program (external URLs pass through)."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return get_config().public_url.rstrip("/") + path


def save_image(data: bytes, *, folder: str = "products", max_side: int = 1200) -> str:
    """Store an uploaded image as JPEG after checking it really is one; returns its media path."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid("image_too_large", "图片不能超过 5 MB")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:
        raise Invalid("invalid_image", "无法识别的图片文件") from exc
    image = image.convert("RGB")
    image.thumbnail((max_side, max_side))
    name = f"{folder}/{secrets.token_hex(8)}.jpg"
    target = get_config().media_dir / name
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "JPEG", quality=85)
    return MEDIA_PREFIX + name
