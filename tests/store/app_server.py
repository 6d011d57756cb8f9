"""Real app servers for the store's browser tests and the benchmark: ``streamlit run ui/app.py``
on a free port in its own process group, over a given ``ADVISOR_DB`` (a SQLite file or a
PostgreSQL URL), killed as a group at the end; and a person's sign-in in Chromium."""

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
class AppServer:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path


def start(db: str, logdir: Path, auth: str = "accounts", timeout: float = 90.0) -> AppServer:
    """Start one app server over ``db``; wait until it answers its health check."""
    port = free_port()
    logdir.mkdir(parents=True, exist_ok=True)
    log = logdir / f"server-{port}.log"
    env = {**os.environ, "ADVISOR_DB": db, "ADVISOR_AUTH": auth, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return AppServer(url, proc, log)
        except OSError:
            time.sleep(0.25)
    stop(proc)
    raise RuntimeError(f"the app did not become healthy in {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the server's whole process group."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(15)


def wait_idle(page: Any, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout
    )
    page.wait_for_timeout(150)


def wait_text(page: Any, text: str, timeout: float = 60_000) -> None:
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=timeout)


def main_text(page: Any) -> str:
    return str(page.locator('[data-testid="stMain"]').inner_text())


def sign_in(page: Any, base: str, user: str, password: str) -> None:
    """Open the app and sign in as a person would (English labels)."""
    page.goto(base)
    page.get_by_label("User name", exact=True).wait_for(timeout=90_000)
    page.get_by_label("User name", exact=True).fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    wait_idle(page)


def nav(page: Any, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_timeout(200)
    wait_idle(page)
