"""WeChat Pay APIv3 on the wire, as WeChat speaks it: JSON bodies; the merchant's requests signed with its RSA key
(``Authorization: WECHATPAY2-SHA256-RSA2048 …``), checked here with the merchant's public key; answers and
notifications signed with the sandbox's own platform key (``Wechatpay-*`` headers); notification resources
encrypted with AES-256-GCM under the APIv3 key; the real name decrypted with the platform private key.

Shared by the v3 pay and transfer routers, as ``v2`` is by the v2 ones.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Request
from fastapi.responses import Response

from domain.config import Config
from domain.wechat.keys import sandbox_platform

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
MAX_SKEW_SECONDS = 300
_AUTH_FIELD = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class Platform:
    """The sandbox's platform keys, and the merchant's public key it checks requests with."""

    private_key: object
    public_key_id: str
    merchant_public_key: object
    merchant_serial: str

    def sign(self, message: str) -> str:
        signature = self.private_key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()

    def decrypt(self, ciphertext: str) -> str:
        oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
        return self.private_key.decrypt(base64.b64decode(ciphertext), oaep).decode()


def platform_of(config: Config) -> Platform:
    """Loaded once per key folder (a Config is not hashable)."""
    return _PLATFORMS.get(str(config.var_dir)) or _PLATFORMS.setdefault(str(config.var_dir), _platform(config))


_PLATFORMS: dict[str, Platform] = {}


def _platform(config: Config) -> Platform:
    keys = sandbox_platform(config)
    return Platform(private_key=serialization.load_pem_private_key(keys.private_key.encode(), password=None),
                    public_key_id=keys.public_key_id,
                    merchant_public_key=serialization.load_pem_public_key(keys.merchant_public_key.encode()),
                    merchant_serial=keys.merchant_serial)


class Refused(Exception):
    """An answer with an HTTP error status and WeChat's ``{code, message}``."""

    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message or code


async def signed_request(request: Request, config: Config) -> dict:
    """The JSON body of a request whose Authorization signature checks with the merchant's key; else ``Refused``
    401 SIGN_ERROR, as WeChat answers."""
    raw = await request.body()
    platform = platform_of(config)
    scheme, _, fields = request.headers.get("authorization", "").partition(" ")
    auth = dict(_AUTH_FIELD.findall(fields))
    if scheme != SIGNATURE_TYPE or auth.get("mchid") != config.wechat_mch_id \
            or auth.get("serial_no") != platform.merchant_serial:
        raise Refused(401, "SIGN_ERROR", "Authorization 无效或商户证书序列号不符")
    stamp = auth.get("timestamp", "")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_SKEW_SECONDS:
        raise Refused(401, "SIGN_ERROR", "请求时间戳已过期")
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    message = f"{request.method}\n{path}\n{stamp}\n{auth.get('nonce_str', '')}\n{raw.decode('utf-8', 'replace')}\n"
    try:
        platform.merchant_public_key.verify(base64.b64decode(auth.get("signature", "")), message.encode(),
                                            padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError) as exc:
        raise Refused(401, "SIGN_ERROR", "签名错误") from exc
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise Refused(400, "PARAM_ERROR", "请求体不是 JSON") from exc
    if not isinstance(data, dict):
        raise Refused(400, "PARAM_ERROR", "请求体不是 JSON 对象")
    return data


def signature_headers(config: Config, body: str, *, timestamp: int | None = None) -> dict[str, str]:
    platform = platform_of(config)
    stamp, nonce = str(timestamp if timestamp is not None else int(time.time())), secrets.token_hex(16)
    return {"Wechatpay-Timestamp": stamp, "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": platform.sign(f"{stamp}\n{nonce}\n{body}\n"),
            "Wechatpay-Serial": platform.public_key_id, "Wechatpay-Signature-Type": SIGNATURE_TYPE,
            "Request-ID": uuid.uuid4().hex}


def answer(config: Config, payload: dict | None, status: int = 200) -> Response:
    """A signed answer (204 with an empty body when there is nothing to say)."""
    body = "" if payload is None else json.dumps(payload, ensure_ascii=False)
    return Response(body.encode(), status_code=204 if payload is None else status, media_type="application/json",
                    headers=signature_headers(config, body))


def refused(config: Config, refusal: Refused) -> Response:
    return answer(config, {"code": refusal.code, "message": refusal.message}, refusal.status)


def notification(config: Config, *, event_type: str, original_type: str, summary: str, resource: dict,
                 timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    """A notification as WeChat sends it: the resource encrypted with AES-256-GCM under the APIv3 key, the whole
    body signed with the platform key. ``timestamp`` signs it as of another moment (to test replays)."""
    nonce, associated = secrets.token_hex(6), original_type
    plain = json.dumps(resource, ensure_ascii=False).encode()
    sealed = AESGCM(config.wechat_api_v3_key.encode()).encrypt(nonce.encode(), plain, associated.encode())
    created = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime((timestamp or time.time()) + 8 * 3600))
    body = json.dumps({
        "id": str(uuid.uuid4()), "create_time": created, "resource_type": "encrypt-resource",
        "event_type": event_type, "summary": summary,
        "resource": {"original_type": original_type, "algorithm": "AEAD_AES_256_GCM",
                     "ciphertext": base64.b64encode(sealed).decode(), "associated_data": associated, "nonce": nonce},
    }, ensure_ascii=False)
    return body.encode(), {"Content-Type": "application/json", **signature_headers(config, body, timestamp=timestamp)}


def now_rfc3339() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 8 * 3600))
