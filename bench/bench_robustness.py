"""Benchmark the robustness analysis, and the assessment it must not slow down.

Prints, for the paper's two cases, the p50 / p90 wall time of one robustness analysis with
1,000 sampled worlds (``advisor.robustness.analyse``: sampling, the oracle in every world, the
shares and sensitivities), and the p50 of one plain assessment (``advisor.pipeline.assess``,
without robustness) over varied profiles. Targets (issue 12): robustness with 1,000 worlds
p50 <= 200 ms for one profile; the plain assessment's p50 within 10% of what it was before.

For the second target run the same script from a checkout of the base commit with
``--assess-only`` (it then needs no robustness module) and compare, interleaving the runs:

    .venv/bin/python bench/bench_robustness.py
    .venv/bin/python bench/bench_robustness.py --assess-only            # in either tree
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.pipeline import assess, preset
from rules.lint import sample_profiles


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def bench_assess(n: int) -> float:
    """p50 of one plain assessment in ms, over ``n`` varied profiles (after warm-up)."""
    profiles = sample_profiles(200, seed=4)
    for p in profiles[:20]:
        assess(p)
    times = []
    for i in range(n):
        p = profiles[i % len(profiles)]
        t = time.perf_counter()
        assess(p)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bench_robustness(name: str, repeats: int, worlds: int) -> tuple[float, float, float]:
    """p50 and p90 of one analysis's wall time in ms, and the p50 of its CPU time (this
    process's; less moved by the other work on a shared machine than the wall time)."""
    from advisor.robustness import analyse

    p = preset(name)
    a = assess(p)
    analyse(p, a, worlds=50)  # warm-up: compile, find the parameters
    times, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        analyse(p, a, worlds=worlds)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(times), _pct(times, 0.9), statistics.median(cpu)


def bench_oracle(n: int) -> float:
    """p50 of one plain oracle evaluation in us (the same moment's yardstick)."""
    from rules import oracle

    p = preset("case-y")
    oracle.evaluate(p)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        oracle.evaluate(p)
        times.append((time.perf_counter() - t) * 1e6)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15, help="analyses timed per case")
    ap.add_argument("--worlds", type=int, default=1000, help="sampled worlds per analysis")
    ap.add_argument("--assess", type=int, default=3000, help="plain assessments timed")
    ap.add_argument("--assess-only", action="store_true", help="time the plain assessment only")
    args = ap.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.assess_only:
        print(f"yardstick: one plain oracle evaluation of case-y p50 {bench_oracle(2000):.0f} us")
        for name in ("case-y", "case-h"):
            p50, p90, cpu = bench_robustness(name, args.repeats, args.worlds)
            print(
                f"robustness {name}, {args.worlds} worlds: p50 {p50:.0f} ms, p90 {p90:.0f} ms "
                f"({1000 * p50 / args.worlds:.0f} us per world); CPU time p50 {cpu:.0f} ms"
            )
    print(f"plain assessment p50: {bench_assess(args.assess):.3f} ms ({args.assess} timed)")


if __name__ == "__main__":
    main()
