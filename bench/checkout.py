"""Checkout under load: many shoppers place and pay orders over HTTP against ``serve --workers 2`` on PostgreSQL.

Each checkout is what a shopper's phone does, sent by a bare HTTP/1.1 client on keep-alive connections
(``BareConnection``: httpx's own CPU per request was a large share of these two cores): POST /orders (with an Idempotency-Key), POST /orders/{id}/pay, the
sandbox confirms the payment by sending WeChat's signed notification to the API (which verifies it and marks the
order paid, commissions and all), and GET /orders/{id} shows the paid order: four API requests. In the same run a
bare GET /api/v1/categories measures the framework's floor on this machine.

The stable figure on a shared 2-core machine is CPU time, not a rate: the API workers' CPU (read from /proc before
and after each phase) per paid order, against the same per bare GET. Rates and latencies are printed beside it.

Targets (2 cores shared by PostgreSQL, two API workers, the sandbox and the load generator): API CPU per paid order
≤ 8× a bare GET's, ≥ 40 paid orders per second with 32 shoppers checking out at once, p99 of a checkout < 2 s.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

from bench.common import (
    BareConnection,
    CpuMeter,
    bench_database,
    environment,
    free_port,
    load_average,
    percentile,
    process,
    verdict,
    wrk_run,
)

T = TypeVar("T")

SHOPPERS = 200
CONCURRENCY = 32
DURATION_S = 20.0
BARE_S = 10.0
TARGET_ORDERS_PER_S = 40.0
TARGET_P99_S = 2.0
TARGET_CPU_RATIO = 8.0


async def _login(client: httpx.AsyncClient, api: str, i: int, invite_code: str) -> dict:
    # Every shopper joined through a level-1 distributor who was invited by another: each payment writes both
    # levels' commission records.
    res = await client.post(f"{api}/api/v1/auth/login", json={"code": f"sandbox-bench{i}", "invite_code": invite_code})
    token = res.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    address = (await client.post(f"{api}/api/v1/addresses", headers=headers, json={
        "name": "压测用户", "phone": "13800138000", "province": "上海市", "city": "上海市", "district": "浦东新区",
        "detail": f"世纪大道 {i} 号"})).json()
    return {"headers": headers, "address_id": address["id"]}


@dataclass(frozen=True)
class Shop:
    api: str  # the API's base URL
    database_url: str  # the benchmark's own PostgreSQL database
    sandbox: str  # the WeChat sandbox's, with its trailing slash
    invite_code: str  # the level-1 distributor's: shoppers who log in with it earn both levels commission
    server: subprocess.Popen  # ``serve``: its workers are the processes whose CPU is read
    var_dir: Path


@contextmanager
def running_shop(name: str, *, workers: int) -> Iterator[Shop]:
    """A fresh PostgreSQL database ``bench_{name}`` with the benchmark's shop, the sandbox as WeChat and the API on
    ``serve --workers N``, stopped on leaving."""
    url = bench_database(name)
    api_port, sandbox_port = free_port(), free_port()
    api, sandbox = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{sandbox_port}/"
    env = environment(url, MALL_PUBLIC_URL=api, MALL_WECHAT_SANDBOX_URL=sandbox)
    invite_code = _seed(env)
    with process(["sandbox", "--port", str(sandbox_port)], sandbox + "healthz", env), \
            process(["serve", "--port", str(api_port), "--workers", str(workers)], api + "/healthz", env) as server:
        yield Shop(api=api, database_url=url, sandbox=sandbox, invite_code=invite_code, server=server,
                   var_dir=Path(env["MALL_VAR_DIR"]))


async def shop_sku_ids(client: httpx.AsyncClient, api: str) -> list[int]:
    """Every SKU the shop sells, as a shopper's browsing finds them."""
    products = (await client.get(f"{api}/api/v1/products", params={"page_size": 100})).json()["items"]
    return [s["id"] for p in products for s in (await client.get(f"{api}/api/v1/products/{p['id']}")).json()["skus"]]


async def _as_sent(_step: str, call: Awaitable[T]) -> T:
    return await call


async def _checkout(api: BareConnection, sandbox: BareConnection, shopper, sku_ids, *,
                    step: Callable[[str, Awaitable], Awaitable] = _as_sent) -> float:
    """One checkout on this loop's own keep-alive connections to the API and to the sandbox; its seconds. ``step``
    awaits each request, named ``place``, ``pay``, ``notification`` or ``read`` (``bench/phases.py`` times each)."""
    started = time.perf_counter()
    body = {"items": [{"sku_id": sku_ids[hash(uuid.uuid4()) % len(sku_ids)], "quantity": 1}],
            "address_id": shopper["address_id"]}
    order = await step("place", api.json("POST", "/api/v1/orders", body=body,
                                         headers={**shopper["headers"], "Idempotency-Key": uuid.uuid4().hex}))
    order_id = order["id"]
    pay = await step("pay", api.json("POST", f"/api/v1/orders/{order_id}/pay", headers=shopper["headers"]))
    confirm = await step("notification", sandbox.json("POST", "/pay/confirm", body={"prepay_id": pay["prepay_id"]}))
    if confirm.get("status_code") != 200:
        raise RuntimeError(f"payment notification refused: {confirm}")
    paid = await step("read", api.json("GET", f"/api/v1/orders/{order_id}", headers=shopper["headers"]))
    if paid["status"] != "paid":
        raise RuntimeError(f"order {order_id} is {paid['status']} after its notification")
    return time.perf_counter() - started


ERRORS: dict[str, int] = {}


async def _load(worker, duration: float, concurrency: int) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + duration

    async def loop(n: int) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            try:
                latencies.append(await worker(n))
            except Exception as exc:  # counted and named in the report
                errors += 1
                request = getattr(exc, "_request", None)  # httpx keeps the failed request here
                where = f" on {request.method} {request.url.path}" if request is not None else ""
                name = f"{type(exc).__name__}{where}: {str(exc)[:120]}"
                ERRORS[name] = ERRORS.get(name, 0) + 1

    await asyncio.gather(*(loop(n) for n in range(concurrency)))
    return len(latencies), sorted(latencies), errors


async def run() -> dict:
    with running_shop("checkout", workers=2) as shop:
        api, sandbox, server = shop.api, shop.sandbox, shop.server
        limits = httpx.Limits(max_connections=CONCURRENCY * 2, max_keepalive_connections=CONCURRENCY * 2)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            sku_ids = await shop_sku_ids(client, api)
            shoppers = [await _login(client, api, i, shop.invite_code) for i in range(SHOPPERS)]

            async def categories(_n: int) -> float:
                t = time.perf_counter()
                (await client.get(f"{api}/api/v1/categories")).raise_for_status()
                return time.perf_counter() - t

            # Each shopper loop keeps its own connections (a phone keeps its own), made on first use.
            api_connections = [BareConnection(api) for _ in range(CONCURRENCY)]
            sandbox_connections = [BareConnection(sandbox) for _ in range(CONCURRENCY)]

            async def checkout(n: int) -> float:
                return await _checkout(api_connections[n], sandbox_connections[n],
                                       shoppers[(n * 7 + int(time.perf_counter() * 1000)) % SHOPPERS], sku_ids)

            await _load(checkout, 3, CONCURRENCY)  # warm up: connections, caches, the pools of both sides
            await _load(categories, 1, CONCURRENCY)
            load = load_average()
            meter = CpuMeter(server).start()
            base_n, base_lat, base_err = await _load(categories, BARE_S, CONCURRENCY)
            bare = meter.stop()
            meter = CpuMeter(server).start()
            n, lat, errors = await _load(checkout, DURATION_S, CONCURRENCY)
            busy = meter.stop()
        meter = CpuMeter(server).start()
        wrk = wrk_run(f"{api}/api/v1/categories", seconds=int(BARE_S), connections=CONCURRENCY)
        wrk_cpu = meter.stop()
    return _report(load=load, n=n, lat=lat, errors=errors, busy=busy, base_n=base_n, base_lat=base_lat,
                   base_err=base_err, bare=bare, wrk=wrk, wrk_cpu=wrk_cpu)


def _report(*, load, n, lat, errors, busy, base_n, base_lat, base_err, bare, wrk, wrk_cpu) -> dict:
    rate = n / DURATION_S
    p50, p99 = percentile(lat, 50), percentile(lat, 99)
    cpu_order = busy.api_s * 1000 / n if n else float("nan")
    pg_order = busy.postgres_s * 1000 / n if n else float("nan")
    cpu_get = bare.api_s * 1000 / base_n if base_n else float("nan")
    cpu_get_wrk = wrk_cpu.api_s * 1000 / wrk[1] if wrk else None
    # The stricter floor of the two clients: the cheaper a bare GET, the larger the ratio.
    floor = min(cpu_get, cpu_get_wrk) if cpu_get_wrk else cpu_get
    ratio = cpu_order / floor
    print(f"checkout: {n} orders placed, paid and read in {DURATION_S:.0f} s by {CONCURRENCY} concurrent shoppers "
          f"({SHOPPERS} accounts), errors {errors}; load average before {load:.2f}")
    for name, count in ERRORS.items():
        print(f"  error ×{count}: {name}")
    print(f"  API CPU per paid order  {cpu_order:8.1f} ms  (place + pay + notification + read; of it the kernel's "
          f"{busy.api_system_s * 1000 / n if n else float('nan'):.1f} ms; PostgreSQL {pg_order:.1f} ms)")
    print(f"  API CPU per bare GET    {cpu_get:8.2f} ms  (Python client"
          + (f"; {cpu_get_wrk:.2f} ms under wrk)" if cpu_get_wrk else ")"))
    print(f"  ratio                   {ratio:8.1f} ×   target ≤ {TARGET_CPU_RATIO:.0f} ×  "
          f"{verdict(ratio <= TARGET_CPU_RATIO)}")
    print(f"  paid orders per second  {rate:8.1f}     target ≥ {TARGET_ORDERS_PER_S:.0f}    "
          f"{verdict(rate >= TARGET_ORDERS_PER_S)}")
    print(f"  p50 checkout            {p50 * 1000:8.0f} ms")
    print(f"  p99 checkout            {p99 * 1000:8.0f} ms  target < {TARGET_P99_S * 1000:.0f} ms "
          f"{verdict(p99 < TARGET_P99_S)}")
    print(f"  mean                    {statistics.fmean(lat) * 1000 if lat else float('nan'):8.0f} ms")
    ceiling = wrk[0] if wrk else base_n / BARE_S
    print(f"bare GET /api/v1/categories: {ceiling:.1f} req/s by {'wrk' if wrk else 'the Python client'} (the Python "
          f"client reaches {base_n / BARE_S:.1f} req/s, p50 {percentile(base_lat, 50) * 1000:.1f} ms, errors "
          f"{base_err}); paid orders ÷ bare GETs = {rate / ceiling:.3f}")
    ok = (errors == 0 and n > 0 and ratio <= TARGET_CPU_RATIO and rate >= TARGET_ORDERS_PER_S and p99 < TARGET_P99_S)
    return {"ok": ok, "cpu_order_ms": cpu_order, "cpu_get_ms": floor, "ratio": ratio, "rate": rate, "p50": p50,
            "p99": p99, "errors": errors}


_SEED = """
from domain.catalog.service import ProductInput, SkuInput, create_product
from domain.db import unit_of_work
from domain.distribution.distributors import apply, approve_application
from domain.distribution.invite_codes import new_invite_code
from domain.models import User
from domain.staff.service import SYSTEM
from backend.seed import seed_base

with unit_of_work() as s:
    seed_base(s)
    for i in range(20):
        create_product(s, actor=SYSTEM, data=ProductInput(title=f'压测商品{i}', skus=[
            SkuInput(specs={'规格': f'款{j}'}, price_fen=1990 + 1000 * j, stock=1_000_000) for j in range(3)]))
    inviter = None
    for name in ('bench_level2', 'bench_level1'):
        inviter = User(openid=f'o_{name}', nickname=name, invite_code=new_invite_code(),
                       inviter_id=inviter.id if inviter else None)
        s.add(inviter)
        s.flush()
        application = apply(s, user=inviter, real_name='压测分销员', phone='13900139000')
        approve_application(s, actor=SYSTEM, application_id=application.id)
    print(inviter.invite_code)
"""


def _seed(env: dict) -> str:
    """The catalogue and two distributors (level 2 invited level 1); returns level 1's invite code."""
    import subprocess

    from bench.common import ROOT

    out = subprocess.run([sys.executable, "-c", _SEED], check=True, env=env, cwd=ROOT, capture_output=True, text=True)
    return out.stdout.split()[-1]


def main() -> bool:
    return asyncio.run(run())["ok"]


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
