"""Process configuration from ``MALL_*`` environment variables.

Business settings (rates, windows, limits) are not here: they live in the database
(see ``domain.settings``) so that staff can edit them in the dashboard.
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MALL_", extra="ignore")

    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    wechat_mode: Literal["sandbox", "live"] = "sandbox"
    wechat_sandbox_url: str = "http://127.0.0.1:8100/"
    public_url: str = "http://127.0.0.1:8000"
    wechat_appid: str = "wx_sandbox_appid"
    wechat_secret: str = "sandbox_secret"
    wechat_mch_id: str = "1900000109"
    wechat_api_key: str = "sandbox_api_key_32_chars_long_xx"
    wechat_mch_cert: str | None = None
    wechat_mch_key: str | None = None
    # The IP that WeChat Pay sees as ours (spbill_create_ip); wechatpy would otherwise look it up online.
    wechat_client_ip: str = "127.0.0.1"
    # Which WeChat Pay API the merchant's account speaks (docs/architecture.md, "WeChat"): v3 for every account
    # opened today; v2 (the MD5 API key and 企业付款) for merchants who still have it.
    wechat_pay_api: Literal["v3", "v2"] = "v3"
    # APIv3: the 32-character APIv3 key, the merchant certificate's serial and private key (PEM text or a path;
    # MALL_WECHAT_MCH_KEY), and how WeChat Pay's answers are verified: its public key and id, or else the platform
    # certificates that wechatpayv3 downloads into ``wechat_platform_cert_dir``. In sandbox mode all of these
    # default to keys made in var/wechat-sandbox/.
    wechat_api_v3_key: str = "sandbox_apiv3_key_32_chars_long_"
    wechat_mch_cert_serial: str = ""
    wechat_pay_public_key: str = ""  # PEM text or a path
    wechat_pay_public_key_id: str = ""
    wechat_platform_cert_dir: str = ""
    # 商家转账: the scene (1005 佣金报酬) and the report information that scene requires.
    wechat_transfer_scene_id: str = "1005"
    wechat_transfer_job_type: str = "分销推广员"  # 岗位类型
    wechat_transfer_perception: str = "劳务报酬"  # user_recv_perception, what the distributor sees
    # A notification whose Wechatpay-Timestamp is further from our clock than this is refused as a replay.
    wechat_notify_max_skew_seconds: int = 300
    # Subscribe-message template for "order shipped" (订单发货提醒); empty in live mode means none is sent.
    wechat_template_order_shipped: str = ""
    secret_key: str = ""
    data_key: str = ""
    shopper_token_days: int = 30
    staff_token_hours: int = 12
    # Requests per minute; 0 disables a limit (docs/security.md#rate-limits).
    rate_limit_login_per_minute: int = 120  # per client address, shopper and staff logins counted apart
    rate_limit_bind_per_minute: int = 20  # per shopper
    rate_limit_withdraw_per_minute: int = 10  # per shopper
    # Staff logins that do not succeed, per window of rate_limit_staff_window_minutes: a username and address pair
    # is locked at the first number; a username at the second takes tries only from addresses with none.
    rate_limit_staff_pair_failures: int = 5
    rate_limit_staff_account_failures: int = 50
    rate_limit_staff_window_minutes: int = 15
    # The proxies whose X-Forwarded-For is believed: comma-separated addresses or networks; none by default.
    trusted_proxies: str = ""
    # Where uploaded and generated files live (docs/architecture.md, "Media"): "local" is var/media on this machine;
    # "s3" a bucket of an S3-protocol store (COS, OSS, MinIO, Ceph RGW) that every host shares.
    media_store: Literal["local", "s3"] = "local"
    media_bucket: str = ""
    media_prefix: str = ""  # a folder inside the bucket, e.g. "mall"
    media_endpoint: str = ""  # e.g. https://cos.ap-shanghai.myqcloud.com; empty: AWS's own
    media_region: str = ""
    media_access_key: str = ""  # empty: boto3's own chain (AWS_* variables, an instance role)
    media_secret_key: str = ""
    media_addressing_style: Literal["auto", "virtual", "path"] = "auto"  # OSS needs virtual, MinIO path
    # Where shoppers load the files from: a CDN or the bucket's public domain, the prefix included, so that a file
    # is <this>/<key>. Empty: the API serves them at /media, reading the store (a private bucket).
    media_public_url: str = ""
    logistics_tracker: str = ""  # "module:factory" of a real tracker; empty means staff-entered events only
    backup_keep: int = 7
    sql_echo: bool = False
    # PostgreSQL connections per process (docs/architecture.md, "Performance"): the pool and what it may open
    # beyond it. Every API worker, job runner and dashboard has its own, and together they must stay below the
    # server's max_connections (100 by default).
    db_pool_size: int = 10
    db_max_overflow: int = 10
    # The threads an API worker runs its checkout's units of work on (docs/architecture.md, "Performance"), each
    # holding a connection while it works. Few for the units that only use the database: on the CPU, more threads
    # only take turns at Python's interpreter lock, and every turn costs; 20 of them also kept opening and closing
    # the pool's overflow connections, which doubled PostgreSQL's CPU per checkout. Paying waits on WeChat's answer
    # and has threads of its own, so a slow WeChat holds up neither placing nor reading.
    db_work_threads: int = 4
    wechat_work_threads: int = 8
    # A pooled PostgreSQL connection unused for longer than this is tried before it is handed out (domain/db.py).
    db_ping_after_idle_seconds: float = 2.0
    # Order placements an API worker runs at once; the others wait their turn without holding a connection or a
    # thread, and one that waited this many seconds is answered 429 orders_busy (nothing was written: the shopper
    # may send the same order again).
    order_placements_per_worker: int = 4
    order_queue_seconds: float = 10.0

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'mall.db'}"

    @property
    def media_dir(self) -> Path:
        return self.var_dir / "media"

    @property
    def shipped_template(self) -> str:
        return self.wechat_template_order_shipped or ("sandbox_order_shipped" if self.sandbox else "")

    @property
    def sandbox(self) -> bool:
        return self.wechat_mode == "sandbox"

    @property
    def pay_v3(self) -> bool:
        return self.wechat_pay_api == "v3"

    def secret_key_bytes(self) -> bytes:
        return _key_from(self.secret_key) if self.secret_key else _key_file(self.var_dir / "secret.key")

    def data_key_bytes(self) -> bytes:
        return _key_from(self.data_key) if self.data_key else _key_file(self.var_dir / "data.key")


def _key_from(value: str) -> bytes:
    raw = base64.urlsafe_b64decode(value.encode() + b"=" * (-len(value) % 4))
    if len(raw) != 32:
        raise ValueError("MALL_SECRET_KEY / MALL_DATA_KEY must be 32 bytes, urlsafe-base64 encoded")
    return raw


def _key_file(path: Path) -> bytes:
    """Read a 32-byte key from var/, making it on first run (readable by the owner only). Read again only when the
    file changes: every encryption and blind index asks for the key, several times per request."""
    try:
        seen = path.stat()
    except FileNotFoundError:
        return _made_key_file(path)
    return _read_key_file(path, seen.st_mtime_ns, seen.st_size, seen.st_ino)


@lru_cache(maxsize=16)
def _read_key_file(path: Path, _mtime_ns: int, _size: int, _inode: int) -> bytes:
    return _key_from(path.read_text().strip())


def _made_key_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, key.encode())
        finally:
            os.close(fd)
    return _key_from(path.read_text().strip())


@lru_cache
def get_config() -> Config:
    return Config()


def reset_config() -> None:
    get_config.cache_clear()
