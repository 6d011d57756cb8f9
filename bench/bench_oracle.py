"""Benchmark the durable-rules engine against the plain-Python oracle (the speed reference).

For N seeded profiles (``rules.lint.sample_profiles``), times per assessment, median and p99:

- rules only: ``rules.engine.run_rules(fact)`` against ``rules.oracle.evaluate_fact(fact)`` on
  the same precomputed case fact (the two evaluators and nothing else);
- end to end: ``advisor.pipeline.assess(profile)`` (indices, engine, priority, explanations,
  the Assessment model) against ``rules.oracle.evaluate(profile)`` (indices, rules, ranking).

and prints the ratios engine / oracle of the medians. Warm-up runs come first (the ruleset is
compiled once per process).

    .venv/bin/python bench/bench_oracle.py            # N = 5,000
    .venv/bin/python bench/bench_oracle.py --n 20000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.indices import derive
from advisor.pipeline import assess
from rules import oracle
from rules.dsl import case_fact, load_rules
from rules.engine import run_rules
from rules.lint import sample_profiles


def timed(fn: Callable[[Any], Any], items: list[Any]) -> list[float]:
    """Seconds per call of ``fn`` on each item."""
    out: list[float] = []
    clock = time.perf_counter
    for x in items:
        t0 = clock()
        fn(x)
        out.append(clock() - t0)
    return out


def summary(xs: list[float]) -> tuple[float, float]:
    """Median and p99, in microseconds."""
    s = sorted(xs)
    return statistics.median(s) * 1e6, s[min(len(s) - 1, int(0.99 * len(s)))] * 1e6


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000, help="profiles (default 5,000)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    rules = load_rules()
    profiles = sample_profiles(args.n, seed=args.seed)
    facts = [case_fact(p, derive(p)) for p in profiles]
    for f in facts[:200]:  # warm-up: compile the ruleset, fill caches
        run_rules(f, rules)
        oracle.evaluate_fact(f, rules)
    for p in profiles[:200]:
        assess(p)
        oracle.evaluate(p)

    rows = [
        ("rules only", timed(lambda f: run_rules(f, rules), facts),
         timed(lambda f: oracle.evaluate_fact(f, rules), facts)),
        ("end to end", timed(assess, profiles), timed(oracle.evaluate, profiles)),
    ]  # fmt: skip
    print(f"engine vs oracle, {args.n} seeded profiles, per assessment (microseconds)")
    print(f"{'':12} {'engine p50':>11} {'engine p99':>11} {'oracle p50':>11} {'oracle p99':>11}"
          f" {'ratio p50':>10}")  # fmt: skip
    for name, eng, orc in rows:
        e50, e99 = summary(eng)
        o50, o99 = summary(orc)
        print(f"{name:12} {e50:11.0f} {e99:11.0f} {o50:11.0f} {o99:11.0f} {e50 / o50:9.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
