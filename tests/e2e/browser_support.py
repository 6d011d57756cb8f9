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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from st_helpers import SCREENSHOTS, shoot  # noqa: F401  (still importable from here)

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


def launch_app(
    env: dict[str, str], log: Path, extra_args: Sequence[str] = (), timeout: float = 60.0
) -> tuple[str, subprocess.Popen[bytes]]:
    """``streamlit run ui/app.py`` on a free port of 127.0.0.1 in its own process group, with
    ``env`` added to this process's environment and its output in ``log``; waits until
    ``/_stcore/health`` answers. Returns its address and process (stop it with ``stop_server``).
    Raises RuntimeError when it exits or does not become healthy in ``timeout`` seconds."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
            *extra_args,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return url, proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"the app did not become healthy in {timeout:.0f} s")


def start_server(tmp: Path, timeout: float = 60.0) -> Server:
    """Start the app with its case library in ``tmp`` (uploads up to 1 MB); wait until healthy."""
    db = tmp / "cases.sqlite3"
    t0 = time.perf_counter()
    url, proc = launch_app(
        {"ADVISOR_DB": str(db)},
        tmp / "server.log",
        ["--server.maxUploadSize", "1"],
        timeout,
    )
    return Server(url, proc, db, time.perf_counter() - t0)


def stop_server(proc: subprocess.Popen[bytes], wait: float = 15.0) -> None:
    """Kill the server's whole process group."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(wait)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(wait)
