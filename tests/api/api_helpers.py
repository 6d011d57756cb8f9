"""Shared helpers of the API tests: the app in-process, tokens per role, the CLI in-process."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from fastapi.testclient import TestClient

from advisor.api.app import create_app
from advisor.api.auth import TokenBucket
from advisor.api.tokens import ROLES, TokenStore
from advisor.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
CLI_DATA = ROOT / "tests" / "cli" / "data"
SAMPLE = CLI_DATA / "sample.yaml"
INVALID = CLI_DATA / "invalid.yaml"


def client(db: Path, bucket: TokenBucket | None = None) -> TestClient:
    """The API in-process over httpx (no rate limit unless ``bucket`` is given)."""
    app = create_app(db, bucket=bucket if bucket is not None else TokenBucket(0, 0))
    return TestClient(app, raise_server_exceptions=True)


def tokens_by_role(db: Path, organisation: str = "朝阳街道") -> dict[str, str]:
    """One fresh token per role: role -> ``Authorization`` header value."""
    store = TokenStore(db)
    return {role: "Bearer " + store.create(organisation, role)[0] for role in ROLES}


def cli(argv: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    """Run ``advisor ARGV`` in-process; return exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def cli_problem_lines(stderr: str) -> list[str]:
    """The ``  - path: message`` lines of a refusal printed by the CLI, without the dash."""
    return [line[4:] for line in stderr.splitlines() if line.startswith("  - ")]
