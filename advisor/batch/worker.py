"""The worker side: parse and assess one raw record into its JSONL line and its digest."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from advisor.batch.columns import row_to_data
from advisor.batch.inputs import RawRow, _BadText, _CsvError, _TooLong
from advisor.batch_lifecycle import (
    RowTimeout,
    row_deadline,
    worker_init,
)
from advisor.errors import AdvisorError, FieldProblem, ProfileError
from advisor.io import MAX_BYTES, parse_document, profile_from_data
from advisor.safefile import (
    UnsafePathError,
    read_bounded,
)
from advisor.safeparse import InputRefused, load_json

CHUNK_RETRIES = 2
ROW_SECONDS = 60.0  # the time bound of one record (advisor.batch_lifecycle.row_deadline)


class Digest(NamedTuple):
    """What the summary needs from one assessment (small, so it crosses processes cheaply)."""

    profile_id: str
    name: str | None
    level: str
    index: float  # type: ignore[assignment]  # shadows tuple.index on purpose: the field's name is the record's
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


def _worker_init(parent: int, robustness: str | None = None) -> None:
    """Per worker: take the batch's robustness setting, ignore Ctrl-C, die with ``parent``, warm
    the engine, cap memory (``advisor.batch_lifecycle.worker_init``).

    ``robustness`` is the parent's ``advisor.uncertain_assess.BATCH_ROBUSTNESS_ENV`` now: a worker
    forked from a fork server has the server's environment, from when it started (an earlier
    run of the same process), not the batch's."""
    from advisor.uncertain_assess import BATCH_ROBUSTNESS_ENV

    if robustness:
        os.environ[BATCH_ROBUSTNESS_ENV] = robustness
    else:
        os.environ.pop(BATCH_ROBUSTNESS_ENV, None)
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
