"""Input readers: recognise a batch input and stream its raw records in order."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from advisor.batch.columns import check_csv_header
from advisor.batch.common import BatchInputError
from advisor.io import MAX_BYTES
from advisor.safefile import (
    UnsafePathError,
    check_input,
    open_input,
)

PROFILE_SUFFIXES = (".json", ".yaml", ".yml")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class InputSpec:
    """A recognised batch input: its kind (``jsonl``, ``csv``, ``dir``) and path."""

    kind: str
    path: Path
    header: tuple[str, ...] = ()


class RawRow(NamedTuple):
    """One input record before parsing: its line, where it came from, the raw payload."""

    line: int
    source: str
    payload: Any  # JSONL: str (or an error message); CSV: list of cells; folder: file path


def detect_input(path: str | Path) -> InputSpec:
    """Recognise the input's format; raise BatchInputError when it cannot be used."""
    p = Path(path)
    if not p.exists():
        raise BatchInputError(f"{p}: no such file or folder")
    if p.is_dir():
        if not any(_profile_files(p)):
            raise BatchInputError(f"{p}: the folder holds no profile files (.json, .yaml, .yml)")
        return InputSpec("dir", p)
    suffix = p.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        kind = "jsonl"
    elif suffix == ".csv":
        kind = "csv"
    elif suffix == ".xlsx":
        kind = "xlsx"
    else:
        raise BatchInputError(
            f"{p}: unknown input format {suffix or '(no extension)'!r}; expected a .jsonl "
            "(or .ndjson) file, a .csv file, an Excel workbook (.xlsx), or a folder of "
            ".json/.yaml profile files"
        )
    try:  # a FIFO would block for ever and a device never end: regular files only
        check_input(p)
    except UnsafePathError as exc:
        raise BatchInputError(str(exc)) from None
    if not os.access(p, os.R_OK):
        raise BatchInputError(f"{p}: the file cannot be read (permission denied)")
    if kind == "csv":
        with _open_text(p) as fh:
            header = next(csv.reader(fh), [])
        check_csv_header(header)
        return InputSpec(kind, p, tuple(h.strip() for h in header))
    if kind == "xlsx":
        from advisor.office.xlsx_in import read_layout

        return InputSpec(kind, p, read_layout(p).header)
    return InputSpec(kind, p)


def _profile_files(folder: Path) -> Iterator[Path]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.suffix.lower() in PROFILE_SUFFIXES:
            yield entry


def read_rows(spec: InputSpec) -> Iterator[RawRow]:
    """Stream the input's records in order, without parsing them."""
    if spec.kind == "dir":
        for n, f in enumerate(_profile_files(spec.path), start=1):
            yield RawRow(n, str(f), str(f))
    elif spec.kind == "jsonl":
        yield from _read_jsonl(spec.path)
    elif spec.kind == "xlsx":
        from advisor.office.xlsx_in import xlsx_rows

        yield from xlsx_rows(spec.path)
    else:
        yield from _read_csv(spec.path)


def _open_regular(path: Path) -> int:
    """A descriptor on the regular file ``path`` (never blocks on a FIFO swapped in since the
    input was checked); BatchInputError otherwise."""
    try:
        return open_input(path)
    except UnsafePathError as exc:
        raise BatchInputError(str(exc)) from None


def _open_text(path: Path) -> TextIO:
    return os.fdopen(
        _open_regular(path), encoding="utf-8-sig", errors="surrogateescape", newline=""
    )


def _read_jsonl(path: Path) -> Iterator[RawRow]:
    source = str(path)
    with os.fdopen(_open_regular(path), "rb") as fh:
        line_no = 0
        while True:
            raw = fh.readline(MAX_BYTES + 1)
            if not raw:
                return
            line_no += 1
            if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the oversized line
                    raw = fh.readline(MAX_BYTES)
                yield RawRow(line_no, source, _TooLong())
                continue
            if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                yield RawRow(line_no, source, raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield RawRow(line_no, source, _BadText(exc.start))


class _TooLong(NamedTuple):
    """Marker payload: a JSONL line over the size limit."""


class _BadText(NamedTuple):
    """Marker payload: a JSONL line that is not UTF-8 (byte offset of the first bad byte)."""

    at: int


def _read_csv(path: Path) -> Iterator[RawRow]:
    source = str(path)
    with _open_text(path) as fh:
        reader = csv.reader(fh)
        next(reader, None)  # header, checked by detect_input
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RawRow(start, source, _CsvError(str(exc)))
                start = reader.line_num + 1
                continue
            if cells and any(c.strip() for c in cells):
                yield RawRow(start, source, cells)
            start = reader.line_num + 1


class _CsvError(NamedTuple):
    """Marker payload: a CSV row the csv module could not read."""

    message: str
