"""Every request's text passes here before any router sees it: the path, the query string and a JSON body.

Text with NUL, another control character (newline, carriage return and tab excepted) or a lone surrogate is
refused with 422 ``invalid_text`` (``domain.text.has_bad_text``). PostgreSQL cannot store NUL and psycopg cannot
encode a lone surrogate, so without this such text reached the database and failed there with a 500.
WeChat's XML notifications are not JSON and are checked by their own parser.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, unquote

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.errors import error_body
from domain.errors import CommonError
from domain.text import has_bad_text

MAX_CHECKED_BODY = 2 * 1024 * 1024  # larger JSON bodies are refused by the routers' own limits anyway


class TextGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        if has_bad_text(unquote(scope.get("path", ""))) or has_bad_text(parse_qsl(query, keep_blank_values=True)):
            await _refuse(scope, receive, send)
            return
        if not _is_json(scope):
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        if _bad_json(body):
            await _refuse(scope, receive, send)
            return
        await self.app(scope, _replay(body, more, receive), send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return b"json" in value.lower()
    return False


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > MAX_CHECKED_BODY:
            return b"".join(chunks), True


def _bad_json(body: bytes) -> bool:
    if not body or len(body) > MAX_CHECKED_BODY:
        return False
    try:
        # surrogatepass lets a lone surrogate sent as raw bytes through to the check instead of a decode error
        return has_bad_text(json.loads(body.decode("utf-8", errors="surrogatepass")))
    except ValueError:
        return False  # not JSON: the router answers invalid_request as it always has


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(error_body(CommonError.INVALID_TEXT, "输入中含有不允许的字符（控制字符或无效编码）"),
                            status_code=422)
    await response(scope, receive, send)
