"""Order placements wait their turn on their API worker (docs/architecture.md, "Performance"): at most
``order_placements_per_worker`` at once, the others in line without a thread or a connection, and one that waited
``order_queue_seconds`` is answered 429 ``orders_busy`` with nothing written."""

from __future__ import annotations

import asyncio

import pytest

from backend.deps import placement_slot
from domain.config import reset_config
from domain.orders.errors import OrderError
from tests.refusals import refused


@pytest.fixture
def one_slot(monkeypatch):
    monkeypatch.setenv("MALL_ORDER_PLACEMENTS_PER_WORKER", "1")
    monkeypatch.setenv("MALL_ORDER_QUEUE_SECONDS", "0.2")
    reset_config()
    yield
    monkeypatch.undo()
    reset_config()


def test_a_placement_waits_for_the_one_before_it_and_then_runs(one_slot):
    order: list[str] = []

    async def place(name: str, seconds: float) -> None:
        async with placement_slot():
            order.append(f"{name} starts")
            await asyncio.sleep(seconds)
            order.append(f"{name} ends")

    async def rush() -> None:
        await asyncio.gather(place("first", 0.05), place("second", 0))

    asyncio.run(rush())
    assert order == ["first starts", "first ends", "second starts", "second ends"]


def test_a_placement_that_waited_too_long_is_refused_orders_busy_and_the_line_goes_on(one_slot):
    async def rush() -> list[str]:
        done: list[str] = []
        holder_in = asyncio.Event()

        async def holder() -> None:
            async with placement_slot():
                holder_in.set()
                await asyncio.sleep(0.5)
            done.append("holder")

        task = asyncio.create_task(holder())
        await holder_in.wait()
        with refused(OrderError.ORDERS_BUSY, status=429):
            async with placement_slot():
                done.append("never")
        await task
        async with placement_slot():  # the slot the refused one waited for was not lost
            done.append("next")
        return done

    assert asyncio.run(rush()) == ["holder", "next"]


def test_the_api_answers_orders_busy_with_429_and_writes_nothing(client, shopper, db, one_slot):
    from sqlalchemy import func, select

    from backend import deps
    from domain.models import Order

    headers, _ = shopper("busy_buyer")
    real = deps._placement_slots

    class Full:
        """Every slot taken by placements in flight elsewhere."""

        def get(self, loop):
            semaphore = asyncio.Semaphore(1)
            semaphore._value = 0
            return semaphore

    deps._placement_slots = Full()
    try:
        res = client.post("/api/v1/orders", json={"items": [{"sku_id": 1, "quantity": 1}], "address_id": 1},
                          headers={**headers, "Idempotency-Key": "busy-1"})
    finally:
        deps._placement_slots = real
    refused(OrderError.ORDERS_BUSY, res, status=429)
    assert db.scalar(select(func.count()).select_from(Order)) == 0


def test_a_cancelled_request_keeps_its_slot_until_its_unit_of_work_has_ended(one_slot):
    """``in_one_thread`` hands the unit of work to a thread; cancelling the request (the client went away, the
    server stops) is felt only once that unit of work has committed or rolled back, so the placement slot it holds
    is never given to the next buyer while the first one's statements still run."""
    import time
    from contextlib import contextmanager

    from backend.deps import in_one_thread

    events: list[str] = []

    @contextmanager
    def units(read_only: bool = False):
        events.append("begin")
        yield None
        events.append("commit")

    def work(_session) -> str:
        time.sleep(0.2)
        events.append("work done")
        return "placed"

    async def rush() -> None:
        async def first() -> None:
            async with placement_slot():
                await in_one_thread(units, work)
                events.append("never: the request was cancelled")

        task = asyncio.create_task(first())
        await asyncio.sleep(0.05)  # the unit of work is running in its thread
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        events.append("cancel felt")
        async with placement_slot():  # and the slot is free again at once
            events.append("next")

    asyncio.run(rush())
    assert events == ["begin", "work done", "commit", "cancel felt", "next"]


def test_work_waiting_on_wechat_never_holds_up_the_database_work_and_that_runs_on_few_threads():
    """Paying waits on WeChat on threads of its own: with every one of them waiting, an order is still placed or
    read at once. The work that only uses the database runs on ``db_work_threads`` threads at most, however many
    requests ask at once (more threads only take turns at Python's lock)."""
    import threading
    import time
    from contextlib import contextmanager

    from backend.deps import in_one_thread
    from domain.config import get_config

    config = get_config()

    @contextmanager
    def units(read_only: bool = False):
        yield None

    running, most, lock = 0, 0, threading.Lock()

    def database_work(_session) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "placed"

    def waits_on_wechat(_session) -> str:
        time.sleep(1.0)
        return "paid"

    async def scene() -> tuple[float, list[str], list[str]]:
        slow = [asyncio.ensure_future(in_one_thread(units, waits_on_wechat, calls_wechat=True))
                for _ in range(config.wechat_work_threads + 2)]
        await asyncio.sleep(0.1)  # every WeChat thread is waiting now
        started = time.perf_counter()
        placed = await asyncio.gather(*(in_one_thread(units, database_work)
                                        for _ in range(config.db_work_threads * 3)))
        took = time.perf_counter() - started
        return took, placed, await asyncio.gather(*slow)

    took, placed, paid = asyncio.run(scene())
    assert placed == ["placed"] * (config.db_work_threads * 3) and paid == ["paid"] * (config.wechat_work_threads + 2)
    assert took < 0.6  # three rounds of 50 ms, not behind a second of WeChat
    assert most == config.db_work_threads
