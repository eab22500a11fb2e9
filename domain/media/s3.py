"""The media store in a bucket of an S3-protocol object store, through boto3.

Tencent COS, Aliyun OSS, MinIO, Ceph RGW and AWS all speak it: ``MALL_MEDIA_ENDPOINT`` names the service,
``MALL_MEDIA_BUCKET`` and ``MALL_MEDIA_PREFIX`` where the shop's files go. Objects are written with their content
type and a long cache lifetime: a key never changes content (uploads get new random names, cached codes and
posters are named by what they show).
"""

from __future__ import annotations

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from domain.errors import ExternalServiceError
from domain.media.errors import MediaError
from domain.media.store import StoredFile, valid_key

CACHE_CONTROL = "public, max-age=2592000"  # 30 days
_MISSING = {"NoSuchKey", "404", "NotFound"}


def _unavailable(exc: Exception) -> ExternalServiceError:
    return ExternalServiceError(MediaError.STORE_UNAVAILABLE, "图片存储暂时不可用，请稍后再试", reason=str(exc)[:200])


class S3Store:
    def __init__(self, *, bucket: str, prefix: str = "", endpoint: str = "", region: str = "", access_key: str = "",
                 secret_key: str = "", addressing_style: str = "auto") -> None:
        if not bucket:
            raise ValueError("MALL_MEDIA_STORE=s3 needs MALL_MEDIA_BUCKET")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        # Empty keys fall back to boto3's own chain (AWS_* variables, an instance role).
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint or None, region_name=region or None,
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
            config=BotoConfig(
                signature_version="s3v4", s3={"addressing_style": addressing_style},
                connect_timeout=5, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"},
                max_pool_connections=64,  # one client serves every request thread of a worker
                # COS, OSS and older MinIO and Ceph refuse the checksums boto3 now adds to every upload by default.
                request_checksum_calculation="when_required", response_checksum_validation="when_required",
            ))

    def object_key(self, key: str) -> str:
        if not valid_key(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.prefix + key

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data, ContentType=content_type,
                                   CacheControl=CACHE_CONTROL)
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from exc

    def get(self, key: str) -> StoredFile | None:
        if not valid_key(key):
            return None
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            data = answer["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise _unavailable(exc) from exc
        except BotoCoreError as exc:
            raise _unavailable(exc) from exc
        return StoredFile(data=data, content_type=answer.get("ContentType") or "application/octet-stream",
                          etag=answer.get("ETag") or "")

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from exc
