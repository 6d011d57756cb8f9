"""Batch with unknowns and ranges (issue 12): version 2 rows in CSV and JSONL, and the
summary's count of cases whose top action is fragile."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from advisor.batch import run_batch
from advisor.synth import write_file
from advisor.uncertain_assess import BATCH_ROBUSTNESS_ENV, csv_cells_to_v2


def _loosen_csv(src: Path, dst: Path, rows: int) -> None:
    table = list(csv.reader(src.open(encoding="utf-8")))
    h = table[0]
    col = {name: h.index(name) for name in h}
    for r in table[1 : rows + 1]:
        r[col["schema_version"]] = "2"
        r[col["human_resources.resident_awareness"]] = ""  # unknown
        r[col["human_resources.leadership"]] = "cadre|residents"  # one of these
        g = float(r[col["funding.government_direct"]])
        r[col["funding.government_direct"]] = f"{max(0, g - 0.1):.2f}-{min(1, g + 0.1):.2f}"
        r[col["funding.charity"]] = ""
    with dst.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)


def test_csv_cells_read_ranges_sets_and_unknowns() -> None:
    """'0.2-0.4' is a range, 'a|b' a set, numbers and yes/no convert, typed values pass."""
    data = {
        "schema_version": 2,
        "funding": {"government_direct": "0.2-0.4", "charity": "0.1"},
        "government": {"control": "2|3", "acceptance_mechanism": "false"},
        "human_resources": {"volunteers": "10-40", "leadership": "cadre"},
        "management": {"records": True},
    }
    out = csv_cells_to_v2(data)
    assert out["funding"] == {"government_direct": {"low": 0.2, "high": 0.4}, "charity": 0.1}
    assert out["government"] == {"control": [2, 3], "acceptance_mechanism": False}
    assert out["human_resources"]["volunteers"] == {"low": 10, "high": 40}
    assert out["management"]["records"] is True


def test_batch_assesses_version_2_rows_and_counts_fragile_tops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 2 CSV rows are assessed with undecided conclusions; with robustness on, the
    summary counts the cases with unknowns and those whose top action is fragile."""
    plain = tmp_path / "in.csv"
    write_file(6, 3, plain)
    loose = tmp_path / "loose.csv"
    _loosen_csv(plain, loose, rows=3)
    monkeypatch.setenv(BATCH_ROBUSTNESS_ENV, "30")
    out = tmp_path / "out.jsonl"
    result = run_batch(loose, out, workers=1, progress=False, lang="zh")
    assert result.assessed == 6 and result.failed == 0
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert sum(bool(r.get("uncertain_inputs")) for r in recs) == 3
    assert all(r["robustness"]["worlds"] == 30 for r in recs)
    fragile = sum(bool(r["robustness"]["top_fragile"]) for r in recs)
    md = Path(str(out) + ".summary.md").read_text(encoding="utf-8")
    assert "| 含不清楚信息或范围的案例 | 3 |" in md
    assert f"| {fragile} / 6 |" in md
    html = Path(str(out) + ".summary.html").read_text(encoding="utf-8")
    assert 'id="count-top-fragile"' in html


def test_batch_without_robustness_or_unknowns_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain version 1 input: no new lines in the summary, no new fields filled in."""
    monkeypatch.delenv(BATCH_ROBUSTNESS_ENV, raising=False)
    plain = tmp_path / "in.jsonl"
    write_file(4, 1, plain)
    out = tmp_path / "out.jsonl"
    run_batch(plain, out, workers=1, progress=False, lang="en")
    md = Path(str(out) + ".summary.md").read_text(encoding="utf-8")
    assert "fragile" not in md and "unknowns" not in md
    for line in out.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        assert r.get("robustness") is None and not r.get("undecided")


def test_compact_records_keep_unknowns_and_robustness_through_a_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command's default compact records carry the unknown inputs, the undecided
    conclusions and each case's robustness (ids, shares, labels), so a run resumed from them
    counts the fragile tops as the uninterrupted run does."""
    plain = tmp_path / "in.csv"
    write_file(6, 5, plain)
    loose = tmp_path / "loose.csv"
    _loosen_csv(plain, loose, rows=3)
    monkeypatch.setenv(BATCH_ROBUSTNESS_ENV, "25")
    out = tmp_path / "out.jsonl"
    whole = run_batch(loose, out, workers=1, progress=False, lang="en", detail="compact")
    lines = out.read_bytes().splitlines(keepends=True)
    recs = [json.loads(x) for x in lines]
    assert [bool(r.get("uncertain_inputs")) for r in recs] == [True] * 3 + [False] * 3
    assert "human_resources.resident_awareness" in recs[0]["uncertain_inputs"]
    assert all(u["kind"] in ("diagnosis", "action") for r in recs for u in r.get("undecided", []))
    for r in recs:
        rob = r["robustness"]
        assert rob["worlds"] == 25 and isinstance(rob["top_fragile"], bool)
        # the top of the list is fragile when one of its first three actions is, or when the
        # first one stays first in fewer worlds than the "fairly robust" cut-off (0.6)
        head = [x["id"] for x in r["actions"][:3]]
        share = rob["first_action_share"]
        expected = any(x in rob["fragile"] for x in head) or (share is not None and share < 0.6)
        assert rob["top_fragile"] == expected
    out.write_bytes(b"".join(lines[:4]))  # as if stopped after four records
    resumed = run_batch(
        loose, out, workers=1, progress=False, lang="en", detail="compact", resume=True
    )
    assert resumed.resumed_from == 4 and out.read_bytes() == b"".join(lines)
    a, b = resumed.summary, whole.summary
    assert (a.uncertain, a.robustness_checked, a.top_fragile) == (3, 6, b.top_fragile)
    assert b.robustness_checked == 6 and b.uncertain == 3


def test_plain_compact_records_carry_no_uncertainty_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without unknowns or --robustness a compact record is as before: none of the new keys."""
    monkeypatch.delenv(BATCH_ROBUSTNESS_ENV, raising=False)
    plain = tmp_path / "in.jsonl"
    write_file(3, 2, plain)
    out = tmp_path / "out.jsonl"
    run_batch(plain, out, workers=1, progress=False, detail="compact")
    for line in out.read_text(encoding="utf-8").splitlines():
        assert not {"uncertain_inputs", "undecided", "robustness"} & set(json.loads(line))


def test_fork_server_workers_follow_each_runs_robustness_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process, three runs through the same fork server: the workers take each run's
    --robustness setting, not the one the server was started with."""
    src = tmp_path / "in.jsonl"
    write_file(3, 4, src)

    def run(name: str) -> list[dict]:
        out = tmp_path / f"{name}.jsonl"
        run_batch(src, out, workers=2, progress=False, start_method="forkserver", detail="compact")
        return [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]

    monkeypatch.delenv(BATCH_ROBUSTNESS_ENV, raising=False)
    assert all("robustness" not in r for r in run("off"))
    monkeypatch.setenv(BATCH_ROBUSTNESS_ENV, "12")
    assert [r["robustness"]["worlds"] for r in run("on")] == [12, 12, 12]
    monkeypatch.delenv(BATCH_ROBUSTNESS_ENV)
    assert all("robustness" not in r for r in run("off_again"))
