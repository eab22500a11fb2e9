"""Product images as the dashboard shows them.

Stored references are ``/media/...`` paths; the dashboard reads their bytes from the media store itself
(``domain.media``), the same store the API hosts serve, so it needs neither the API nor the API's disk.
External URLs pass through unchanged.
"""

from __future__ import annotations

import base64
import io

import streamlit as st
from PIL import Image

from domain.media import read_media


def image_source(path: str) -> str | bytes | None:
    """Something ``st.image`` can show: the file's bytes, an external URL, or None."""
    if path.startswith(("http://", "https://")):
        return path
    return read_media(path)


def thumbnail_url(path: str, size: int = 96) -> str | None:
    """A small ``data:`` URL for table cells (``st.column_config.ImageColumn``)."""
    if path.startswith(("http://", "https://")):
        return path
    try:
        return _thumbnail(path, size)
    except LookupError:
        return None


@st.cache_data(ttl=3600, max_entries=2000, show_spinner=False)
def _thumbnail(path: str, size: int) -> str:
    # Kept by path: a stored key never changes content (new uploads get new names). A missing file raises, and
    # Streamlit keeps no answer for a call that raised, so a file that appears later is shown.
    data = read_media(path)
    if data is None:
        raise LookupError(path)
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
