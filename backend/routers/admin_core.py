"""Staff login, business settings and jobs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request

from backend.deps import CurrentActor, SessionDep, bearer_token, client_ip, current_staff, standalone_actor
from backend.schemas.admin import JobRunOut, StaffLoginIn, StaffLoginOut
from backend.schemas.common import PUBLIC_ERRORS, STAFF_ERRORS, errors
from domain.jobs import run_job
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.service import BusinessSettings, change_settings, get_settings
from domain.staff.service import StaffLogin, log_in, log_out

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=PUBLIC_ERRORS)


@router.post("/auth/login", response_model=StaffLoginOut, responses=errors(401, 429))
def staff_login(body: StaffLoginIn, request: Request, session: SessionDep) -> StaffLogin:
    """A wrong username or password answers 401 ``invalid_credentials``, the same for both. Too many attempts
    from one address, or failures on one username from this address, answer 429 ``rate_limited``."""
    return log_in(session, username=body.username, password=body.password, address=client_ip(request))


@router.post("/auth/logout", status_code=204, dependencies=[Depends(current_staff)], responses=STAFF_ERRORS)
def staff_logout(request: Request, session: SessionDep) -> None:
    """End this staff token: it answers 401 from now on."""
    log_out(session, token=bearer_token(request))


@router.get("/settings", response_model=BusinessSettings, responses=STAFF_ERRORS)
def read_settings(actor: CurrentActor, session: SessionDep) -> BusinessSettings:
    actor.require(Permission.SETTINGS)
    return get_settings(session)


@router.put("/settings", response_model=BusinessSettings, responses=STAFF_ERRORS)
def write_settings(actor: CurrentActor, session: SessionDep, changes: Annotated[dict[str, Any], Body()]) -> BusinessSettings:
    """Takes what GET returns, whole or in part. Refuses negative rates (``negative_rate``) and a level-1 +
    level-2 total above ``commission_cap_bp`` (``commission_cap_exceeded``), and a cap below a product's own pair
    (``commission_cap_exceeded``, naming the products). Whole numbers are JSON integers only (``invalid_settings``)."""
    return change_settings(session, actor=actor, changes=changes)


@router.post("/jobs/{name}/run", response_model=JobRunOut, responses=STAFF_ERRORS | errors(404))
def run_job_now(name: str, actor: Annotated[Actor, Depends(standalone_actor)]) -> JobRunOut:
    """Run one periodic job now: ``close-unpaid``, ``auto-receive``, ``settle-commissions``, ``recompute-levels``
    (404 ``unknown_job`` otherwise). Each job has its own permission."""
    return JobRunOut(job=name, processed=run_job(name, actor=actor))
