"""Request-scoped dependencies: the unit of work, the current shopper and the current staff member."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, suppress
from functools import lru_cache
from queue import SimpleQueue
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from domain.config import get_config
from domain.db import get_sessionmaker, unit_of_work
from domain.errors import RateLimited, Unauthorized
from domain.models import Staff, User
from domain.orders.errors import OrderError
from domain.security.actor import Actor
from domain.security.ratelimit import check_rate, client_address, limit_shopper_action
from domain.staff.service import staff_for_token
from domain.users.errors import UserError
from domain.users.service import shopper_id_for_token, user_for_token
from domain.wechat import WeChatGateway, get_wechat

T = TypeVar("T")


def get_session(request: Request) -> Iterator[Session]:
    """One request, one transaction: committed before the answer is sent, rolled back on any error.
    GET requests read (on SQLite without taking the write lock)."""
    with unit_of_work(get_sessionmaker(read_only=request.method in ("GET", "HEAD"))) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _units(*, read_only: bool = False) -> AbstractContextManager[Session]:
    return unit_of_work(get_sessionmaker(read_only=read_only))


async def unit_of_work_factory() -> Callable[..., AbstractContextManager[Session]]:
    """For an endpoint that runs its whole request in one thread, unit of work and all (placing, paying and reading
    an order, WeChat's notifications): how it opens that unit of work (``read_only=True`` for a read). On the event
    loop, no thread hop; the tests put their rolled-back session here."""
    return _units


UnitOfWorkDep = Annotated[Callable[..., AbstractContextManager[Session]], Depends(unit_of_work_factory)]


class _UnitOfWorkThreads:
    """A fixed set of threads taking units of work from one queue, each answer handed back to the event loop that
    asked: all ``in_one_thread`` needs. ``ThreadPoolExecutor`` did more at every hand-off — a concurrent future with
    its own condition, the chaining to an asyncio future, and a semaphore tried with a zero time-out, which waits on
    a fresh lock whenever every thread is busy — and under load its ``submit`` alone was about 4 % of a worker's
    CPU (docs/architecture.md, "Performance")."""

    def __init__(self, size: int):
        self._work: SimpleQueue = SimpleQueue()
        for n in range(size):
            threading.Thread(target=self._serve, name=f"unit-of-work-{n}", daemon=True).start()

    def run(self, work: Callable[[], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._work.put((loop, done, work))
        return done

    def _serve(self) -> None:
        while True:
            loop, done, work = self._work.get()
            try:
                result, error = work(), None
            except BaseException as exc:  # handed to the request that waits for it, as an executor does
                result, error = None, exc
            with suppress(RuntimeError):  # the loop closed meanwhile (the worker is stopping): nobody waits any more
                loop.call_soon_threadsafe(_settle, done, result, error)
            loop = done = work = result = error = None  # nothing of this request is kept until the next one


def _settle(done: asyncio.Future, result, error: BaseException | None) -> None:
    if done.cancelled():
        return
    if error is None:
        done.set_result(result)
    else:
        done.set_exception(error)


@lru_cache(maxsize=2)
def _unit_of_work_threads(calls_wechat: bool) -> _UnitOfWorkThreads:
    """The threads ``in_one_thread`` runs on: a few for the units of work that only use the database, and a set of
    their own for those that wait on WeChat (``MALL_DB_WORK_THREADS``, ``MALL_WECHAT_WORK_THREADS``). A burst waits
    here for a thread, not in a thread for a connection."""
    config = get_config()
    return _UnitOfWorkThreads(max(1, config.wechat_work_threads if calls_wechat else config.db_work_threads))


async def in_one_thread(units: Callable[..., AbstractContextManager[Session]], work: Callable[[Session], T], *,
                        read_only: bool = False, calls_wechat: bool = False) -> T:
    """``work(session)`` in one unit of work, run whole in one pool thread: the request hops threads once instead of
    once per sync dependency and again for the endpoint (docs/architecture.md, "Performance"). ``calls_wechat``:
    the work waits on a call to WeChat, and runs on the threads kept for such work."""
    def run() -> T:
        with units(read_only=read_only) as session:
            return work(session)

    done = _unit_of_work_threads(calls_wechat).run(run)
    try:
        return await asyncio.shield(done)
    except asyncio.CancelledError:
        # As anyio's pool does: a cancelled request still waits for its unit of work to commit or roll back, so
        # that nothing it holds (a placement slot) is let go while the thread still works.
        await asyncio.wait([done])
        raise


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(UserError.MISSING_TOKEN, "请先登录")
    return token.strip()


async def request_token(request: Request) -> str:
    """The bearer token, read on the event loop (no thread hop); 401 when there is none. Its user is looked up by
    whoever takes it, in that endpoint's own unit of work."""
    return bearer_token(request)


BearerToken = Annotated[str, Depends(request_token)]


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


async def wechat() -> WeChatGateway:
    """On the event loop: the gateway is built once per configuration, and looking it up does no I/O."""
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


# Order placements in flight per worker process (one event loop each), with the waiting ones in line on the loop:
# a waiting placement holds neither a pool thread nor a database connection, so in a flash sale the buyers queue
# here instead of on the activity's row, where each would hold both until the pool's time-out answered 500
# (docs/architecture.md, "Performance").
_placement_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = \
    weakref.WeakKeyDictionary()


@asynccontextmanager
async def placement_slot() -> AsyncIterator[None]:
    """One of this worker's ``order_placements_per_worker`` slots; 429 ``orders_busy`` after waiting
    ``order_queue_seconds`` for one (nothing was written, so the same order and key may be sent again)."""
    config = get_config()
    loop = asyncio.get_running_loop()
    slots = _placement_slots.get(loop)
    if slots is None:
        slots = _placement_slots[loop] = asyncio.Semaphore(max(1, config.order_placements_per_worker))
    if slots.locked():  # every slot taken, or others waiting before this one: wait in line, for so long
        try:
            await asyncio.wait_for(slots.acquire(), timeout=config.order_queue_seconds)
        except TimeoutError:
            raise RateLimited(OrderError.ORDERS_BUSY, "下单的人太多了，请稍后再试") from None
    else:  # a slot is free: taken at once, without wait_for's task and its extra turn of the event loop
        await slots.acquire()
    try:
        yield
    finally:
        slots.release()
