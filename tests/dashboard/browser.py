"""The dashboard as a real ``streamlit run`` process, and screenshots of it with headless Chromium over the
DevTools protocol.

Chromium's ``--screenshot`` flag cannot tell when Streamlit has finished drawing (the page arrives over a
websocket, and ``--virtual-time-budget`` races it), so the helper waits for text to appear and for
Streamlit's "running" indicator to go away before capturing.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from websockets.sync.client import connect

from tests.support import free_port, running

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-sync", "--hide-scrollbars"]

# True once Streamlit has stopped running the script and no skeleton placeholder is left.
_SETTLED = """(() => {
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  const skeleton = document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]');
  return !running && !skeleton && document.body.innerText.includes(%s);
})()"""


class Page:
    """One browser tab, driven over its DevTools websocket."""

    def __init__(self, ws):
        self._ws = ws
        self._next_id = 0

    def send(self, method: str, **params) -> dict:
        self._next_id += 1
        self._ws.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv(timeout=30))
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def wait_for_text(self, text: str, timeout: float = 45.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(_SETTLED % json.dumps(text)):
                return
            time.sleep(0.25)
        body = self.evaluate("document.body.innerText") or ""
        raise AssertionError(f"{text!r} did not appear; the page shows: {body[:500]!r}")

    def click(self, selector: str, text: str) -> None:
        """Click the first ``selector`` element showing ``text``, as a mouse would (React ignores ``el.click()``)."""
        box = self.evaluate(
            f"(() => {{ const el = [...document.querySelectorAll({json.dumps(selector)})]"
            f".find(e => e.innerText.includes({json.dumps(text)})); if (!el) return null;"
            " el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        if box is None:
            raise AssertionError(f"no {selector} showing {text!r}")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def resize(self, *, width: int = 1400, height: int) -> None:
        """A taller window for a long screen: Streamlit scrolls inside the page, so a screenshot only holds what
        the window shows."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)

    def type_into(self, label: str, text: str) -> None:
        """Type ``text`` into the text input labelled ``label`` and press Enter, as Streamlit expects."""
        found = self.evaluate(
            f"(() => {{ const el = document.querySelector('input[aria-label={json.dumps(label)}]');"
            " if (!el) return false; el.focus(); return true; })()"
        )
        if not found:
            raise AssertionError(f"no text input labelled {label!r}")
        self.send("Input.insertText", text=text)
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13)
        self.evaluate("document.activeElement && document.activeElement.blur()")

    def wait_for(self, expression: str, timeout: float = 30.0) -> None:
        """Wait until a JavaScript expression is true (e.g. a chart has drawn)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.25)
        raise AssertionError(f"{expression} never became true")

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


@contextmanager
def chromium(width: int = 1400, height: int = 900):
    """A headless Chromium; yields ``open_page(url) -> Page``."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-"))
    proc = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--window-size={width},{height}", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        with ExitStack() as tabs:
            port = _devtools_port(profile, proc)

            def open_page(url: str) -> Page:
                target = httpx.put(f"http://127.0.0.1:{port}/json/new?{url}", timeout=10).json()
                page = Page(tabs.enter_context(connect(target["webSocketDebuggerUrl"], max_size=None,
                                                       open_timeout=10)))
                page.resize(width=width, height=height)
                return page

            yield open_page
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def _devtools_port(profile: Path, proc: subprocess.Popen, timeout: float = 30.0) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with {proc.returncode}")
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        time.sleep(0.1)
    raise RuntimeError("chromium did not open its DevTools port")


@contextmanager
def dashboard_server():
    """``streamlit run dashboard/app.py`` on a free port, with this test run's MALL_* environment; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["run", "dashboard/app.py", "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
    with running(args, url + "/_stcore/health", log_name="dashboard", module="streamlit", timeout=60):
        yield url
