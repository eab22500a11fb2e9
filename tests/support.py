"""Shared test machinery: processes (sandbox, API), the test database and small builders."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up: {last!r}")


@contextmanager
def running(args: list[str], health_url: str, env: dict | None = None, log_name: str = "proc",
            module: str = "backend", timeout: float = 120.0):
    """Run ``python -m backend …`` (or another module) as a real process for the block's duration."""
    log_dir = ROOT / "tests" / "_artifacts"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{log_name}.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env={**os.environ, **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(health_url, timeout=timeout, proc=proc)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def statements_sent(bind):
    """The SQL text of every statement sent on ``bind`` (an engine or a connection) inside the block, its
    whitespace collapsed to single spaces. The test session's commits are savepoints, which a request never sends,
    so they are left out."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "SAVEPOINT" not in statement:
            sent.append(" ".join(statement.split()))

    from sqlalchemy import event

    event.listen(bind, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(bind, "before_cursor_execute", count)
