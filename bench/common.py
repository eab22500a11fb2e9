"""Shared set-up: a private PostgreSQL database, fresh and migrated, and the processes under test."""

from __future__ import annotations

import asyncio
import json
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


def wrk_run(url: str, *, seconds: int, connections: int) -> tuple[float, int] | None:
    """(requests per second, requests) by wrk (a C load generator, so that the client is not the bottleneck);
    None if wrk is not installed (``apt-get install wrk``)."""
    import re
    import shutil

    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True,
                         check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    return (float(rate.group(1)), int(count.group(1))) if rate and count else None


# --- CPU time, read from /proc: on a shared 2-core machine the stable figure, where a rate moves with the load ---

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (``state`` is [0]), or None if it has ended."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    return [int(entry.name) for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == pid]


def cpu_times(pids: list[int]) -> tuple[float, float]:
    """(user, system) CPU time of these processes (all their threads), in seconds."""
    user = system = 0
    for fields in filter(None, map(_stat, pids)):
        user, system = user + int(fields[11]), system + int(fields[12])  # utime, stime
    return user / _TICK, system / _TICK


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (all their threads), in seconds."""
    return sum(cpu_times(pids))


def thread_cpu_seconds(pids: list[int]) -> float:
    """CPU time of these processes' live threads, in seconds, to the nanosecond (each thread's ``schedstat``):
    for timing one request at a time, where ``/proc/<pid>/stat``'s clock ticks (10 ms) are coarser than the
    request. Threads that have ended are not counted, so only for processes whose threads stay."""
    total = 0
    for pid in pids:
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
    return total / 1e9


def api_workers(proc: subprocess.Popen) -> list[int]:
    """The API's processes: uvicorn's supervisor and its worker processes."""
    return [proc.pid, *children_of(proc.pid)]


def postgres_processes() -> list[int]:
    """Every PostgreSQL server process on this machine (the backends serving the API, and the writers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


# The key under which ``postgres_cpu`` gives what the PostgreSQL processes that have ended had spent.
REAPED = "reaped"


def postgres_cpu() -> dict[int | str, float]:
    """Each PostgreSQL server process's CPU seconds so far, and under ``REAPED`` what the ones that have ended had
    spent (the postmaster's reaped children: their CPU is added to its ``cutime`` and ``cstime`` when they end)."""
    cpu: dict[int | str, float] = {}
    reaped = 0
    for pid in postgres_processes():
        if fields := _stat(pid):
            cpu[pid] = (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
            reaped += int(fields[13]) + int(fields[14])  # cutime, cstime
    cpu[REAPED] = reaped / _TICK
    return cpu


def postgres_cpu_since(before: dict[int | str, float]) -> float:
    """PostgreSQL's CPU seconds since ``before``: the live processes' growth (one that started meanwhile counts
    whole), and what the processes that ended meanwhile spent after ``before``. Backends come and go with the pools'
    overflow connections, and leaving the ended ones out counted a pool that churns as a cheaper database."""
    now = postgres_cpu()
    live = sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in now.items() if pid != REAPED)
    ended_before = sum(cpu for pid, cpu in before.items() if pid != REAPED and pid not in now)
    return live + max(0.0, now[REAPED] - before.get(REAPED, 0.0) - ended_before)


class CpuMeter:
    """CPU time spent by the API's processes (and PostgreSQL's) between ``start()`` and ``stop()``."""

    def __init__(self, api: subprocess.Popen) -> None:
        self.api = api
        self.api_s = self.api_system_s = self.postgres_s = 0.0

    def start(self) -> CpuMeter:
        self._api_pids = api_workers(self.api)
        self._api0 = cpu_times(self._api_pids)
        self._pg0 = postgres_cpu()
        return self

    def stop(self) -> CpuMeter:
        user, system = cpu_times(self._api_pids)
        self.api_s = user + system - sum(self._api0)
        self.api_system_s = system - self._api0[1]  # of api_s: the kernel's share (threads, sockets)
        self.postgres_s = postgres_cpu_since(self._pg0)
        return self


def load_average() -> float:
    return os.getloadavg()[0]


class BareConnection:
    """One keep-alive HTTP/1.1 connection on asyncio streams, one request at a time: the load generator. Not httpx:
    on these two cores httpx spent about 4 ms of CPU per request — more than some of the answers it timed cost the
    API — and the load generator shares the cores with what it measures."""

    def __init__(self, base: str) -> None:
        self.host, port = base.removeprefix("http://").rstrip("/").split(":")
        self.port = int(port)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                      body: object = None) -> tuple[int, bytes]:
        """(status, body). A failure to connect, send or read closes the connection (the next request opens
        another) and raises; except that a kept-alive connection the server had closed while it idled (no byte of
        an answer came back) is opened again and the request sent once more, as browsers do."""
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        head += f"Content-Length: {len(data)}\r\n\r\n"
        message = head.encode() + data
        reused = self._writer is not None
        try:
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            self._writer.write(message)
            return await read_response(self._reader)
        except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
            self.close()
            if not reused or getattr(exc, "partial", b""):
                raise
        except BaseException:
            self.close()
            raise
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        try:
            self._writer.write(message)
            return await read_response(self._reader)
        except BaseException:
            self.close()
            raise

    async def json(self, method: str, path: str, **kwargs) -> dict:
        """The answer's JSON; a status of 400 or more raises."""
        status, data = await self.request(method, path, **kwargs)
        if status >= 400:
            raise RuntimeError(f"{method} {path}: {status} {data[:200]!r}")
        return json.loads(data)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 answer with a Content-Length (every answer of the API and the sandbox has one)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    return int(lines[0].split(" ", 2)[1]), await reader.readexactly(length)
