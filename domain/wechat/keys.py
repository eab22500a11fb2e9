"""The RSA keys of WeChat Pay APIv3: the merchant's, and the platform's that verifies WeChat's answers.

Live, they come from the configuration (PEM text or a path). In sandbox mode two key pairs are made once in
``var/wechat-sandbox/``: the merchant's (the sandbox checks our request signatures with its public half) and
the sandbox's own platform pair (it signs its answers and notifications, and decrypts the real name we send).
Both the API and the sandbox process read the same files, as a merchant and WeChat each hold their halves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.config import Config

SANDBOX_DIR = "wechat-sandbox"
SANDBOX_MERCHANT_SERIAL = "5A1DB0C0FFEE5A1DB0C0FFEE5A1DB0C0FFEE0001"
SANDBOX_PUBLIC_KEY_ID = "PUB_KEY_ID_0119000000SANDBOX"


@dataclass(frozen=True)
class PayKeys:
    """What wechatpayv3 needs: the merchant's private key and serial, and WeChat Pay's public key and id."""

    merchant_private_key: str
    merchant_serial: str
    platform_public_key: str | None
    platform_public_key_id: str | None


@dataclass(frozen=True)
class SandboxPlatform:
    """The sandbox's side: its platform private key and id, and the merchant's public key."""

    private_key: str
    public_key_id: str
    merchant_public_key: str
    merchant_serial: str


def pay_keys(config: Config) -> PayKeys:
    if config.sandbox:
        folder = config.var_dir / SANDBOX_DIR
        return PayKeys(
            merchant_private_key=_private_pem(_key_pair(folder / "merchant_key.pem")),
            merchant_serial=config.wechat_mch_cert_serial or SANDBOX_MERCHANT_SERIAL,
            platform_public_key=_public_pem(_key_pair(folder / "platform_key.pem")),
            platform_public_key_id=SANDBOX_PUBLIC_KEY_ID,
        )
    return PayKeys(
        merchant_private_key=pem_text(config.wechat_mch_key or ""),
        merchant_serial=config.wechat_mch_cert_serial,
        platform_public_key=pem_text(config.wechat_pay_public_key) or None,
        platform_public_key_id=config.wechat_pay_public_key_id or None,
    )


def sandbox_platform(config: Config) -> SandboxPlatform:
    folder = config.var_dir / SANDBOX_DIR
    return SandboxPlatform(
        private_key=_private_pem(_key_pair(folder / "platform_key.pem")),
        public_key_id=SANDBOX_PUBLIC_KEY_ID,
        merchant_public_key=_public_pem(_key_pair(folder / "merchant_key.pem")),
        merchant_serial=config.wechat_mch_cert_serial or SANDBOX_MERCHANT_SERIAL,
    )


def pem_text(value: str) -> str:
    """A PEM given inline, or read from the path given."""
    value = (value or "").strip()
    if not value or value.startswith("-----BEGIN"):
        return value
    return Path(value).read_text()


def _key_pair(path: Path) -> rsa.RSAPrivateKey:
    """The key in ``path``, made on first use. Two processes starting together may both make one: the first to
    link its file wins and the other reads it, so both end up with the same key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, _private_pem(key).encode())
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _public_pem(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()
