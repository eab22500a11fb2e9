"""Request-scoped dependencies: the unit of work, the current shopper and the current staff member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from domain.config import get_config
from domain.db import get_sessionmaker, unit_of_work
from domain.errors import Unauthorized
from domain.models import Staff, User
from domain.security.actor import Actor
from domain.security.ratelimit import check_rate, client_address, limit_shopper_action
from domain.staff.service import staff_for_token
from domain.users.errors import UserError
from domain.users.service import shopper_id_for_token, user_for_token
from domain.wechat import WeChatGateway, get_wechat


def get_session(request: Request) -> Iterator[Session]:
    """One request, one transaction: committed before the answer is sent, rolled back on any error.
    GET requests read (on SQLite without taking the write lock)."""
    with unit_of_work(get_sessionmaker(read_only=request.method in ("GET", "HEAD"))) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(UserError.MISSING_TOKEN, "请先登录")
    return token.strip()


def current_user(request: Request, session: SessionDep) -> User:
    return user_for_token(session, bearer_token(request))


def optional_user(request: Request, session: SessionDep) -> User | None:
    if not request.headers.get("authorization"):
        return None
    try:
        return user_for_token(session, bearer_token(request))
    except Unauthorized:
        return None


def current_staff(request: Request, session: SessionDep) -> Staff:
    return staff_for_token(session, bearer_token(request))


def current_actor(staff: Annotated[Staff, Depends(current_staff)]) -> Actor:
    return Actor.of(staff)


def wechat() -> WeChatGateway:
    return get_wechat()


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
WeChatDep = Annotated[WeChatGateway, Depends(wechat)]


def client_ip(request: Request) -> str:
    """The client's address; ``X-Forwarded-For`` counts only from ``MALL_TRUSTED_PROXIES``."""
    return client_address(request.client.host if request.client else None, request.headers.get("x-forwarded-for"))


# Rate limits run as route-level dependencies, before the request's own session starts a transaction: they count
# in a short transaction of their own, so that refused attempts are counted too (and, on SQLite, so that the two
# never wait on each other). Staff logins are counted by the domain's log_in, which knows the username.

def limit_shopper_login(request: Request) -> None:
    check_rate("login.shopper", client_ip(request), get_config().rate_limit_login_per_minute)


def _per_shopper(scope: str, setting: str):
    def limit(request: Request) -> None:
        per_minute = getattr(get_config(), setting)
        if per_minute <= 0:
            return
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        user_id = None
        if token:
            with unit_of_work(get_sessionmaker(read_only=True)) as session:
                user_id = shopper_id_for_token(session, token)
        limit_shopper_action(scope, user_id=user_id, address=client_ip(request), per_minute=per_minute)

    return limit


limit_bind = _per_shopper("bind", "rate_limit_bind_per_minute")
limit_withdraw = _per_shopper("withdraw", "rate_limit_withdraw_per_minute")


def standalone_actor(request: Request) -> Actor:
    """The staff member, read in a transaction of its own that is already closed: for endpoints that run
    their own units of work (jobs), which must not wait on the request's transaction."""
    with unit_of_work() as session:
        return Actor.of(staff_for_token(session, bearer_token(request)))
