"""The fake WeChat server: one router per WeChat product, over one in-memory state.

- ``miniprogram``: the mini-program platform (token, login, 小程序码, phone number, messages, shipping upload);
- ``pay_v2``: WeChat Pay APIv2 orders, queries, closes, refunds, and ``/pay/confirm`` (the shopper pays);
- ``transfers_v2``: APIv2 企业付款;
- ``records``: what was received, failures on request, reset, health.

WeChat Pay APIv3 would come as its own routers beside the v2 ones (JSON with RSA-SHA256 signatures and
AES-256-GCM resources in a ``v3`` module, as ``v2`` holds the signed XML), its transfer bills kept in the state
until ``POST /transfer/confirm``, and its notifications sent through the same ``Notifier``.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend.sandbox import miniprogram, pay_v2, records, transfers_v2
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
    for product in (miniprogram, pay_v2, transfers_v2, records):
        app.include_router(product.router)
    return app
