"""Batch results: the compact record, and the results as XLSX, CSV and Parquet, read back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from advisor.office.results import HEAD, KEYS, compact_data, compact_record, item_label
from advisor.pipeline import PRESETS, assess, preset
from advisor.synth import generate

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 4096


def advisor(*args: str) -> subprocess.CompletedProcess:
    """Run the real command."""
    return subprocess.run(
        [sys.executable, "-m", "advisor.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_compact_record_is_small_complete_and_the_same_bytes_each_time():
    """Every compact record (paper cases and 150 synthetic ones) is at most 4 kB, carries the
    figures, diagnoses with severities, actions with rank, priority and actor, and both
    versions, agrees with the full assessment, and is byte-identical when made again."""
    profiles = [preset(name) for name in PRESETS] + list(generate(150, seed=11))
    biggest = 0
    for profile in profiles:
        a = assess(profile)
        line = compact_record(a)
        biggest = max(biggest, len(line))
        assert len(line) <= LIMIT, (profile.id, len(line))
        assert compact_record(assess(profile)) == line
        rec = json.loads(line)
        full = json.loads(a.model_dump_json())
        assert rec["detail"] == "compact"
        for key in ("profile_id", "engine_version", "knowledge_base_version", "dependence"):
            assert rec[key] == full[key]
        for key in ("index", "level", "force_on_government", "government_on_force"):
            assert rec["asymmetry"][key] == full["asymmetry"][key]
        if "direction" in full["asymmetry"]:
            assert rec["asymmetry"]["direction"] == full["asymmetry"]["direction"]
        assert rec["coproduction"] == full["coproduction"]
        assert rec["diagnoses"] == [
            {"id": d["id"], "severity": d["severity"]} for d in full["diagnoses"]
        ]
        assert [(x["id"], x["rank"], x["priority"], x["actor"]) for x in rec["actions"]] == [
            (x["id"], x["rank"], x["priority"], x["actor"]) for x in full["actions"]
        ]
        for d in rec["diagnoses"]:  # every id resolves to its text in the knowledge base
            assert item_label(d["id"], "zh") != d["id"]
    assert biggest > 200


def test_compact_reads_direction_defensively():
    """An asymmetry with a direction (another change adds it) is carried into the record."""
    a = assess(preset(next(iter(PRESETS))))

    class WithDirection:
        def __init__(self, asym):
            self.__dict__.update(asym.__dict__)
            self.direction = "force_on_government"

    a2 = a.model_copy()
    object.__setattr__(a2, "asymmetry", WithDirection(a.asymmetry))
    assert compact_data(a2)["asymmetry"]["direction"] == "force_on_government"
    assert "direction" not in compact_data(a)["asymmetry"] or a.asymmetry.direction is not None


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    """40 synthetic profiles, one bad (shares sum 1.5), one named like a formula."""
    folder = tmp_path_factory.mktemp("district")
    datas = [p.model_dump(mode="json") for p in generate(40, seed=5)]
    datas[7]["name"] = "=cmd|' /C calc'!A0"
    datas[9]["funding"]["charity"] = 0.9
    path = folder / "district.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in datas), "utf-8")
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_results_workbook_reads_back_one_row_per_case(district, tmp_path, lang):
    """`-o results.xlsx`: one row per input record, headers in the user's language, the top
    three actions in words, the level coloured by conditional formatting, formulas neutralised;
    the records stay beside it as JSONL."""
    out = tmp_path / "results.xlsx"
    res = advisor("batch", str(district), "-o", str(out), "--summary-lang", lang, "--workers", "1")
    assert res.returncode == 3, res.stderr
    records = [json.loads(x) for x in (tmp_path / "results.xlsx.jsonl").read_text().splitlines()]
    assert len(records) == 40
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == [HEAD[k][lang] for k in KEYS]
    assert ws.max_row == 41
    assert ws.conditional_formatting
    df = pd.read_excel(out)
    assert len(df) == 40
    first = records[0]
    top = min(first["actions"], key=lambda a: a["rank"])
    assert item_label(top["id"], lang) in df.iloc[0][HEAD["action_1"][lang]]
    assert df.iloc[0][HEAD["index"][lang]] == pytest.approx(first["asymmetry"]["index"])
    assert df.iloc[7][HEAD["name"][lang]] == "'=cmd|' /C calc'!A0"
    assert ws.cell(row=9, column=header.index(HEAD["name"][lang]) + 1).data_type == "s"
    failed = df.iloc[9]
    assert failed[HEAD["status"][lang]] == (
        "未评估（有问题）" if lang == "zh" else "not assessed (problems)"
    )
    assert "funding" in failed[HEAD["problems"][lang]]


def test_results_csv_and_parquet_read_back(district, tmp_path):
    """CSV (BOM, Excel-safe) and Parquet (typed columns) carry the same rows as the records."""
    csv_out, pq_out = tmp_path / "r.csv", tmp_path / "r.parquet"
    assert advisor("batch", str(district), "-o", str(csv_out), "--workers", "1").returncode == 3
    res = advisor(
        "batch", str(district), "-o", str(tmp_path / "r"), "--format", "parquet", "--workers", "1"
    )
    assert res.returncode == 3, res.stderr
    pq_out = tmp_path / "r"
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    c = pd.read_csv(csv_out, encoding="utf-8-sig")
    p = pd.read_parquet(pq_out)
    assert len(c) == len(p) == 40
    assert list(p.columns) == list(KEYS)
    assert p["index"].dtype == "float64"
    assert p["coproduction_score"].isna().sum() == 1  # the failed row has no score
    records = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    ok = [i for i, r in enumerate(records) if "errors" not in r]
    for i in ok[:10]:
        assert p["index"][i] == pytest.approx(records[i]["asymmetry"]["index"])
        assert p["profile_id"][i] == records[i]["profile_id"]
    assert c[HEAD["name"]["zh"]][7] == "'=cmd|' /C calc'!A0"
    assert p["name"][7] == "=cmd|' /C calc'!A0"  # Parquet is data, not a sheet: kept exact
    # DuckDB, as an analyst queries it: the rows, a typed column, the same values as pandas
    import duckdb

    con = duckdb.connect()
    try:
        path = str(pq_out).replace("'", "''")
        n, failed = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE coproduction_score IS NULL) "
            f"FROM read_parquet('{path}')"
        ).fetchone()
        ids = [
            r[0] for r in con.execute(f"SELECT profile_id FROM read_parquet('{path}')").fetchall()
        ]
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        kinds = {row[0]: row[1] for row in described}  # column name -> DuckDB type
    finally:
        con.close()
    assert (n, failed) == (40, 1)
    assert ids == list(p["profile_id"])
    assert kinds["index"] == "DOUBLE"


def test_detail_full_keeps_whole_assessments_and_resume_of_compact_names_items(district, tmp_path):
    """--detail full writes whole assessments (labels, sources); a compact output resumed
    later still names diagnoses and actions in words in its summary."""
    full = tmp_path / "full.jsonl"
    assert (
        advisor(
            "batch", str(district), "-o", str(full), "--detail", "full", "--workers", "1"
        ).returncode
        == 3
    )
    rec = json.loads(full.read_text().splitlines()[0])
    assert "label" in rec["diagnoses"][0] and "sources" in rec["actions"][0]
    compact = tmp_path / "c.jsonl"
    assert advisor("batch", str(district), "-o", str(compact), "--workers", "1").returncode == 3
    lines = compact.read_text().splitlines(keepends=True)
    compact.write_text("".join(lines[:20]))
    res = advisor("batch", str(district), "-o", str(compact), "--workers", "1", "--resume")
    assert res.returncode == 3 and "resumed after 20" in res.stderr
    md = compact.with_name("c.jsonl.summary.md").read_text()
    diag = json.loads(lines[0])["diagnoses"][0]["id"]
    assert item_label(diag, "zh") in md
