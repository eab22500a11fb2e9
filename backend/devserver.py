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
    # without it the supervisor would die at once and leave its children running. Neither raises anything: the
    # handler only notes the request, and the supervisor looks at the note between its own steps. An exception
    # raised wherever the signal lands (KeyboardInterrupt, Python's default) could land inside an import or a
    # library's clean-up and end the supervisor as "killed by SIGINT", exit -2, with its children left running.
    stop = _StopRequest()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop.note)
    try:
        # The sandbox first: the demo data's shipping uploads go to it.
        sandbox = start("sandbox", [python, "-m", "backend", "sandbox", "--port", str(sandbox_port)])
        if not _wait(f"http://127.0.0.1:{sandbox_port}/healthz", "sandbox", sandbox, stop):
            return 0
        migrated = _run([python, "-m", "backend", "migrate"], env, stop)
        if migrated is None:
            return 0
        print(migrated, end="", flush=True)
        marker = config.var_dir / ".demo-seeded"
        seed_args = ["seed"] if marker.exists() else ["seed", "--demo", "--history"]
        seed_output = _run([python, "-m", "backend", *seed_args], env, stop)
        if seed_output is None:
            return 0
        marker.touch()
        for name, cmd, health in specs:
            proc = start(name, cmd)
            if health and not _wait(health, name, proc, stop):
                return 0
        _banner(api_port, sandbox_port, dashboard_port, seed_output, logs)
        while not stop.requested and all(p.poll() is None for _, p in procs):
            time.sleep(0.2)
        if stop.requested:
            return 0
        dead = [n for n, p in procs if p.poll() is not None]
        print(f"stopped: {', '.join(dead)} exited; see {logs}", file=sys.stderr)
        return 1
    finally:
        _stop([proc for _, proc in procs])


class _StopRequest:
    """Set by the first Ctrl-C or SIGTERM (later ones change nothing); read by the supervisor between its steps."""

    def __init__(self) -> None:
        self.requested = False

    def note(self, _signum: int, _frame) -> None:
        self.requested = True


def _run(cmd: list[str], env: dict[str, str], stop: _StopRequest) -> str | None:
    """Run a set-up step to its end and return what it printed, or stop it and return None on Ctrl-C or SIGTERM.
    A step that fails ends the start-up with what it printed."""
    proc = subprocess.Popen(cmd, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        while True:
            try:
                output, _ = proc.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if stop.requested:
                    return None
    finally:
        _terminate([proc])
    if proc.returncode != 0:
        raise SystemExit(f"{output}{' '.join(cmd[1:])} failed with exit code {proc.returncode}")
    return output


def _stop(procs: list[subprocess.Popen], timeout: float = 10) -> None:
    """The supervisor's way out: Ctrl-C and SIGTERM are ignored from here on, then every child is terminated.
    Ignored, not merely noted: Python puts back the default action of a signal with a handler of its own while it
    finalises, and one arriving then would end a clean stop as "killed by SIGINT", exit -2, with nothing in the log."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    _terminate(procs, timeout)


def _terminate(procs: list[subprocess.Popen], timeout: float = 10) -> None:
    """Terminate every process, give them ``timeout`` seconds together, then kill whichever is left."""
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


def _wait(url: str, name: str, proc: subprocess.Popen, stop: _StopRequest, timeout: float = 60) -> bool:
    """Wait until ``url`` answers 200: True, or False once Ctrl-C or SIGTERM asks the supervisor to stop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stop.requested:
            return False
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited during start-up; see var/logs/{name}.log")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
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
