"""Checkout under load: many shoppers place and pay orders over HTTP against ``serve --workers 2`` on PostgreSQL.

Each transaction is what a shopper's phone does: POST /orders (with an Idempotency-Key), POST /orders/{id}/pay,
then the sandbox confirms the payment by sending WeChat's signed notification to the API, which verifies it and
marks the order paid (commissions and all). In the same run, a bare GET /api/v1/categories measures the
framework's ceiling on this machine; the ratio says how much of it checkout keeps.

Targets (2 cores shared by PostgreSQL, two API workers, the sandbox and the load generator): ≥ 20 paid orders
per second (72,000 an hour) with 32 shoppers checking out at once, and p99 of place + pay + notify under 4 s.
The ceiling is measured with wrk when it is installed (the Python client tops out before the API does).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid

import httpx

from bench.common import (
    bench_database,
    environment,
    free_port,
    percentile,
    process,
    verdict,
    wrk_rate,
)

SHOPPERS = 200
CONCURRENCY = 32
DURATION_S = 20.0
TARGET_ORDERS_PER_S = 20.0
TARGET_P99_S = 4.0


async def _login(client: httpx.AsyncClient, api: str, i: int) -> dict:
    res = await client.post(f"{api}/api/v1/auth/login", json={"code": f"sandbox-bench{i}"})
    token = res.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    address = (await client.post(f"{api}/api/v1/addresses", headers=headers, json={
        "name": "压测用户", "phone": "13800138000", "province": "上海市", "city": "上海市", "district": "浦东新区",
        "detail": f"世纪大道 {i} 号"})).json()
    return {"headers": headers, "address_id": address["id"]}


async def _checkout(client, api, sandbox, shopper, sku_ids) -> float:
    started = time.perf_counter()
    body = {"items": [{"sku_id": sku_ids[hash(uuid.uuid4()) % len(sku_ids)], "quantity": 1}],
            "address_id": shopper["address_id"]}
    order = await client.post(f"{api}/api/v1/orders", json=body,
                              headers={**shopper["headers"], "Idempotency-Key": uuid.uuid4().hex})
    order.raise_for_status()
    pay = await client.post(f"{api}/api/v1/orders/{order.json()['id']}/pay", headers=shopper["headers"])
    pay.raise_for_status()
    confirm = await client.post(f"{sandbox}pay/confirm", json={"prepay_id": pay.json()["prepay_id"]})
    if confirm.json().get("status_code") != 200:
        raise RuntimeError(f"payment notification refused: {confirm.text}")
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


async def run() -> bool:
    url = bench_database("checkout")
    api_port, sandbox_port = free_port(), free_port()
    api, sandbox = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{sandbox_port}/"
    env = environment(url, MALL_PUBLIC_URL=api, MALL_WECHAT_SANDBOX_URL=sandbox)
    _seed(env)
    with process(["sandbox", "--port", str(sandbox_port)], sandbox + "healthz", env), \
            process(["serve", "--port", str(api_port), "--workers", "2"], api + "/healthz", env):
        limits = httpx.Limits(max_connections=CONCURRENCY * 2, max_keepalive_connections=CONCURRENCY * 2)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            products = (await client.get(f"{api}/api/v1/products", params={"page_size": 100})).json()["items"]
            sku_ids = []
            for p in products:
                sku_ids += [s["id"] for s in (await client.get(f"{api}/api/v1/products/{p['id']}")).json()["skus"]]
            shoppers = [await _login(client, api, i) for i in range(SHOPPERS)]

            async def categories(_n: int) -> float:
                t = time.perf_counter()
                (await client.get(f"{api}/api/v1/categories")).raise_for_status()
                return time.perf_counter() - t

            async def checkout(n: int) -> float:
                return await _checkout(client, api, sandbox, shoppers[(n * 7 + int(time.perf_counter() * 1000)) % SHOPPERS],
                                       sku_ids)

            await _load(checkout, 3, CONCURRENCY)  # warm up
            base_n, base_lat, base_err = await _load(categories, DURATION_S / 2, CONCURRENCY)
            n, lat, errors = await _load(checkout, DURATION_S, CONCURRENCY)
            paid = (await client.get(f"{api}/healthz")).status_code == 200 and n
        wrk = wrk_rate(f"{api}/api/v1/categories", seconds=int(DURATION_S / 2), connections=CONCURRENCY)
    python_ceiling = base_n / (DURATION_S / 2)
    ceiling = wrk or python_ceiling
    rate = n / DURATION_S
    p50, p99 = percentile(lat, 50), percentile(lat, 99)
    print(f"checkout: {n} orders placed and paid in {DURATION_S:.0f} s by {CONCURRENCY} concurrent shoppers "
          f"({SHOPPERS} accounts), errors {errors}")
    for name, count in ERRORS.items():
        print(f"  error ×{count}: {name}")
    print(f"  orders per second      {rate:8.1f}   target ≥ {TARGET_ORDERS_PER_S}  {verdict(rate >= TARGET_ORDERS_PER_S)}")
    print(f"  p50 place+pay+notify   {p50 * 1000:8.0f} ms")
    print(f"  p99 place+pay+notify   {p99 * 1000:8.0f} ms  target < {TARGET_P99_S * 1000:.0f} ms  "
          f"{verdict(p99 < TARGET_P99_S)}")
    print(f"  mean                   {statistics.fmean(lat) * 1000 if lat else float('nan'):8.0f} ms")
    print(f"framework ceiling: GET /api/v1/categories {ceiling:8.1f} req/s by {'wrk' if wrk else 'the Python client'}"
          f" (the Python client alone reaches {python_ceiling:.1f} req/s, p50 {percentile(base_lat, 50) * 1000:.1f} ms,"
          f" errors {base_err})")
    print(f"  ratio orders/s ÷ categories req/s = {rate / ceiling:.3f} "
          f"(one checkout is 3 API requests + a notification, with locks, stock and commissions)")
    return bool(paid) and errors == 0 and rate >= TARGET_ORDERS_PER_S and p99 < TARGET_P99_S


def _seed(env: dict) -> None:
    import subprocess

    from bench.common import ROOT

    code = (
        "from domain.db import unit_of_work\n"
        "from backend.seed import seed_base\n"
        "from domain.catalog.service import ProductInput, SkuInput, create_product\n"
        "from domain.staff.service import SYSTEM\n"
        "with unit_of_work() as s:\n"
        "    seed_base(s)\n"
        "    for i in range(20):\n"
        "        create_product(s, actor=SYSTEM, data=ProductInput(title=f'压测商品{i}', skus=[\n"
        "            SkuInput(specs={'规格': f'款{j}'}, price_fen=1990 + 1000 * j, stock=1_000_000) for j in range(3)]))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)


def main() -> bool:
    return asyncio.run(run())


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
