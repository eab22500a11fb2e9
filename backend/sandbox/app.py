"""The fake WeChat server: one router per WeChat product, over one in-memory state.

- ``miniprogram``: the mini-program platform (token, login, 小程序码, phone number, messages, shipping upload);
- ``pay_v2``: WeChat Pay APIv2 orders, queries, closes and refunds (signed XML, ``v2``);
- ``transfers_v2``: APIv2 企业付款;
- ``pay_v3``: WeChat Pay APIv3 JSAPI orders, queries, closes and refunds (signed JSON and encrypted
  notifications, ``v3``, with the sandbox's own platform key pair);
- ``transfers_v3``: APIv3 商家转账 bills, held in ``WAIT_USER_CONFIRM``;
- ``payers``: what the shopper and the distributor do in WeChat: pay (``/pay/confirm``), confirm a transfer
  (``/transfer/confirm``), and for tests a transfer that expires or fails;
- ``records``: what was received, failures on request, reset, health.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend.sandbox import miniprogram, pay_v2, pay_v3, payers, records, transfers_v2, transfers_v3
from backend.sandbox.notify import Notifier
from backend.sandbox.state import SandboxState
from domain.config import Config, get_config


def create_sandbox_app(config: Config | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await app.state.notifier.aclose()

    app = FastAPI(title="WeChat sandbox", description="本地模拟微信接口：登录、小程序码、支付、退款、转账、发货信息、订阅消息",
                  lifespan=lifespan)
    app.state.config = config or get_config()
    app.state.sandbox = SandboxState()
    app.state.notifier = Notifier()
    for product in (miniprogram, pay_v2, transfers_v2, pay_v3, transfers_v3, payers, records):
        app.include_router(product.router)
    return app
