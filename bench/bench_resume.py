"""Benchmark ``advisor batch --resume``: re-reading the whole output against the checkpoint.

Makes (or reuses) a batch output of N records, cuts its last K records off as a kill would, and
times resuming it end to end (``run_batch(..., resume=True)``, one worker) twice: without a
checkpoint (every kept record is re-read and re-parsed, the old way) and with one (only what
follows the checkpoint is read).

    .venv/bin/python bench/bench_resume.py --n 20000 --dir /tmp/resume-bench
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.batch import Summary, recover_output, run_batch
from advisor.batch_lifecycle import Checkpoint, checkpoint_path, input_key
from advisor.synth import write_file


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--left", type=int, default=10, help="records cut off the end")
    ap.add_argument("--dir", default="/tmp/resume-bench")
    args = ap.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    src, full = folder / "s.jsonl", folder / "full.jsonl"
    if not src.exists():
        write_file(args.n, 1, src)
    if not full.exists():
        run_batch(src, full, workers=2)
    lines_kept = args.n - args.left
    cut = folder / "cut.jsonl"
    with full.open("rb") as fh, cut.open("wb") as out:
        for i, line in enumerate(fh):
            if i == lines_kept:
                break
            out.write(line)
    size = cut.stat().st_size
    print(
        f"output: {args.n:,} records, {full.stat().st_size / 2**20:,.0f} MiB; resuming the last "
        f"{args.left} after {lines_kept:,}; load {os.getloadavg()[0]:.1f}"
    )

    # without a checkpoint: the whole output is re-read
    a = folder / "a.jsonl"
    shutil.copy(cut, a)
    checkpoint_path(a).unlink(missing_ok=True)
    t0 = time.perf_counter()
    ra = run_batch(src, a, workers=1, resume=True)
    t_full = time.perf_counter() - t0

    # with a checkpoint at the cut (what an interrupted run leaves)
    b = folder / "b.jsonl"
    shutil.copy(cut, b)
    summary = Summary()
    recover_output(b, summary)
    fd = os.open(b, os.O_RDONLY)
    try:
        Checkpoint(b, input_key(src)).save(summary, fd, size, lines_kept, force=True)
    finally:
        os.close(fd)
    t0 = time.perf_counter()
    rb = run_batch(src, b, workers=1, resume=True)
    t_ck = time.perf_counter() - t0
    assert ra.total == rb.total == args.n and ra.summary.levels == rb.summary.levels
    print(
        f"resume without checkpoint: {t_full:.2f} s; with checkpoint: {t_ck:.2f} s "
        f"({t_full / t_ck:.0f}x)"
    )


if __name__ == "__main__":
    main()
