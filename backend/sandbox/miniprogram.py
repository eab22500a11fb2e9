"""The mini-program platform (JSON): access token, login, 小程序码, phone number, subscribe messages and
shipping-info upload (发货信息管理)."""

from __future__ import annotations

import io
import secrets

import qrcode
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from backend.sandbox.state import SandboxState, Settings, State

LOGIN_PREFIX = "sandbox-"
PHONE_PREFIX = "sandbox-phone-"
SHIPPING_FAILED = {"errcode": 10060001, "errmsg": "shipping info upload failed"}

router = APIRouter()


@router.get("/cgi-bin/token")
def token(state: State, config: Settings, appid: str = "", secret: str = ""):
    if appid != config.wechat_appid or secret != config.wechat_secret:
        return {"errcode": 40013, "errmsg": "invalid appid or secret"}
    value = "sandbox_token_" + secrets.token_hex(8)
    state.issue_token(value)
    return {"access_token": value, "expires_in": 7200}


@router.get("/sns/jscode2session")
def jscode2session(config: Settings, js_code: str = "", appid: str = "", secret: str = ""):
    """Code ``sandbox-<name>`` logs in as openid ``o_sandbox_<name>``."""
    if appid != config.wechat_appid or secret != config.wechat_secret:
        return {"errcode": 40013, "errmsg": "invalid appid"}
    if not js_code.startswith(LOGIN_PREFIX) or len(js_code) <= len(LOGIN_PREFIX):
        return {"errcode": 40029, "errmsg": "invalid code"}
    name = js_code[len(LOGIN_PREFIX):]
    return {"openid": f"o_sandbox_{name}", "session_key": secrets.token_urlsafe(16)}


@router.post("/wxa/getwxacodeunlimit")
async def wxacode(request: Request, state: State, access_token: str = ""):
    if refusal := _refuse_token(state, access_token):
        return refusal
    body = await request.json()
    scene = str(body.get("scene", ""))
    if not scene or len(scene) > 32:
        return {"errcode": 40169, "errmsg": "invalid length for scene"}
    # Drawing the PNG takes a few milliseconds of CPU: do it off the event loop.
    png = await run_in_threadpool(_draw_code, f"sandbox-wxacode:{body.get('page') or 'pages/index/index'}?scene={scene}")
    state.record("wxacode", {"scene": scene, "page": body.get("page")})
    return Response(png, media_type="image/png")


@router.post("/wxa/business/getuserphonenumber")
async def phone_number(request: Request, state: State, access_token: str = ""):
    """Code ``sandbox-phone-<number>`` answers that number."""
    if refusal := _refuse_token(state, access_token):
        return refusal
    code = str((await request.json()).get("code", ""))
    if not code.startswith(PHONE_PREFIX):
        return {"errcode": 40029, "errmsg": "invalid code"}
    phone = code[len(PHONE_PREFIX):]
    return {"errcode": 0, "errmsg": "ok",
            "phone_info": {"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86"}}


@router.post("/cgi-bin/message/subscribe/send")
async def subscribe_send(request: Request, state: State, access_token: str = ""):
    if refusal := _refuse_token(state, access_token):
        return refusal
    state.record("message", await request.json())
    return {"errcode": 0, "errmsg": "ok"}


@router.post("/wxa/sec/order/upload_shipping_info")
async def upload_shipping(request: Request, state: State, access_token: str = ""):
    if refusal := _refuse_token(state, access_token):
        return refusal
    body = await request.json()
    if state.take_failure("shipping"):
        return SHIPPING_FAILED
    state.record("shipping", body)
    return {"errcode": 0, "errmsg": "ok"}


def _refuse_token(state: SandboxState, access_token: str) -> JSONResponse | None:
    if state.knows_token(access_token):
        return None
    return JSONResponse({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})


def _draw_code(text: str) -> bytes:
    buf = io.BytesIO()
    qrcode.make(text, box_size=10, border=2).save(buf, format="PNG")
    return buf.getvalue()
