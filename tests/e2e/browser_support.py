"""Real-browser support: the app started as a user would, and headless Chromium driving it.

The server runs ``streamlit run ui/app.py`` on a free port in its own process group, with the case
library in a temporary folder; the fixture polls ``/_stcore/health`` and kills the whole group at
teardown. Chromium is Debian's (``/usr/bin/chromium``), launched with the flags this machine needs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from st_helpers import wait_idle

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running app: its address, its process and the case-library file it uses."""

    url: str
    proc: subprocess.Popen[bytes]
    db: Path
    started_in: float


def start_server(tmp: Path, timeout: float = 60.0) -> Server:
    """Start the app on a free port in its own process group; wait until it is healthy."""
    port = free_port()
    env = {**os.environ, "ADVISOR_DB": str(tmp / "cases.sqlite3"), "PYTHONUNBUFFERED": "1"}
    log = (tmp / "server.log").open("wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "ui" / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
            "--client.toolbarMode",
            "minimal",
            "--server.maxUploadSize",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"the app exited ({proc.returncode}): {(tmp / 'server.log').read_text()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return Server(url, proc, tmp / "cases.sqlite3", time.perf_counter() - t0)
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"the app did not become healthy in {timeout:.0f} s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Kill the server's whole process group."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def shoot(page: Any, name: str, max_height: int = 7000) -> Path:
    """A screenshot of the whole page into tests/artifacts/screenshots/.

    Streamlit scrolls inside its main container, not the document, so the window is made as
    tall as the content for the shot and restored afterwards.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    wait_idle(page)
    page.wait_for_timeout(800)
    size = page.viewport_size
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stSidebarContent"]\')].map(e => e.scrollHeight))'
    )
    page.set_viewport_size({"width": size["width"], "height": min(max_height, int(height) + 40)})
    page.wait_for_timeout(900)  # charts and metrics re-lay out after the resize
    page.evaluate(
        "() => document.querySelectorAll('[data-testid=\"stMain\"]').forEach(e => e.scrollTo(0, 0))"
    )
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path
