"""Personal data at rest: AES-GCM encryption and an HMAC blind index for look-ups.

Ciphertexts are stored as text: ``v1.<base64(nonce + ciphertext + tag)>``. The blind index of a phone
number is an HMAC-SHA256 under a key derived from the data key, so equal numbers can be found without
the database ever holding them in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.config import get_config
from domain.errors import Invalid
from domain.users.errors import UserError

_PREFIX = "v1."


@lru_cache
def _keys(data_key: bytes) -> tuple[AESGCM, bytes]:
    enc_key = hmac.new(data_key, b"mall/aes-gcm", hashlib.sha256).digest()
    index_key = hmac.new(data_key, b"mall/blind-index", hashlib.sha256).digest()
    return AESGCM(enc_key), index_key


# The keys in use, with the configuration they came from and when they were last taken from it: every decryption
# and blind index asks for them (several times a request), and looking at the key file each time (a stat
# and a path) cost more than the decryption. A changed key file is seen within a second.
_RECHECK_SECONDS = 1.0
_in_use: tuple[object, float, tuple[AESGCM, bytes]] | None = None


def _current() -> tuple[AESGCM, bytes]:
    global _in_use
    config, now, seen = get_config(), time.monotonic(), _in_use
    if seen is not None and seen[0] is config and now - seen[1] < _RECHECK_SECONDS:
        return seen[2]
    keys = _keys(config.data_key_bytes())
    _in_use = (config, now, keys)
    return keys


def encrypt(plaintext: str) -> str:
    aead, _ = _current()
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plaintext.encode("utf-8"), None)
    return _PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.b64decode(token[len(_PREFIX):])
    aead, _ = _current()
    return aead.decrypt(raw[:12], raw[12:], None).decode("utf-8")


def encrypt_optional(plaintext: str | None) -> str | None:
    return encrypt(plaintext) if plaintext else None


def decrypt_optional(token: str | None) -> str | None:
    return decrypt(token) if token else None


def normalize_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def parse_mobile(phone: str) -> str:
    """A mainland mobile number as 11 digits; spaces, dashes and a +86 prefix are allowed, nothing else."""
    raw = (phone or "").strip()
    if not raw or any(not (ch.isdigit() or ch in " -+") for ch in raw):
        raise Invalid(UserError.INVALID_PHONE, "请输入 11 位手机号")
    digits = normalize_phone(raw)
    if len(digits) != 11 or not digits.startswith("1"):
        raise Invalid(UserError.INVALID_PHONE, "请输入 11 位手机号")
    return digits


def blind_index(value: str) -> str:
    _, index_key = _current()
    return hmac.new(index_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def phone_index(phone: str) -> str:
    return blind_index("phone:" + normalize_phone(phone))


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = normalize_phone(phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)
