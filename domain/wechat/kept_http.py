"""The HTTP wechatpayv3 sends through: what it calls as ``requests`` (``requests.post(url=…, json=…, …)``), made
on one kept ``http.client`` connection per thread and host.

``requests`` spent about 0.6 ms of CPU on each call (preparing the request, merging environment settings, its
adapters), against 0.14 ms for the same call on ``http.client``; a payment makes one such call. wechatpayv3 reads
only ``status_code``, ``headers`` (case-insensitive), ``text`` and ``content`` of an answer, so that is what
``Answer`` has. A failure to connect, send or read raises ``requests``' own ``ConnectionError`` or ``Timeout``,
which is what the callers catch (``wechat_unavailable``). A multipart upload or a proxy goes through ``requests``
itself.

A connection is not reused when it sat unused for ``IDLE_SECONDS``, or when the server closed it meanwhile (it is
readable with nothing asked): a server closes idle keep-alive connections after a while (the sandbox's uvicorn after
5 s), and a request sent just as it does fails with no answer, which would leave a payment's outcome unknown. A call
is never sent twice. One connection per thread, because an ``http.client`` connection carries one exchange at a time.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import select
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import Message
from functools import cache, partialmethod
from urllib.parse import urlsplit

import certifi
import requests

IDLE_SECONDS = 2.0


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: Message  # http.client's headers: ``get`` ignores case
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())  # the same CA list requests verifies against


class KeptConnections(threading.local):
    def __init__(self) -> None:
        self.connections: dict[tuple[str, str, int], tuple[http.client.HTTPConnection, float]] = {}

    def _send(self, method: str, url: str, *, headers: dict | None = None, json: object = None, data=None,
              files=None, proxies=None, timeout: float | tuple[float, float] | None = None) -> Answer:
        if files or proxies or data is not None:
            return requests.request(method, url, headers=headers, json=json, data=data, files=files, proxies=proxies,
                                    timeout=timeout)
        connect_s, read_s = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        parts = urlsplit(url)
        body = None if json is None else jsonlib.dumps(json, allow_nan=False).encode("utf-8")
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""  # Content-Length: 0, as requests sends
        target = parts.path + (f"?{parts.query}" if parts.query else "") or "/"
        connection = self._connection(parts.scheme, parts.hostname or "", parts.port, connect_s)
        try:
            if connection.sock is None:
                connection.connect()
            connection.sock.settimeout(read_s)
            connection.request(method, target, body=body, headers=headers or {})
            response = connection.getresponse()
            answer = Answer(status_code=response.status, headers=response.headers, content=response.read())
        except TimeoutError as exc:
            self._drop(connection)
            raise requests.Timeout(str(exc) or "timed out") from exc
        except (OSError, http.client.HTTPException) as exc:
            self._drop(connection)
            raise requests.ConnectionError(str(exc) or type(exc).__name__) from exc
        if response.will_close:
            self._drop(connection)
        else:
            self.connections[_key(connection)] = (connection, time.monotonic())  # idle from the end of the answer
        return answer

    get, post, patch = partialmethod(_send, "GET"), partialmethod(_send, "POST"), partialmethod(_send, "PATCH")
    put, delete = partialmethod(_send, "PUT"), partialmethod(_send, "DELETE")

    def _connection(self, scheme: str, host: str, port: int | None, connect_s: float | None):
        key = (scheme, host, port or (443 if scheme == "https" else 80))
        kept = self.connections.pop(key, None)
        if kept is not None:
            connection, used_at = kept
            if time.monotonic() - used_at <= IDLE_SECONDS and not _closed_by_server(connection):
                return connection
            connection.close()
        if scheme == "https":
            return http.client.HTTPSConnection(key[1], key[2], timeout=connect_s, context=_tls())
        return http.client.HTTPConnection(key[1], key[2], timeout=connect_s)

    def _drop(self, connection: http.client.HTTPConnection) -> None:
        connection.close()
        self.connections.pop(_key(connection), None)

    def close(self) -> None:
        for connection, _ in self.connections.values():
            connection.close()
        self.connections.clear()


def _key(connection: http.client.HTTPConnection) -> tuple[str, str, int]:
    scheme = "https" if isinstance(connection, http.client.HTTPSConnection) else "http"
    return scheme, connection.host, connection.port


def _closed_by_server(connection: http.client.HTTPConnection) -> bool:
    """A kept connection that is readable before anything was asked has been closed (or broken) by the server."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
