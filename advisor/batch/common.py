"""Exit codes and the errors of a batch run."""

from __future__ import annotations

from pathlib import Path

from advisor.errors import AdvisorError

EXIT_OK = 0
EXIT_UNUSABLE_INPUT = 2
EXIT_SOME_ROWS_FAILED = 3


class BatchInputError(AdvisorError):
    """The batch input cannot be used at all (missing, unknown format, unusable CSV header)."""


class BatchInterrupted(AdvisorError):
    """The run was stopped (Ctrl-C, SIGTERM); ``written`` records are safely on disk."""

    def __init__(self, written: int, out: Path) -> None:
        self.written = written
        self.out = out
        super().__init__(
            f"interrupted; {written:,} records are complete in {out}; "
            "run the same command with --resume to continue"
        )
