"""Where a checkout's CPU goes: py-spy samples the API worker while shoppers place, pay, get notified and read.

``python -m bench.profile [seconds]`` — the checkout benchmark's set-up (a fresh PostgreSQL database, its
catalogue and distributors, the sandbox as WeChat) against ``serve --workers 1``, 16 shoppers checking out for
``seconds`` (default 20) while ``py-spy record --gil`` samples the worker (whichever thread holds the GIL: Python's
CPU, not its waits). Prints the CPU share of each request kind (by its endpoint's frame), the heaviest frames
including what they call, and the heaviest frames by their own time. A bench requirement only
(``pip install -r bench/requirements.txt``): the tests never need it. Figures: bench/README.md.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.checkout import _checkout, _load, _login, running_shop, shop_sku_ids
from bench.common import BareConnection, children_of

CONCURRENCY = 16
ENDPOINTS = {"place": "orders.py:_place", "pay": "orders.py:pay.<locals>.<lambda>", "notify": "payments.py:_process",
             "read": "orders.py:_my_order"}
# Frames that are only the way in (the event loop, the thread pool, the ASGI stack): never the cost itself.
PLUMBING = ("threading.py", "concurrent/futures", "asyncio/", "anyio/", "starlette/", "uvicorn/", "fastapi/routing",
            "<module>", "contextlib.py", "runpy.py", "multiprocessing/", "click/")


def _frames(line: str) -> tuple[list[str], int]:
    """py-spy's raw line ``process;thread;func (path/file.py:12);… count`` as ["func (dir/file.py)", …]."""
    stack, _, count = line.rpartition(" ")
    frames = []
    for f in stack.split(";"):
        if " (" in f:
            func, where = f.split(" (", 1)
            path = where.rsplit(":", 1)[0]
            f = f"{func} ({'/'.join(path.split('/')[-2:])})"
        frames.append(f)
    return frames, int(count)


def summarise(raw: Path, top: int = 30) -> str:
    inclusive, own, total = Counter(), Counter(), 0
    kinds = Counter()
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, count = _frames(line)
        total += count
        seen = set()
        for frame in stack:
            if frame not in seen:
                inclusive[frame] += count
                seen.add(frame)
        own[stack[-1]] += count
        for kind, where in ENDPOINTS.items():
            file, func = where.split(":")
            if any(f.startswith(func + " (") and f.endswith(file + ")") for f in stack):
                kinds[kind] += count
    lines = [f"samples {total} (CPU only); by request kind (its endpoint's frame and below):"]
    lines += [f"  {kind:8s} {kinds[kind] * 100 / total:5.1f} %" for kind in ENDPOINTS]
    lines.append(f"  {'other':8s} {(total - sum(kinds.values())) * 100 / total:5.1f} % (framework, routing, "
                 "serialisation outside the endpoints)")
    lines.append(f"\nheaviest frames, with what they call (top {top}, plumbing left out):")
    for frame, count in inclusive.most_common():
        if any(p in frame for p in PLUMBING):
            continue
        lines.append(f"  {count * 100 / total:5.1f} %  {frame}")
        if len(lines) > top + 8:
            break
    lines.append(f"\nheaviest frames by their own time (top {top}):")
    lines += [f"  {count * 100 / total:5.1f} %  {frame}" for frame, count in own.most_common(top)]
    return "\n".join(lines)


async def run(seconds: float) -> str:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    with running_shop("profile", workers=1) as shop:
        api, sandbox, raw = shop.api, shop.sandbox, shop.var_dir / "checkout.folded"
        async with httpx.AsyncClient(timeout=30) as client:
            sku_ids = await shop_sku_ids(client, api)
            shoppers = [await _login(client, api, i, shop.invite_code) for i in range(CONCURRENCY * 2)]

            api_connections = [BareConnection(api) for _ in range(CONCURRENCY)]
            sandbox_connections = [BareConnection(sandbox) for _ in range(CONCURRENCY)]

            async def checkout(n: int) -> float:
                return await _checkout(api_connections[n], sandbox_connections[n], shoppers[n % len(shoppers)],
                                       sku_ids)

            await _load(checkout, 3, CONCURRENCY)
            worker = _worker_pid(shop.server.pid)
            recorder = subprocess.Popen([spy, "record", "--pid", str(worker), "--format", "raw", "--output", str(raw),
                                         "--duration", str(int(seconds)), "--rate", "250", "--nonblocking", "--gil"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            n, _, errors = await _load(checkout, seconds, CONCURRENCY)
            recorder.wait(timeout=seconds + 30)
    return f"profile: {n} checkouts ({errors} errors) in {seconds:.0f} s against one worker\n" + summarise(raw)


def _worker_pid(supervisor: int) -> int:
    """uvicorn's worker process (``--workers 1`` still forks one), or the server itself."""
    return (children_of(supervisor) or [supervisor])[0]


def main(seconds: float = 20) -> None:
    print(asyncio.run(run(seconds)))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 20)
