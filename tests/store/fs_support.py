"""Small file systems for the failing-disk tests: a tmpfs of a given size that the test mounts
(and can remount read-only), when the test runs as root with the right to mount."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path


def can_mount() -> bool:
    return os.geteuid() == 0 and Path("/proc/self/mountinfo").exists()


@contextlib.contextmanager
def small_fs(where: Path, size_kb: int) -> Iterator[Path | None]:
    """A fresh tmpfs of ``size_kb`` at ``where``; None if this machine does not let us mount."""
    where.mkdir(parents=True, exist_ok=True)
    if not can_mount():
        yield None
        return
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0777", "tmpfs", str(where)],
        capture_output=True,
    )
    if res.returncode != 0:
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def remount(where: Path, mode: str) -> None:
    """Remount the small file system ``ro`` or ``rw``."""
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True)


def fill(where: Path) -> Path:
    """Fill the file system to the last byte with one file; returns it (delete to free)."""
    filler = where / "filler.bin"
    with contextlib.suppress(OSError), filler.open("wb") as f:
        chunk = b"\0" * 4096
        while True:
            f.write(chunk)
            f.flush()
    with contextlib.suppress(OSError), filler.open("ab") as f:
        while True:
            f.write(b"\0")
            f.flush()
    return filler
