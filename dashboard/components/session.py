"""The staff session cookie: a signed-in dashboard survives F5, and a deep link opened in a new tab is signed in.

The cookie holds the staff token the login form got (signed, with the token's expiry) and is HttpOnly, so no
script on the page can read it. Streamlit reads cookies (``st.context.cookies``) but cannot set one, and a script
cannot set an HttpOnly cookie, so the dashboard's own server answers two small routes beside Streamlit
(``ROUTES``, served through ``st.App`` in app.py): after a login the page POSTs a one-time code to
``EXCHANGE_PATH`` and the answer sets the cookie; after 退出登录 it POSTs to ``END_PATH`` and the answer deletes
it. Every rerun still checks the token in the database, so logout, expiry and a disabled account end the cookie
too (docs/security.md#the-dashboards-session).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from datetime import datetime
from urllib.parse import urlsplit

import streamlit as st
import streamlit.components.v1 as components
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain import clock
from domain.config import get_config

COOKIE = "mall_staff_session"
EXCHANGE_PATH = "/staff-session"
END_PATH = "/staff-session/end"
CODE_SECONDS = 60  # a code is exchanged by the page that got it, at once; one left lying about soon dies

_codes: dict[str, tuple[str, datetime, float]] = {}  # sha256(code) -> (token, token expiry, monotonic deadline)
_codes_lock = threading.Lock()  # the routes run on the server's event loop, the scripts in their own threads


# --- the cookie's value ---------------------------------------------------------------------------------------------

def seal(token: str, expires_at: datetime) -> str:
    """``<token>.<expiry, unix seconds>.<HMAC-SHA256>``: a forged or altered cookie is refused before any query,
    and its expiry cannot be pushed back."""
    body = f"{token}.{int(expires_at.timestamp())}"
    return f"{body}.{_mac(body)}"


def unseal(value: str | None) -> str | None:
    """The staff token in a cookie that is ours and has not expired; None otherwise."""
    token, _, rest = (value or "").partition(".")
    expiry, _, mac = rest.partition(".")
    if not (token and expiry.isdigit() and mac):
        return None
    if not hmac.compare_digest(mac, _mac(f"{token}.{expiry}")):
        return None
    return token if int(expiry) > clock.now().timestamp() else None


def _mac(body: str) -> str:
    # A key of its own, derived from MALL_SECRET_KEY, so that this MAC can never stand for anything else.
    key = hmac.new(get_config().secret_key_bytes(), b"dashboard staff session cookie", hashlib.sha256).digest()
    digest = hmac.new(key, body.encode("ascii", "replace"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def cookie_from_browser() -> str | None:
    """The cookie as the browser sent it when this Streamlit session began (a reload or a new tab begins one).
    AppTest has no browser and answers with a stand-in that is no string."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else None


# --- one-time codes -------------------------------------------------------------------------------------------------
# The page is handed a code, never the token: whatever else reads the page finds only a code that is spent at once
# (or within CODE_SECONDS). Codes live in this process, where the page's Streamlit session lives too.

def offer(token: str, expires_at: datetime) -> str:
    """A one-time code that the browser exchanges for the cookie of ``token``."""
    code = secrets.token_urlsafe(32)
    now = time.monotonic()
    with _codes_lock:
        for key in [key for key, (_, _, deadline) in _codes.items() if deadline <= now]:
            del _codes[key]
        _codes[_code_key(code)] = (token, expires_at, now + CODE_SECONDS)
    return code


def pending(code: str) -> bool:
    """Whether ``code`` waits for its exchange still (neither exchanged nor too old)."""
    with _codes_lock:
        entry = _codes.get(_code_key(code))
    return entry is not None and entry[2] > time.monotonic()


def redeem(code: str) -> tuple[str, datetime] | None:
    """The token and its expiry for ``code``, once: the code is spent."""
    with _codes_lock:
        entry = _codes.pop(_code_key(code), None)
    if entry is None or entry[2] <= time.monotonic():
        return None
    return entry[0], entry[1]


def _code_key(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


# --- the routes -----------------------------------------------------------------------------------------------------

async def _exchange(request: Request) -> Response:
    if not _from_this_page(request):
        return Response(status_code=403)
    try:
        body = await request.json()
    except ValueError:
        return Response(status_code=400)
    code = body.get("code") if isinstance(body, dict) else None
    redeemed = redeem(code) if isinstance(code, str) else None
    if redeemed is None:
        return Response(status_code=403)
    token, expires_at = redeemed
    max_age = int((expires_at - clock.now()).total_seconds())
    if max_age <= 0:
        return Response(status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(COOKIE, seal(token, expires_at), max_age=max_age, path="/", httponly=True,
                        samesite="strict", secure=_https(request))
    return response


async def _end(request: Request) -> Response:
    if not _from_this_page(request):
        return Response(status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=_https(request))
    return response


def _from_this_page(request: Request) -> bool:
    """Only the dashboard's own page may call: a JSON POST, which another site cannot send without a CORS
    preflight that these routes never grant, and an Origin (when the browser names one) of this very host."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def _https(request: Request) -> bool:
    # X-Forwarded-Proto from a TLS-terminating proxy can only make the cookie stricter, so it is believed.
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


ROUTES = [Route(EXCHANGE_PATH, _exchange, methods=["POST"]), Route(END_PATH, _end, methods=["POST"])]


# --- the page's side ------------------------------------------------------------------------------------------------

def hand_over(code: str) -> None:
    """Have the browser exchange ``code`` for the cookie: a hidden frame of this page's origin POSTs it."""
    _post(EXCHANGE_PATH, {"code": code})


def forget_in_browser() -> None:
    """Have the browser delete the cookie (after 退出登录, or when the session it held has ended)."""
    _post(END_PATH, {})


def _post(path: str, body: dict) -> None:
    script = (f"<script>fetch({json.dumps(path)}, {{method: 'POST', credentials: 'same-origin', "
              f"headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(json.dumps(body))}}});</script>")
    components.html(script, height=0)
