"""Uploaded and generated files — product photos, banners, avatars, after-sale photos, cached mini-program codes,
posters — kept in the media store that every host shares (``domain/media/store.py``; docs/architecture.md,
"Media").

A stored reference is the path ``/media/<key>``, whichever backend holds the file, so records never change when a
shop moves from one machine's disk to an object store. ``media_url`` turns it into the address shoppers load:
under ``MALL_MEDIA_PUBLIC_URL`` (a CDN, or the bucket's own domain) when set, else the API's ``/media`` route, which
reads the store (a private bucket).
"""

from __future__ import annotations

import io
import secrets

from PIL import Image

from domain.config import get_config
from domain.errors import Invalid, NotFound
from domain.media.backends import media_store
from domain.media.errors import MediaError
from domain.media.store import MediaStore, StoredFile, valid_key
from domain.security.actor import Actor
from domain.security.roles import Permission

__all__ = ["MAX_UPLOAD_BYTES", "MEDIA_PREFIX", "MediaStore", "StoredFile", "media_key", "media_store", "media_url",
           "open_media", "read_media", "save_image", "store_file", "upload_image"]

MEDIA_PREFIX = "/media/"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Where staff may upload through the admin API, and the permission each needs.
UPLOAD_FOLDERS = {"products": Permission.PRODUCTS, "banners": Permission.MARKETING}


def media_url(path: str) -> str:
    """Stored image reference → absolute URL for the mini-program (external URLs pass through)."""
    if not path or path.startswith(("http://", "https://")):
        return path
    config = get_config()
    if config.media_public_url and path.startswith(MEDIA_PREFIX):
        return config.media_public_url.rstrip("/") + "/" + path[len(MEDIA_PREFIX):]
    return config.public_url.rstrip("/") + path


def media_key(path: str) -> str | None:
    """The store's key behind a ``/media/…`` reference, or None (an outside address, or no key at all)."""
    if not path.startswith(MEDIA_PREFIX):
        return None
    key = path[len(MEDIA_PREFIX):]
    return key if valid_key(key) else None


def store_file(key: str, data: bytes, *, content_type: str) -> str:
    """Keep ``data`` under ``key`` (replacing it); returns its reference, ``/media/<key>``."""
    media_store().put(key, data, content_type=content_type)
    return MEDIA_PREFIX + key


def open_media(key: str) -> StoredFile:
    """The stored file under ``key``, for serving it. Refusal: ``media_not_found`` (404)."""
    found = media_store().get(key) if valid_key(key) else None
    if found is None:
        raise NotFound(MediaError.MEDIA_NOT_FOUND, "文件不存在")
    return found


def read_media(path: str) -> bytes | None:
    """The bytes behind a ``/media/…`` reference, or None (an outside address, or nothing stored there)."""
    key = media_key(path)
    found = media_store().get(key) if key else None
    return found.data if found else None


def save_image(data: bytes, *, folder: str = "products", max_side: int = 1200) -> str:
    """Store an uploaded image as JPEG after checking it really is one; returns its media path."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid(MediaError.IMAGE_TOO_LARGE, "图片不能超过 5 MB")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:
        raise Invalid(MediaError.INVALID_IMAGE, "无法识别的图片文件") from exc
    image = image.convert("RGB")
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    # A new random name each time: a key never changes content, so caches may keep it for as long as they like.
    return store_file(f"{folder}/{secrets.token_hex(8)}.jpg", out.getvalue(), content_type="image/jpeg")


def upload_image(*, actor: Actor, data: bytes, folder: str) -> str:
    """A picture uploaded by staff for products or banners (the admin API's upload); returns its media path.
    Refusals: ``forbidden`` without that folder's permission, ``invalid_folder``, ``invalid_image``,
    ``image_too_large``."""
    if folder not in UPLOAD_FOLDERS:
        raise Invalid(MediaError.INVALID_FOLDER, "只能上传商品图片或首页横幅", folder=folder)
    actor.require(UPLOAD_FOLDERS[folder])
    return save_image(data, folder=folder)
