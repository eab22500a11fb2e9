"""Product images as the dashboard shows them.

Stored references are ``/media/...`` paths that the API serves; the dashboard may run without the API, so it
reads the files from ``MALL_VAR_DIR/media`` itself. External URLs pass through unchanged.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import streamlit as st
from PIL import Image

from domain.config import get_config
from domain.media import MEDIA_PREFIX


def media_file(path: str) -> Path | None:
    """The local file behind a ``/media/...`` reference, or None (external, missing, or outside the media dir)."""
    if not path.startswith(MEDIA_PREFIX):
        return None
    root = get_config().media_dir.resolve()
    target = (root / path.removeprefix(MEDIA_PREFIX)).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def image_source(path: str) -> str | bytes | None:
    """Something ``st.image`` can show: the file's bytes, an external URL, or None."""
    if path.startswith(("http://", "https://")):
        return path
    target = media_file(path)
    return target.read_bytes() if target else None


def thumbnail_url(path: str, size: int = 96) -> str | None:
    """A small ``data:`` URL for table cells (``st.column_config.ImageColumn``)."""
    if path.startswith(("http://", "https://")):
        return path
    target = media_file(path)
    if target is None:
        return None
    return _thumbnail(str(target), target.stat().st_mtime_ns, size)


@st.cache_data(ttl=3600, max_entries=2000, show_spinner=False)
def _thumbnail(file: str, mtime_ns: int, size: int) -> str:
    # mtime_ns is part of the cache key, so a replaced file is redrawn.
    with Image.open(file) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
