"""What each request of a checkout costs the API on its own: one shopper at a time, the worker's CPU read from /proc
around every request.

``python -m bench.phases [checkouts]`` — the checkout benchmark's set-up against ``serve --workers 1``; then
``checkouts`` (default 300) checkouts one after another, and as many bare GETs and ``/healthz`` calls. Prints the
worker's CPU-ms per request of each kind (place, pay, the notification, the read) beside the bare GET's and an empty
request's. With nothing running at once these are each request's own cost, without the batching a loaded worker
gets; ``bench/checkout.py`` gives the figures under load. A diagnostic, not a target.
"""

from __future__ import annotations

import asyncio
import sys
import uuid

import httpx

from bench.checkout import _login, _seed
from bench.common import BareConnection, api_workers, bench_database, cpu_seconds, environment, free_port, process


async def run(checkouts: int) -> str:
    url = bench_database("phases")
    api_port, sandbox_port = free_port(), free_port()
    api, sandbox = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{sandbox_port}/"
    env = environment(url, MALL_PUBLIC_URL=api, MALL_WECHAT_SANDBOX_URL=sandbox)
    invite_code = _seed(env)
    with process(["sandbox", "--port", str(sandbox_port)], sandbox + "healthz", env), \
            process(["serve", "--port", str(api_port), "--workers", "1"], api + "/healthz", env) as server:
        async with httpx.AsyncClient(timeout=30) as client:
            products = (await client.get(f"{api}/api/v1/products", params={"page_size": 100})).json()["items"]
            sku_ids = [s["id"] for p in products
                       for s in (await client.get(f"{api}/api/v1/products/{p['id']}")).json()["skus"]]
            shopper = await _login(client, api, 0, invite_code)
        workers = api_workers(server)
        connection, to_sandbox = BareConnection(api), BareConnection(sandbox)
        spent = dict.fromkeys(("place", "pay", "notification", "read", "bare GET", "/healthz"), 0.0)

        async def timed(kind: str, call):
            before = cpu_seconds(workers)
            result = await call
            spent[kind] += cpu_seconds(workers) - before
            return result

        headers = shopper["headers"]
        for n in range(checkouts + 20):  # the first 20 warm the worker up and are not counted
            if n == 20:
                spent = dict.fromkeys(spent, 0.0)
            body = {"items": [{"sku_id": sku_ids[n % len(sku_ids)], "quantity": 1}],
                    "address_id": shopper["address_id"]}
            order = await timed("place", connection.json("POST", "/api/v1/orders", body=body,
                                                         headers={**headers, "Idempotency-Key": uuid.uuid4().hex}))
            pay = await timed("pay", connection.json("POST", f"/api/v1/orders/{order['id']}/pay", headers=headers))
            await timed("notification", to_sandbox.json("POST", "/pay/confirm", body={"prepay_id": pay["prepay_id"]}))
            paid = await timed("read", connection.json("GET", f"/api/v1/orders/{order['id']}", headers=headers))
            assert paid["status"] == "paid", paid["status"]
            await timed("bare GET", connection.json("GET", "/api/v1/categories"))
            await timed("/healthz", connection.request("GET", "/healthz"))
        connection.close()
        to_sandbox.close()
    per = {kind: seconds * 1000 / checkouts for kind, seconds in spent.items()}
    checkout = per["place"] + per["pay"] + per["notification"] + per["read"]
    lines = [f"phases: {checkouts} checkouts one at a time against one worker; the worker's CPU-ms per request"]
    lines += [f"  {kind:13s} {ms:6.2f} ms" for kind, ms in per.items()]
    lines.append(f"  checkout      {checkout:6.2f} ms = {checkout / per['bare GET']:.1f} × a bare GET")
    return "\n".join(lines)


def main(checkouts: int = 300) -> None:
    print(asyncio.run(run(checkouts)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
