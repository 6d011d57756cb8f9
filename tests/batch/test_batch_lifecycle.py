"""Batch lifecycle: workers die with the parent, each row is bounded in time and memory, and
``--resume`` starts from a small checkpoint instead of re-reading the whole output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from advisor.batch import Summary, run_batch
from advisor.batch import output as batch_output
from advisor.batch import worker as batch_worker
from advisor.batch_lifecycle import checkpoint_path
from advisor.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def _synth(folder: Path, n: int) -> Path:
    src = folder / "s.jsonl"
    assert main(["synth", str(n), "--seed", "5", "-o", str(src)]) == 0
    return src


def _marked(token: str) -> list[int]:
    """Pids of live processes whose environment carries ``token``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in env and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0, 4.0])
def test_killing_a_batch_early_leaves_no_worker(tmp_path: Path, delay: float) -> None:
    src = _synth(tmp_path, 400)
    token = f"H18_BATCH_{uuid.uuid4().hex}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "advisor.cli",
            "batch",
            str(src),
            "-o",
            str(tmp_path / "o.jsonl"),
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env={**os.environ, "H18_MARK": token},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.kill()
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _marked(token) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _marked(token)
    for pid in left:  # clean up before failing, so nothing outlives the test
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"workers outlived their parent: {left}"


def test_a_slow_row_becomes_an_error_record_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor import pipeline

    src = _synth(tmp_path, 4)
    slow_id = json.loads(src.read_text(encoding="utf-8").splitlines()[1])["id"]

    class Slow:
        @staticmethod
        def assess(profile):  # type: ignore[no-untyped-def]
            if profile.id == slow_id:
                time.sleep(30)
            return pipeline.assess(profile)

    from advisor.io import profile_from_data

    for line in src.read_text(encoding="utf-8").splitlines():  # first-use costs paid here
        pipeline.assess(profile_from_data(json.loads(line)))
    # 5 s: far above a warm assessment even on a loaded machine, far below the slow row's 30 s
    monkeypatch.setattr(batch_worker, "ROW_SECONDS", 5.0)
    monkeypatch.setattr(batch_worker, "_engine", lambda: Slow)
    t0 = time.monotonic()
    result = run_batch(src, tmp_path / "o.jsonl", workers=1)
    assert time.monotonic() - t0 < 25
    recs = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [("errors" in r) for r in recs] == [False, True, False, False]
    assert "took more than" in recs[1]["errors"][0]["message"]
    assert result.failed == 1 and result.assessed == 3


MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from advisor.batch import worker as batch
    from advisor.batch_lifecycle import limit_memory

    class Greedy:
        @staticmethod
        def assess(profile):
            blob = bytearray(4 << 30)  # 4 GiB: far over the cap
            return blob

    if __name__ == "__main__":
        batch._engine()  # warm up, as a worker does, then cap
        assert limit_memory(256 << 20)
        batch._engine = lambda: Greedy
        row = batch.RawRow(1, "x", sys.argv[1])
        line, digest = batch.assess_row("jsonl", (), row)
        print(line.decode())
    """
)


def test_a_row_that_needs_too_much_memory_becomes_an_error_record(tmp_path: Path) -> None:
    src = _synth(tmp_path, 1)
    script = tmp_path / "greedy.py"
    script.write_text(MEMORY_SCRIPT, encoding="utf-8")
    line = src.read_text(encoding="utf-8").splitlines()[0]
    proc = subprocess.run(
        [sys.executable, str(script), line], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    rec = json.loads(proc.stdout)
    assert "more memory" in rec["errors"][0]["message"]


def _records(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_bytes().splitlines()]


def test_resume_starts_from_the_checkpoint_not_from_the_whole_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _synth(tmp_path, 240)
    out = tmp_path / "o.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "advisor.cli",
            "batch",
            str(src),
            "-o",
            str(out),
            "--workers",
            "1",
            "--chunk-size",
            "4",
            "--detail",
            "full",  # full records: slow enough for the interruption to land mid-run
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= 40:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=120) == 130, proc.stderr.read() if proc.stderr else ""
    ck = json.loads(checkpoint_path(out).read_text(encoding="utf-8"))
    assert ck["records"] >= 40 and ck["records"] < 240
    assert ck["records"] == out.read_bytes().count(b"\n")  # saved on interruption

    read_back = []
    real = batch_output.digest_from_record
    monkeypatch.setattr(
        batch_output, "digest_from_record", lambda rec: read_back.append(rec) or real(rec)
    )
    resumed = run_batch(src, out, workers=1, resume=True)
    assert read_back == []  # nothing re-read: the checkpoint held it all
    assert resumed.resumed_from == ck["records"]
    assert not checkpoint_path(out).exists()  # the run is complete

    fresh = tmp_path / "fresh.jsonl"
    full = run_batch(src, fresh, workers=1)
    assert [r["profile_id"] for r in _records(out)] == [r["profile_id"] for r in _records(fresh)]
    a, b = resumed.summary, full.summary
    assert (a.total, a.assessed, a.failed, a.levels, a.stages) == (
        b.total,
        b.assessed,
        b.failed,
        b.levels,
        b.stages,
    )
    assert a.diagnosis_count == b.diagnosis_count and a.action_first == b.action_first
    assert sorted(e[1] for e in a.attention) == sorted(e[1] for e in b.attention)
    assert a.dependence_sum == pytest.approx(b.dependence_sum)


def test_a_checkpoint_that_does_not_match_the_output_is_ignored(tmp_path: Path) -> None:
    src = _synth(tmp_path, 6)
    out = tmp_path / "o.jsonl"
    run_batch(src, out, workers=1)
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:3]))
    checkpoint_path(out).write_text(
        json.dumps({"version": 1, "input": [], "records": 99, "bytes": 5}), encoding="utf-8"
    )
    result = run_batch(src, out, workers=1, resume=True)
    assert result.resumed_from == 3 and result.total == 6
    assert len(_records(out)) == 6


def test_recover_output_from_an_offset_counts_only_what_follows(tmp_path: Path) -> None:
    src = _synth(tmp_path, 5)
    out = tmp_path / "o.jsonl"
    run_batch(src, out, workers=1)
    data = out.read_bytes()
    first = data.index(b"\n") + 1
    count, last = batch_output.recover_output(out, Summary(), first, 2)
    assert count == 4 and last is not None
    assert last["profile_id"] == json.loads(data.splitlines()[-1])["profile_id"]
    assert (
        batch_output._last_record(out, first)["profile_id"]
        == json.loads(data.splitlines()[0])["profile_id"]
    )
