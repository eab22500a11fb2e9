"""A local S3-protocol server for the tests (moto's server mode, a real HTTP process), the way the sandbox stands
in for WeChat: the media store's real boto3 code talks to it as it would to COS, OSS or MinIO."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from botocore.config import Config

from tests.support import free_port, running

REGION, ACCESS_KEY, SECRET_KEY = "ap-shanghai", "test-access-key", "test-secret-key"


@contextmanager
def s3_server() -> Iterator[str]:
    """``python -m moto.server`` on a free port for the block's duration; yields its endpoint URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(["-H", "127.0.0.1", "-p", str(port)], url + "/moto-api/data.json", log_name="s3",
                 module="moto.server"):
        yield url


def bucket_client(endpoint: str):
    """A client of our own, apart from the store's, to look into the bucket."""
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY, config=Config(s3={"addressing_style": "path"}))


def new_bucket(endpoint: str, *, public_prefix: str | None = None) -> str:
    """A bucket of its own for one test; with ``public_prefix``, anyone may read the objects under it (what a
    merchant sets for a bucket whose domain shoppers load pictures from)."""
    name = f"mall-{secrets.token_hex(4)}"
    client = bucket_client(endpoint)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    if public_prefix is not None:
        client.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{name}/{public_prefix}*"}]}))
    return name


def store_env(endpoint: str, bucket: str, prefix: str = "mall") -> dict[str, str]:
    """The MALL_* variables that put the media store in ``bucket`` under ``prefix``."""
    return {"MALL_MEDIA_STORE": "s3", "MALL_MEDIA_BUCKET": bucket, "MALL_MEDIA_PREFIX": prefix,
            "MALL_MEDIA_ENDPOINT": endpoint, "MALL_MEDIA_REGION": REGION, "MALL_MEDIA_ACCESS_KEY": ACCESS_KEY,
            "MALL_MEDIA_SECRET_KEY": SECRET_KEY, "MALL_MEDIA_ADDRESSING_STYLE": "path"}


def object_keys(endpoint: str, bucket: str) -> list[str]:
    listed = bucket_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))
