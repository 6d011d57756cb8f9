"""End-to-end batch runs through the real command and the real engine, in subprocesses."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from advisor.batch import CSV_COLUMNS, data_to_row
from advisor.synth import profile_data, write_file

ROOT = Path(__file__).resolve().parents[2]
N_BIG = 500
# The interruption tests keep full records: compact ones (the default since issue 17) finish
# 500 profiles too fast to be interrupted midway.
FULL = ("--detail", "full")


def advisor(*args: str, **kw) -> subprocess.CompletedProcess:
    """Run ``python -m advisor.cli ARGS`` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "advisor.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


def records(path: Path) -> list[dict]:
    """The JSONL records of an output file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def without_versions(recs: list[dict]) -> list[dict]:
    """Records without the version stamps (others may edit the knowledge base meanwhile)."""
    return [
        {k: v for k, v in r.items() if k not in ("engine_version", "knowledge_base_version")}
        for r in recs
    ]


def first_difference(got: list[dict], expected: list[dict]) -> str:
    """Where two record lists first differ (record number and top-level keys)."""
    if len(got) != len(expected):
        return f"{len(got)} records, expected {len(expected)}"
    for i, (a, b) in enumerate(zip(got, expected, strict=True)):
        keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        keys = [k for k in keys if k not in ("engine_version", "knowledge_base_version")]
        if keys:
            first = keys[0]
            return f"record {i} differs in {keys}: {a.get(first)!s:.300} != {b.get(first)!s:.300}"
    return "no difference"


@pytest.fixture(scope="module")
def mixed_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 profiles, with a malformed line (6), a bad share sum (11) and a blank line."""
    folder = tmp_path_factory.mktemp("mixed")
    lines = [json.dumps(profile_data(i, 3), ensure_ascii=False) for i in range(40)]
    lines[5] = '{"id": "broken", '
    bad = profile_data(10, 3)
    bad["funding"]["charity"] += 0.7
    bad["human_resources"]["leadership"] = "mayor"
    lines[10] = json.dumps(bad)
    lines.insert(20, "")
    path = folder / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mixed_run(mixed_jsonl: Path) -> tuple[subprocess.CompletedProcess, Path]:
    """The mixed input assessed with 2 workers (small chunks, so order is really tested)."""
    out = mixed_jsonl.with_name("out.jsonl")
    proc = advisor(
        "batch",
        str(mixed_jsonl),
        "-o",
        str(out),
        "--workers",
        "2",
        "--chunk-size",
        "3",
        "--summary-lang",
        "en",
    )
    return proc, out


def test_bad_rows_become_error_records_and_the_run_goes_on(mixed_run) -> None:
    """Exit 3; one record per input in input order; bad rows carry line and field errors."""
    proc, out = mixed_run
    assert proc.returncode == 3, proc.stderr
    recs = records(out)
    assert len(recs) == 40
    expected_ids = [f"synth-3-{i:07d}" for i in range(40)]
    for i, rec in enumerate(recs):
        if i in (5, 10):
            continue
        assert "errors" not in rec and rec["profile_id"] == expected_ids[i]
    assert recs[5]["line"] == 6 and recs[5]["profile_id"] is None
    assert "malformed JSON" in recs[5]["errors"][0]["message"]
    assert recs[10]["line"] == 11 and recs[10]["profile_id"] == expected_ids[10]
    paths = {e["path"] for e in recs[10]["errors"]}
    assert {"funding", "human_resources.leadership"} <= paths
    assert recs[30]["profile_id"] == expected_ids[30]  # after the blank line, still in order


def test_summary_counts_agree_with_the_jsonl(mixed_run) -> None:
    """The summary's totals, level counts and failed rows are those of the output file."""
    _, out = mixed_run
    recs = records(out)
    ok = [r for r in recs if "errors" not in r]
    md = out.with_name(out.name + ".summary.md").read_text(encoding="utf-8")
    html = out.with_name(out.name + ".summary.html").read_text(encoding="utf-8")
    assert f"| Records | {len(recs)} |" in md
    assert f"| Assessed | {len(ok)} |" in md
    assert "| Failed (validation or engine error) | 2 |" in md
    levels = Counter(r["asymmetry"]["level"] for r in ok)
    for level in ("balanced", "moderate", "high", "severe"):
        assert re.search(rf"\| {level} \| {levels.get(level, 0)} \|", md), level
        assert f'data-level="{level}" data-count="{levels.get(level, 0)}"' in html
    diagnoses = Counter(d["id"] for r in ok for d in r["diagnoses"])
    for did, count in diagnoses.most_common(5):
        assert f'data-id="{did}" data-count="{count}"' in html
    assert "| 6 |" in md and "| 11 |" in md  # the failed lines
    assert "human_resources.leadership" in html


def test_two_workers_give_the_same_records_as_one(mixed_jsonl: Path, mixed_run) -> None:
    """Parallel output equals sequential output, record by record, in the same order."""
    _, out2 = mixed_run
    out1 = mixed_jsonl.with_name("out1.jsonl")
    proc = advisor("batch", str(mixed_jsonl), "-o", str(out1), "--workers", "1")
    assert proc.returncode == 3
    assert records(out1) == records(out2)


def test_forkserver_and_spawn_workers_write_the_same_bytes(mixed_jsonl: Path, mixed_run) -> None:
    """The command's workers are forked from a server that loaded the knowledge base once
    (the default); spawned workers, each loading it alone, write the very same file."""
    _, out_default = mixed_run
    out_spawn = mixed_jsonl.with_name("out_spawn.jsonl")
    proc = advisor(
        "batch", str(mixed_jsonl), "-o", str(out_spawn), "--workers", "2", "--start-method", "spawn"
    )
    assert proc.returncode == 3, proc.stderr
    assert "crashed" not in out_default.read_text(encoding="utf-8")
    assert out_spawn.read_bytes() == out_default.read_bytes()


def test_csv_input_is_assessed(tmp_path: Path) -> None:
    """A CSV of dotted columns (null third party as empty cells) is assessed; exit 0."""
    inp = tmp_path / "district.csv"
    write_file(30, 8, inp)
    out = tmp_path / "out.jsonl"
    proc = advisor("batch", str(inp), "-o", str(out), "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    recs = records(out)
    assert [r["profile_id"] for r in recs] == [f"synth-8-{i:07d}" for i in range(30)]


def test_csv_bad_row_reports_its_line_and_cell(tmp_path: Path) -> None:
    """A CSV row with a bad boolean fails with its line and dotted column; others pass."""
    import csv

    inp = tmp_path / "district.csv"
    with inp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for i in range(3):
            cells = data_to_row(profile_data(i, 4))
            if i == 1:
                cells[CSV_COLUMNS.index("management.records")] = "perhaps"
            w.writerow(cells)
    out = tmp_path / "out.jsonl"
    proc = advisor("batch", str(inp), "-o", str(out), "--workers", "1")
    assert proc.returncode == 3
    recs = records(out)
    assert recs[1]["line"] == 3
    assert recs[1]["errors"][0]["path"] == "management.records"
    assert "errors" not in recs[0] and "errors" not in recs[2]


def test_folder_input_in_name_order(tmp_path: Path) -> None:
    """A folder of .yaml and .json profiles is read in name order; a bad file names itself."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "b.yaml").write_text(yaml.safe_dump(profile_data(1, 5), allow_unicode=True))
    (folder / "a.json").write_text(json.dumps(profile_data(0, 5)))
    bad = profile_data(2, 5)
    bad["human_resources"]["core_volunteers"] = bad["human_resources"]["volunteers"] + 1
    (folder / "c.yml").write_text(yaml.safe_dump(bad))
    (folder / "readme.txt").write_text("not a profile")
    out = tmp_path / "out.jsonl"
    proc = advisor("batch", str(folder), "-o", str(out), "--workers", "1")
    assert proc.returncode == 3
    recs = records(out)
    assert [r.get("profile_id") for r in recs] == [f"synth-5-{i:07d}" for i in range(3)]
    assert recs[2]["line"] == 3 and recs[2]["source"].endswith("c.yml")
    assert recs[2]["errors"][0]["path"] == "human_resources.core_volunteers"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.jsonl", None, "no such file or folder"),
        ("profiles.txt", "{}\n", "unknown input format"),
        ("bad.csv", "id,name,nonsense\n", "not fields of schema_version 1: 'nonsense'"),
    ],
)
def test_unusable_input_exits_2_with_a_message(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    """Missing file, unknown format, unusable CSV header: exit 2, a message, no traceback."""
    inp = tmp_path / name
    if content is not None:
        inp.write_text(content)
    proc = advisor("batch", str(inp), "-o", str(tmp_path / "out.jsonl"))
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """Several hundred profiles and their uninterrupted 2-worker output."""
    folder = tmp_path_factory.mktemp("big")
    inp = folder / "big.jsonl"
    write_file(N_BIG, 77, inp)
    out = folder / "reference.jsonl"
    proc = advisor("batch", str(inp), "-o", str(out), "--workers", "2", *FULL)
    assert proc.returncode == 0, proc.stderr
    return inp, records(out)


def _start_and_kill(inp: Path, out: Path, sig: int, after_lines: int, workers: int) -> int:
    """Start a batch in its own process group; send ``sig`` once OUT has enough lines."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "advisor.cli",
            "batch",
            str(inp),
            "-o",
            str(out),
            "--workers",
            str(workers),
            *FULL,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= after_lines:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the batch finished before it could be interrupted"
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole group: the workers die too
    else:
        os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    return proc.returncode


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "workers"), [(signal.SIGKILL, 2), (signal.SIGTERM, 1), (signal.SIGINT, 2)]
)
def test_resume_after_a_real_interruption_matches_an_uninterrupted_run(
    tmp_path: Path, big: tuple[Path, list[dict]], sig: int, workers: int
) -> None:
    """Kill a running batch midway; its output is whole records; --resume completes it exactly."""
    inp, reference = big
    out = tmp_path / "out.jsonl"
    code = _start_and_kill(inp, out, sig, after_lines=120, workers=workers)
    if sig == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code == 130  # stopped cleanly: whole records only, and says how to resume
    partial = out.read_bytes()
    done = partial.count(b"\n")
    assert 120 <= done < N_BIG
    if sig != signal.SIGKILL:
        assert partial.endswith(b"\n")
    proc = advisor("batch", str(inp), "-o", str(out), "--workers", str(workers), "--resume", *FULL)
    assert proc.returncode == 0, proc.stderr
    assert f"resumed after {done:,}" in proc.stderr
    got = without_versions(records(out))
    assert got == without_versions(reference), first_difference(got, reference)
    md = out.with_name(out.name + ".summary.md").read_text(encoding="utf-8")
    assert f"| 记录总数 | {N_BIG:,} |" in md


def test_resume_truncates_a_half_written_record(tmp_path: Path, big) -> None:
    """An output cut in the middle of a line resumes to exactly the uninterrupted result."""
    inp, reference = big
    out = tmp_path / "out.jsonl"
    text = "".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in reference[:300]
    )
    cut = text + json.dumps(reference[300])[:100]
    out.write_text(cut, encoding="utf-8")
    proc = advisor("batch", str(inp), "-o", str(out), "--workers", "1", "--resume", *FULL)
    assert proc.returncode == 0, proc.stderr
    got = without_versions(records(out))
    assert got == without_versions(reference), first_difference(got, reference)


def test_resume_refuses_an_output_of_another_input(tmp_path: Path, big) -> None:
    """--resume on a file made from another input exits 2 and leaves it alone."""
    inp, _ = big
    other = tmp_path / "other.jsonl"
    write_file(5, 99, other)
    out = tmp_path / "out.jsonl"
    assert advisor("batch", str(other), "-o", str(out), "--workers", "1").returncode == 0
    before = out.read_bytes()
    proc = advisor("batch", str(inp), "-o", str(out), "--workers", "1", "--resume")
    assert proc.returncode == 2 and "do not match the input" in proc.stderr
    assert out.read_bytes() == before


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """With stderr on a terminal, the bar shows counts, rate and ETA."""
    inp = tmp_path / "in.jsonl"
    write_file(20, 1, inp)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "advisor.cli",
            "batch",
            str(inp),
            "-o",
            str(tmp_path / "out.jsonl"),
            "--workers",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "20/20" in text and "/s" in text and "ETA" in text


def test_no_progress_bar_when_not_a_terminal(mixed_run) -> None:
    """Piped stderr gets only the final one-line report, no bar."""
    proc, _ = mixed_run
    assert "\r" not in proc.stderr and "ETA" not in proc.stderr
    assert "40 records" in proc.stderr


def test_synth_command_writes_jsonl_and_csv(tmp_path: Path) -> None:
    """advisor synth writes N profiles, deterministic for the seed, JSONL or CSV by extension."""
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.csv"
    for path in (a, b, c):
        assert advisor("synth", "25", "--seed", "6", "-o", str(path)).returncode == 0
    assert a.read_bytes() == b.read_bytes()
    assert len(a.read_text().splitlines()) == 25
    assert c.read_text().splitlines()[0].split(",") == CSV_COLUMNS
