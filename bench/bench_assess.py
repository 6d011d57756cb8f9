"""Benchmark one full assessment: validation, indices, engine, priority, explanation.

Prints p50 / p99 latency of ``assess_data`` (plain data in, Assessment out) over varied
profiles, the engine's share (``Engine.run`` alone), and RSS growth over N assessments.
Targets on the project's 2-core machine: p50 <= 3 ms, p99 <= 10 ms, growth < 20 MB over 100k.

    .venv/bin/python bench/bench_assess.py            # N = 100,000
    .venv/bin/python bench/bench_assess.py --n 20000
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from advisor.indices import derive
from advisor.io import profile_from_data
from advisor.pipeline import _static, assess_data, preset
from rules.dsl import case_fact

LEVEL4 = (0, 1, 2, 3, 4)


def _shares(rng: random.Random, keys: tuple[str, ...]) -> dict[str, float]:
    units = [0] * len(keys)
    fav = rng.randrange(len(keys))
    for _ in range(20):
        units[fav if rng.random() < 0.6 else rng.randrange(len(keys))] += 1
    return {k: u / 20 for k, u in zip(keys, units, strict=True)}


def variants(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` valid profiles as plain data: the two presets with fields redrawn at random."""
    rng = random.Random(seed)
    bases = [json.loads(preset(name).model_dump_json()) for name in ("case-h", "case-y")]
    out = []
    for i in range(n):
        d = copy.deepcopy(rng.choice(bases))
        d["id"] = f"bench-{i}"
        d["funding"] = _shares(
            rng,
            (
                "government_direct",
                "government_via_third_party",
                "third_party_own",
                "charity",
                "residents",
                "self_generated",
            ),
        )
        d["human_resources"]["recruited_by"] = _shares(rng, ("government", "third_party", "self"))
        d["legitimacy"]["status"] = rng.choice(
            ("none", "via_government", "via_social_org", "independent")
        )
        for k in ("reliance_on_force", "control"):
            d["government"][k] = rng.choice(LEVEL4)
        d["government"]["role"] = rng.choice(("director", "sponsor", "enabler"))
        d["government"]["acceptance_mechanism"] = rng.random() < 0.5
        d["agenda"] = {
            "set_by": rng.choice(("government", "mixed", "volunteers")),
            "pattern": rng.choice(("regular", "holiday_campaign", "fragmented")),
        }
        d["management"]["decision_participation"] = rng.randint(0, 3)
        d["management"]["incentives"] = rng.choice(("none", "informal", "formal"))
        d["knowledge"]["training_provider"] = rng.choice(
            ("none", "government", "third_party", "own", "mixed")
        )
        d["knowledge"]["training_sessions_per_year"] = rng.randint(0, 52)
        d["knowledge"]["self_sufficiency"] = rng.randint(0, 3)
        d["human_resources"]["resident_awareness"] = rng.choice(LEVEL4)
        d["coproduction"] = {
            k: rng.choice(LEVEL4) for k in ("planning", "design", "delivery", "evaluation")
        }
        d["third_party"] = (
            None
            if rng.random() < 0.4
            else {
                "kind": rng.choice(("social_work_agency", "volunteer_org", "foundation", "other")),
                "capacity": rng.choice(LEVEL4),
                "role": rng.choice(("contractor", "facilitator", "incubator")),
                "autonomy": rng.choice(LEVEL4),
            }
        )
        out.append(d)
    return out


def pct(sorted_ns: list[int], q: float) -> float:
    """The q-quantile in milliseconds."""
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1e6


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="assessments for the memory run")
    ap.add_argument("--latency", type=int, default=5_000, help="assessments timed one by one")
    ap.add_argument("--profiles", type=int, default=500, help="distinct profiles cycled through")
    args = ap.parse_args()

    data = variants(args.profiles)
    proc = psutil.Process()
    t0 = time.perf_counter()
    assess_data(data[0])
    print(
        f"first assessment (loads the knowledge base, compiles the rules): "
        f"{(time.perf_counter() - t0) * 1e3:.0f} ms"
    )
    for d in data:  # warm-up: every profile once
        assess_data(d)

    lat: list[int] = []
    for i in range(args.latency):
        d = data[i % len(data)]
        t = time.perf_counter_ns()
        assess_data(d)
        lat.append(time.perf_counter_ns() - t)
    lat.sort()

    eng = _static().engine
    facts = [case_fact(p, derive(p)) for p in (profile_from_data(d) for d in data)]
    eng_lat: list[int] = []
    for i in range(args.latency):
        t = time.perf_counter_ns()
        eng.run(facts[i % len(facts)])
        eng_lat.append(time.perf_counter_ns() - t)
    eng_lat.sort()

    gc.collect()
    rss0 = proc.memory_info().rss
    t = time.perf_counter()
    for i in range(args.n):
        assess_data(data[i % len(data)])
    wall = time.perf_counter() - t
    gc.collect()
    rss1 = proc.memory_info().rss

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"profiles: {len(data)} distinct, load average {load:.2f} on {os.cpu_count()} cores")
    print(
        f"assessment latency over {args.latency:,}: p50 {pct(lat, 0.5):.2f} ms, "
        f"p99 {pct(lat, 0.99):.2f} ms, mean {statistics.fmean(lat) / 1e6:.2f} ms "
        f"(targets: p50 <= 3, p99 <= 10)"
    )
    print(
        f"engine alone (durable-rules run): p50 {pct(eng_lat, 0.5):.2f} ms, "
        f"p99 {pct(eng_lat, 0.99):.2f} ms"
    )
    print(
        f"memory over {args.n:,} assessments: RSS {rss0 / 2**20:.1f} -> {rss1 / 2**20:.1f} MB, "
        f"growth {(rss1 - rss0) / 2**20:.1f} MB (target < 20); "
        f"{args.n / wall:,.0f} assessments/s"
    )


if __name__ == "__main__":
    main()
