"""A district's batch run for the web UI: in a background thread, with progress to poll.

``DistrictRun.start(input, folder)`` assesses a workbook (or CSV/JSONL) into ``folder`` with
compact records, one worker (in the server process: no child processes under a web server);
``progress()`` reads how many records are on disk; when ``done`` the ``result`` (a
``BatchResult``) or the ``error`` (an ``AdvisorError``) is set. The outputs a district asks
for are built from the records on demand: the results workbook, the marked copy of an input
workbook, and the summary as Word.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.batch import BatchResult, count_rows, detect_input, run_batch
from advisor.errors import AdvisorError


@dataclass
class DistrictRun:
    """One run: its input, where its files go, its thread and its outcome."""

    input: Path
    folder: Path
    lang: str = "zh"
    total: int = 0
    result: BatchResult | None = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def records(self) -> Path:
        return self.folder / "records.jsonl"

    @classmethod
    def start(cls, input_path: str | Path, folder: str | Path, lang: str = "zh") -> DistrictRun:
        """Check the input (AdvisorError if unusable: nothing starts) and start assessing it."""
        run = cls(Path(input_path), Path(folder), lang)
        spec = detect_input(run.input)  # raises BatchInputError with the reason
        run.total = count_rows(spec)
        run.thread = threading.Thread(target=run._work, name="district-batch", daemon=True)
        run.thread.start()
        return run

    def _work(self) -> None:
        try:
            self.result = run_batch(
                self.input,
                self.records,
                workers=1,
                lang=self.lang,
                progress=False,
                detail="compact",
            )
        except AdvisorError as exc:
            self.error = str(exc)
        except Exception as exc:  # shown to the user in words, never a traceback
            self.error = f"{type(exc).__name__}: {exc}"

    @property
    def done(self) -> bool:
        return self.thread is None or not self.thread.is_alive()

    def progress(self) -> tuple[int, int]:
        """(records written, records expected) so far."""
        try:
            with self.records.open("rb") as fh:
                n = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
        except OSError:
            n = 0
        return n, max(self.total, n)

    def wait(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)

    # ------------------------------------------------------------------ outputs

    def results_xlsx(self) -> bytes:
        """The results workbook (one row per case) as bytes."""
        from advisor.office.results import write_xlsx

        target = self.folder / f"results-{self.lang}.xlsx"
        write_xlsx(self.records, target, self.lang)
        return target.read_bytes()

    def marked_copy(self) -> bytes | None:
        """The input workbook with its problems marked, or None (no workbook or no problem)."""
        if self.input.suffix.lower() != ".xlsx" or not self.result or not self.result.failed:
            return None
        from advisor.office.xlsx_in import mark_problems

        target = self.folder / f"problems-{self.lang}.xlsx"
        mark_problems(self.input, target, self.lang)
        return target.read_bytes()

    def summary_docx(self) -> bytes:
        """The batch summary as a Word document."""
        from advisor.office.documents import batch_document, to_docx

        if self.result is None:
            raise AdvisorError("the run has not finished")
        return to_docx(batch_document(self.result.summary, self.lang))

    def rows(self) -> list[dict[str, Any]]:
        """The results table's rows (see advisor.office.results.KEYS)."""
        from advisor.office.results import rows

        return list(rows(self.records, self.lang))
