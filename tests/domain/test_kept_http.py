"""WeChat Pay's kept HTTP connections (domain/wechat/kept_http.py), against a real local HTTP server: one
connection carries a thread's calls one after another, a connection the server closed or that sat idle is replaced
before the next call (never sent on), and a failure raises requests' own errors, which callers turn into
``wechat_unavailable``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from domain.wechat import kept_http
from domain.wechat.kept_http import KeptConnections


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    connections: list[int] = []  # the client port of every request: one port per connection
    bodies: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).connections.append(self.client_address[1])
        type(self).bodies.append(body)
        if self.path == "/slow":
            threading.Event().wait(1.0)
        answer = json.dumps({"got": json.loads(body or b"null"), "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Wechatpay-Nonce", "n-1")
        self.send_header("Content-Length", str(len(answer)))
        if self.path == "/close":
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    _Handler.connections, _Handler.bodies = [], []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    httpd.shutdown()
    httpd.server_close()


def test_calls_share_one_connection_and_the_answer_reads_like_requests(server):
    url, _ = server
    http = KeptConnections()
    first = http.post(url=url + "/v3/pay/transactions/jsapi?x=1", json={"amount": {"total": 4900}, "d": "一件"},
                      headers={"Content-Type": "application/json"}, timeout=(5, 10))
    second = http.get(url=url + "/v3/pay/transactions/out-trade-no/M1", headers={}, timeout=(5, 10))
    assert first.status_code == 200 and second.status_code == 200
    assert json.loads(first.text) == {"got": {"amount": {"total": 4900}, "d": "一件"},
                                      "path": "/v3/pay/transactions/jsapi?x=1"}
    assert first.headers.get("wechatpay-nonce") == "n-1" and "application/json" in first.headers.get("Content-Type")
    # The body is exactly what wechatpayv3 signs: json.dumps of the same data.
    assert _Handler.bodies[0] == json.dumps({"amount": {"total": 4900}, "d": "一件"}).encode()
    assert _Handler.bodies[1] == b""
    assert len(set(_Handler.connections)) == 1
    http.close()


def test_a_connection_the_server_closed_or_left_idle_is_replaced_before_the_next_call(server, monkeypatch):
    url, _ = server
    http = KeptConnections()
    http.post(url=url + "/close", json={}, timeout=5)  # the server says Connection: close
    http.post(url=url + "/a", json={}, timeout=5)
    assert len(set(_Handler.connections)) == 2
    # Closed by the server while it sat unused: seen readable at the next call, and not sent on.
    connection, _ = next(iter(http.connections.values()))
    connection.sock.shutdown(1)  # our side half-closes; the server's handler ends and closes its side
    threading.Event().wait(0.2)
    assert kept_http._closed_by_server(connection)
    assert http.post(url=url + "/b", json={"n": 1}, timeout=5).status_code == 200
    assert len(set(_Handler.connections)) == 3
    # Idle for longer than IDLE_SECONDS: dropped, a new one made.
    monkeypatch.setattr(kept_http, "IDLE_SECONDS", 0.0)
    http.post(url=url + "/c", json={}, timeout=5)
    assert len(set(_Handler.connections)) == 4
    http.close()


def test_failures_raise_requests_errors(server):
    url, httpd = server
    http = KeptConnections()
    with pytest.raises(requests.Timeout):
        http.post(url=url + "/slow", json={}, timeout=(5, 0.2))
    assert http.connections == {}  # a failed exchange's connection is never reused
    port = httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()
    with pytest.raises(requests.ConnectionError):
        http.post(url=f"http://127.0.0.1:{port}/a", json={}, timeout=2)
    assert http.connections == {}
