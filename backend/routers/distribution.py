from __future__ import annotations

from fastapi import APIRouter

from backend.deps import CurrentUser, SessionDep
from backend.schemas.users import BindIn, BindOut
from domain.config import get_config
from domain.distribution.binding import bind_inviter
from domain.security.ratelimit import check_rate

router = APIRouter(prefix="/api/v1/distribution", tags=["shopper: distribution"])


@router.post("/bind", response_model=BindOut)
def bind(body: BindIn, user: CurrentUser, session: SessionDep) -> BindOut:
    """Bind the inviter by invite code. Refusals: ``cannot_bind_self``, ``binding_cycle``, ``already_bound``,
    ``binding_closed``, ``invite_code_not_found``."""
    check_rate("bind", str(user.id), get_config().rate_limit_bind_per_minute)
    inviter = bind_inviter(session, user=user, invite_code=body.invite_code)
    return BindOut(inviter_id=inviter.id)
