"""Output and resume: whole-line writes, recovering a cut file, guarding the output paths."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

from advisor.batch.aggregate import Summary, digest_from_record
from advisor.batch.common import BatchInputError
from advisor.batch.inputs import PROFILE_SUFFIXES, InputSpec, RawRow, _profile_files
from advisor.batch.worker import _id_of, _parse
from advisor.errors import ProfileError, os_error_text
from advisor.safefile import (
    OutputError,
    UnsafePathError,
    check_output,
    identities,
    identity,
    open_output_fd,
)

FLUSH_SECONDS = 0.5
FLUSH_BYTES = 4 << 20  # an assessment is ~50 kB of JSON: a few MiB at most wait in memory


class LineWriter:
    """Appends whole lines with ``os.write``; a kill can only ever cut between records.

    The file is opened by ``advisor.safefile.open_output_fd`` (never through a link, never a
    FIFO or device, never one of ``inputs``, truncated only after those checks). A failed write
    (a full disk) cuts the file back to its last whole record and raises OutputError.
    """

    _write = staticmethod(os.write)  # one seam, so a test can fill the disk

    def __init__(self, path: Path, append: bool, inputs: Any = ()) -> None:
        self.path = path
        self.fd = open_output_fd(path, inputs, append=append)
        self.size = os.fstat(self.fd).st_size  # bytes of whole records on disk
        self.records = 0  # records written by this writer
        self.pending: list[bytes] = []
        self.pending_bytes = 0
        self.last_flush = time.monotonic()

    def write(self, line: bytes) -> None:
        self.pending.append(line)
        self.pending_bytes += len(line)
        if self.pending_bytes >= FLUSH_BYTES or time.monotonic() - self.last_flush > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            data = b"\n".join(self.pending) + b"\n"
            count = len(self.pending)
            self.pending = []
            self.pending_bytes = 0
            view = memoryview(data)
            try:
                while view:
                    n = self._write(self.fd, view)
                    view = view[n:]
            except OSError as exc:
                with contextlib.suppress(OSError):  # keep whole records only
                    os.ftruncate(self.fd, self.size)
                raise OutputError(
                    f"cannot write {self.path}: {os_error_text(exc)}; it holds whole records "
                    "only: free space (or fix the folder) and run the same command with --resume"
                ) from None
            self.size += len(data)
            self.records += count
        self.last_flush = time.monotonic()

    def close(self) -> None:
        self.flush()
        os.close(self.fd)


def recover_output(
    out: Path, summary: Summary, start: int = 0, first_line: int = 1
) -> tuple[int, dict[str, Any] | None]:
    """Truncate a partial last line of ``out``; count and aggregate its complete records.

    Reads from byte ``start`` (a checkpoint's offset, whose records ``summary`` already holds;
    ``first_line`` is the line number there). Returns the number of complete records read and
    the last one (parsed). Raises BatchInputError if a complete line is not a record of ours.
    """
    size = out.stat().st_size
    keep = start
    count = 0
    last: dict[str, Any] | None = None
    with out.open("rb") as fh:
        fh.seek(start)
        for n, line in enumerate(fh, start=first_line):
            if not line.endswith(b"\n"):
                break  # a partial record from an interrupted write
            try:
                rec = json.loads(line)
                summary.add(digest_from_record(rec))
            except (ValueError, KeyError, TypeError) as exc:
                raise BatchInputError(
                    f"{out}: line {n} is not a batch record ({exc}); cannot resume this file"
                ) from None
            keep += len(line)
            count += 1
            last = rec
    if keep < size:
        os.truncate(out, keep)
    return count, last


def _last_record(out: Path, end: int) -> dict[str, Any] | None:
    """The record whose line ends at byte ``end`` of ``out`` (read backwards, not the file)."""
    if end <= 1:
        return None
    with out.open("rb") as fh:
        pos = end - 1  # leave out the newline that ends the record
        buf = b""
        while True:
            step = min(1 << 16, pos)
            pos -= step
            fh.seek(pos)
            buf = fh.read(step) + buf
            nl = buf.rfind(b"\n")
            if nl >= 0:
                return json.loads(buf[nl + 1 :])
            if pos == 0:
                return json.loads(buf)


def output_guard(spec: InputSpec, out: Path) -> set[tuple[int, int]]:
    """Refuse an output (or summary) path that could destroy a file; return the inputs' ids.

    See ``advisor.safefile``: the output and its two summaries must be new names or regular
    files of their own, none of them the input (or one of a folder's profiles) by device and
    inode. Raises BatchInputError.
    """
    files = [spec.path] if spec.kind != "dir" else list(_profile_files(spec.path))
    input_ids = identities(files)
    in_folder = spec.kind == "dir" and identity(out.parent) == identity(spec.path)
    if in_folder and out.suffix.lower() in PROFILE_SUFFIXES:
        raise BatchInputError(
            f"{out}: would be written into the input folder as a profile file; "
            "give a .jsonl name or another folder"
        )
    try:
        for path in (out, *summary_paths(out)):
            check_output(path, input_ids)
    except UnsafePathError as exc:
        raise BatchInputError(str(exc)) from None
    return input_ids


def _row_matches(spec: InputSpec, row: RawRow, rec: dict[str, Any]) -> bool:
    """Whether an output record belongs to this input row (the resume sanity check)."""
    if "errors" in rec:
        return rec.get("line") == row.line
    try:
        data = _parse(spec.kind, spec.header, row)
    except ProfileError:
        return False
    return _id_of(data) == rec.get("profile_id")


def summary_paths(out: Path) -> tuple[Path, Path]:
    """Where the summary of ``out`` goes: ``OUT.summary.md`` and ``OUT.summary.html``."""
    return out.with_name(out.name + ".summary.md"), out.with_name(out.name + ".summary.html")
