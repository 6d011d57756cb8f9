"""Fuzzing bookkeeping: how many inputs each fuzz test fed the CLI, printed after the run."""

from __future__ import annotations

from collections import Counter

import pytest

TRIED: Counter[str] = Counter()


@pytest.fixture(scope="session")
def fuzz_tried() -> Counter[str]:
    """The session's counter of fuzz inputs, by channel (in-process, subprocess, batch)."""
    return TRIED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many inputs the fuzz tests tried (the issue asks for the figure)."""
    if not TRIED:
        return
    total = sum(TRIED.values())
    parts = ", ".join(f"{k}: {v}" for k, v in sorted(TRIED.items()))
    terminalreporter.write_line(f"fuzz: {total} inputs tried ({parts})")
