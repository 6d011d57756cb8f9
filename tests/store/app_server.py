"""Real app servers for the store's browser tests and the benchmark: the app as
``tests/e2e/browser_support.py`` starts it (one implementation), over a given ``ADVISOR_DB`` (a
SQLite file or a PostgreSQL URL) and sign-in mode, killed as a group at the end; and a person's
sign-in in Chromium. ``bench/bench_district.py`` imports this module by path (tests/store on
``sys.path``), so it puts tests/e2e there itself."""

from __future__ import annotations

import functools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

import st_helpers
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    free_port,
    launch_app,
    stop_server,
)
from st_helpers import main_text

# what the store's tests and bench/bench_district.py import from here
__all__ = [
    "CHROMIUM", "CHROMIUM_ARGS", "ROOT", "AppServer", "free_port", "main_text", "nav", "sign_in",
    "start", "stop", "wait_idle", "wait_text",
]  # fmt: skip

# the store's servers run on a loaded machine over PostgreSQL: a step may take a minute
wait_idle = functools.partial(st_helpers.wait_idle, timeout=60_000)
wait_text = functools.partial(st_helpers.wait_text, timeout=60_000)
nav = functools.partial(st_helpers.nav, timeout=60_000)


@dataclass
class AppServer:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path


def start(db: str, logdir: Path, auth: str = "accounts", timeout: float = 90.0) -> AppServer:
    """Start one app server over ``db``; wait until it answers its health check."""
    logdir.mkdir(parents=True, exist_ok=True)
    n = len(list(logdir.glob("server-*.log")))
    log = logdir / f"server-{n + 1}.log"
    url, proc = launch_app({"ADVISOR_DB": db, "ADVISOR_AUTH": auth}, log, timeout=timeout)
    return AppServer(url, proc, log)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the server's whole process group."""
    stop_server(proc)


def sign_in(page: Any, base: str, user: str, password: str) -> None:
    """Open the app and sign in as a person would (English labels)."""
    page.goto(base)
    page.get_by_label("User name", exact=True).wait_for(timeout=90_000)
    page.get_by_label("User name", exact=True).fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    wait_idle(page)
