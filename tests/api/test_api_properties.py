"""Properties: the API and the CLI answer byte for byte alike, for any profile and any input.

Any valid profile: the API's JSON (and Markdown) is the CLI's output for the same file. Any
document, valid or not (garbage, mutated profiles): the API refuses exactly when the CLI does
(422 / exit 2), with the very problem lines the CLI prints.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from api_helpers import cli, cli_problem_lines
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import garbage_documents, mutated_profiles, profile_dicts

from advisor.api.app import create_app
from advisor.api.auth import TokenBucket

# one app for all examples (hypothesis and function-scoped fixtures do not mix); open install
_SETTINGS = settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)


def _client(tmp: Path) -> TestClient:
    return TestClient(create_app(tmp / "cases.sqlite3", bucket=TokenBucket(0, 0)))


def _cli_on(tmp: Path, raw: bytes, *argv: str) -> tuple[int, str, str]:
    path = tmp / "profile.json"
    path.write_bytes(raw)
    return cli(["assess", str(path), *argv])


def test_api_and_cli_assessments_are_byte_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    """For any valid profile, /v1/assess answers the CLI's bytes (JSON zh, Markdown en)."""
    monkeypatch.setenv("ADVISOR_API_OPEN", "1")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        with _client(tmp) as api:

            @_SETTINGS
            @given(
                data=profile_dicts(),
                fmt=st.sampled_from([("json", "zh"), ("json", "en"), ("md", "en")]),
            )
            def check(data: dict, fmt: tuple[str, str]) -> None:
                raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
                code, out, err = _cli_on(tmp, raw, "--format", fmt[0], "--lang", fmt[1])
                assert code == 0, err
                r = api.post("/v1/assess", params={"format": fmt[0], "lang": fmt[1]}, content=raw)
                assert r.status_code == 200, r.text
                assert r.content == out.encode("utf-8")

            check()


def test_api_refuses_what_the_cli_refuses_with_the_same_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """For garbage and mutated profiles: 422 exactly when the CLI exits 2, with its lines."""
    monkeypatch.setenv("ADVISOR_API_OPEN", "1")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        with _client(tmp) as api:

            @_SETTINGS
            @given(raw=st.one_of(garbage_documents(), mutated_profiles()))
            def check(raw: bytes) -> None:
                code, out, err = _cli_on(tmp, raw)
                r = api.post("/v1/assess", content=raw)
                if code == 0:
                    assert r.status_code == 200 and r.content == out.encode("utf-8")
                    return
                assert code == 2, err
                assert r.status_code == 422, r.text
                got = [p["display"]["en"] for p in r.json()["error"]["problems"]]
                assert got == cli_problem_lines(err)

            check()
