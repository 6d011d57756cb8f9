"""Fuzzing ``advisor batch``: JSONL lines and CSV cells of garbage, mixed with valid profiles.
Every run exits 0 (all assessed), 2 (unusable input) or 3 (some records refused, each with an
error record), with one record per input record and never a traceback."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import garbage_documents, mutated_profiles, profile_dicts
from test_fuzz_cli import run_main

from advisor.models import Assessment

# --------------------------------------------------------------------------- batch


def _batch_lines(draw_lines: list[bytes]) -> bytes:
    return b"\n".join(line.replace(b"\n", b" ").replace(b"\r", b" ") for line in draw_lines)


@given(
    lines=st.lists(
        st.one_of(
            mutated_profiles().map(lambda b: b if b.lstrip().startswith(b"{") else b"{}"),
            profile_dicts().map(lambda d: json.dumps(d).encode()),
            garbage_documents(),
        ),
        min_size=20,
        max_size=60,
    )
)
@settings(max_examples=4, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_batch_survives_garbage_lines(
    lines: list[bytes], tmp_path_factory: pytest.TempPathFactory, fuzz_tried: Counter[str]
) -> None:
    """A JSONL batch mixing valid, odd and garbage lines exits 0 or 3, one record per line."""
    folder = tmp_path_factory.mktemp("batch")
    src = folder / "in.jsonl"
    src.write_bytes(_batch_lines(lines))
    out = folder / "out.jsonl"
    fuzz_tried["batch records"] += len(lines)
    argv = ["batch", str(src), "-o", str(out), "--workers", "1", "--detail", "full"]
    code, _stdout, err = run_main(argv)
    assert "Traceback" not in err
    assert code in (0, 2, 3), err[-2000:]
    if code != 2:
        records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x]
        expected = sum(1 for x in src.read_bytes().split(b"\n") if x.strip())
        assert len(records) == expected
        for rec in records:
            if "errors" in rec:
                assert rec["errors"], rec
            else:
                Assessment.model_validate(rec)


CELL_GARBAGE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "nan", "NaN", "inf", "-inf", "1e999", "1" + "0" * 5000, "true", "2",
                     "-1", "0x10", "１２", "=cmd|' /C calc'!A0", '"', "\x00", "\u2028"]),
)  # fmt: skip


@given(
    rows=st.lists(
        st.tuples(profile_dicts(), st.lists(st.tuples(st.integers(0, 60), CELL_GARBAGE),
                                            max_size=3)),
        min_size=20,
        max_size=40,
    )
)  # fmt: skip
@settings(max_examples=5)
def test_batch_survives_garbage_csv_cells(
    rows: list, tmp_path_factory: pytest.TempPathFactory, fuzz_tried: Counter[str]
) -> None:
    """A CSV batch whose rows have garbage cells (NaN, huge numbers, formulas, NUL, odd
    unicode) exits 0 or 3 with one record per row, each an assessment or an error record."""
    import csv

    from advisor.batch import CSV_COLUMNS, data_to_row

    folder = tmp_path_factory.mktemp("csvbatch")
    src = folder / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for data, edits in rows:
            cells = data_to_row(data)
            for i, value in edits:
                cells[i % len(cells)] = value
            w.writerow(cells)
    out = folder / "out.jsonl"
    fuzz_tried["batch records"] += len(rows)
    code, _stdout, err = run_main(["batch", str(src), "-o", str(out), "--workers", "1"])
    assert "Traceback" not in err
    assert code in (0, 2, 3), err[-2000:]
    if code != 2:
        records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x]
        assert len(records) == len(rows)
        for rec in records:  # compact records, the command's default
            if "errors" in rec:
                assert rec["errors"], rec
            else:
                assert_compact(rec)


def assert_compact(rec: dict) -> None:
    """A well-formed compact record (docs/CONTRACT.md): figures, ids, ranks 1..n, versions."""
    from advisor.models import ASYMMETRY_LEVELS

    assert rec["detail"] == "compact" and rec["schema_version"] == 1
    assert rec["engine_version"] and rec["knowledge_base_version"]
    assert rec["asymmetry"]["level"] in ASYMMETRY_LEVELS
    assert -1 <= rec["asymmetry"]["index"] <= 1
    assert all(0 <= d["severity"] <= 1 for d in rec["diagnoses"])
    assert [a["rank"] for a in rec["actions"]] == list(range(1, len(rec["actions"]) + 1))
    assert len(json.dumps(rec, ensure_ascii=False).encode()) <= 4096
