"""For tests and demos: what the sandbox received, failures on request, a reset, and a health check."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from backend.sandbox.state import State

router = APIRouter()


@router.get("/records")
def records(state: State, kind: str | None = Query(None)):
    """What was received, by kind (message, shipping, wxacode, unifiedorder, notify, refund, transfer, …)."""
    if kind:
        return {"kind": kind, "items": state.records_of(kind)}
    return state.all_records()


@router.post("/control/fail-next")
async def fail_next(request: Request, state: State):
    """Make the next call of a kind (pay, refund, transfer, shipping) fail with a WeChat error code; or the next
    v2 order query (``query``, code ``FORGED``) answer "paid" under a signature that does not check."""
    body = await request.json()
    state.fail_next(body["kind"], body.get("code", "SYSTEMERROR"))
    return {"ok": True}


@router.post("/control/reset")
def reset(state: State):
    """Forget everything, access tokens included."""
    state.reset()
    return {"ok": True}


@router.get("/healthz")
def healthz():
    return {"ok": True, "service": "wechat-sandbox"}
