"""The media store: named files (keys such as ``products/3f9c….jpg``) that every host reads and writes alike.

Two backends, chosen by ``MALL_MEDIA_STORE`` (docs/architecture.md, "Media"): ``local``, a folder on this
machine (``var/media``), the embedded default for one machine; and ``s3``, a bucket of an S3-protocol object store
(Tencent COS, Aliyun OSS, MinIO, Ceph RGW, AWS), which several hosts share (``domain/media/s3.py``).
``domain/media/backends.py`` picks the one the configuration names.
"""

from __future__ import annotations

import mimetypes
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

MAX_KEY_CHARS = 400
# Path segments of letters, digits, _ and -, with dots inside a name only: no "..", no hidden files, no "//".
_KEY = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9_\-.]*(?:/[A-Za-z0-9_\-][A-Za-z0-9_\-.]*)*")


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str
    etag: str  # changes whenever the content does (quoted, as HTTP's ETag header takes it)


class MediaStore(Protocol):
    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Write ``data`` under ``key``, replacing what was there; readers see the old or the new file, never half."""

    def get(self, key: str) -> StoredFile | None:
        """The file under ``key``, or None when there is none."""

    def delete(self, key: str) -> None:
        """Remove ``key`` (nothing happens when it is absent)."""


def valid_key(key: str) -> bool:
    return len(key) <= MAX_KEY_CHARS and _KEY.fullmatch(key) is not None


def content_type_of(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


class LocalStore:
    """Files in a folder of this machine. Enough for one host; with several, each would see only its own."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _file(self, key: str) -> Path:
        if not valid_key(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        target = self._file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed over it, so a reader never finds a half-written file.
        partial = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}")
        partial.write_bytes(data)
        os.replace(partial, target)

    def get(self, key: str) -> StoredFile | None:
        try:
            file = self._file(key)
            data, stat = file.read_bytes(), file.stat()
        except (ValueError, FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        return StoredFile(data=data, content_type=content_type_of(key),
                          etag=f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"')

    def delete(self, key: str) -> None:
        self._file(key).unlink(missing_ok=True)
