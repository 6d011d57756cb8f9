"""The progress bar, and the fast row count it needs."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from advisor.batch.inputs import InputSpec, _profile_files


class Progress:
    """A one-line progress bar with rate and ETA; silent unless the stream is a terminal."""

    def __init__(
        self,
        total: int | None,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = (
            enabled if enabled is not None else bool(getattr(self.stream, "isatty", bool)())
        )
        self.total = total
        self.done = 0
        self.failed = 0
        self.clock = clock
        self.start = clock()
        self._last = -1.0

    def update(self, n: int, failed: int = 0, force: bool = False) -> None:
        """Count ``n`` more records (``failed`` of them errors); redraw at most 10 times/s."""
        self.done += n
        self.failed += failed
        if not self.enabled:
            return
        now = self.clock()
        if force or now - self._last >= 0.1:
            self._last = now
            self.stream.write("\r" + self.render(now) + "\x1b[K")
            self.stream.flush()

    def render(self, now: float) -> str:
        """The bar's text at time ``now``."""
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        parts = []
        if self.total:
            frac = min(1.0, self.done / self.total)
            width = 24
            filled = int(frac * width)
            parts.append(f"{frac * 100:5.1f}% |{'█' * filled}{'░' * (width - filled)}|")
            parts.append(f"{self.done:,}/{self.total:,}")
        else:
            parts.append(f"{self.done:,}")
        parts.append(f"{rate:,.0f}/s")
        if self.total and rate > 0:
            parts.append("ETA " + _clock(max(0.0, (self.total - self.done) / rate)))
        parts.append("elapsed " + _clock(elapsed))
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        return "  ".join(parts)

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self.enabled:
            self.update(0, force=True)
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def count_rows(spec: InputSpec) -> int:
    """A fast estimate of the number of records (for the progress bar only)."""
    if spec.kind == "dir":
        return sum(1 for _ in _profile_files(spec.path))
    if spec.kind == "xlsx":
        from advisor.office.xlsx_in import count_rows as xlsx_count

        return xlsx_count(spec.path)
    n = 0
    last = b"\n"
    with spec.path.open("rb") as fh:
        while block := fh.read(1 << 20):
            n += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        n += 1
    return max(0, n - 1) if spec.kind == "csv" else n
