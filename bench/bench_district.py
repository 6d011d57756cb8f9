"""District benchmark: 20 concurrent browser sessions of 20 organisations doing assess-and-save on
one app server, over SQLite and then over PostgreSQL.

Each session (its own browser context, as a separate person) signs in as the user of its own
organisation, starts from the paper's case H, and for ROUNDS rounds: clicks Assess and waits until
the rerun is over with the result on screen ("Top action:"), clicks Save and waits for
"(version r)" (round 1 creates the organisation's case-h, later rounds update it with the version
check). All 20
run at the same time. We report the median and p95 click-to-result of Assess and of Save, and
check afterwards that every save a person was told had succeeded is in the library at that
version (no lost save) and that no organisation's case was created or changed by another
organisation's user, by the audit trail (no misplaced save). A session whose page does not
answer within 5 minutes is reported as timed out.

PostgreSQL is a throw-away cluster (``tests/store/pg_cluster.py``), started and stopped here.

Run: ``.venv/bin/python bench/bench_district.py [--sessions 20] [--rounds 3]``. Prints the
figures (and a JSON line); nothing is asserted except the no-lost/no-misplaced check.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "store"), str(ROOT)]

from app_server import CHROMIUM, CHROMIUM_ARGS, start, stop  # noqa: E402
from pg_cluster import Cluster  # noqa: E402

from advisor.accounts import Accounts  # noqa: E402
from advisor.principal import Principal, Role  # noqa: E402
from advisor.store import CaseStore  # noqa: E402

PW = "bench password 1"
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
ADMIN = Principal("bench-admin", "local", Role.ADMIN, via="cli")


def prepare(db: str, sessions: int) -> None:
    store = CaseStore(db)
    acc = Accounts(store.as_principal(ADMIN))
    for i in range(sessions):
        acc.add_organisation(f"org-{i:02d}", f"第{i + 1}街道办事处", "street_office")
        acc.add_user(f"user{i:02d}", f"org-{i:02d}", "official", PW)
    store.dispose()


async def person(browser: Any, url: str, i: int, rounds: int, out: dict[str, Any]) -> None:
    ctx = await browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    page.set_default_timeout(300_000)
    sockets = out.setdefault("websockets", {})
    page.on("websocket", lambda ws: sockets.__setitem__(i, sockets.get(i, 0) + 1))
    try:
        await page.goto(url)
        await page.get_by_label("User name", exact=True).fill(f"user{i:02d}")
        await page.get_by_label("Password", exact=True).fill(PW)
        await page.get_by_role("button", name="Sign in", exact=True).click()
        box = page.get_by_role("combobox", name="Start from", exact=True).first
        await box.wait_for()
        await page.wait_for_function(IDLE)
        await box.click()
        await box.fill("case H")
        await page.get_by_role("option").filter(has_text="case H").first.click()
        await page.wait_for_function(IDLE)
        await page.get_by_role("button", name="Load", exact=True).click()
        await page.wait_for_timeout(500)
        await page.wait_for_function(IDLE)
        await page.wait_for_timeout(1000)
        for r in range(1, rounds + 1):
            # Assess: from the click until the rerun is over and the result is on screen
            t0 = time.perf_counter()
            await page.get_by_role("button", name="Assess", exact=True).click()
            await page.wait_for_timeout(50)
            await page.wait_for_function(IDLE)
            await page.get_by_text("Top action:").first.wait_for()
            out["assess"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await page.get_by_role("button", name="Save to library", exact=True).click()
            await page.get_by_text(f"(version {r})").first.wait_for()
            out["save"].append((time.perf_counter() - t0) * 1000)
            out["confirmed"][i] = r  # the person was told round r is saved
            await page.wait_for_function(IDLE)
    except Exception as exc:  # reported (a session that timed out), not counted as a lost save
        where = f"session {i} ({sockets.get(i, 0)} websocket connection(s))"
        out.setdefault("errors", []).append(f"{where}: {type(exc).__name__}: {exc}"[:300])
        shots = os.environ.get("BENCH_DISTRICT_SHOTS")  # what the page showed, to diagnose
        if shots:
            with contextlib.suppress(Exception):
                await page.screenshot(path=f"{shots}/timeout-{i:02d}.png", full_page=True)
                text = await page.inner_text("body")
                Path(f"{shots}/timeout-{i:02d}.txt").write_text(text, encoding="utf-8")
    finally:
        await ctx.close()


async def run_sessions(url: str, sessions: int, rounds: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    out: dict[str, Any] = {"assess": [], "save": [], "confirmed": {}}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        t0 = time.perf_counter()
        await asyncio.gather(*(person(browser, url, i, rounds, out) for i in range(sessions)))
        out["wall_s"] = [time.perf_counter() - t0]
        await browser.close()
    return out


def check(db: str, sessions: int, confirmed: dict[int, int]) -> tuple[int, int]:
    """(lost, misplaced). Lost: a save the person was shown as done ("version r") that the
    library does not hold (its case is at an older version). Misplaced: a case in an
    organisation, or a change to it in the audit trail, by another organisation's user."""
    store = CaseStore(db)
    lost = misplaced = 0
    trail = Accounts(store.as_principal(ADMIN)).audit(limit=100_000)
    for e in trail:
        if e.action in ("create", "update") and e.actor != f"user{(e.org_id or '')[-2:]}":
            misplaced += 1
    for i in range(sessions):
        me = store.as_principal(Principal(f"user{i:02d}", f"org-{i:02d}", Role.OFFICIAL))
        own = [c for c in me.list() if c.owner == f"org-{i:02d}"]
        misplaced += sum(1 for c in own if c.id != "case-h")
        mine = [c for c in own if c.id == "case-h"]
        if confirmed.get(i, 0) and (not mine or mine[0].version < confirmed[i]):
            lost += 1
    store.dispose()
    return lost, misplaced


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def bench(engine: str, db: str, tmp: Path, sessions: int, rounds: int) -> dict[str, Any]:
    prepare(db, sessions)
    srv = start(db, tmp / f"logs-{engine}")
    try:
        out = asyncio.run(run_sessions(srv.url, sessions, rounds))
    finally:
        stop(srv.proc)
    lost, misplaced = check(db, sessions, out["confirmed"])
    row = {
        "engine": engine,
        "sessions": sessions,
        "rounds": rounds,
        "assess_median_ms": round(statistics.median(out["assess"]), 0) if out["assess"] else None,
        "assess_p95_ms": round(pct(out["assess"], 0.95), 0) if out["assess"] else None,
        "save_median_ms": round(statistics.median(out["save"]), 0) if out["save"] else None,
        "save_p95_ms": round(pct(out["save"], 0.95), 0) if out["save"] else None,
        "saves_confirmed": sum(out["confirmed"].values()),
        "saves_attempted": sessions * rounds,
        "sessions_timed_out": len(out.get("errors", [])),
        "wall_s": round(out["wall_s"][0], 1),
        "lost_saves": lost,
        "misplaced_saves": misplaced,
        "errors": out.get("errors", []),
    }
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--engines", default="sqlite,postgresql")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for engine in args.engines.split(","):
            if engine == "sqlite":
                rows.append(
                    bench(engine, str(tmp / "cases.sqlite3"), tmp, args.sessions, args.rounds)
                )
            else:
                cluster = Cluster()
                try:
                    db = cluster.new_database()
                    rows.append(bench(engine, db, tmp, args.sessions, args.rounds))
                finally:
                    cluster.stop()
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    print(f"load average at end: {os.getloadavg()}")
    print(
        "| engine | sessions x rounds | Assess median / p95 (ms) | Save median / p95 (ms) "
        "| saves confirmed | sessions timed out | wall (s) | lost | misplaced |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if not r["assess_median_ms"] or not r["save_median_ms"]:
            print(f"| {r['engine']} | no click completed | | | | | | | |")
            continue
        print(
            f"| {r['engine']} | {r['sessions']} x {r['rounds']} | {r['assess_median_ms']:.0f} / "
            f"{r['assess_p95_ms']:.0f} | {r['save_median_ms']:.0f} / {r['save_p95_ms']:.0f} | "
            f"{r['saves_confirmed']}/{r['saves_attempted']} | {r['sessions_timed_out']} | "
            f"{r['wall_s']} | {r['lost_saves']} | {r['misplaced_saves']} |"
        )
    return 1 if any(r["lost_saves"] or r["misplaced_saves"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
