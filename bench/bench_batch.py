"""Throughput benchmark of ``advisor batch``: the whole command, as a user runs it.

For each input size (default 1k, 10k, 100k synthetic profiles) and worker count (1, 2) it runs
``python -m advisor.cli batch IN -o OUT --workers W`` in a subprocess and measures the wall time
(so start-up, reading, validation, the engine, serialisation, ordering and the summary are all
in), the peak resident memory of the whole process tree (sampled every 50 ms with psutil) and
the peak of the largest single process. Separately, in this process, it times single
assessments (``advisor.pipeline.assess``) for p50/p99, and the plain-Python oracle
(``rules.oracle.evaluate``) on the same profiles when it exists, for the engine/oracle ratio.

Targets (issue 6): >= 1,000 profiles/s with 2 workers on the whole command; 100k in under
2 minutes; flat memory (peak RSS independent of the input size).

Usage: ``.venv/bin/python bench/bench_batch.py [--sizes 1000,10000,100000] [--workers 1,2]
[--no-write]``. Prints a table and writes ``bench/RESULTS.md`` (unless ``--no-write``). The
machine is shared: figures vary with other users' load, which the results file records.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.synth import generate, write_file  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
SEED = 2024


def machine() -> dict[str, str]:
    """nproc, CPU model, memory, Python and durable-rules versions, load at start."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        from importlib.metadata import version

        durable = version("durable-rules")
    except Exception:  # pragma: no cover - reported, not fatal
        durable = "unknown"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "python": platform.python_version(),
        "durable-rules": durable,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def run_command(inp: Path, out: Path, workers: int) -> dict[str, float]:
    """Run one batch; return wall seconds, peak tree RSS and peak single-process RSS (MiB)."""
    cmd = [sys.executable, "-m", "advisor.cli", "batch", str(inp), "-o", str(out)]
    cmd += ["--workers", str(workers)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps = psutil.Process(proc.pid)
    peak_tree = peak_one = 0
    while proc.poll() is None:
        try:
            procs = [ps, *ps.children(recursive=True)]
            rss = []
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    rss.append(p.memory_info().rss)
            peak_tree = max(peak_tree, sum(rss))
            peak_one = max(peak_one, max(rss, default=0))
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"batch failed (exit {proc.returncode}): {err}")
    return {"wall": wall, "tree_mib": peak_tree / 2**20, "one_mib": peak_one / 2**20}


def count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def latencies(n: int) -> dict[str, float]:
    """p50/p99 (ms) of single assessments in this process, and of the oracle if it exists."""
    from advisor import pipeline

    profiles = list(generate(n, SEED + 1))
    for p in profiles[:50]:  # warm-up: ruleset compiled, caches filled
        pipeline.assess(p)
    times = []
    for p in profiles:
        t = time.perf_counter_ns()
        pipeline.assess(p)
        times.append((time.perf_counter_ns() - t) / 1e6)
    out = {"p50": statistics.median(times), "p99": _pct(times, 99)}
    try:
        from rules import oracle
    except ImportError:
        return out
    for p in profiles[:50]:
        oracle.evaluate(p)
    otimes = []
    for p in profiles:
        t = time.perf_counter_ns()
        oracle.evaluate(p)
        otimes.append((time.perf_counter_ns() - t) / 1e6)
    out["oracle_p50"] = statistics.median(otimes)
    out["oracle_p99"] = _pct(otimes, 99)
    return out


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q / 100))]


def main() -> int:
    """Run the benchmark, print the table, write bench/RESULTS.md."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--latency-sample", type=int, default=2000)
    ap.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    worker_counts = [int(w) for w in args.workers.split(",")]
    info = machine()
    print(f"machine: {info}", flush=True)
    lat = latencies(args.latency_sample)
    print(f"per assessment (in-process, {args.latency_sample} profiles): {lat}", flush=True)

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        for n in sizes:
            inp = Path(tmp) / f"synth_{n}.jsonl"
            write_file(n, SEED, inp)
            for w in worker_counts:
                out = Path(tmp) / f"out_{n}_{w}.jsonl"
                r = run_command(inp, out, w)
                lines = count_lines(out)
                if lines != n:
                    raise SystemExit(f"expected {n} records, got {lines}")
                size_mb = out.stat().st_size / 2**20
                row = {"n": n, "workers": w, **r, "rate": n / r["wall"], "out_mb": size_mb}
                rows.append(row)
                print(
                    f"n={n:>7,} workers={w}  {r['wall']:7.1f} s  {row['rate']:7,.0f}/s  "
                    f"peak RSS tree {r['tree_mib']:6.0f} MiB  largest process "
                    f"{r['one_mib']:5.0f} MiB  output {size_mb:,.0f} MiB",
                    flush=True,
                )
                out.unlink()
                for suffix in (".summary.md", ".summary.html"):
                    out.with_name(out.name + suffix).unlink(missing_ok=True)
            inp.unlink()
    table = render(rows, lat, info)
    print()
    print(table)
    if not args.no_write:
        RESULTS.write_text(table, encoding="utf-8")
        print(f"written to {RESULTS}")
    return 0


def render(rows: list[dict], lat: dict[str, float], info: dict[str, str]) -> str:
    """The results as Markdown."""
    lines = [
        "# Benchmark results: `advisor batch`",
        "",
        "Produced by `bench/bench_batch.py` (the whole command in a subprocess: start-up, "
        "reading, validation, engine, serialisation, in-order writing, summary).",
        "",
        f"- date: {info['date']}",
        f"- machine: {info['nproc']} cores, {info['cpu']}, {info['memory']} RAM; shared with "
        f"other users (load average at start: {info['load']}), so figures vary between runs",
        f"- Python {info['python']}, durable-rules {info['durable-rules']}",
        "",
        "| profiles | workers | wall (s) | profiles/s | peak RSS, process tree (MiB) "
        "| peak RSS, largest process (MiB) | output (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['workers']} | {r['wall']:.1f} | {r['rate']:,.0f} | "
            f"{r['tree_mib']:.0f} | {r['one_mib']:.0f} | {r['out_mb']:,.0f} |"
        )
    lines += [
        "",
        "Per assessment, in one process (`advisor.pipeline.assess`, synthetic profiles, after "
        "warm-up):",
        "",
        f"- p50 {lat['p50']:.2f} ms, p99 {lat['p99']:.2f} ms "
        f"(one process: at most {1000 / lat['p50']:,.0f} assessments/s)",
    ]
    if "oracle_p50" in lat:
        lines.append(
            f"- plain-Python oracle (`rules.oracle.evaluate`): p50 {lat['oracle_p50']:.3f} ms, "
            f"p99 {lat['oracle_p99']:.3f} ms; the full assessment takes "
            f"{lat['p50'] / lat['oracle_p50']:.1f}x the oracle at p50 (the oracle derives the "
            "indices and evaluates and ranks the rules, but builds no explanations, sources or "
            "output model)"
        )
    else:
        lines.append("- plain-Python oracle: not available (rules.oracle not importable)")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
