"""Shared set-up: a private PostgreSQL database, fresh and migrated, and the processes under test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


def bench_database(name: str) -> str:
    """A fresh, migrated PostgreSQL database for one benchmark (MALL_BENCH_DATABASE_URL's server)."""
    base = make_url(os.environ.get("MALL_BENCH_DATABASE_URL", DEFAULT_URL))
    url = base.set(database=f"{base.database}_{name}")
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    rendered = url.render_as_string(hide_password=False)
    env = environment(rendered)
    subprocess.run([sys.executable, "-m", "backend", "migrate"], check=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return rendered


def environment(database_url: str, **extra: str) -> dict:
    var = Path(tempfile.mkdtemp(prefix="mall-bench-"))
    return {**os.environ, "MALL_DATABASE_URL": database_url, "MALL_VAR_DIR": str(var),
            "MALL_RATE_LIMIT_LOGIN_PER_MINUTE": "0", "MALL_RATE_LIMIT_BIND_PER_MINUTE": "0",
            "MALL_RATE_LIMIT_WITHDRAW_PER_MINUTE": "0", **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def process(args: list[str], health: str, env: dict):
    # The log is kept, to read when something fails.
    with open(Path(env["MALL_VAR_DIR"]) / f"{args[0]}.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "backend", *args], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(health, timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{args[0]} did not start")
                time.sleep(0.2)
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def wrk_rate(url: str, *, seconds: int, connections: int) -> float | None:
    """Requests per second by wrk (a C load generator, so that the client is not the bottleneck); None if
    wrk is not installed (``apt-get install wrk``)."""
    import re
    import shutil

    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True,
                         check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(match.group(1)) if match else None
