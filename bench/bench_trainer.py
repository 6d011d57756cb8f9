"""Timing of the trainer tools on the paper's cases, cold (no memoised assessments).

For each operation it prints the median and the spread of ``--repeat`` runs (default 5), and
for the smallest-change searches the states evaluated and the evaluation rate. Every run
starts with an empty assessment memo, so the figures include every assessment the tool makes.

Usage: ``.venv/bin/python bench/bench_trainer.py [--repeat 5]``. Prints a table; the machine is
shared, so figures vary with other users' load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.pipeline import assess, preset  # noqa: E402
from advisor.trainer._assess import clear_cache  # noqa: E402
from advisor.trainer.exercise import create_pack, debrief, score  # noqa: E402
from advisor.trainer.roadmap import build_roadmap  # noqa: E402
from advisor.trainer.sensitivity import sweep, tornado  # noqa: E402
from advisor.trainer.smallest_change import (  # noqa: E402
    asymmetry_goal,
    diagnosis_goal,
    search,
)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Run ``fn`` cold ``repeat`` times; return the wall times (s) and the last result."""
    times: list[float] = []
    result = None
    for _ in range(repeat):
        clear_cache()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    y, h = preset("case-y"), preset("case-h")
    assess(y)  # compile the ruleset once, outside the timings
    t_assess, _ = timed(lambda: assess(y), 50)
    pack = create_pack(y)
    order = pack.recommended() + pack.not_recommended()
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("sweep case-y government.control (5 values)", lambda: sweep(y, "government.control")),
        ("sweep case-y funding.charity (12 values)", lambda: sweep(y, "funding.charity")),
        ("tornado case-y (all fields)", lambda: tornado(y)),
        ("tornado case-h (all fields)", lambda: tornado(h)),
        ("smallest change case-y -> moderate", lambda: search(y, asymmetry_goal("moderate"))),
        ("smallest change case-y -> balanced", lambda: search(y, asymmetry_goal("balanced"))),
        (
            "smallest change case-y remove weak_professionalism",
            lambda: search(y, diagnosis_goal("weak_professionalism")),
        ),
        ("exercise create (case-y)", lambda: create_pack(y)),
        ("exercise score + debrief", lambda: debrief(pack, score(pack, order))),
        ("roadmap case-y", lambda: build_roadmap(assess(y))),
    ]
    print(f"single assessment (engine): median {statistics.median(t_assess) * 1000:.1f} ms")
    print(f"{'operation':55} {'median':>9} {'min':>9} {'max':>9}  notes")
    for name, fn in cases:
        times, result = timed(fn, args.repeat)
        note = ""
        if hasattr(result, "assessed"):
            rate = result.assessed / statistics.median(times)
            costs = [p.cost for p in result.paths]
            note = f"{result.assessed} states, {rate:,.0f} states/s, path costs {costs}"
        elif isinstance(result, list):
            note = f"{len(result)} bars"
        print(
            f"{name:55} {statistics.median(times):8.3f}s {min(times):8.3f}s {max(times):8.3f}s  "
            f"{note}"
        )


if __name__ == "__main__":
    main()
