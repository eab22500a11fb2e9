"""The fake WeChat as a real process: slow callers and slow merchants never stall it, and it still records.

It runs its own sandbox process, so that a regression that hangs it cannot take the suite's shared one down.
"""

from __future__ import annotations

import ast
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import xmltodict
from wechatpy.pay.utils import calculate_signature, dict_to_xml

from domain.config import get_config
from tests.support import ROOT, free_port, running

NOTIFY_DELAY_SECONDS = 2.0
PROMPT_SECONDS = 1.0  # a read that is not stuck behind a slow merchant or caller answers well within this


@pytest.fixture(scope="module")
def sandbox():
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with running(["sandbox", "--port", str(port)], url + "healthz", log_name="sandbox-own"):
        yield url


@pytest.fixture(scope="module")
def access_token(sandbox):
    config = get_config()
    res = httpx.get(sandbox + "cgi-bin/token", params={"appid": config.wechat_appid, "secret": config.wechat_secret})
    return res.json()["access_token"]


class _SlowMerchant(BaseHTTPRequestHandler):
    """A merchant's notify URL that takes its time before answering WeChat's SUCCESS."""

    arrived: list[str]

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.arrived.append(dict(xmltodict.parse(body)["xml"])["out_trade_no"])
        time.sleep(NOTIFY_DELAY_SECONDS)
        answer = b"<xml><return_code><![CDATA[SUCCESS]]></return_code></xml>"
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def slow_notify_url():
    handler = type("Merchant", (_SlowMerchant,), {"arrived": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pay/notify", handler.arrived
    finally:
        server.shutdown()
        server.server_close()


def _signed_xml(fields: dict) -> str:
    fields = {k: str(v) for k, v in fields.items()}
    return dict_to_xml(fields, calculate_signature(fields, get_config().wechat_api_key))


def _unified_order(sandbox: str, out_trade_no: str, notify_url: str, total_fee: int = 990) -> dict:
    config = get_config()
    order = {"appid": config.wechat_appid, "mch_id": config.wechat_mch_id, "nonce_str": "n" + out_trade_no,
             "body": "测试商品", "out_trade_no": out_trade_no, "total_fee": total_fee, "notify_url": notify_url,
             "spbill_create_ip": "127.0.0.1", "trade_type": "JSAPI", "openid": "o_sandbox_amy"}
    res = httpx.post(sandbox + "pay/unifiedorder", content=_signed_xml(order))
    answer = dict(xmltodict.parse(res.text)["xml"])
    assert answer["result_code"] == "SUCCESS", answer
    return answer


def _timed_get(url: str, **params) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    res = httpx.get(url, params=params, timeout=10)
    return res, time.monotonic() - started


def _wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_two_payments_to_a_slow_merchant_both_answer_and_records_stay_readable(sandbox, slow_notify_url):
    notify_url, arrived = slow_notify_url
    stamp = str(time.time_ns())
    orders = [f"SLOW{stamp}A", f"SLOW{stamp}B"]
    for out_trade_no in orders:
        _unified_order(sandbox, out_trade_no, notify_url)

    def confirm(out_trade_no):
        started = time.monotonic()
        res = httpx.post(sandbox + "pay/confirm", json={"out_trade_no": out_trade_no}, timeout=30)
        return res, time.monotonic() - started

    with ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        confirms = [pool.submit(confirm, out_trade_no) for out_trade_no in orders]
        _wait_until(lambda: len(arrived) == 2)  # both notifications are now held by the slow merchant
        records, read_seconds = _timed_get(sandbox + "records", kind="notify")
        health, health_seconds = _timed_get(sandbox + "healthz")
        answers = [future.result(timeout=30) for future in confirms]
        both_seconds = time.monotonic() - started

    assert records.status_code == 200 and read_seconds < PROMPT_SECONDS, read_seconds
    assert health.json() == {"ok": True, "service": "wechat-sandbox"} and health_seconds < PROMPT_SECONDS
    for (res, seconds), out_trade_no in zip(answers, orders, strict=True):
        assert res.status_code == 200
        body = res.json()
        assert body["delivered"] is True and body["status_code"] == 200 and body["out_trade_no"] == out_trade_no
        assert "SUCCESS" in body["answer"]
        assert seconds >= NOTIFY_DELAY_SECONDS
    # The two deliveries waited side by side, not one after the other.
    assert both_seconds < 2 * NOTIFY_DELAY_SECONDS, both_seconds
    assert sorted(arrived) == sorted(orders)

    notified = httpx.get(sandbox + "records", params={"kind": "notify"}).json()["items"]
    mine = {item["out_trade_no"]: item for item in notified if item["out_trade_no"] in orders}
    assert set(mine) == set(orders)
    assert all(item["status_code"] == 200 for item in mine.values())
    # The order is paid: WeChat answers the query with SUCCESS and the transaction id it notified.
    query = httpx.post(sandbox + "pay/orderquery", content=_signed_xml({"out_trade_no": orders[0], "nonce_str": "q"}))
    answer = dict(xmltodict.parse(query.text)["xml"])
    assert answer["trade_state"] == "SUCCESS" and answer["total_fee"] == "990"
    assert answer["transaction_id"].startswith("42000")


def _open_slow_request(sandbox: str, path: str, body: bytes) -> tuple[socket.socket, bytes]:
    """Send a request's headers and half its body, and keep the rest back (a caller on a slow network)."""
    host, port = sandbox.removeprefix("http://").rstrip("/").split(":")
    conn = socket.create_connection((host, int(port)), timeout=10)
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    half = len(body) // 2
    conn.sendall(head + body[:half])
    return conn, body[half:]


def _finish_slow_request(conn: socket.socket, rest: bytes) -> tuple[int, bytes]:
    conn.sendall(rest)
    answer = b""
    while chunk := conn.recv(65536):
        answer += chunk
    conn.close()
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


def test_callers_whose_bodies_arrive_slowly_do_not_stall_anyone_else(sandbox, access_token):
    stamp = str(time.time_ns())
    path = f"/cgi-bin/message/subscribe/send?access_token={access_token}"
    bodies = [(f'{{"touser": "o_sandbox_slow{n}", "template_id": "T{stamp}", "data": '
               f'{{"thing1": {{"value": "慢{n}"}}}}}}').encode() for n in range(2)]
    slow = [_open_slow_request(sandbox, path, body) for body in bodies]
    time.sleep(0.3)  # both requests are now inside the sandbox, waiting for the rest of their bodies

    # Others are served meanwhile: a call that checks the access token, a records read, a login.
    started = time.monotonic()
    phone = httpx.post(sandbox + "wxa/business/getuserphonenumber", params={"access_token": access_token},
                       json={"code": "sandbox-phone-13800000000"}, timeout=5)
    records, _ = _timed_get(sandbox + "records", kind="message")
    login, _ = _timed_get(sandbox + "sns/jscode2session", js_code="sandbox-amy", appid=get_config().wechat_appid,
                          secret=get_config().wechat_secret)
    others_seconds = time.monotonic() - started
    assert phone.json()["phone_info"]["purePhoneNumber"] == "13800000000"
    assert records.status_code == 200 and login.json()["openid"] == "o_sandbox_amy"
    assert others_seconds < 3 * PROMPT_SECONDS, others_seconds

    for conn, rest in slow:
        status, answer = _finish_slow_request(conn, rest)
        assert status == 200 and b'"errcode":0' in answer
    messages = httpx.get(sandbox + "records", params={"kind": "message"}).json()["items"]
    mine = sorted(item["touser"] for item in messages if item["template_id"] == f"T{stamp}")
    assert mine == ["o_sandbox_slow0", "o_sandbox_slow1"]


def test_it_records_what_it_receives(sandbox, access_token):
    stamp = str(time.time_ns())
    token = {"access_token": access_token}
    shipping = {"order_key": {"order_number_type": 1, "out_trade_no": f"SHIP{stamp}"}, "logistics_type": 1}
    assert httpx.post(sandbox + "wxa/sec/order/upload_shipping_info", params=token, json=shipping).json() == {
        "errcode": 0, "errmsg": "ok"}
    code = httpx.post(sandbox + "wxa/getwxacodeunlimit", params=token, json={"scene": f"i={stamp[-8:]}"})
    assert code.headers["content-type"] == "image/png" and code.content.startswith(b"\x89PNG")

    # A failure asked for is answered once, and is not recorded as an upload.
    httpx.post(sandbox + "control/fail-next", json={"kind": "shipping"}).raise_for_status()
    failed = {"order_key": {"out_trade_no": f"FAIL{stamp}"}}
    assert httpx.post(sandbox + "wxa/sec/order/upload_shipping_info", params=token, json=failed).json()[
        "errcode"] == 10060001

    uploads = httpx.get(sandbox + "records", params={"kind": "shipping"}).json()
    assert uploads["kind"] == "shipping"
    numbers = [item["order_key"]["out_trade_no"] for item in uploads["items"]]
    assert f"SHIP{stamp}" in numbers and f"FAIL{stamp}" not in numbers
    assert all(item["time"] for item in uploads["items"])
    codes = httpx.get(sandbox + "records", params={"kind": "wxacode"}).json()["items"]
    assert {"scene": f"i={stamp[-8:]}", "page": None} in [{k: v for k, v in c.items() if k != "time"} for c in codes]
    everything = httpx.get(sandbox + "records").json()
    assert {"shipping", "wxacode"} <= set(everything)
    assert httpx.get(sandbox + "records", params={"kind": "nothing-yet"}).json() == {"kind": "nothing-yet",
                                                                                     "items": []}


def test_an_unknown_path_is_404(sandbox):
    res = httpx.get(sandbox + "v2/no/such/api")
    assert res.status_code == 404
    assert res.json() == {"detail": "Not Found"}
    assert httpx.post(sandbox + "pay/nothing", content=b"<xml></xml>").status_code == 404


def test_no_lock_is_taken_inside_a_coroutine():
    """The sandbox's lock is taken only in plain functions, so no critical section can contain an ``await``."""
    offenders = []
    for path in sorted((ROOT / "backend" / "sandbox").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.With | ast.AsyncWith) and any(
                        "lock" in ast.unparse(item.context_expr).lower() for item in node.items):
                    offenders.append(f"{Path(path).name}:{node.lineno} in {func.name}")
    assert offenders == []
