"""Throughput benchmark of ``advisor batch``: the whole command, as a user runs it.

For each input size (default 1k, 10k, 100k synthetic profiles) and worker count (1, 2) it runs
``python -m advisor.cli batch IN -o OUT --workers W`` in a subprocess and measures the wall time
(so start-up, reading, validation, the engine, serialisation, ordering and the summary are all
in), the peak resident memory of the whole process tree (sampled every 50 ms with psutil) and
the peak of the largest single process. Separately, in this process, it times single
assessments (``advisor.pipeline.assess``) for p50/p99, and the plain-Python oracle
(``rules.oracle.evaluate``) on the same profiles when it exists, for the engine/oracle ratio.

Targets (issue 17): with 2 workers and compact records (the command's default), >= 4,000
profiles/s on 100,000 and >= 2,500/s on 10,000, start-up included; flat memory (peak RSS
independent of the input size); an Excel workbook of 100,000 rows in and the results workbook
out within 2 minutes (``--xlsx``). Full records (``--detail full``) are run at the smaller sizes
for the ratio. Sizes up to 10,000 are repeated (``--repeat``) and the median run is reported.

Usage: ``.venv/bin/python bench/bench_batch.py [--sizes 1000,10000,100000] [--workers 1,2]
[--details compact,full] [--repeat 3] [--xlsx 100000] [--no-write]``.
Prints a table and writes ``bench/RESULTS.md`` (unless ``--no-write``). The
machine is shared: figures vary with other users' load, which the results file records.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
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
SIDECAR = ROOT / "bench" / "results_batch.json"  # the last full run's table, for --reuse-table
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


def run_command(
    inp: Path,
    out: Path,
    workers: int,
    extra: tuple[str, ...] = (),
    python: str = sys.executable,
    cwd: Path = ROOT,
) -> dict[str, float]:
    """Run one batch; return wall seconds, peak tree RSS and peak single-process RSS (MiB).

    ``python`` and ``cwd``: another tree's interpreter and checkout (bench_ab.py)."""
    cmd = [python, "-m", "advisor.cli", "batch", str(inp), "-o", str(out)]
    cmd += ["--workers", str(workers), *extra]
    load = os.getloadavg()[0]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps = psutil.Process(proc.pid)
    peak_tree = peak_one = 0
    cpu_seen: dict[int, float] = {}  # pid -> user+system seconds at its last sample
    while proc.poll() is None:
        try:
            procs = [ps, *ps.children(recursive=True)]
            rss = []
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    rss.append(p.memory_info().rss)
                    t = p.cpu_times()
                    cpu_seen[p.pid] = t.user + t.system
            peak_tree = max(peak_tree, sum(rss))
            peak_one = max(peak_one, max(rss, default=0))
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its reaped workers
    # getrusage counts the command and the children it reaped; a fork server's workers are
    # reaped by the server, which nobody reaps, so the tree's samples are counted too (each
    # process at its last sample, 50 ms apart) and the larger of the two is kept
    cpu = max((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), sum(cpu_seen.values()))
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 3):
        raise SystemExit(f"batch failed (exit {proc.returncode}): {err}")
    return {
        "wall": wall,
        "cpu": cpu,
        "load": load,
        "tree_mib": peak_tree / 2**20,
        "one_mib": peak_one / 2**20,
    }


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


def breakdown(n: int) -> dict[str, float]:
    """CPU ms per record for each step a batch worker takes, in this process (process_time).

    ``engine`` is the time inside ``rules.engine.Engine.run`` (durable-rules with our action
    callbacks), part of ``assess``; the rest of ``assess`` is indices, priority, explanations,
    why-not and building the Assessment model.
    """
    import json

    from advisor import pipeline
    from advisor.batch import _digest
    from advisor.io import profile_from_data
    from advisor.synth import generate_data
    from rules import engine as rules_engine

    lines = [json.dumps(d, ensure_ascii=False) for d in generate_data(n + 50, SEED + 2)]
    for line in lines[:50]:
        pipeline.assess(profile_from_data(json.loads(line)))
    lines = lines[50:]

    def cpu(f, xs):  # type: ignore[no-untyped-def]
        t = time.process_time()
        out = [f(x) for x in xs]
        return (time.process_time() - t) / len(xs) * 1e3, out

    parse, datas = cpu(json.loads, lines)
    validate, profiles = cpu(profile_from_data, datas)
    spent = [0.0]
    original = rules_engine.Engine.run

    def timed(self, fact):  # type: ignore[no-untyped-def]
        t = time.process_time()
        try:
            return original(self, fact)
        finally:
            spent[0] += time.process_time() - t

    rules_engine.Engine.run = timed  # type: ignore[method-assign]
    try:
        assess, assessments = cpu(pipeline.assess, profiles)
    finally:
        rules_engine.Engine.run = original  # type: ignore[method-assign]
    serialise, blobs = cpu(lambda a: a.__pydantic_serializer__.to_json(a), assessments)
    digest, _ = cpu(_digest, assessments)
    from advisor.office.lean import assess_compact

    compact, lean = cpu(assess_compact, profiles)
    return {
        "json.loads": parse,
        "validate": validate,
        "assess": assess,
        "engine": spent[0] / len(profiles) * 1e3,
        "to_json": serialise,
        "digest": digest,
        "record_kb": sum(map(len, blobs)) / len(blobs) / 1000,
        "compact": compact,
        "compact_kb": sum(len(x[0]) for x in lean) / len(lean) / 1000,
    }


def startup(reps: int = 3) -> dict[str, float]:
    """Median wall time of a 20-profile batch with 2 workers, per start method."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench_start_") as tmp:
        inp = Path(tmp) / "in.jsonl"
        write_file(20, SEED, inp)
        for method in ("spawn", "forkserver"):
            walls = []
            for _ in range(reps):
                cmd = [sys.executable, "-m", "advisor.cli", "batch", str(inp), "-o"]
                cmd += [str(Path(tmp) / "out.jsonl"), "--workers", "2", "--start-method", method]
                t = time.perf_counter()
                subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
                walls.append(time.perf_counter() - t)
            out[method] = statistics.median(walls)
    return out


#: In bench/RESULTS.md, everything from this line on is kept when the file is rewritten.
KEEP_MARKER = "<!-- kept by bench_batch.py: hand-written notes below -->"


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q / 100))]


def main() -> int:
    """Run the benchmark, print the table, write bench/RESULTS.md."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--latency-sample", type=int, default=2000)
    ap.add_argument("--details", default="compact,full", help="record details to run")
    ap.add_argument("--full-max", type=int, default=10000, help="largest size run with full")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size up to 10,000 (median)")
    ap.add_argument("--xlsx", type=int, default=100000, help="rows of the XLSX run (0: none)")
    ap.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    ap.add_argument(
        "--reuse-table",
        action="store_true",
        help="skip the batch runs; keep the table of the last full run (bench/results_batch.json)",
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    worker_counts = [int(w) for w in args.workers.split(",")]
    info = machine()
    print(f"machine: {info}", flush=True)
    lat = latencies(args.latency_sample)
    print(f"per assessment (in-process, {args.latency_sample} profiles): {lat}", flush=True)
    steps = breakdown(min(args.latency_sample, 1000))
    print(f"CPU ms per record by step: {steps}", flush=True)
    starts = startup()
    print(f"start-up, 20 profiles, 2 workers (s): {starts}", flush=True)

    if args.reuse_table:
        saved = json.loads(SIDECAR.read_text(encoding="utf-8"))
        rows, table_info = saved["rows"], saved["machine"]
    else:
        details = args.details.split(",")
        rows, table_info = run_table(sizes, worker_counts, details, args), info
        if args.xlsx:
            rows.append(run_xlsx(args.xlsx))
        SIDECAR.write_text(json.dumps({"rows": rows, "machine": info}, indent=1) + "\n")
    table = render(rows, lat, table_info, info, steps, starts)
    print()
    print(table)
    if not args.no_write:
        # hand-written notes below the marker (e.g. before/after comparisons) are kept
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        if KEEP_MARKER in old:
            table = table.rstrip("\n") + "\n\n" + old[old.index(KEEP_MARKER) :]
        RESULTS.write_text(table, encoding="utf-8")
        print(f"written to {RESULTS}")
    return 0


def run_table(
    sizes: list[int], worker_counts: list[int], details: list[str], args: argparse.Namespace
) -> list[dict]:
    """Run the whole command for every size, worker count and record detail."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        for n in sizes:
            inp = Path(tmp) / f"synth_{n}.jsonl"
            write_file(n, SEED, inp)
            for w, detail in [(w, d) for d in details for w in worker_counts]:
                if detail == "full" and n > args.full_max:
                    continue
                out = Path(tmp) / f"out_{n}_{w}.jsonl"
                reps = args.repeat if n <= 10000 else 1
                runs = sorted(
                    (run_command(inp, out, w, ("--detail", detail)) for _ in range(reps)),
                    key=lambda r: r["wall"],
                )
                r = runs[len(runs) // 2]
                lines = count_lines(out)
                if lines != n:
                    raise SystemExit(f"expected {n} records, got {lines}")
                size_mb = out.stat().st_size / 2**20
                row = {"n": n, "workers": w, "detail": detail, "runs": reps, **r}
                row.update(rate=n / r["wall"], out_mb=size_mb)
                # CPU-bound estimate: the rate if the command had min(w, cores) cores to itself
                row["cpu_rate"] = n / (r["cpu"] / min(w, os.cpu_count() or 1))
                rows.append(row)
                print(
                    f"n={n:>7,} workers={w} {detail:7}  {r['wall']:7.1f} s  {row['rate']:7,.0f}/s  "
                    f"cpu {r['cpu']:7.1f} s (~{row['cpu_rate']:,.0f}/s unshared)  "
                    f"load {r['load']:.1f}  "
                    f"peak RSS tree {r['tree_mib']:6.0f} MiB  largest process "
                    f"{r['one_mib']:5.0f} MiB  output {size_mb:,.0f} MiB",
                    flush=True,
                )
                out.unlink()
                for suffix in (".summary.md", ".summary.html"):
                    out.with_name(out.name + suffix).unlink(missing_ok=True)
            inp.unlink()
    return rows


def run_xlsx(n: int) -> dict:
    """An Excel workbook of ``n`` cases in, the results workbook out: the whole command."""
    from advisor.office.xlsx_template import write_cases
    from advisor.synth import generate_data

    with tempfile.TemporaryDirectory(prefix="bench_xlsx_") as tmp:
        inp = Path(tmp) / "district.xlsx"
        t = time.perf_counter()
        write_cases(inp, generate_data(n, SEED), "zh")
        made = time.perf_counter() - t
        out = Path(tmp) / "results.xlsx"
        r = run_command(inp, out, 2)
        print(
            f"xlsx n={n:,}: writing the input workbook {made:.1f} s; batch in.xlsx -o out.xlsx "
            f"{r['wall']:.1f} s, cpu {r['cpu']:.1f} s, load {r['load']:.1f}",
            flush=True,
        )
        lines = count_lines(Path(str(out) + ".jsonl"))
        if lines != n:
            raise SystemExit(f"expected {n} records, got {lines}")
        return {
            "n": n,
            "workers": 2,
            "detail": "xlsx in + out",
            "runs": 1,
            **r,
            "rate": n / r["wall"],
            "out_mb": out.stat().st_size / 2**20,
            "cpu_rate": n / (r["cpu"] / 2),
            "made": made,
        }


def render(
    rows: list[dict],
    lat: dict[str, float],
    info: dict[str, str],
    now: dict[str, str],
    steps: dict[str, float],
    starts: dict[str, float],
) -> str:
    """The results as Markdown (``info``: the table run's machine state; ``now``: the rest's)."""
    lines = [
        "# Benchmark results: `advisor batch`",
        "",
        "Produced by `bench/bench_batch.py` (the whole command in a subprocess: start-up, "
        "reading, validation, engine, serialisation, in-order writing, summary).",
        "",
        "Targets (issue 17): with 2 workers and compact records (the command's default), "
        ">= 4,000 profiles/s on 100,000 and >= 2,500/s on 10,000, start-up included; flat "
        "memory; an Excel workbook of 100,000 rows in and the results workbook out within 2 "
        "minutes. Runs of up to 10,000 profiles are repeated and the median (by wall time) is "
        "shown; the machine is shared, so compare rows of one table (ratios), not tables.",
        "",
        f"- date of the batch runs: {info['date']}",
        f"- machine: {info['nproc']} cores, {info['cpu']}, {info['memory']} RAM; shared with "
        f"other users (load average at start: {info['load']}), so figures vary between runs",
        f"- Python {info['python']}, durable-rules {info['durable-rules']}",
        "",
        "| profiles | workers | records | runs | wall (s) | profiles/s | CPU (s) | est. "
        "profiles/s, cores unshared | load at start | peak RSS, tree (MiB) | peak RSS, largest "
        "process (MiB) | output (MiB) |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['workers']} | {r.get('detail', 'full')} | {r.get('runs', 1)} | "
            f"{r['wall']:.1f} | {r['rate']:,.0f} | "
            f"{r['cpu']:.1f} | {r['cpu_rate']:,.0f} | {r['load']:.1f} | "
            f"{r['tree_mib']:.0f} | {r['one_mib']:.0f} | {r['out_mb']:,.0f} |"
        )
    lines += [
        "",
        "CPU (s) is the user+system time of the command and its workers (getrusage of reaped "
        "children, or the process tree sampled every 50 ms when that is larger: the workers of a "
        "fork server are reaped by the server, not by the command); the estimate divides the "
        "profiles by CPU time per core used, i.e. the rate the command would reach with "
        "min(workers, cores) cores to itself. It is an estimate, not a measurement: CPU time "
        "itself grows when the two vCPUs are contended.",
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
    rest = steps["assess"] - steps["engine"]
    total = sum(steps[k] for k in ("json.loads", "validate", "assess", "to_json", "digest"))
    lines += [
        "",
        f"Where a worker's time goes, CPU ms per record ({now['date']}, load {now['load']}):",
        "",
        "| step | CPU ms | share |",
        "|---|---:|---:|",
        f"| parse the JSONL line | {steps['json.loads']:.3f} | {steps['json.loads'] / total:.0%} |",
        f"| validate (CaseProfile) | {steps['validate']:.3f} | {steps['validate'] / total:.0%} |",
        f"| engine: durable-rules + rule actions (`Engine.run`) | {steps['engine']:.3f} | "
        f"{steps['engine'] / total:.0%} |",
        f"| rest of `assess`: indices, priority, explanations, why-not, models | {rest:.3f} | "
        f"{rest / total:.0%} |",
        f"| serialise the Assessment ({steps['record_kb']:.0f} kB of JSON) | "
        f"{steps['to_json']:.3f} | {steps['to_json'] / total:.0%} |",
        f"| summary digest | {steps['digest']:.3f} | {steps['digest'] / total:.0%} |",
        f"| total | {total:.3f} | 100% |",
        "",
        f"A compact record (`--detail compact`, {steps['compact_kb']:.1f} kB) is made straight "
        f"from the engine by `advisor.office.lean.assess_compact`: {steps['compact']:.3f} CPU ms "
        f"for indices, engine, ranking and serialisation, against {steps['assess']:.3f} + "
        f"{steps['to_json']:.3f} ms for the full assessment and its JSON "
        f"({(steps['assess'] + steps['to_json']) / steps['compact']:.1f}x).",
        "",
        f"So with full records (`--detail full`) one worker can do at most ~{1000 / total:,.0f} "
        f"records/s on a core of its own, and two workers on this 2-core machine at most "
        f"~{2000 / total:,.0f}/s; with compact records (the default) at most "
        f"~{1000 / (steps['json.loads'] + steps['validate'] + steps['compact']):,.0f}/s a worker "
        "(parse, validate, compact record), before the main process (reading, receiving and "
        "writing the records) takes its share.",
        "",
        "Start-up (a 20-profile batch, 2 workers, median of 3): "
        + ", ".join(f"{m} {t:.1f} s" for m, t in starts.items())
        + ". Each worker imports the pipeline and compiles the ruleset once.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
