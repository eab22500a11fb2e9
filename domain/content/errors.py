"""Refusals of the home page's content: banners and notices."""

from __future__ import annotations

from enum import StrEnum


class ContentError(StrEnum):
    BANNER_NOT_FOUND = "banner_not_found"
    NOTICE_NOT_FOUND = "notice_not_found"
    INVALID_TITLE = "invalid_banner_title"
    INVALID_NOTICE_TEXT = "invalid_notice_text"
    INVALID_IMAGE = "invalid_banner_image"  # missing, or neither a /media/ path nor an http(s) URL
    INVALID_LINK = "invalid_link"  # an unknown kind, or a product or category link without its target
    LINK_TARGET_NOT_FOUND = "link_target_not_found"
    UNKNOWN_FIELD = "unknown_field"
