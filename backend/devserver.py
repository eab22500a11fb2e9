"""``python -m backend dev`` (what ``make run`` calls): first-run set-up, then the sandbox, the API, the dashboard
and the jobs loop side by side until Ctrl-C or SIGTERM, either of which stops every one of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from domain.config import PROJECT_ROOT, get_config


def run_dev(*, api_port: int = 8000, sandbox_port: int = 8100, dashboard_port: int = 8501) -> int:
    config = get_config()
    config.secret_key_bytes()  # make the keys in var/ on first run
    config.data_key_bytes()
    python = sys.executable
    env = {**os.environ}
    env.setdefault("MALL_WECHAT_SANDBOX_URL", f"http://127.0.0.1:{sandbox_port}/")
    env.setdefault("MALL_PUBLIC_URL", f"http://127.0.0.1:{api_port}")

    logs = config.var_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs: list[tuple[str, subprocess.Popen]] = []
    specs = [
        ("api", [python, "-m", "backend", "serve", "--port", str(api_port)], f"http://127.0.0.1:{api_port}/healthz"),
        ("dashboard", [python, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(dashboard_port),
                       "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"],
         f"http://127.0.0.1:{dashboard_port}/_stcore/health"),
        ("jobs", [python, "-m", "backend", "jobs", "loop", "--interval", "60"], None),
    ]

    def start(name: str, cmd: list[str]) -> subprocess.Popen:
        with open(logs / f"{name}.log", "ab") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        procs.append((name, proc))
        return proc

    # A SIGTERM (``kill``, a service manager, a closing terminal session) takes the same way out as Ctrl-C;
    # without it the supervisor would die at once and leave its children running. Ctrl-C goes through the same
    # handler rather than Python's default one, so that the first of either signal also ignores every later one.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)
    try:
        # The sandbox first: the demo data's shipping uploads go to it.
        sandbox = start("sandbox", [python, "-m", "backend", "sandbox", "--port", str(sandbox_port)])
        _wait(f"http://127.0.0.1:{sandbox_port}/healthz", "sandbox", sandbox)
        subprocess.run([python, "-m", "backend", "migrate"], check=True, env=env, cwd=PROJECT_ROOT)
        marker = config.var_dir / ".demo-seeded"
        seed_args = ["seed"] if marker.exists() else ["seed", "--demo", "--history"]
        seed = subprocess.run([python, "-m", "backend", *seed_args], check=True, env=env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True)
        marker.touch()
        for name, cmd, health in specs:
            proc = start(name, cmd)
            if health:
                _wait(health, name, proc)
        _banner(api_port, sandbox_port, dashboard_port, seed.stdout, logs)
        while all(p.poll() is None for _, p in procs):
            time.sleep(1)
        dead = [n for n, p in procs if p.poll() is not None]
        print(f"stopped: {', '.join(dead)} exited; see {logs}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        _stop([proc for _, proc in procs])


def _interrupt(signum: int, _frame) -> None:
    """The way out on the first Ctrl-C or SIGTERM. Later ones are ignored from this moment, not only once ``_stop``
    starts: one landing between this raise and ``_stop`` would otherwise raise a second KeyboardInterrupt out of the
    ``except``/``finally`` and end the supervisor as "killed by SIGINT", exit -2, with its children left running."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt(f"signal {signum}")


def _stop(procs: list[subprocess.Popen], timeout: float = 10) -> None:
    """Terminate every child, give them ``timeout`` seconds together, then kill whichever is left. The supervisor is
    on its way out once this starts, so Ctrl-C and SIGTERM stay ignored from here on: a second one must not cut the
    stop short and orphan the rest, and one arriving while Python finalises (when it has put back their default
    action) would end a clean stop as "killed by SIGINT", exit -2, with nothing in the log."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait(url: str, name: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited during start-up; see var/logs/{name}.log")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{name} did not answer at {url}")


def _banner(api_port: int, sandbox_port: int, dashboard_port: int, seed_output: str, logs: Path) -> None:
    from backend.seed import DEMO_STAFF, OWNER

    print()
    print("二级分销商城 is running")
    print(f"  dashboard (staff)   http://127.0.0.1:{dashboard_port}")
    print(f"  API + docs          http://127.0.0.1:{api_port}/docs")
    print(f"  WeChat sandbox      http://127.0.0.1:{sandbox_port}/records")
    print("  mini-program        open miniprogram/ in WeChat DevTools (API base: miniprogram/config.js)")
    print("demo staff logins (username / password):")
    print(f"  owner     {OWNER[0]} / {OWNER[1]}")
    for username, password, role, _ in DEMO_STAFF:
        print(f"  {role:<9} {username} / {password}")
    print("demo shoppers log in with sandbox codes: sandbox-demo_a (A), sandbox-demo_b (B), sandbox-demo_c (C)")
    if seed_output.strip():
        print("first run:", *seed_output.strip().splitlines(), sep="\n  ")
    print(f"logs in {logs}; Ctrl-C stops everything")
    sys.stdout.flush()
