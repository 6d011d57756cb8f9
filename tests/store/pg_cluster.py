"""A throw-away PostgreSQL cluster for the tests: Debian's server binaries, a temporary data
directory, a free port on 127.0.0.1, trust authentication (test only), stopped and removed at the
end of the session.

``initdb`` refuses to run as root, so as root the cluster is created and run as the ``postgres``
system user (``runuser``). ``scripts/test.sh`` sets ``ADVISOR_TEST_PG_ROOT`` to a folder it
removes, after stopping any cluster left in it, even when pytest is killed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg


def _bin_dir() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise RuntimeError(
            "PostgreSQL's server binaries are missing: run scripts/setup.sh --test "
            "(it installs Debian's postgresql package)"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One running PostgreSQL server; ``new_database()`` gives each test its own database."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        parent = os.environ.get("ADVISOR_TEST_PG_ROOT") or None
        self.dir = Path(tempfile.mkdtemp(prefix="advisor-pg-", dir=parent))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.dir / "log"),
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200 -c synchronous_commit=off",
            "start",
        )  # fmt: skip
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin / tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.dir)
        if res.returncode != 0:
            raise RuntimeError(f"{tool} failed: {res.stdout[-1500:]}{res.stderr[-1500:]}")

    def new_database(self) -> str:
        """A fresh empty database; returns its ``postgresql://`` URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_url, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        for _ in range(20):
            if not (self.data / "postmaster.pid").exists():
                break
            time.sleep(0.2)
        shutil.rmtree(self.dir, ignore_errors=True)
