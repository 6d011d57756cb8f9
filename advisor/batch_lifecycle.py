"""The batch's worker processes and rows: tied to the parent, bounded in time and memory, and a
small checkpoint beside the output so ``--resume`` does not re-read it.

Workers (started with ``spawn``) die with the parent: the kernel sends them SIGKILL when the
parent dies (``PR_SET_PDEATHSIG`` on Linux), and a watchdog thread compares the parent's pid
with the one the parent passed in (so a parent killed while the worker was still starting,
before it could ask, is noticed at once rather than never).

Each row is assessed under a time bound (``ROW_SECONDS``, SIGALRM) and, in a worker, under an
address-space limit (``WORKER_MEMORY_HEADROOM`` above what the warmed-up engine uses): a
pathological row becomes an error record and the run goes on.

The checkpoint (``OUT.checkpoint.json``, written whole by rename every ``CHECKPOINT_SECONDS``
and on interruption) holds the number of records and bytes of the output known whole, the last
record's line, and the summary's aggregates. ``--resume`` checks it against the output (same
file, the bytes before the offset end a record) and then reads only what was written after it;
without a usable checkpoint it re-reads the whole output as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import resource
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROW_SECONDS = 60.0
WORKER_MEMORY_HEADROOM = 1 << 30  # 1 GiB above the warmed-up worker
CHECKPOINT_SECONDS = 2.0
CHECKPOINT_VERSION = 1
PR_SET_PDEATHSIG = 1


class RowTimeout(Exception):
    """A row took longer than its time bound."""


# --------------------------------------------------------------------------- workers


def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def limit_memory(headroom: int = WORKER_MEMORY_HEADROOM) -> int | None:
    """Cap this process's address space at its current size plus ``headroom``; return the cap."""
    size = _vm_size()
    if size is None:
        return None
    cap = size + headroom
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        return cap
    return None


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def worker_init(parent: int, warm: Any = None) -> None:
    """Per worker: ignore Ctrl-C (the parent stops us), die with ``parent``, warm the engine,
    then cap memory."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    # With ``spawn`` our parent is the batch; with ``forkserver`` it is the fork server, which
    # the batch started (and which exits when the batch does): watch both.
    ppid = os.getppid()
    if not _alive(parent) or (ppid != parent and not _alive(ppid)):
        os._exit(1)  # the parent died before we could ask

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != ppid or (ppid != parent and not _alive(parent)):
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
    if warm is not None:
        warm()
    limit_memory()


# --------------------------------------------------------------------------- rows


def _on_alarm(signum: int, frame: Any) -> None:
    raise RowTimeout


@contextlib.contextmanager
def row_deadline(seconds: float = ROW_SECONDS) -> Iterator[None]:
    """Raise RowTimeout in the body after ``seconds`` (main thread only; elsewhere unbounded)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------- checkpoint


def checkpoint_path(out: Path) -> Path:
    """Where the checkpoint of ``out`` is kept."""
    return out.with_name(out.name + ".checkpoint.json")


def _summary_state(summary: Any) -> dict[str, Any]:
    return {
        "total": summary.total,
        "assessed": summary.assessed,
        "failed": summary.failed,
        "levels": dict(summary.levels),
        "stages": dict(summary.stages),
        "dependence_sum": list(summary.dependence_sum),
        "diagnosis_count": dict(summary.diagnosis_count),
        "diagnosis_severity": dict(summary.diagnosis_severity),
        "action_count": [[k[0], k[1], v] for k, v in summary.action_count.items()],
        "action_first": [[k[0], k[1], v] for k, v in summary.action_first.items()],
        "action_priority": [[k[0], k[1], v] for k, v in summary.action_priority.items()],
        "labels": {k: list(v) for k, v in summary.labels.items()},
        "attention": [
            [list(key), neg, entry["n"], list(entry["digest"])]
            for key, neg, entry in summary.attention
        ],
        "failed_rows": [list(r) for r in summary.failed_rows],
        "versions": [[k[0], k[1], v] for k, v in summary.versions.items()],
    }


def _restore_summary(summary: Any, state: dict[str, Any], digest: Any, error_digest: Any) -> None:
    summary.total = int(state["total"])
    summary.assessed = int(state["assessed"])
    summary.failed = int(state["failed"])
    summary.levels = Counter(state["levels"])
    summary.stages = Counter(state["stages"])
    summary.dependence_sum = [float(x) for x in state["dependence_sum"]]
    summary.diagnosis_count = Counter(state["diagnosis_count"])
    summary.diagnosis_severity = Counter(state["diagnosis_severity"])
    summary.action_count = Counter({(a, b): v for a, b, v in state["action_count"]})
    summary.action_first = Counter({(a, b): v for a, b, v in state["action_first"]})
    summary.action_priority = Counter({(a, b): v for a, b, v in state["action_priority"]})
    summary.labels = {k: (v[0], v[1]) for k, v in state["labels"].items()}
    summary.attention = []
    for key, neg, n, d in state["attention"]:
        d = digest(
            d[0],
            d[1],
            d[2],
            float(d[3]),
            d[4],
            tuple(d[5]),
            tuple((a, float(b)) for a, b in d[6]),
            tuple((a, b, int(c), float(e)) for a, b, c, e in d[7]),
            {k: (v[0], v[1]) for k, v in d[8].items()},
            d[9],
            d[10],
        )
        summary.attention.append((tuple(key), neg, {"n": n, "digest": d}))
    import heapq

    heapq.heapify(summary.attention)
    summary.failed_rows = [error_digest(r[0], r[1], r[2], list(r[3])) for r in state["failed_rows"]]
    summary.versions = Counter({(a, b): v for a, b, v in state["versions"]})


def _tail_hash(fd: int, offset: int) -> str:
    """A hash of the (at most) 4 kB of the output that end at ``offset``."""
    start = max(0, offset - 4096)
    data = os.pread(fd, offset - start, start)
    return hashlib.sha256(data).hexdigest()


class Checkpoint:
    """Saves the batch's progress beside the output, at most every ``CHECKPOINT_SECONDS``."""

    def __init__(self, out: Path, input_key: list[Any]) -> None:
        self.out = out
        self.path = checkpoint_path(out)
        self.input_key = input_key
        self.last = 0.0

    def due(self) -> bool:
        """Whether ``CHECKPOINT_SECONDS`` have passed since the last save."""
        return time.monotonic() - self.last >= CHECKPOINT_SECONDS

    def save(self, summary: Any, fd: int, size: int, records: int, force: bool = False) -> None:
        """Record that ``size`` bytes (``records`` records) of the output are whole.

        Nothing is saved unless ``summary`` counts exactly those records.
        """
        now = time.monotonic()
        if (not force and now - self.last < CHECKPOINT_SECONDS) or records != summary.total:
            return
        self.last = now
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            st = os.fstat(fd)
            rfd = os.open(self.out, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                rst = os.fstat(rfd)
                if (rst.st_dev, rst.st_ino) != (st.st_dev, st.st_ino):
                    return
                tail = _tail_hash(rfd, size)
            finally:
                os.close(rfd)
            state = {
                "version": CHECKPOINT_VERSION,
                "input": self.input_key,
                "output": [st.st_dev, st.st_ino],
                "records": records,
                "bytes": size,
                "tail_sha256": tail,
                "summary": _summary_state(summary),
            }
            tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:  # a checkpoint is an optimisation: never fail the run for it
            with contextlib.suppress(OSError):
                tmp.unlink()

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()


def input_key(path: Path) -> list[Any]:
    """What identifies the input for a checkpoint: its path, device, inode, size and mtime."""
    st = os.stat(path)
    return [str(path.resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def load_checkpoint(out: Path, key: list[Any]) -> dict[str, Any] | None:
    """The checkpoint of ``out`` if it belongs to this input and this output, else None."""
    path = checkpoint_path(out)
    try:
        if path.stat().st_size > 16 << 20:
            return None
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("version") != CHECKPOINT_VERSION or state.get("input") != key:
            return None
        fd = os.open(out, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
            size = int(state["bytes"])
            if [st.st_dev, st.st_ino] != state["output"] or st.st_size < size:
                return None
            if size and os.pread(fd, 1, size - 1) != b"\n":
                return None
            if _tail_hash(fd, size) != state["tail_sha256"]:
                return None
        finally:
            os.close(fd)
        return state
    except (OSError, ValueError, KeyError, TypeError):
        return None


def restore(state: dict[str, Any], summary: Any, digest: Any, error_digest: Any) -> int:
    """Put the checkpoint's aggregates into ``summary``; return the byte offset to read from."""
    _restore_summary(summary, state["summary"], digest, error_digest)
    return int(state["bytes"])
