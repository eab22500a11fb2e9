"""What a checkout's four steps cost the domain and the database alone: no HTTP, no framework, no thread hop.

``python -m bench.domain_steps [checkouts]`` — the checkout benchmark's set-up (a fresh PostgreSQL database, its
catalogue and distributors, the sandbox as WeChat, the API for logging in); then, in this process and one thread,
``checkouts`` (default 300) checkouts one after another by calling the domain functions the API's endpoints call,
each step in its own unit of work: placing by token, paying by token (the sandbox's unified order over HTTP),
WeChat's notification (verified and recorded) and the read by token. Prints this process's CPU-ms per step.

Set beside ``bench/phases.py`` (the same steps through the API, one at a time), the difference is what the HTTP
server, FastAPI and the hop to a pool thread add to each request. A diagnostic, not a target.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from functools import partial

import httpx

from bench.checkout import _login, running_shop, shop_sku_ids

STEPS = ("place", "pay", "notification", "read")


def run(checkouts: int) -> str:
    with running_shop("domain_steps", workers=1) as shop:
        async def shopper_and_skus() -> tuple[list[int], dict]:
            async with httpx.AsyncClient(timeout=30) as client:
                return await shop_sku_ids(client, shop.api), await _login(client, shop.api, 0, shop.invite_code)

        sku_ids, shopper = asyncio.run(shopper_and_skus())
        # This process now works on the API's database and keys, with the sandbox as WeChat.
        os.environ.update(MALL_DATABASE_URL=shop.database_url, MALL_VAR_DIR=str(shop.var_dir),
                          MALL_WECHAT_SANDBOX_URL=shop.sandbox, MALL_PUBLIC_URL=shop.api)
        from domain.config import reset_config
        from domain.db import get_sessionmaker, reset_engines, unit_of_work
        from domain.orders.checkout import OrderItem, place_order_for_token
        from domain.orders.order_rows import shopper_order_for_token
        from domain.payments.service import handle_payment_notification, start_payment_for_token
        from domain.wechat import get_wechat

        reset_config()
        reset_engines()
        token = shopper["headers"]["Authorization"].split(" ", 1)[1]
        wechat, writes, reads = get_wechat(), get_sessionmaker(), get_sessionmaker(read_only=True)
        spent = dict.fromkeys(STEPS, 0.0)

        def step(kind: str, units, work):
            started = time.process_time()
            with unit_of_work(units) as session:
                result = work(session)
            spent[kind] += time.process_time() - started
            return result

        with httpx.Client(timeout=30) as sandbox:  # one kept client: its set-up is not counted in any step
            for n in range(checkouts + 20):  # the first 20 warm up and are not counted
                if n == 20:
                    spent = dict.fromkeys(STEPS, 0.0)
                order = step("place", writes, partial(
                    place_order_for_token, token=token, address_id=shopper["address_id"],
                    items=[OrderItem(sku_id=sku_ids[n % len(sku_ids)], quantity=1)], idempotency_key=uuid.uuid4().hex))
                started = step("pay", writes, partial(start_payment_for_token, token=token, order_id=order.id,
                                                      wechat=wechat))
                body, headers = _notification(sandbox, shop.sandbox, started.prepay_id)
                step("notification", writes, partial(handle_payment_notification, wechat=wechat, body=body,
                                                     headers=headers))
                paid = step("read", reads, partial(shopper_order_for_token, token=token, order_id=order.id))
                if paid.status != "paid":
                    raise RuntimeError(f"order {order.id} is {paid.status} after its notification")
    per = {kind: seconds * 1000 / checkouts for kind, seconds in spent.items()}
    lines = [f"domain steps: {checkouts} checkouts one at a time in one process; its CPU-ms per step"]
    lines += [f"  {kind:13s} {ms:6.2f} ms" for kind, ms in per.items()]
    lines.append(f"  checkout      {sum(per.values()):6.2f} ms")
    return "\n".join(lines)


def _notification(client: httpx.Client, sandbox: str, prepay_id: str) -> tuple[bytes, dict[str, str]]:
    """WeChat's signed payment notification for this prepay_id, asked of the sandbox without delivering it."""
    answer = client.post(sandbox + "pay/confirm", json={"prepay_id": prepay_id, "deliver": False}).json()
    if answer["api"] == "v2":
        return answer["xml"].encode(), {"Content-Type": "text/xml"}
    return answer["body"].encode(), answer["headers"]


def main(checkouts: int = 300) -> None:
    print(run(checkouts))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
