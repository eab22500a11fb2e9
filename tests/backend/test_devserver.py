"""``python -m backend dev`` (what ``make run`` runs) stops the sandbox, API, dashboard and jobs processes it
started when it is sent SIGTERM, as it does on Ctrl-C, instead of leaving them running without it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support import ROOT, free_port, wait_http

# What each child's command line contains: the four processes the supervisor keeps running.
CHILDREN = {"sandbox": "backend sandbox", "api": "backend serve", "dashboard": "streamlit run",
            "jobs": "backend jobs loop"}


def test_sigterm_stops_every_process_the_supervisor_started(tmp_path):
    api_port, sandbox_port, dashboard_port = free_port(), free_port(), free_port()
    # A shop of its own: SQLite and keys in a fresh var dir, none of this test run's MALL_* settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALL_")}
    env["MALL_VAR_DIR"] = str(tmp_path / "var")
    log_path = tmp_path / "dev.log"
    with open(log_path, "wb") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "backend", "dev", "--api-port", str(api_port), "--sandbox-port",
             str(sandbox_port), "--dashboard-port", str(dashboard_port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    children: dict[int, str] = {}
    try:
        # First run: migrations and the demo shop, then the API, the dashboard and the jobs loop.
        wait_http(f"http://127.0.0.1:{api_port}/healthz", timeout=300, proc=supervisor)
        children = _wait_for_children(supervisor, len(CHILDREN), log_path)
        assert sorted(_which(cmdline) for cmdline in children.values()) == sorted(CHILDREN)

        supervisor.send_signal(signal.SIGTERM)
        # Ctrl-C pressed again and again while it stops: the stop is neither cut short nor turned into a crash.
        deadline = time.monotonic() + 20
        while supervisor.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(ProcessLookupError):
                supervisor.send_signal(signal.SIGINT)
            time.sleep(0.05)
        supervisor.wait(timeout=1)
        left = _still_running(children, within=5)
        assert left == {}, f"still running after SIGTERM: {left}"
        assert supervisor.returncode == 0, log_path.read_text()[-2000:]  # a clean stop, as on Ctrl-C
    finally:  # if the test failed: nothing it started may outlive it
        for pid, cmdline in children.items():
            _kill(pid, cmdline)
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def test_sigterm_during_the_first_runs_set_up_stops_the_seed_and_the_sandbox(tmp_path):
    """Stopped while the demo shop is being made (the first run's longest step): the seed is stopped with the
    sandbox, nothing else is started, and the supervisor ends cleanly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALL_")}
    env["MALL_VAR_DIR"] = str(tmp_path / "var")
    log_path = tmp_path / "dev.log"
    with open(log_path, "wb") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "backend", "dev", "--api-port", str(free_port()), "--sandbox-port",
             str(free_port()), "--dashboard-port", str(free_port())],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    seen: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 120
        while not any("backend seed" in cmd for cmd in seen.values()):
            assert supervisor.poll() is None and time.monotonic() < deadline, log_path.read_text()[-2000:]
            seen.update(_descendants(supervisor.pid))
            time.sleep(0.05)
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=20)
        seen.update(_descendants(supervisor.pid))
        assert supervisor.returncode == 0, log_path.read_text()[-2000:]
        assert _still_running(seen, within=5) == {}
        assert not any(_which(cmd) in ("api", "dashboard", "jobs") for cmd in seen.values()), seen
        assert not (tmp_path / "var" / ".demo-seeded").exists()  # the next run makes the demo shop again
    finally:
        for pid, cmdline in seen.items():
            _kill(pid, cmdline)
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def _descendants(pid: int) -> dict[int, str]:
    """Every process under ``pid`` (children, their children, …) with its command line, read from /proc."""
    found: dict[int, str] = {}
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:  # the task ended while being read
                continue
            for kid in kids:
                if kid not in found:
                    found[kid] = _cmdline(kid)
                    pending.append(kid)
    return found


def _wait_for_children(supervisor: subprocess.Popen, count: int, log_path: Path,
                       timeout: float = 120) -> dict[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert supervisor.poll() is None, log_path.read_text()[-2000:]
        children = {pid: cmd for pid, cmd in _descendants(supervisor.pid).items() if _which(cmd)}
        if len(children) >= count:
            return children
        time.sleep(0.2)
    raise AssertionError(f"the supervisor did not start its {count} processes: {_descendants(supervisor.pid)}")


def _still_running(pids: dict[int, str], within: float) -> dict[int, str]:
    deadline = time.monotonic() + within
    while True:
        alive = {pid: cmd for pid, cmd in pids.items() if _alive(pid)}
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited; only its parent has yet to reap it


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _which(cmdline: str) -> str | None:
    return next((name for name, marker in CHILDREN.items() if marker in cmdline), None)


def _kill(pid: int, cmdline: str) -> None:
    if _alive(pid) and _cmdline(pid) == cmdline:  # the same process, not a new one that reused the pid
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
