"""What each request of a checkout costs the API on its own: one shopper at a time, the worker's CPU read from /proc
around every request.

``python -m bench.phases [checkouts]`` — the checkout benchmark's set-up against ``serve --workers 1``; then
``checkouts`` (default 300) checkouts one after another, and as many bare GETs and ``/healthz`` calls. Prints the
worker's CPU-ms (each thread's, to the nanosecond) per request of each kind (place, pay, the notification, the
read) beside the bare GET's and an empty request's. With nothing running at once these are each request's own cost, without the batching a loaded worker
gets; ``bench/checkout.py`` gives the figures under load. A diagnostic, not a target.
"""

from __future__ import annotations

import asyncio
import sys

import httpx

from bench.checkout import _checkout, _login, running_shop, shop_sku_ids
from bench.common import BareConnection, api_workers, thread_cpu_seconds


async def run(checkouts: int) -> str:
    with running_shop("phases", workers=1) as shop:
        async with httpx.AsyncClient(timeout=30) as client:
            sku_ids = await shop_sku_ids(client, shop.api)
            shopper = await _login(client, shop.api, 0, shop.invite_code)
        workers = api_workers(shop.server)
        connection, to_sandbox = BareConnection(shop.api), BareConnection(shop.sandbox)
        spent = dict.fromkeys(("place", "pay", "notification", "read", "bare GET", "/healthz"), 0.0)

        async def timed(kind: str, call):
            before = thread_cpu_seconds(workers)
            result = await call
            spent[kind] += thread_cpu_seconds(workers) - before
            return result

        for n in range(checkouts + 20):  # the first 20 warm the worker up and are not counted
            if n == 20:
                spent = dict.fromkeys(spent, 0.0)
            await _checkout(connection, to_sandbox, shopper, sku_ids, step=timed)
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
