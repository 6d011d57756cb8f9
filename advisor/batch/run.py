"""The run: read, assess in a process pool in bounded chunks, write in order, summarise."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.batch.aggregate import Summary
from advisor.batch.common import EXIT_OK, EXIT_SOME_ROWS_FAILED, BatchInputError, BatchInterrupted
from advisor.batch.inputs import InputSpec, RawRow, detect_input, read_rows
from advisor.batch.output import (
    LineWriter,
    _last_record,
    _row_matches,
    output_guard,
    recover_output,
    summary_paths,
)
from advisor.batch.progress import Progress, count_rows
from advisor.batch.summary import render_summary
from advisor.batch.worker import (
    Digest,
    ErrorDigest,
    _engine,
    _error_record,
    _worker_init,
    assess_chunk,
)
from advisor.batch_lifecycle import (
    Checkpoint,
    input_key,
    load_checkpoint,
    restore,
)
from advisor.errors import FieldProblem
from advisor.safefile import (
    OutputError,
    UnsafePathError,
    write_atomic,
)

CHUNK_SIZE = 64
INFLIGHT_PER_WORKER = 4
CHUNK_RETRIES = 2


@dataclass
class BatchResult:
    """The outcome of a batch: counts, where the files are, timings."""

    total: int
    assessed: int
    failed: int
    resumed_from: int
    out: Path
    summary_md: Path
    summary_html: Path
    seconds: float
    summary: Summary

    @property
    def exit_code(self) -> int:
        """0 when every record was assessed, 3 when some failed."""
        return EXIT_SOME_ROWS_FAILED if self.failed else EXIT_OK


def _chunks(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _StopRequested(KeyboardInterrupt):
    """The first Ctrl-C or SIGTERM, seen between chunks: stop cleanly."""


class _Stop:
    """Ctrl-C and SIGTERM ask the run to stop; the run checks between chunks and stops there.

    The signal handler only sets a flag: raising inside the engine would be caught by its
    action wrapper and turn into a failed record for a row that is fine. A second signal
    stops at once (whatever is written is still whole records).
    """

    def __init__(self) -> None:
        self.requested = False
        self.saved: dict[int, Any] = {}

    def handler(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def install(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.saved[sig] = signal.signal(sig, self.handler)

    def restore(self) -> None:
        for sig, old in self.saved.items():
            signal.signal(sig, old)
        self.saved.clear()

    def check(self) -> None:
        if self.requested:
            raise _StopRequested


def run_batch(
    input_path: str | Path,
    out_path: str | Path,
    *,
    workers: int | None = None,
    resume: bool = False,
    lang: str = "en",
    progress: bool | None = None,
    chunk_size: int = CHUNK_SIZE,
    start_method: str = "spawn",
    detail: str = "full",
) -> BatchResult:
    """Assess every record of ``input_path`` into ``out_path`` and write the summary.

    Raises BatchInputError for unusable input, BatchInterrupted after Ctrl-C or SIGTERM (the
    output then holds complete records only), AdvisorError when the engine cannot start.
    """
    t0 = time.perf_counter()
    spec = detect_input(input_path)
    out = Path(out_path)
    if not out.parent.exists():
        raise BatchInputError(f"{out}: the output folder {out.parent} does not exist")
    if out.exists() and out.resolve() == spec.path.resolve():
        raise BatchInputError(f"{out}: the output would overwrite the input")
    if out.is_dir():
        raise BatchInputError(f"{out}: is a folder; give a file name for the JSONL output")
    input_ids = output_guard(spec, out)
    workers = max(1, workers or os.cpu_count() or 1)
    summary = Summary()
    done, last = (0, None)
    key = input_key(spec.path)
    checkpoint = Checkpoint(out, key)
    if resume and out.exists():
        state = load_checkpoint(out, key)
        if state is None:
            done, last = recover_output(out, summary)
        else:  # read only what was written after the checkpoint
            offset = restore(state, summary, Digest, ErrorDigest)
            extra, last = recover_output(out, summary, offset, int(state["records"]) + 1)
            done = int(state["records"]) + extra
            if last is None:
                try:
                    last = _last_record(out, offset)
                except ValueError:
                    last = None
    else:
        checkpoint.remove()
    rows = read_rows(spec)
    if done:
        kept_row: RawRow | None = None
        for _ in range(done):
            kept_row = next(rows, None)
            if kept_row is None:
                break
        if kept_row is None or last is None or not _row_matches(spec, kept_row, last):
            raise BatchInputError(
                f"{out}: its {done:,} records do not match the input {spec.path} (the last "
                "record belongs to another row); give another output file or drop --resume"
            )
    bar = Progress(None, enabled=progress)
    if bar.enabled:
        bar.total = max(0, count_rows(spec) - done)
    try:
        writer = LineWriter(out, append=bool(done), inputs=input_ids)
    except UnsafePathError as exc:
        raise BatchInputError(str(exc)) from None

    def emit(results: list[tuple[bytes, Any]]) -> None:
        failed = 0
        for line, digest in results:
            writer.write(line)
            summary.add(digest)
            failed += isinstance(digest, ErrorDigest)
        bar.update(len(results), failed)
        if checkpoint.due():
            writer.flush()  # the checkpoint describes whole records on disk only
            checkpoint.save(summary, writer.fd, writer.size, done + writer.records)

    stop = _Stop()
    stop.install()
    try:
        chunks = _chunks(rows, chunk_size)
        _engine()  # fail early and clearly if the engine cannot be imported
        if workers == 1:
            for chunk in chunks:
                emit(assess_chunk(spec.kind, spec.header, chunk, detail))
                stop.check()
        else:
            _run_pool(spec, chunks, workers, emit, start_method, stop, detail)
    except KeyboardInterrupt:
        writer.flush()
        checkpoint.save(summary, writer.fd, writer.size, done + writer.records, force=True)
        writer.close()
        bar.close()
        raise BatchInterrupted(summary.total, out) from None
    except OutputError:
        with contextlib.suppress(OSError):
            os.close(writer.fd)
        bar.close()
        raise
    finally:
        stop.restore()
    writer.close()
    bar.close()
    md_path, html_path = summary_paths(out)
    meta = {
        "input": str(spec.path),
        "output": str(out),
        "resumed_from": done,
        "workers": workers,
        "seconds": time.perf_counter() - t0,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    md, html = render_summary(summary, lang, meta)
    write_atomic(md_path, md, input_ids)  # whole or not at all
    write_atomic(html_path, html, input_ids)
    checkpoint.remove()  # the run is complete
    return BatchResult(
        summary.total,
        summary.assessed,
        summary.failed,
        done,
        out,
        md_path,
        html_path,
        time.perf_counter() - t0,
        summary,
    )


def _run_pool(
    spec: InputSpec,
    chunks: Iterator[list[RawRow]],
    workers: int,
    emit: Any,
    start_method: str,
    stop: _Stop,
    detail: str = "full",
) -> None:
    """Feed chunks to a process pool with bounded in-flight work; emit results in order."""
    import multiprocessing

    ctx = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        # The server imports the pipeline and loads the knowledge base once, and forks the
        # workers from it (advisor/batch/warm.py); no durable-rules state exists yet there (the
        # ruleset is built on first use, in each worker). One server per process, reused by
        # later runs in it: the command line's choice (one run per process), not the web UI's.
        ctx.set_forkserver_preload(["advisor.batch.warm"])

    from advisor.uncertain_assess import BATCH_ROBUSTNESS_ENV

    setting = (os.getpid(), os.environ.get(BATCH_ROBUSTNESS_ENV))  # passed on, whatever the method

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_worker_init, initargs=setting
        )

    pool = new_pool()
    limit = workers * INFLIGHT_PER_WORKER
    pending: dict[int, list[RawRow]] = {}  # submitted, not yet written: seq -> rows
    futures: dict[Future, int] = {}
    ready: dict[int, list[tuple[bytes, Any]]] = {}  # the reorder buffer
    retries: Counter = Counter()
    next_seq = 0
    next_write = 0
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < limit:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    break
                pending[next_seq] = chunk
                futures[pool.submit(assess_chunk, spec.kind, spec.header, chunk, detail)] = next_seq
                next_seq += 1
            if not futures:
                break
            finished, _ = wait(futures, timeout=0.25, return_when=FIRST_COMPLETED)
            broken = False
            for fut in finished:
                seq = futures.pop(fut)
                try:
                    ready[seq] = fut.result()
                except BrokenProcessPool:
                    broken = True
                    retries[seq] += 1
            while next_write in ready:
                emit(ready.pop(next_write))
                pending.pop(next_write, None)
                next_write += 1
            stop.check()
            if broken:
                # A worker died (the engine's C code can crash): restart the pool and resubmit
                # every unfinished chunk; a chunk present at CHUNK_RETRIES crashes fails its rows.
                pool.shutdown(wait=False, cancel_futures=True)
                futures.clear()
                pool = new_pool()
                for seq, rows in pending.items():
                    if seq in ready:
                        continue
                    if retries[seq] > CHUNK_RETRIES:
                        msg = "the engine process crashed while assessing this record's chunk"
                        ready[seq] = [_error_record(r, [FieldProblem("", msg)], None) for r in rows]
                    else:
                        futures[pool.submit(assess_chunk, spec.kind, spec.header, rows, detail)] = (
                            seq
                        )
            while next_write in ready:
                emit(ready.pop(next_write))
                pending.pop(next_write, None)
                next_write += 1
    except _StopRequested:
        # Let the workers finish the chunks they already hold (bounded: a few chunks each) and
        # drop their results. Terminating a worker while it writes a result can leave half a
        # message on the result pipe; the pool's manager thread then blocks on it for ever and
        # the interpreter hangs at exit (seen here about once in 20 interruptions).
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        except KeyboardInterrupt:  # a second signal while waiting: stop at once
            _terminate(pool)
        raise
    except KeyboardInterrupt:
        _terminate(pool)
        raise
    except BaseException:
        # An error in the parent (a full disk...): let the workers finish what they hold, as
        # above; terminating them mid-write could hang the interpreter at exit.
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        except KeyboardInterrupt:
            _terminate(pool)
        raise
    pool.shutdown(wait=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's workers at once (a second Ctrl-C, or an error in the parent)."""
    # No public API does this; take the processes before shutdown forgets them.
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()
