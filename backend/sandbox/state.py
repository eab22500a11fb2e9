"""What the fake WeChat remembers, in memory, and how its routers reach it.

The memory is guarded by one lock that is only ever taken inside plain (non-async) functions, for a few dict
operations: a handler reads its request, calls such a function to check and change the memory and copy out what
it needs, and only then signs, answers or sends a notification. So no lock is held across an ``await``, and a
slow caller or a slow merchant never stalls anyone else (``tests/backend/test_sandbox.py`` checks both).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from backend.sandbox.notify import Notifier
from domain.config import Config

# WeChat's trade_state for each state of an order.
TRADE_STATES = {"unpaid": "NOTPAY", "paid": "SUCCESS", "closed": "CLOSED"}


@dataclass
class PayOrder:
    """A WeChat Pay order (统一下单), from its creation to paid or closed; amounts in fen."""

    out_trade_no: str
    total_fee: int
    notify_url: str
    openid: str
    body: str
    prepay_id: str
    status: str = "unpaid"  # unpaid → paid | closed
    transaction_id: str | None = None
    refunded_fee: int = 0
    api: str = "v2"  # which Pay API opened it, and so speaks its notification


@dataclass
class TransferBill:
    """An APIv3 商家转账 bill: WAIT_USER_CONFIRM until the distributor confirms (``/transfer/confirm``), then
    SUCCESS; or FAIL, or CANCELLED (cancelled by the merchant, or expired unconfirmed)."""

    out_bill_no: str
    openid: str
    amount: int
    notify_url: str
    transfer_bill_no: str
    package_info: str
    create_time: str
    remark: str = ""
    state: str = "WAIT_USER_CONFIRM"
    fail_reason: str = ""
    update_time: str = ""


class SandboxState:
    """Everything the fake WeChat remembers. ``lock`` is re-entrant so that one operation can check, change and
    record under a single critical section; take it only in plain functions, never in a coroutine."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._forget()

    def _forget(self) -> None:
        self.tokens: set[str] = set()
        self.orders: dict[str, PayOrder] = {}  # out_trade_no → order
        self.prepay: dict[str, str] = {}  # prepay_id → out_trade_no
        self.refunds: dict[str, dict] = {}  # out_refund_no → refund
        self.transfers: dict[str, dict] = {}  # partner_trade_no → transfer (v2 企业付款)
        self.bills: dict[str, TransferBill] = {}  # out_bill_no → bill (v3 商家转账)
        self.records: dict[str, list[dict]] = defaultdict(list)
        self.failures: dict[str, str] = {}  # kind → WeChat error code to answer once

    def reset(self) -> None:
        with self.lock:
            self._forget()

    # --- access tokens ------------------------------------------------------------------------

    def issue_token(self, value: str) -> None:
        with self.lock:
            self.tokens.add(value)

    def knows_token(self, value: str) -> bool:
        with self.lock:
            return value in self.tokens

    # --- what was received, and failures asked for --------------------------------------------

    def record(self, kind: str, payload: dict) -> None:
        entry = {"time": datetime.now().isoformat(timespec="seconds"), **payload}
        with self.lock:
            self.records[kind].append(entry)

    def records_of(self, kind: str) -> list[dict]:
        with self.lock:
            return list(self.records.get(kind, []))

    def all_records(self) -> dict[str, list[dict]]:
        with self.lock:
            return {kind: list(items) for kind, items in self.records.items()}

    def fail_next(self, kind: str, code: str) -> None:
        with self.lock:
            self.failures[kind] = code

    def take_failure(self, kind: str) -> str | None:
        with self.lock:
            return self.failures.pop(kind, None)


# --- what a router's handlers receive -------------------------------------------------------------
# Each app has its own state, config and notifier (create_sandbox_app puts them on app.state); these are async
# so that FastAPI resolves them on the event loop instead of sending each to the thread pool.

async def _state(request: Request) -> SandboxState:
    return request.app.state.sandbox


async def _config(request: Request) -> Config:
    return request.app.state.config


async def _notifier(request: Request) -> Notifier:
    return request.app.state.notifier


State = Annotated[SandboxState, Depends(_state)]
Settings = Annotated[Config, Depends(_config)]
Outbox = Annotated[Notifier, Depends(_notifier)]
