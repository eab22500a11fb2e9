"""The media store this process uses, as ``MALL_MEDIA_STORE`` and its settings name it (``domain/config.py``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from domain.config import Config, get_config
from domain.media.store import LocalStore, MediaStore


def media_store(config: Config | None = None) -> MediaStore:
    """The store this process's configuration names (one per configuration: an S3 client is made once)."""
    config = config or get_config()
    if config.media_store == "s3":
        return _s3_store(config.media_bucket, config.media_prefix, config.media_endpoint, config.media_region,
                         config.media_access_key, config.media_secret_key, config.media_addressing_style)
    return _local_store(config.media_dir)


@lru_cache(maxsize=8)
def _local_store(root: Path) -> LocalStore:
    return LocalStore(root)


@lru_cache(maxsize=8)
def _s3_store(bucket: str, prefix: str, endpoint: str, region: str, access_key: str, secret_key: str,
              addressing_style: str) -> MediaStore:
    from domain.media.s3 import S3Store  # boto3 is loaded only by hosts that use an object store

    return S3Store(bucket=bucket, prefix=prefix, endpoint=endpoint, region=region, access_key=access_key,
                   secret_key=secret_key, addressing_style=addressing_style)
