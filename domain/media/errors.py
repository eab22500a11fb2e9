"""Refusals of the media store: uploads that are not images, and a store that cannot be reached."""

from __future__ import annotations

from enum import StrEnum


class MediaError(StrEnum):
    INVALID_IMAGE = "invalid_image"  # not a picture Pillow can read
    IMAGE_TOO_LARGE = "image_too_large"  # over MAX_UPLOAD_BYTES
    INVALID_FOLDER = "invalid_folder"  # a staff upload into a folder that is not for uploads
    MEDIA_NOT_FOUND = "media_not_found"  # no such file, or a key that could not name one
    STORE_UNAVAILABLE = "media_store_unavailable"  # the object store refused or could not be reached
