"""A/B of ``advisor batch`` between two trees, runs interleaved, in one script.

The machine is shared, so wall time is mostly other people's load; what one script can say is
the ratio of CPU (the command and its workers, see ``bench_batch.run_command``) and wall time
between two trees run alternately on the same input. ``--base`` is the other tree (default
``/work/main``, read-only: its own ``.venv/bin/python`` runs the command there); this tree is
the branch. Both outputs are compared byte for byte after each pair (the records; the results
workbook's cells for ``--xlsx``).

Usage: ``.venv/bin/python bench/bench_ab.py [--base /work/main] [--sizes 2000,10000]
[--repeat 3] [--xlsx 0] [--workers 2]``. Prints one line per run and a table of medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_batch import SEED, run_command  # noqa: E402

from advisor.synth import generate_data, write_file  # noqa: E402


def _cells(path: Path) -> list[tuple]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--base", default="/work/main", help="the other tree (its .venv runs it)")
    ap.add_argument("--sizes", default="2000,10000", help="JSONL inputs, compact records")
    ap.add_argument("--repeat", type=int, default=3, help="pairs of runs per input")
    ap.add_argument("--xlsx", type=int, default=0, help="rows of a workbook in + results out")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    base = Path(args.base)
    trees = {
        "base": (str(base / ".venv" / "bin" / "python"), base),
        "branch": (sys.executable, ROOT),
    }
    inputs: list[tuple[str, int, str]] = [
        ("jsonl", int(n), ".jsonl") for n in args.sizes.split(",") if n
    ]
    if args.xlsx:
        inputs.append(("xlsx", args.xlsx, ".xlsx"))
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_ab_") as tmp:
        for kind, n, out_ext in inputs:
            inp = Path(tmp) / f"in_{n}.{kind}"
            if kind == "jsonl":
                write_file(n, SEED, inp)
            else:
                from advisor.office.xlsx_template import write_cases

                write_cases(inp, generate_data(n, SEED), "zh")
            runs: dict[str, list[dict]] = {"base": [], "branch": []}
            for rep in range(args.repeat):
                order = ("base", "branch") if rep % 2 == 0 else ("branch", "base")
                outs = {}
                for name in order:
                    python, cwd = trees[name]
                    out = Path(tmp) / f"out_{name}{out_ext}"
                    r = run_command(inp, out, args.workers, ("--detail", "compact"), python, cwd)
                    runs[name].append(r)
                    outs[name] = out
                    print(
                        f"{kind} n={n:,} {name:6} run {rep + 1}: wall {r['wall']:.1f} s, "
                        f"CPU {r['cpu']:.1f} s, load {r['load']:.1f}, "
                        f"tree {r['tree_mib']:.0f} MiB",
                        flush=True,
                    )
                if kind == "jsonl":
                    same = outs["base"].read_bytes() == outs["branch"].read_bytes()
                else:
                    same = _cells(outs["base"]) == _cells(outs["branch"])
                print(f"  outputs identical: {same}", flush=True)
                if not same:
                    raise SystemExit("the two trees wrote different results")
            med = {
                name: {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "load")}
                for name, rs in runs.items()
            }
            results.append((kind, n, med))
    print()
    print(
        "| input | base: median wall / CPU (s) | branch: median wall / CPU (s) "
        "| CPU ratio | wall ratio | load |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for kind, n, med in results:
        b, r = med["base"], med["branch"]
        print(
            f"| {n:,} {kind} | {b['wall']:.1f} / {b['cpu']:.2f} | {r['wall']:.1f} / {r['cpu']:.2f} "
            f"| {b['cpu'] / r['cpu']:.2f}x | {b['wall'] / r['wall']:.2f}x "
            f"| {min(b['load'], r['load']):.0f}-{max(b['load'], r['load']):.0f} |"
        )
    print(f"\nload average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
