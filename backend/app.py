"""``create_app()``: the FastAPI application, with every router and the one error handler."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from backend.errors import install_error_handlers
from backend.routers import (
    admin_analytics,
    admin_core,
    admin_distribution,
    admin_marketing,
    admin_members,
    admin_orders,
    admin_products,
    cart,
    catalog,
    content,
    distribution,
    marketing,
    media,
    members,
    orders,
    payments,
    users,
)
from backend.text_guard import TextGuard

DESCRIPTION = """
二级分销商城的 HTTP 接口。金额一律为整数「分」（字段名以 `_fen` 结尾），比例为基点（`_bp`，1% = 100）。

* 顾客接口：`Authorization: Bearer <token>`，token 来自 `POST /api/v1/auth/login`。
* 管理接口：`/api/v1/admin/*`，token 来自 `POST /api/v1/admin/auth/login`，按角色授权。
* 错误：`{"error": {"code": "snake_case", "message": "…"}}`；401 未登录，403 无权限，404 不存在或不属于你，
  409 业务规则拒绝，422 请求格式不正确。
"""


def create_app() -> FastAPI:
    logging.basicConfig(level=logging.INFO)
    app = FastAPI(title="二级分销商城 API", version="1.0", description=DESCRIPTION)
    install_error_handlers(app)
    app.add_middleware(TextGuard)

    # Routes are tried in order, a few µs each (docs/architecture.md, "Performance"): the load balancer's probe
    # first, then the routers the mini-program calls, then the staff's.
    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        return {"ok": True}

    for module in (users, catalog, cart, orders, payments, distribution, content, marketing, members,
                   admin_core, admin_products, admin_orders, admin_distribution, admin_marketing, admin_members,
                   admin_analytics):
        app.include_router(module.router)

    # /media reads the media store, whichever backend it is (domain/media/store.py).
    app.include_router(media.router)
    app.include_router(media.admin_router)
    return app
