"""Staff login, business settings and jobs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from backend.deps import CurrentActor, SessionDep, limit_login, standalone_actor
from backend.schemas.admin import JobRunOut, StaffLoginIn, StaffLoginOut
from domain.jobs import run_job
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.service import BusinessSettings, change_settings, get_settings
from domain.staff.service import authenticate, issue_staff_token

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


@router.post("/auth/login", response_model=StaffLoginOut, dependencies=[Depends(limit_login)])
def staff_login(body: StaffLoginIn, session: SessionDep) -> StaffLoginOut:
    staff = authenticate(session, username=body.username, password=body.password)
    token = issue_staff_token(session, staff=staff)
    return StaffLoginOut(token=token, role=staff.role, username=staff.username, display_name=staff.display_name)


@router.get("/settings", response_model=BusinessSettings)
def read_settings(actor: CurrentActor, session: SessionDep) -> BusinessSettings:
    actor.require(Permission.SETTINGS)
    return get_settings(session)


@router.put("/settings", response_model=BusinessSettings)
def write_settings(actor: CurrentActor, session: SessionDep, changes: Annotated[dict[str, Any], Body()]) -> BusinessSettings:
    """Takes what GET returns, whole or in part. Refuses negative rates (``negative_rate``) and a level-1 +
    level-2 total above ``commission_cap_bp`` (``commission_cap_exceeded``)."""
    return change_settings(session, actor=actor, changes=changes)


@router.post("/jobs/{name}/run", response_model=JobRunOut)
def run_job_now(name: str, actor: Annotated[Actor, Depends(standalone_actor)]) -> JobRunOut:
    """Run one periodic job now: ``close-unpaid``, ``auto-receive``, ``settle-commissions``, ``recompute-levels``."""
    processed = run_job(name, actor=actor)
    return JobRunOut(job=name, processed=processed)
