"""Two API hosts side by side, as an operator runs the shop beyond one machine: two ``serve`` processes with their
own ``MALL_VAR_DIR`` folders and ports, the dashboard as a third process, one PostgreSQL and one media store (a
private bucket on moto's S3 server), the same MALL_SECRET_KEY and MALL_DATA_KEY everywhere.

- the demo shop seeded through host A: each of its pictures is served by host B as well;
- a picture uploaded in the dashboard (a real browser) is served by both hosts, and no host keeps it on disk;
- a distributor's poster made on host A is the same on host B, its code asked of WeChat once;
- a checkout placed on host A is paid by WeChat's notification arriving at host B;
- the job runners of both hosts, started at once, settle each commission exactly once.

What each host served and the settled count are written to ``tests/_artifacts/two-hosts.json``.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from domain import clock
from domain.config import get_config
from domain.db import unit_of_work
from domain.media import media_key
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    EntryType,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Sku,
    User,
    WalletEntry,
)
from domain.settings.service import get_settings
from domain.wechat.keys import SANDBOX_DIR, pay_keys, sandbox_platform
from tests.builders import notification
from tests.conftest import requires_postgres, truncate_all
from tests.dashboard.browser import TIMEOUT_MS, browser_page, drawn, settle, sign_in
from tests.objectstore import new_bucket, object_keys, store_env
from tests.support import ROOT, free_port, running

pytestmark = requires_postgres

ARTIFACT = ROOT / "tests" / "_artifacts" / "two-hosts.json"
ADDRESS = {"name": "周宁", "phone": "13900139000", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 90 号"}
BULK_ORDERS = 150  # completed orders with two commission records each, for the two runners to share


@dataclass
class Host:
    name: str
    url: str
    env: dict[str, str]
    var: Path

    def call(self, method: str, path: str, expect: int = 200, token: str | None = None, **kwargs):
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **kwargs.pop("headers", {})}
        res = httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)
        assert res.status_code == expect, f"host {self.name}: {method} {path} → {res.status_code} {res.text[:300]}"
        return res.json() if "json" in res.headers.get("content-type", "") else res

    def cli(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "backend", *args], cwd=ROOT, env={**os.environ, **self.env},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@dataclass
class Shop:
    a: Host
    b: Host
    dashboard_env: dict[str, str]
    endpoint: str
    bucket: str


def _key_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.fixture
def shop(migrated_database, committed, sandbox_url, s3_endpoint, tmp_path):
    truncate_all(migrated_database)  # seed --demo fills an empty shop only
    config = get_config()
    # WeChat Pay's keys are configuration, the same on every host; in sandbox mode they are the files the sandbox
    # made in its var/ folder, so each host is given a copy, as a merchant installs apiclient_key.pem on each.
    pay_keys(config), sandbox_platform(config)
    bucket = new_bucket(s3_endpoint)  # private: shoppers get the pictures through the API hosts
    shared = {**store_env(s3_endpoint, bucket), "MALL_SECRET_KEY": _key_text(config.secret_key_bytes()),
              "MALL_DATA_KEY": _key_text(config.data_key_bytes())}
    hosts = []
    with ExitStack() as stack:
        for name in ("a", "b"):
            var, port = tmp_path / f"host-{name}", free_port()
            shutil.copytree(config.var_dir / SANDBOX_DIR, var / SANDBOX_DIR)
            url = f"http://127.0.0.1:{port}"
            env = {**shared, "MALL_VAR_DIR": str(var), "MALL_PUBLIC_URL": url}
            stack.enter_context(running(["serve", "--port", str(port), "--workers", "2"], url + "/healthz", env=env,
                                        log_name=f"host-{name}"))
            hosts.append(Host(name, url, env, var))
        dashboard_env = {**shared, "MALL_VAR_DIR": str(tmp_path / "dashboard"), "MALL_PUBLIC_URL": hosts[0].url}
        yield Shop(hosts[0], hosts[1], dashboard_env, s3_endpoint, bucket)


def _png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "PNG")
    return out.getvalue()


def test_two_api_hosts_share_pictures_payments_and_settlement(shop, committed, sandbox_url):
    report: dict = {}
    report["demo_pictures"] = _demo_pictures_are_served_by_both_hosts(shop, committed)
    report["dashboard_upload"] = _a_dashboard_upload_is_served_by_both_hosts(shop, committed)
    report["poster"] = _a_poster_made_on_one_host_is_the_same_on_the_other(shop, sandbox_url)
    report["checkout"] = _placed_on_a_and_paid_at_b(shop, committed, sandbox_url)
    report["settlement"] = _both_runners_settle_each_commission_once(shop, committed, report["checkout"]["order_id"])
    for host in (shop.a, shop.b):
        assert not (host.var / "media").exists(), f"host {host.name} kept files on its own disk"
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


def _served_by_both(shop: Shop, path: str) -> dict[str, str]:
    """``path`` fetched through each host: both answer the same JPEG; returns the URL each served."""
    bodies, urls = [], {}
    for host in (shop.a, shop.b):
        res = host.call("GET", path)
        assert res.headers["content-type"] == "image/jpeg"
        bodies.append(res.content)
        urls[host.name] = host.url + path
    assert bodies[0] == bodies[1] and Image.open(io.BytesIO(bodies[0])).format == "JPEG"
    return urls


def _demo_pictures_are_served_by_both_hosts(shop: Shop, committed) -> dict:
    seeded = shop.a.cli("seed", "--demo")
    out, _ = seeded.communicate(timeout=300)
    assert seeded.returncode == 0, out
    with unit_of_work(committed) as s:
        products = s.scalars(select(Product).order_by(Product.id).limit(5)).all()
        pictures = [p.images[0] for p in products]
    assert len(pictures) == 5 and all(p.startswith("/media/demo/") for p in pictures)
    # What a shopper on host B sees: absolute addresses of host B, each of which host B answers.
    listed = shop.b.call("GET", "/api/v1/products", params={"page_size": 100})["items"]
    covers = {item["cover_url"] for item in listed}
    served = [_served_by_both(shop, path) for path in pictures]
    assert {shop.b.url + path for path in pictures} <= covers
    assert f"mall/{media_key(pictures[0])}" in object_keys(shop.endpoint, shop.bucket)
    return {"paths": pictures, "served": served}


def _a_dashboard_upload_is_served_by_both_hosts(shop: Shop, committed) -> dict:
    with unit_of_work(committed) as s:
        before = {p.id: list(p.images) for p in s.scalars(select(Product))}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["run", "dashboard/app.py", "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
    with (running(args, url + "/_stcore/health", env=shop.dashboard_env, log_name="two-hosts-dashboard",
                  module="streamlit", timeout=60), browser_page(1400, 1600) as page):
        page.goto(url)
        settle(page, "登录")
        sign_in(page, "operator", "operator-pass-2026")  # the demo shop's operator
        page.locator("[data-testid=stSidebarNavLink]", has_text="商品").first.click()
        settle(page, "共 22 件商品")
        page.get_by_role("tab", name="编辑商品", exact=True).first.click()
        settle(page, "保存修改")
        uploader = (page.locator("[data-testid=stFileUploader]").filter(visible=True)  # the edit tab's, not the new's
                    .filter(has=page.get_by_text("上传图片", exact=True)))
        # Opening the tab reruns the page (it remembers the open tab), and a file chosen while that rerun draws the
        # uploader again is dropped with the old one, as a person would see it vanish and choose it again.
        picked = page.get_by_text("two-hosts.png").first
        for attempt in range(3):
            uploader.locator("input[type=file]").set_input_files(
                files=[{"name": "two-hosts.png", "mimeType": "image/png", "buffer": _png((30, 120, 200))}])
            try:
                expect(picked).to_be_visible(timeout=TIMEOUT_MS // 3)
                break
            except AssertionError:
                if attempt == 2:
                    raise
                drawn(page)
        page.get_by_role("button", name="保存修改", exact=True).click()
        settle(page, "已保存")
    with unit_of_work(committed) as s:
        after = {p.id: list(p.images) for p in s.scalars(select(Product))}
    [(product_id, added)] = [(pid, [i for i in images if i not in before[pid]]) for pid, images in after.items()
                             if images != before[pid]]
    [path] = added
    assert path.startswith("/media/products/")
    served = _served_by_both(shop, path)
    colour = Image.open(io.BytesIO(httpx.get(served["b"]).content)).convert("RGB").getpixel((320, 240))
    assert all(abs(a - b) <= 3 for a, b in zip(colour, (30, 120, 200), strict=True))
    assert not Path(shop.dashboard_env["MALL_VAR_DIR"], "media").exists()  # the dashboard wrote to the store only
    return {"product_id": product_id, "path": path, "served": served}


def _a_poster_made_on_one_host_is_the_same_on_the_other(shop: Shop, sandbox_url: str) -> dict:
    login = shop.a.call("POST", "/api/v1/auth/login", json={"code": "sandbox-demo_a"})  # an approved distributor
    token, scene = login["token"], f"i={login['user']['invite_code']}"
    on_a = shop.a.call("GET", "/api/v1/distribution/poster", token=token)
    on_b = shop.b.call("GET", "/api/v1/distribution/poster", token=token)  # the token crosses hosts too
    code_b = shop.b.call("GET", "/api/v1/distribution/qrcode", token=token)
    assert on_a.content == on_b.content and Image.open(io.BytesIO(on_b.content)).size == (600, 900)
    fetched = [r for r in httpx.get(sandbox_url + "records", params={"kind": "wxacode"}).json()["items"]
               if r["scene"] == scene]
    assert len(fetched) == 1 and code_b.headers["content-type"] == "image/png"  # asked of WeChat once for both
    kept = [k.split("/")[1] for k in object_keys(shop.endpoint, shop.bucket)]
    assert kept.count("codes") == 1 and kept.count("posters") == 1
    return {"scene": scene, "wechat_asked": len(fetched), "poster_bytes": len(on_a.content)}


def _placed_on_a_and_paid_at_b(shop: Shop, committed, sandbox_url: str) -> dict:
    with unit_of_work(committed) as s:
        inviter = s.scalar(select(User).where(User.openid == "o_sandbox_demo_b"))
        sku = s.scalar(select(Sku).join(Product).where(Product.distribution_enabled, Product.is_on_shelf,
                                                         Sku.stock > 0).order_by(Sku.id).limit(1))
        invite_code, sku_id = inviter.invite_code, sku.id
    login = shop.a.call("POST", "/api/v1/auth/login", json={"code": "sandbox-two_hosts_buyer",
                                                           "invite_code": invite_code})
    token = login["token"]
    address = shop.a.call("POST", "/api/v1/addresses", expect=201, token=token, json=ADDRESS)
    order = shop.a.call("POST", "/api/v1/orders", expect=201, token=token, headers={"Idempotency-Key": "two-hosts-1"},
                        json={"items": [{"sku_id": sku_id, "quantity": 1}], "address_id": address["id"]})
    prepay = shop.a.call("POST", f"/api/v1/orders/{order['id']}/pay", token=token)["prepay_id"]
    body, headers = notification(sandbox_url, prepay)
    # WeChat calls the notify URL; behind a load balancer that may be any host: here, host B.
    answer = httpx.post(shop.b.url + "/api/v1/payments/wechat/notify", content=body, headers=headers, timeout=30)
    assert answer.status_code == 200 and "SUCCESS" in answer.text, answer.text
    assert shop.a.call("GET", f"/api/v1/orders/{order['id']}", token=token)["status"] == "paid"

    operator = shop.b.call("POST", "/api/v1/admin/auth/login",
                           json={"username": "operator", "password": "operator-pass-2026"})["token"]
    shop.b.call("POST", f"/api/v1/admin/orders/{order['id']}/ship", token=operator,
                json={"carrier": "顺丰速运", "tracking_no": "SF2HOSTS0001"})
    done = shop.a.call("POST", f"/api/v1/orders/{order['id']}/confirm-receipt", token=token)
    assert done["status"] == "completed"
    with unit_of_work(committed) as s:
        records = s.scalars(select(CommissionRecord).where(CommissionRecord.order_id == order["id"])
                            .order_by(CommissionRecord.level)).all()
        assert [(r.level, r.status) for r in records] == [(1, CommissionStatus.FROZEN), (2, CommissionStatus.FROZEN)]
    return {"order_id": order["id"], "placed_on": shop.a.url,
            "notified_at": shop.b.url + "/api/v1/payments/wechat/notify", "payable_fen": order["payable_fen"]}


def _bulk_completed_orders(committed) -> None:
    """Completed orders past the after-sale window, each with its two commission records, straight into the
    database (the story above proved the path through the API once)."""
    with unit_of_work(committed) as s:
        b = s.scalar(select(User).where(User.openid == "o_sandbox_demo_b"))
        a = s.scalar(select(User).where(User.openid == "o_sandbox_demo_a"))
        sku = s.scalar(select(Sku).order_by(Sku.id).limit(1))
        buyer = s.scalar(select(User).where(User.openid == "o_sandbox_two_hosts_buyer"))
        completed = clock.now() - timedelta(days=60)
        for i in range(BULK_ORDERS):
            order = Order(order_no=f"H{i:017d}", user_id=buyer.id, status=OrderStatus.COMPLETED, goods_fen=10000,
                          payable_fen=10000, receiver_name_enc="x", receiver_phone_enc="x", receiver_street_enc="x",
                          completed_at=completed)
            order.lines.append(OrderLine(line_no=1, product_id=sku.product_id, sku_id=sku.id, title="t",
                                         unit_price_fen=10000, quantity=1, amount_fen=10000, paid_fen=10000,
                                         buyer_id=buyer.id))
            s.add(order)
        s.flush()
        lines = s.execute(select(OrderLine.id, OrderLine.order_id).join(Order)
                          .where(Order.order_no.like("H%"))).all()
        s.add_all(CommissionRecord(order_id=order_id, order_line_id=line_id, buyer_id=buyer.id, beneficiary_id=uid,
                                   level=level, rate_bp=bp, base_fen=10000, amount_fen=10000 * bp // 10000)
                  for line_id, order_id in lines for level, uid, bp in ((1, b.id, 1000), (2, a.id, 500)))


def _due_frozen(session) -> list[int]:
    cutoff = clock.now() - timedelta(days=get_settings(session).settle_after_days)
    return list(session.scalars(select(CommissionRecord.id).join(Order, Order.id == CommissionRecord.order_id)
                                .where(CommissionRecord.status == CommissionStatus.FROZEN, Order.status == OrderStatus.COMPLETED,
                                       Order.completed_at <= cutoff)))


def _both_runners_settle_each_commission_once(shop: Shop, committed, order_id: int) -> dict:
    _bulk_completed_orders(committed)
    with unit_of_work(committed) as s:  # the story's order, past the after-sale window
        s.execute(update(Order).where(Order.id == order_id).values(completed_at=clock.now() - timedelta(days=60)))
    with unit_of_work(committed) as s:
        due = _due_frozen(s)
        settled_before = s.scalar(select(func.count()).where(WalletEntry.entry_type == EntryType.COMMISSION_SETTLED))
    assert len(due) >= 2 * BULK_ORDERS + 2

    runners = [host.cli("jobs", "run", "--job", "settle-commissions") for host in (shop.a, shop.b)]  # at once
    outputs = [r.communicate(timeout=180)[0] for r in runners]
    assert [r.returncode for r in runners] == [0, 0], outputs
    processed = [int(o.strip().splitlines()[-1].rsplit(" ", 1)[-1]) for o in outputs]

    with unit_of_work(committed) as s:
        entries = s.execute(select(WalletEntry.commission_record_id, func.count())
                            .where(WalletEntry.entry_type == EntryType.COMMISSION_SETTLED,
                                   WalletEntry.commission_record_id.in_(due))
                            .group_by(WalletEntry.commission_record_id)).all()
        statuses = set(s.scalars(select(CommissionRecord.status).where(CommissionRecord.id.in_(due))))
        settled_after = s.scalar(select(func.count()).where(WalletEntry.entry_type == EntryType.COMMISSION_SETTLED))
        story = s.scalars(select(CommissionRecord.status).where(CommissionRecord.order_id == order_id)).all()
    assert sum(processed) == len(due)  # between them the runners took every due record, none twice
    assert len(entries) == len(due) and {n for _, n in entries} == {1}  # one ledger credit per record
    assert statuses == {CommissionStatus.SETTLED} and story == [CommissionStatus.SETTLED] * 2
    assert settled_after - settled_before == len(due)
    return {"due_before": len(due), "processed_by_host": dict(zip(("a", "b"), processed, strict=True)),
            "settled_records": len(entries), "settled_entries_in_ledger": settled_after}
