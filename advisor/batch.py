"""Batch assessment: one run over every volunteer force of a district, and a summary of it.

A batch reads case profiles from a JSONL file, a CSV file whose columns are the contract's dotted
field names, or a folder of profile files; assesses each one; and writes one JSONL record per
input record, in input order: the assessment, or an *error record*
``{"line", "source", "profile_id", "errors": [{"path", "message"}]}`` for a record that fails
validation (or that the engine refused). A record is an error record exactly when it has the key
``errors``. The run goes on after a bad record.

Throughput and memory: the input is streamed in chunks to worker processes (one engine each,
started with ``spawn``, because durable-rules keeps C state that must not be forked); at most
``INFLIGHT_PER_WORKER`` chunks per worker are in flight, and finished chunks wait in a reorder
buffer until every earlier chunk is written, so memory stays flat however large the input.

Durability: output is written with ``os.write`` in whole lines only and flushed at least every
``FLUSH_SECONDS``; after Ctrl-C, ``kill`` or a crash the file holds complete records. ``resume``
truncates a partial last line (from a crash in mid-write), checks that the last record kept
belongs to the same input row, and continues from the next row without redoing or duplicating
any.

The summary (``OUT.summary.md`` and ``OUT.summary.html``) is aggregated from the records in
output order as they are written (and from the existing records on resume), so its counts are
those of the JSONL file.

Line numbers: JSONL, the physical line (blank lines are skipped and produce no record); CSV, the
physical line where the row starts (the header is line 1); folder, the file's position (1-based)
in name order, with the file path as ``source``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import heapq
import json
import math
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TextIO, get_args

from pydantic import BaseModel

from advisor.batch_lifecycle import (
    Checkpoint,
    RowTimeout,
    input_key,
    load_checkpoint,
    restore,
    row_deadline,
    worker_init,
)
from advisor.errors import AdvisorError, FieldProblem, ProfileError, excerpt, os_error_text
from advisor.io import MAX_BYTES, parse_document, profile_from_data
from advisor.models import ASYMMETRY_LEVELS, BASIS_FIELD, DIMENSIONS, CaseProfile
from advisor.safefile import (
    OutputError,
    UnsafePathError,
    check_input,
    check_output,
    identities,
    identity,
    open_input,
    open_output_fd,
    read_bounded,
    write_atomic,
)
from advisor.safeparse import InputRefused, load_json
from advisor.textsafe import csv_uncell, md_code, md_text

EXIT_OK = 0
EXIT_UNUSABLE_INPUT = 2
EXIT_SOME_ROWS_FAILED = 3

PROFILE_SUFFIXES = (".json", ".yaml", ".yml")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CHUNK_SIZE = 64
INFLIGHT_PER_WORKER = 4
FLUSH_SECONDS = 0.5
FLUSH_BYTES = 4 << 20  # an assessment is ~50 kB of JSON: a few MiB at most wait in memory
ATTENTION_TOP = 25
FAILED_SHOWN = 200
TOP_DIAGNOSES = 12
TOP_ACTIONS_PER_ACTOR = 5
CHUNK_RETRIES = 2
ROW_SECONDS = 60.0  # the time bound of one record (advisor.batch_lifecycle.row_deadline)


class BatchInputError(AdvisorError):
    """The batch input cannot be used at all (missing, unknown format, unusable CSV header)."""


class BatchInterrupted(AdvisorError):
    """The run was stopped (Ctrl-C, SIGTERM); ``written`` records are safely on disk."""

    def __init__(self, written: int, out: Path) -> None:
        self.written = written
        self.out = out
        super().__init__(
            f"interrupted; {written:,} records are complete in {out}; "
            "run the same command with --resume to continue"
        )


# --------------------------------------------------------------------------- CSV columns


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _columns(model: type[BaseModel], prefix: str = "") -> list[str]:
    out: list[str] = []
    for name, info in model.model_fields.items():
        if model is CaseProfile and name == BASIS_FIELD:
            continue  # the basis map describes the fields; it is not a column
        sub = _model_of(info.annotation)
        if sub is not None:
            out.extend(_columns(sub, f"{prefix}{name}."))
        else:
            out.append(prefix + name)
    return out


CSV_COLUMNS: list[str] = _columns(CaseProfile)
# Columns that may be absent from a CSV, or empty in a row, meaning null.
NULLABLE_COLUMNS = frozenset({"schema_version", "region", "as_of", "development_mode"})
THIRD_PARTY_PREFIX = "third_party."
# Optional groups: null when all their cells are empty; their columns may be absent.
OPTIONAL_GROUPS = ("third_party", "community")


def data_to_row(data: dict[str, Any]) -> list[str]:
    """Flatten contract data to CSV cells in ``CSV_COLUMNS`` order (null is an empty cell)."""
    cells: list[str] = []
    for col in CSV_COLUMNS:
        value: Any = data
        for part in col.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            cells.append("")
        elif isinstance(value, bool):
            cells.append("true" if value else "false")
        else:
            cells.append(str(value))
    return cells


def check_csv_header(header: list[str]) -> None:
    """Refuse a CSV header that cannot describe profiles; raise BatchInputError naming columns."""
    if not header or all(not h.strip() for h in header):
        raise BatchInputError("the CSV file has no header row naming the contract's fields")
    names = [h.strip() for h in header]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        shown = ", ".join(excerpt(d, quote=False) for d in dupes[:10])
        raise BatchInputError(f"the CSV header repeats columns: {shown}")
    known = set(CSV_COLUMNS)
    unknown = [n for n in names if n not in known]
    if unknown:
        more = f" and {len(unknown) - 10:,} more" if len(unknown) > 10 else ""
        raise BatchInputError(
            "the CSV header has columns that are not fields of schema_version 1: "
            + ", ".join(excerpt(u) for u in unknown[:10])
            + more
            + " (columns are dotted field names such as funding.government_direct)"
        )
    required = [
        c
        for c in CSV_COLUMNS
        if c not in NULLABLE_COLUMNS and c.split(".", 1)[0] not in OPTIONAL_GROUPS
    ]
    missing = [c for c in required if c not in names]
    if missing:
        raise BatchInputError("the CSV header lacks required columns: " + ", ".join(missing))


def row_to_data(header: list[str], cells: list[str]) -> dict[str, Any]:
    """Unflatten one CSV row; raise ProfileError for a row whose shape is wrong.

    Empty cells are null for nullable fields and missing otherwise; the ``third_party`` group is
    null when all its cells are empty. Types are converted by validation (pydantic's lax mode
    reads ``"0.25"``, ``"12"``, ``true``/``false``/``1``/``0``).
    """
    if len(cells) != len(header):
        raise ProfileError(
            [FieldProblem("", f"the row has {len(cells)} cells; the header has {len(header)}")]
        )
    data: dict[str, Any] = {}
    groups: dict[str, dict[str, str]] = {g: {} for g in OPTIONAL_GROUPS}
    for name, raw in zip(header, cells, strict=True):
        col = name.strip()
        cell = csv_uncell(raw.strip())  # '=x written by csv_cell reads back as =x
        if any("\udc80" <= ch <= "\udcff" for ch in cell):
            raise ProfileError([FieldProblem(col, "the cell is not UTF-8 text")])
        group, _, rest = col.partition(".")
        if rest and group in OPTIONAL_GROUPS:
            if cell:
                groups[group][rest] = cell
            continue
        if not cell:
            if col in NULLABLE_COLUMNS and col != "schema_version":
                data[col] = None
            continue
        if col == "schema_version":
            data[col] = int(cell) if cell.isdigit() else cell
            continue
        node = data
        *parents, leaf = col.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = cell
    for group, values in groups.items():
        data[group] = values or None
    return data


# --------------------------------------------------------------------------- input readers


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


# --------------------------------------------------------------------------- worker side


class Digest(NamedTuple):
    """What the summary needs from one assessment (small, so it crosses processes cheaply)."""

    profile_id: str
    name: str | None
    level: str
    index: float  # type: ignore[assignment]
    stage: str
    dependence: tuple[float, float, float, float]
    diagnoses: tuple[tuple[str, float], ...]
    actions: tuple[tuple[str, str, int, float], ...]  # id, actor, rank, priority
    labels: dict[str, tuple[str, str]]  # diagnosis and action id -> (zh, en)
    engine_version: str
    knowledge_base_version: str
    # issue 12: unknowns and ranges, and robustness (None: not checked)
    uncertain: bool = False
    top_fragile: bool | None = None


class ErrorDigest(NamedTuple):
    """A failed record, as the summary lists it."""

    line: int
    source: str
    profile_id: str | None
    errors: list[dict[str, str]]


_ENGINE: Any = None


def _engine() -> Any:
    """Import the assessment pipeline once per process (building the ruleset)."""
    global _ENGINE
    if _ENGINE is None:
        try:
            from advisor import pipeline
        except ImportError as exc:  # the pipeline is another helper's module
            raise AdvisorError(f"the assessment pipeline is not available: {exc}") from None
        _ENGINE = pipeline
    return _ENGINE


def _worker_init(parent: int) -> None:
    """Per worker: ignore Ctrl-C, die with ``parent``, warm the engine, cap memory
    (``advisor.batch_lifecycle.worker_init``)."""
    worker_init(parent, _engine)


# Unicode line breaks that JSON leaves unescaped but line-splitting readers (Python's
# str.splitlines among them) break on: escape them so one record is always one line.
_LINE_BREAKS = (
    (b"\xc2\x85", b"\\u0085"),
    (b"\xe2\x80\xa8", b"\\u2028"),
    (b"\xe2\x80\xa9", b"\\u2029"),
)


def jsonl_safe(line: bytes) -> bytes:
    """Escape U+0085, U+2028 and U+2029 in a JSON line (they can only occur inside strings)."""
    # test each sequence on its own: b"\xe2\x80" alone occurs in most records (“, ”, —, …)
    for raw, esc in _LINE_BREAKS:
        if raw in line:
            line = line.replace(raw, esc)
    return line


def _error_record(
    row: RawRow, problems: list[FieldProblem], profile_id: str | None
) -> tuple[bytes, ErrorDigest]:
    errors = [{"path": p.path, "message": p.message} for p in problems]
    rec = {"line": row.line, "source": row.source, "profile_id": profile_id, "errors": errors}
    line = json.dumps(rec, ensure_ascii=False).encode("utf-8", "surrogateescape")
    return jsonl_safe(line), ErrorDigest(row.line, row.source, profile_id, errors)


def _id_of(data: Any) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return data["id"][:64]
    return None


def _parse(kind: str, header: tuple[str, ...], row: RawRow) -> Any:
    """Turn a raw row into plain data; raise ProfileError for unreadable rows."""
    payload = row.payload
    if isinstance(payload, _TooLong):
        raise ProfileError([FieldProblem("", f"the record is over {MAX_BYTES:,} bytes")])
    if isinstance(payload, _BadText):
        raise ProfileError([FieldProblem("", f"the line is not UTF-8 text (byte {payload.at})")])
    if isinstance(payload, _CsvError):
        raise ProfileError([FieldProblem("", f"malformed CSV: {payload.message}")])
    if kind == "jsonl":
        try:
            return load_json(payload)
        except json.JSONDecodeError as exc:
            raise ProfileError(
                [FieldProblem("", f"malformed JSON at column {exc.colno}: {exc.msg}")]
            ) from None
        except InputRefused as exc:
            raise ProfileError([FieldProblem("", f"JSON refused: {exc.en}", exc.zh)]) from None
        except RecursionError:
            raise ProfileError([FieldProblem("", "malformed JSON: nested too deeply")]) from None
    if kind in ("csv", "xlsx"):  # an XLSX row arrives as the cells' text, like a CSV row
        return row_to_data(list(header), payload)
    path = Path(payload)
    try:
        raw = read_bounded(path, MAX_BYTES)  # a regular file only: never block on a FIFO
    except UnsafePathError as exc:
        raise ProfileError([FieldProblem("", exc.en, exc.zh)]) from None
    except OSError as exc:
        raise ProfileError([FieldProblem("", f"cannot read the file: {exc.strerror}")]) from None
    return parse_document(raw, str(path))


def _digest(assessment: Any) -> Digest:
    labels = {
        item.id: (item.label.zh, item.label.en)
        for item in (*assessment.diagnoses, *assessment.actions)
    }
    dep = assessment.dependence
    return Digest(
        assessment.profile_id,
        assessment.profile_name,
        assessment.asymmetry.level,
        assessment.asymmetry.index,
        assessment.coproduction.stage,
        (dep.legitimacy, dep.funding, dep.human_resources, dep.knowledge),
        tuple((d.id, d.severity) for d in assessment.diagnoses),
        tuple((a.id, a.actor, a.rank, a.priority) for a in assessment.actions),
        labels,
        assessment.engine_version,
        assessment.knowledge_base_version,
        bool(assessment.uncertain_inputs),
        assessment.robustness.top_fragile if assessment.robustness is not None else None,
    )


def assess_row(
    kind: str, header: tuple[str, ...], row: RawRow, detail: str = "full"
) -> tuple[bytes, Any]:
    """Assess one raw row; return its JSONL line (UTF-8, no newline) and its digest.

    ``detail`` is ``full`` (the whole assessment) or ``compact`` (see advisor.office.results).
    """
    data: Any = None
    try:
        with row_deadline(ROW_SECONDS):  # a pathological row fails; the run goes on
            data = _parse(kind, header, row)
            strict = kind not in ("csv", "xlsx")  # CSV and XLSX cells arrive as text
            from advisor.uncertain_assess import assess_batch_data  # issue 12

            # None: a plain version 1 profile, assessed by the batch's own fast path
            assessment = assess_batch_data(data, row.source, strict=strict)
            if assessment is None:
                profile = profile_from_data(data, row.source, strict=strict)
                if detail == "compact":  # the record straight from the engine (office/lean.py)
                    from advisor.office.lean import assess_compact

                    line, digest = assess_compact(profile)
                    return jsonl_safe(line), digest
                assessment = _engine().assess(profile)
    except RowTimeout:
        msg = f"assessing this record took more than {ROW_SECONDS:.0f} s; it was stopped"
        return _error_record(row, [FieldProblem("", msg)], _id_of(data))
    except MemoryError:
        data = None  # let it go before building the error record
        msg = "assessing this record needed more memory than a record may use; it was stopped"
        return _error_record(row, [FieldProblem("", msg)], None)
    except ProfileError as exc:
        return _error_record(row, exc.problems, _id_of(data))
    except AdvisorError as exc:  # EngineError and kin: this row fails, the run goes on
        return _error_record(row, [FieldProblem("", str(exc))], _id_of(data))
    except Exception as exc:  # a defect in the engine must not stop a district-wide run
        msg = f"internal error while assessing: {type(exc).__name__}: {exc}"
        return _error_record(row, [FieldProblem("", msg)], _id_of(data))
    if detail == "compact":  # a version 2 profile or a robustness run: compact it too
        from advisor.office.results import compact_record

        return jsonl_safe(compact_record(assessment)), _digest(assessment)
    # bytes straight from pydantic-core: no str round trip, and bytes cross processes cheaply
    line = assessment.__pydantic_serializer__.to_json(assessment)
    return jsonl_safe(line), _digest(assessment)


def assess_chunk(
    kind: str, header: tuple[str, ...], rows: list[RawRow], detail: str = "full"
) -> list[tuple[bytes, Any]]:
    """Assess a chunk of rows in order (the unit of work sent to a worker)."""
    _engine()
    return [assess_row(kind, header, row, detail) for row in rows]


# --------------------------------------------------------------------------- aggregation


def digest_from_record(rec: dict[str, Any]) -> Digest | ErrorDigest:
    """Rebuild the digest of a record read back from an output file (for --resume)."""
    if "errors" in rec:
        return ErrorDigest(
            int(rec.get("line") or 0),
            str(rec.get("source") or ""),
            rec.get("profile_id"),
            list(rec["errors"]),
        )
    dep = rec["dependence"]
    diagnoses = rec.get("diagnoses") or []
    actions = rec.get("actions") or []
    labels = {
        d["id"]: (d["label"]["zh"], d["label"]["en"])
        for d in (*diagnoses, *actions)
        if "label" in d  # a compact record names items by id only
    }
    return Digest(
        rec["profile_id"],
        rec.get("profile_name"),
        rec["asymmetry"]["level"],
        float(rec["asymmetry"]["index"]),
        rec["coproduction"]["stage"],
        tuple(float(dep[d]) for d in DIMENSIONS),  # type: ignore[arg-type]
        tuple((d["id"], float(d["severity"])) for d in diagnoses),
        tuple((a["id"], a["actor"], int(a["rank"]), float(a["priority"])) for a in actions),
        labels,
        rec.get("engine_version", ""),
        rec.get("knowledge_base_version", ""),
        bool(rec.get("uncertain_inputs")),
        (rec.get("robustness") or {}).get("top_fragile"),
    )


@dataclass
class Summary:
    """Running aggregates over a batch's records, in output order; memory does not grow."""

    total: int = 0
    assessed: int = 0
    failed: int = 0
    levels: Counter = field(default_factory=Counter)
    stages: Counter = field(default_factory=Counter)
    dependence_sum: list[float] = field(default_factory=lambda: [0.0] * 4)
    diagnosis_count: Counter = field(default_factory=Counter)
    diagnosis_severity: Counter = field(default_factory=Counter)
    action_count: Counter = field(default_factory=Counter)  # (actor, id)
    action_first: Counter = field(default_factory=Counter)  # (actor, id) ranked 1st
    action_priority: Counter = field(default_factory=Counter)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    attention: list[tuple[tuple[float, ...], int, dict[str, Any]]] = field(default_factory=list)
    failed_rows: list[ErrorDigest] = field(default_factory=list)
    versions: Counter = field(default_factory=Counter)  # (engine, knowledge base) -> records
    uncertain: int = 0  # issue 12: cases with unknowns or ranges
    robustness_checked: int = 0  # cases whose robustness was computed
    top_fragile: int = 0  # ... and whose top action is fragile

    def add(self, digest: Digest | ErrorDigest) -> None:
        """Count one record (call in output order)."""
        self.total += 1
        if isinstance(digest, ErrorDigest):
            self.failed += 1
            if len(self.failed_rows) < FAILED_SHOWN:
                self.failed_rows.append(digest)
            return
        self.assessed += 1
        d = digest
        self.uncertain += int(d.uncertain)
        if d.top_fragile is not None:
            self.robustness_checked += 1
            self.top_fragile += int(d.top_fragile)
        self.versions[(d.engine_version, d.knowledge_base_version)] += 1
        for k, v in d.labels.items():
            self.labels.setdefault(k, v)
        self.levels[d.level] += 1
        self.stages[d.stage] += 1
        for i, v in enumerate(d.dependence):  # type: ignore[assignment]
            self.dependence_sum[i] += v  # type: ignore[operator]
        for did, sev in d.diagnoses:
            self.diagnosis_count[did] += 1
            self.diagnosis_severity[did] += sev  # type: ignore[assignment]
        for aid, actor, rank, priority in d.actions:
            self.action_count[(actor, aid)] += 1
            self.action_priority[(actor, aid)] += priority  # type: ignore[assignment]
            if rank == 1:
                self.action_first[(actor, aid)] += 1
        key = attention_key(d)
        entry = (key, -self.total, {"n": self.total, "digest": d})
        if len(self.attention) < ATTENTION_TOP:
            heapq.heappush(self.attention, entry)
        elif entry[:2] > self.attention[0][:2]:
            heapq.heapreplace(self.attention, entry)


LEVEL_RANK = {level: i for i, level in enumerate(ASYMMETRY_LEVELS)}
ATTENTION_RULE = {
    "zh": "排序规则：先按不对称依赖等级（严重 > 高 > 中等 > 平衡），再按最严重诊断的严重度、"
    "全部诊断严重度之和、不对称指数（均从高到低），最后按输入顺序。",
    "en": "Ordering rule: asymmetry level first (severe > high > moderate > balanced), then the "
    "highest diagnosis severity, the sum of diagnosis severities and the asymmetry index (each "
    "highest first), then input order.",
}


def attention_key(d: Digest) -> tuple[float, ...]:
    """The 'attention first' sort key (higher is more urgent); see ``ATTENTION_RULE``."""
    sevs = [s for _, s in d.diagnoses]
    return (
        float(LEVEL_RANK.get(d.level, 0)),
        round(max(sevs, default=0.0), 6),
        round(sum(sevs), 6),
        round(d.index, 6),
    )


# --------------------------------------------------------------------------- progress bar


class Progress:
    """A one-line progress bar with rate and ETA; silent unless the stream is a terminal."""

    def __init__(
        self,
        total: int | None,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = (
            enabled if enabled is not None else bool(getattr(self.stream, "isatty", bool)())
        )
        self.total = total
        self.done = 0
        self.failed = 0
        self.clock = clock
        self.start = clock()
        self._last = -1.0

    def update(self, n: int, failed: int = 0, force: bool = False) -> None:
        """Count ``n`` more records (``failed`` of them errors); redraw at most 10 times/s."""
        self.done += n
        self.failed += failed
        if not self.enabled:
            return
        now = self.clock()
        if force or now - self._last >= 0.1:
            self._last = now
            self.stream.write("\r" + self.render(now) + "\x1b[K")
            self.stream.flush()

    def render(self, now: float) -> str:
        """The bar's text at time ``now``."""
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        parts = []
        if self.total:
            frac = min(1.0, self.done / self.total)
            width = 24
            filled = int(frac * width)
            parts.append(f"{frac * 100:5.1f}% |{'█' * filled}{'░' * (width - filled)}|")
            parts.append(f"{self.done:,}/{self.total:,}")
        else:
            parts.append(f"{self.done:,}")
        parts.append(f"{rate:,.0f}/s")
        if self.total and rate > 0:
            parts.append("ETA " + _clock(max(0.0, (self.total - self.done) / rate)))
        parts.append("elapsed " + _clock(elapsed))
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        return "  ".join(parts)

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self.enabled:
            self.update(0, force=True)
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def count_rows(spec: InputSpec) -> int:
    """A fast estimate of the number of records (for the progress bar only)."""
    if spec.kind == "dir":
        return sum(1 for _ in _profile_files(spec.path))
    if spec.kind == "xlsx":
        from advisor.office.xlsx_in import count_rows as xlsx_count

        return xlsx_count(spec.path)
    n = 0
    last = b"\n"
    with spec.path.open("rb") as fh:
        while block := fh.read(1 << 20):
            n += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        n += 1
    return max(0, n - 1) if spec.kind == "csv" else n


# --------------------------------------------------------------------------- output and resume


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


# --------------------------------------------------------------------------- the run


@dataclass
class BatchResult:
    """The outcome of a batch: counts, where the files are, timings."""

    total: int
    assessed: int
    failed: int
    resumed_from: int
    out: Path
    summary_md: Path
    summary_html: Path
    seconds: float
    summary: Summary

    @property
    def exit_code(self) -> int:
        """0 when every record was assessed, 3 when some failed."""
        return EXIT_SOME_ROWS_FAILED if self.failed else EXIT_OK


def _chunks(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _StopRequested(KeyboardInterrupt):
    """The first Ctrl-C or SIGTERM, seen between chunks: stop cleanly."""


class _Stop:
    """Ctrl-C and SIGTERM ask the run to stop; the run checks between chunks and stops there.

    The signal handler only sets a flag: raising inside the engine would be caught by its
    action wrapper and turn into a failed record for a row that is fine. A second signal
    stops at once (whatever is written is still whole records).
    """

    def __init__(self) -> None:
        self.requested = False
        self.saved: dict[int, Any] = {}

    def handler(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def install(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.saved[sig] = signal.signal(sig, self.handler)

    def restore(self) -> None:
        for sig, old in self.saved.items():
            signal.signal(sig, old)
        self.saved.clear()

    def check(self) -> None:
        if self.requested:
            raise _StopRequested


def summary_paths(out: Path) -> tuple[Path, Path]:
    """Where the summary of ``out`` goes: ``OUT.summary.md`` and ``OUT.summary.html``."""
    return out.with_name(out.name + ".summary.md"), out.with_name(out.name + ".summary.html")


def run_batch(
    input_path: str | Path,
    out_path: str | Path,
    *,
    workers: int | None = None,
    resume: bool = False,
    lang: str = "en",
    progress: bool | None = None,
    chunk_size: int = CHUNK_SIZE,
    start_method: str = "spawn",
    detail: str = "full",
) -> BatchResult:
    """Assess every record of ``input_path`` into ``out_path`` and write the summary.

    Raises BatchInputError for unusable input, BatchInterrupted after Ctrl-C or SIGTERM (the
    output then holds complete records only), AdvisorError when the engine cannot start.
    """
    t0 = time.perf_counter()
    spec = detect_input(input_path)
    out = Path(out_path)
    if not out.parent.exists():
        raise BatchInputError(f"{out}: the output folder {out.parent} does not exist")
    if out.exists() and out.resolve() == spec.path.resolve():
        raise BatchInputError(f"{out}: the output would overwrite the input")
    if out.is_dir():
        raise BatchInputError(f"{out}: is a folder; give a file name for the JSONL output")
    input_ids = output_guard(spec, out)
    workers = max(1, workers or os.cpu_count() or 1)
    summary = Summary()
    done, last = (0, None)
    key = input_key(spec.path)
    checkpoint = Checkpoint(out, key)
    if resume and out.exists():
        state = load_checkpoint(out, key)
        if state is None:
            done, last = recover_output(out, summary)
        else:  # read only what was written after the checkpoint
            offset = restore(state, summary, Digest, ErrorDigest)
            extra, last = recover_output(out, summary, offset, int(state["records"]) + 1)
            done = int(state["records"]) + extra
            if last is None:
                try:
                    last = _last_record(out, offset)
                except ValueError:
                    last = None
    else:
        checkpoint.remove()
    rows = read_rows(spec)
    if done:
        kept_row: RawRow | None = None
        for _ in range(done):
            kept_row = next(rows, None)
            if kept_row is None:
                break
        if kept_row is None or last is None or not _row_matches(spec, kept_row, last):
            raise BatchInputError(
                f"{out}: its {done:,} records do not match the input {spec.path} (the last "
                "record belongs to another row); give another output file or drop --resume"
            )
    bar = Progress(None, enabled=progress)
    if bar.enabled:
        bar.total = max(0, count_rows(spec) - done)
    try:
        writer = LineWriter(out, append=bool(done), inputs=input_ids)
    except UnsafePathError as exc:
        raise BatchInputError(str(exc)) from None

    def emit(results: list[tuple[bytes, Any]]) -> None:
        failed = 0
        for line, digest in results:
            writer.write(line)
            summary.add(digest)
            failed += isinstance(digest, ErrorDigest)
        bar.update(len(results), failed)
        if checkpoint.due():
            writer.flush()  # the checkpoint describes whole records on disk only
            checkpoint.save(summary, writer.fd, writer.size, done + writer.records)

    stop = _Stop()
    stop.install()
    try:
        chunks = _chunks(rows, chunk_size)
        _engine()  # fail early and clearly if the engine cannot be imported
        if workers == 1:
            for chunk in chunks:
                emit(assess_chunk(spec.kind, spec.header, chunk, detail))
                stop.check()
        else:
            _run_pool(spec, chunks, workers, emit, start_method, stop, detail)
    except KeyboardInterrupt:
        writer.flush()
        checkpoint.save(summary, writer.fd, writer.size, done + writer.records, force=True)
        writer.close()
        bar.close()
        raise BatchInterrupted(summary.total, out) from None
    except OutputError:
        with contextlib.suppress(OSError):
            os.close(writer.fd)
        bar.close()
        raise
    finally:
        stop.restore()
    writer.close()
    bar.close()
    md_path, html_path = summary_paths(out)
    meta = {
        "input": str(spec.path),
        "output": str(out),
        "resumed_from": done,
        "workers": workers,
        "seconds": time.perf_counter() - t0,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    md, html = render_summary(summary, lang, meta)
    write_atomic(md_path, md, input_ids)  # whole or not at all
    write_atomic(html_path, html, input_ids)
    checkpoint.remove()  # the run is complete
    return BatchResult(
        summary.total,
        summary.assessed,
        summary.failed,
        done,
        out,
        md_path,
        html_path,
        time.perf_counter() - t0,
        summary,
    )


def _run_pool(
    spec: InputSpec,
    chunks: Iterator[list[RawRow]],
    workers: int,
    emit: Any,
    start_method: str,
    stop: _Stop,
    detail: str = "full",
) -> None:
    """Feed chunks to a process pool with bounded in-flight work; emit results in order."""
    import multiprocessing

    ctx = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        # The server imports the pipeline once and forks workers from it; no durable-rules
        # state exists yet at import (the ruleset is built on first use, in each worker).
        ctx.set_forkserver_preload(["advisor.pipeline"])

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
        )

    pool = new_pool()
    limit = workers * INFLIGHT_PER_WORKER
    pending: dict[int, list[RawRow]] = {}  # submitted, not yet written: seq -> rows
    futures: dict[Future, int] = {}
    ready: dict[int, list[tuple[bytes, Any]]] = {}  # the reorder buffer
    retries: Counter = Counter()
    next_seq = 0
    next_write = 0
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < limit:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    break
                pending[next_seq] = chunk
                futures[pool.submit(assess_chunk, spec.kind, spec.header, chunk, detail)] = next_seq
                next_seq += 1
            if not futures:
                break
            finished, _ = wait(futures, timeout=0.25, return_when=FIRST_COMPLETED)
            broken = False
            for fut in finished:
                seq = futures.pop(fut)
                try:
                    ready[seq] = fut.result()
                except BrokenProcessPool:
                    broken = True
                    retries[seq] += 1
            while next_write in ready:
                emit(ready.pop(next_write))
                pending.pop(next_write, None)
                next_write += 1
            stop.check()
            if broken:
                # A worker died (the engine's C code can crash): restart the pool and resubmit
                # every unfinished chunk; a chunk present at CHUNK_RETRIES crashes fails its rows.
                pool.shutdown(wait=False, cancel_futures=True)
                futures.clear()
                pool = new_pool()
                for seq, rows in pending.items():
                    if seq in ready:
                        continue
                    if retries[seq] > CHUNK_RETRIES:
                        msg = "the engine process crashed while assessing this record's chunk"
                        ready[seq] = [_error_record(r, [FieldProblem("", msg)], None) for r in rows]
                    else:
                        futures[pool.submit(assess_chunk, spec.kind, spec.header, rows, detail)] = (
                            seq
                        )
            while next_write in ready:
                emit(ready.pop(next_write))
                pending.pop(next_write, None)
                next_write += 1
    except _StopRequested:
        # Let the workers finish the chunks they already hold (bounded: a few chunks each) and
        # drop their results. Terminating a worker while it writes a result can leave half a
        # message on the result pipe; the pool's manager thread then blocks on it for ever and
        # the interpreter hangs at exit (seen here about once in 20 interruptions).
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        except KeyboardInterrupt:  # a second signal while waiting: stop at once
            _terminate(pool)
        raise
    except KeyboardInterrupt:
        _terminate(pool)
        raise
    except BaseException:
        # An error in the parent (a full disk...): let the workers finish what they hold, as
        # above; terminating them mid-write could hang the interpreter at exit.
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        except KeyboardInterrupt:
            _terminate(pool)
        raise
    pool.shutdown(wait=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's workers at once (a second Ctrl-C, or an error in the parent)."""
    # No public API does this; take the processes before shutdown forgets them.
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()


# --------------------------------------------------------------------------- the summary report

UI: dict[str, dict[str, str]] = {
    "title": {"zh": "批量评估汇总", "en": "Batch assessment summary"},
    "input": {"zh": "输入", "en": "Input"},
    "output": {"zh": "输出", "en": "Output"},
    "generated": {"zh": "生成时间", "en": "Generated"},
    "versions": {"zh": "引擎 / 知识库版本", "en": "Engine / knowledge base version"},
    "counts": {"zh": "数量", "en": "Counts"},
    "total": {"zh": "记录总数", "en": "Records"},
    "assessed": {"zh": "评估成功", "en": "Assessed"},
    "failed": {"zh": "失败（校验或引擎错误）", "en": "Failed (validation or engine error)"},
    "uncertain": {"zh": "含不清楚信息或范围的案例", "en": "Cases with unknowns or ranges"},
    "top_fragile": {
        "zh": "首要建议“脆弱”的案例（已做稳健性检验的案例中）",
        "en": "Cases whose top action is fragile (of those checked for robustness)",
    },
    "resumed": {"zh": "续跑起点（已完成记录）", "en": "Resumed after (records already done)"},
    "levels": {"zh": "不对称依赖等级分布", "en": "Distribution of asymmetry levels"},
    "level": {"zh": "等级", "en": "Level"},
    "cases": {"zh": "个案数", "en": "Cases"},
    "share": {"zh": "占比", "en": "Share"},
    "dependence": {"zh": "对政府的平均依赖度（按维度）", "en": "Mean dependence on government"},
    "dimension": {"zh": "维度", "en": "Dimension"},
    "mean": {"zh": "均值", "en": "Mean"},
    "stages": {"zh": "合作生产阶段分布", "en": "Co-production stages"},
    "stage": {"zh": "阶段", "en": "Stage"},
    "diagnoses": {"zh": "最常见的诊断", "en": "Most frequent diagnoses"},
    "diagnosis": {"zh": "诊断", "en": "Diagnosis"},
    "mean_severity": {"zh": "平均严重度", "en": "Mean severity"},
    "actions": {"zh": "各主体最常被建议的行动", "en": "Most recommended actions per actor"},
    "action": {"zh": "行动", "en": "Action"},
    "ranked_first": {"zh": "列第一位", "en": "Ranked first"},
    "mean_priority": {"zh": "平均优先级", "en": "Mean priority"},
    "attention": {"zh": "最需优先关注的个案", "en": "Cases that need attention first"},
    "row": {"zh": "记录序号", "en": "Record"},
    "case": {"zh": "个案", "en": "Case"},
    "index": {"zh": "不对称指数", "en": "Asymmetry index"},
    "top_diagnoses": {"zh": "主要诊断", "en": "Main diagnoses"},
    "first_action": {"zh": "首要行动", "en": "First action"},
    "failed_rows": {"zh": "失败的记录", "en": "Failed records"},
    "line": {"zh": "行", "en": "Line"},
    "source": {"zh": "来源", "en": "Source"},
    "errors": {"zh": "问题", "en": "Problems"},
    "none": {"zh": "无", "en": "None"},
    "mixed_versions": {
        "zh": "注意：本输出中的评估来自不同的引擎或知识库版本（例如续跑前后知识库有改动）；"
        "如需一致的结果，请不加 --resume 重新运行。",
        "en": "Note: the assessments in this output come from different engine or knowledge base "
        "versions (for example, the knowledge base changed between a run and its resumption); "
        "run again without --resume for consistent results.",
    },
    "more_failed": {
        "zh": "另有 {n} 条失败记录未列出。",
        "en": "{n} more failed records not listed.",
    },
    "empty": {"zh": "没有可汇总的评估。", "en": "No assessments to summarise."},
    "note": {
        "zh": "统计基于输出文件中的全部记录；诊断与行动名称取自评估结果本身。",
        "en": "Figures count every record of the output file; diagnosis and action labels are "
        "taken from the assessments themselves.",
    },
}
# Levels, dimensions and actors use the reports' labels (templates/strings.yaml), so a batch
# summary and a single report name things alike; co-production stages use the knowledge base's.
ACTORS_SHOWN = ("government", "third_party", "volunteers", "residents")


def _ui_label(namespace: str, key: str, lang: str) -> str:
    from advisor.report import label

    return label(namespace, key, lang)


def _stage_label(stage: str, lang: str) -> str:
    from knowledge_base.loader import load_kb

    try:
        bands = load_kb().param("coproduction.stages")["bands"]
    except Exception:  # the summary must render even if the parameter moved
        return stage
    for band in bands:
        if band.get("stage") == stage:
            return str(band.get("label", {}).get(lang, stage))
    return stage


LEVEL_COLOURS = {
    "balanced": "#4c9a5f",
    "moderate": "#d4a017",
    "high": "#d9702b",
    "severe": "#b83232",
}


def _label(summary: Summary, item_id: str, lang: str) -> str:
    zh_en = summary.labels.get(item_id)
    if not zh_en:  # resumed from compact records, which name items by id: the KB's label
        from advisor.office.results import item_label

        return item_label(item_id, lang)
    return zh_en[0] if lang == "zh" else zh_en[1]


def summary_context(summary: Summary, lang: str, meta: dict[str, Any]) -> dict[str, Any]:
    """Everything the summary templates show, computed once (templates only lay it out)."""
    t = {k: v[lang] for k, v in UI.items()}
    n = summary.assessed
    levels = [
        {
            "id": lv,
            "label": _ui_label("level", lv, lang),
            "count": summary.levels.get(lv, 0),
            "pct": 100 * summary.levels.get(lv, 0) / n if n else 0.0,
            "colour": LEVEL_COLOURS[lv],
        }
        for lv in ASYMMETRY_LEVELS
    ]
    dependence = [
        {
            "label": _ui_label("dimension", d, lang),
            "mean": summary.dependence_sum[i] / n if n else 0.0,
        }
        for i, d in enumerate(DIMENSIONS)
    ]
    stages = [
        {"label": _stage_label(s, lang), "count": c, "pct": 100 * c / n if n else 0.0}
        for s, c in sorted(summary.stages.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    diagnoses = [
        {
            "id": did,
            "label": _label(summary, did, lang),
            "count": c,
            "pct": 100 * c / n if n else 0.0,
            "mean_severity": summary.diagnosis_severity[did] / c,
        }
        for did, c in sorted(summary.diagnosis_count.items(), key=lambda kv: (-kv[1], kv[0]))[
            :TOP_DIAGNOSES
        ]
    ]
    actors = []
    for actor in ACTORS_SHOWN:
        items = sorted(
            ((aid, c) for (act, aid), c in summary.action_count.items() if act == actor),
            key=lambda kv: (-kv[1], kv[0]),
        )[:TOP_ACTIONS_PER_ACTOR]
        actors.append(
            {
                "id": actor,
                "label": _ui_label("actor", actor, lang),
                "actions": [
                    {
                        "id": aid,
                        "label": _label(summary, aid, lang),
                        "count": c,
                        "pct": 100 * c / n if n else 0.0,
                        "first": summary.action_first.get((actor, aid), 0),
                        "mean_priority": summary.action_priority[(actor, aid)] / c,
                    }
                    for aid, c in items
                ],
            }
        )
    attention = []
    for _key, _neg, entry in sorted(summary.attention, reverse=True):
        d: Digest = entry["digest"]
        top = sorted(d.diagnoses, key=lambda x: (-x[1], x[0]))[:3]
        first = min(d.actions, key=lambda a: a[2], default=None)
        attention.append(
            {
                "n": entry["n"],
                "id": d.profile_id,
                "name": d.name or d.profile_id,
                "level": _ui_label("level", d.level, lang),
                "level_id": d.level,
                "index": d.index,
                "diagnoses": [
                    {"label": _label(summary, did, lang), "severity": sev} for did, sev in top
                ],
                "first_action": _label(summary, first[0], lang) if first else "",
            }
        )
    return {
        "lang": lang,
        "t": t,
        "meta": meta,
        "total": summary.total,
        "assessed": summary.assessed,
        "failed": summary.failed,
        "uncertain": summary.uncertain,
        "robustness_checked": summary.robustness_checked,
        "top_fragile": summary.top_fragile,
        "versions": [
            {"engine": e, "knowledge_base": k, "count": c}
            for (e, k), c in sorted(summary.versions.items(), key=lambda kv: -kv[1])
        ],
        "mixed_versions": t["mixed_versions"] if len(summary.versions) > 1 else "",
        "levels": levels,
        "dependence": dependence,
        "stages": stages,
        "diagnoses": diagnoses,
        "actors": actors,
        "attention": attention,
        "attention_rule": ATTENTION_RULE[lang],
        "failed_rows": [r._asdict() for r in summary.failed_rows],
        "more_failed": t["more_failed"].format(n=summary.failed - len(summary.failed_rows))
        if summary.failed > len(summary.failed_rows)
        else "",
    }


def _md_cell(value: Any) -> str:
    """Make text safe inside a Markdown table cell: no HTML, link, image, autolink, emphasis,
    pipe or line break of its own (``advisor.textsafe.md_text``)."""
    return md_text(value)


def _bar(pct: float, width: int = 20) -> str:
    filled = round(pct / 100 * width)
    return "█" * filled + "░" * (width - filled)


def render_summary(summary: Summary, lang: str, meta: dict[str, Any]) -> tuple[str, str]:
    """Render the summary as (Markdown, HTML) from the jinja2 templates (HTML autoescaped)."""
    import jinja2

    if lang not in ("zh", "en"):
        raise AdvisorError(f"unknown summary language {lang!r}; expected zh or en")
    folder = Path(__file__).resolve().parent / "templates"
    loader = jinja2.FileSystemLoader(folder)
    ctx = summary_context(summary, lang, meta)
    html_env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    md_env = jinja2.Environment(
        loader=loader,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    md_env.filters["cell"] = _md_cell
    md_env.filters["code"] = md_code  # a code span no backtick can close early
    md_env.filters["bar"] = _bar
    html_env.filters["fmt"] = md_env.filters["fmt"] = _fmt
    md = md_env.get_template("batch_summary.md.j2").render(**ctx)
    html = html_env.get_template("batch_summary.html.j2").render(**ctx)
    return md, html


def _fmt(value: Any, digits: int = 2) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
