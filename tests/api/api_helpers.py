"""Shared helpers of the API tests: the app in-process, tokens per role, the CLI in-process."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from fastapi.testclient import TestClient

from advisor.accounts import Accounts
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


def ensure_org(db: Path | str, org_id: str = "chaoyang", name: str = "朝阳街道") -> str:
    """The organisation ``org_id`` in the library's accounts (added if it is not there yet)."""
    from advisor.store import CaseStore

    store = CaseStore(db)
    try:
        acc = Accounts(store)
        if org_id not in acc.organisation_names():
            acc.add_organisation(org_id, name, "street_office")
    finally:
        store.dispose()
    return org_id


def make_token(db: Path | str, organisation: str = "chaoyang", role: str = "official") -> str:
    """A fresh token of ``role`` for ``organisation`` (created if new): the token text."""
    ensure_org(db, organisation, organisation)
    return TokenStore(db).create(organisation, role)[0]


def tokens_by_role(db: Path, organisation: str = "chaoyang") -> dict[str, str]:
    """One fresh token per role: role -> ``Authorization`` header value."""
    ensure_org(db, organisation)
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
