"""POST /v1/assess: the CLI's bytes for the same profile, its refusals in the one error shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_helpers import INVALID, SAMPLE, cli, cli_problem_lines, client, ensure_org
from fastapi.testclient import TestClient

from advisor.api.auth import TokenBucket
from advisor.io import MAX_BYTES

YAML = {"Content-Type": "application/yaml"}


@pytest.mark.parametrize(
    ("fmt", "lang"), [("json", "zh"), ("md", "zh"), ("md", "en"), ("html", "zh"), ("html", "en")]
)
def test_assess_answers_what_the_cli_prints(
    api: TestClient, auth: dict[str, dict[str, str]], fmt: str, lang: str
) -> None:
    """The API's answer is byte for byte `advisor assess FILE --format F --lang L`."""
    code, out, err = cli(["assess", str(SAMPLE), "--format", fmt, "--lang", lang])
    assert code == 0, err
    r = api.post(
        "/v1/assess",
        params={"format": fmt, "lang": lang},
        content=SAMPLE.read_bytes(),
        headers={**auth["official"], **YAML},
    )
    assert r.status_code == 200, r.text
    assert r.content == out.encode("utf-8")
    assert r.headers["content-type"].startswith(
        {"json": "application/json", "md": "text/markdown", "html": "text/html"}[fmt]
    )


def test_invalid_profile_lists_every_problem_as_the_cli_does(
    api: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    """A refused profile: 422 with every problem by field path, the CLI's lines, in zh and en."""
    code, _out, err = cli(["assess", str(INVALID)])
    assert code == 2
    expected = cli_problem_lines(err)
    assert len(expected) >= 3
    r = api.post("/v1/assess", content=INVALID.read_bytes(), headers=auth["official"])
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["status"] == 422 and body["code"] == "invalid_input"
    assert [p["display"]["en"] for p in body["problems"]] == expected
    paths = [p["path"] for p in body["problems"]]
    assert "funding" in paths and "human_resources.core_volunteers" in paths
    zh = {p["path"]: p["message"]["zh"] for p in body["problems"]}
    assert "资金来源" in zh["funding"] and "骨干" in zh["human_resources.core_volunteers"]
    assert body["message"]["zh"].startswith("输入无效")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"", "the file is empty"),
        (b'{"id": ', "malformed JSON"),
        (b"\x00\x01binary", "binary file"),
        (b"[1, 2]", "expected a mapping"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_unreadable_bodies_are_refused_in_words(
    api: TestClient, auth: dict[str, dict[str, str]], body: bytes, needle: str
) -> None:
    """Empty, malformed, binary, non-object and non-UTF-8 bodies: a 422 that says so."""
    r = api.post("/v1/assess", content=body, headers=auth["official"])
    assert r.status_code == 422
    problems = r.json()["error"]["problems"]
    assert any(needle in p["message"]["en"] for p in problems), problems
    assert all(p["message"]["zh"] for p in problems)


def test_a_body_over_the_limit_is_413(api: TestClient, auth: dict[str, dict[str, str]]) -> None:
    """Over the CLI's 1 MB: 413, whether the length is declared or the body is streamed."""
    big = b"{" + b" " * MAX_BYTES + b"}"
    r = api.post("/v1/assess", content=big, headers=auth["official"])
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"

    def chunks():  # no Content-Length: the limit holds while reading
        for _ in range(20):
            yield b" " * 100_000

    r = api.post("/v1/assess", content=chunks(), headers=auth["official"])
    assert r.status_code == 413


def test_a_wrong_format_or_language_names_the_parameter(
    api: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    """``format=pdf``: 422 naming ``format``, in both languages."""
    r = api.post(
        "/v1/assess",
        params={"format": "pdf", "lang": "fr"},
        content=SAMPLE.read_bytes(),
        headers=auth["official"],
    )
    assert r.status_code == 422
    paths = [p["path"] for p in r.json()["error"]["problems"]]
    assert paths == ["format", "lang"]


def test_no_token_is_401_and_a_wrong_one_too(api: TestClient) -> None:
    """Without a token, or with an unknown one: 401 with a Bearer challenge."""
    r = api.post("/v1/assess", content=SAMPLE.read_bytes())
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert "advisor tokens create" in r.json()["error"]["message"]["en"]
    for value in ("Bearer adv_00000000_" + "x" * 43, "Bearer nonsense", "Basic abc"):
        r = api.post("/v1/assess", content=SAMPLE.read_bytes(), headers={"Authorization": value})
        assert r.status_code == 401, value
        assert r.json()["error"]["code"] == "unauthorised"


def test_a_revoked_token_stops_working(
    api: TestClient, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `tokens revoke` the token is refused (no cache in the way here)."""
    from advisor.api import tokens

    monkeypatch.setattr(tokens, "CACHE_SECONDS", 0.0)
    ensure_org(db, "y-community", "Y 社区")
    token, info = tokens.TokenStore(db).create("y-community", "planner")
    headers = {"Authorization": f"Bearer {token}"}
    assert api.post("/v1/assess", content=SAMPLE.read_bytes(), headers=headers).status_code == 200
    tokens.TokenStore(db).revoke(info.id)
    assert api.post("/v1/assess", content=SAMPLE.read_bytes(), headers=headers).status_code == 401


def test_open_install_assesses_without_a_token_but_keeps_the_library_closed(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADVISOR_API_OPEN=1 opens assessment, what-if and batch; the case library still needs one."""
    monkeypatch.setenv("ADVISOR_API_OPEN", "1")
    assert api.post("/v1/assess", content=SAMPLE.read_bytes()).status_code == 200
    r = api.post("/v1/whatif", json={"baseline": "case-y", "levers": ["government_enabler"]})
    assert r.status_code == 200, r.text
    assert api.get("/v1/cases").status_code == 401


def test_a_client_over_its_rate_gets_429(db: Path, auth: dict[str, dict[str, str]]) -> None:
    """A token bucket per client: past the burst, 429 with Retry-After; other clients unaffected."""
    with client(db, bucket=TokenBucket(rate=0.01, burst=2)) as api:
        codes = [api.get("/v1/presets", headers=auth["official"]).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = api.get("/v1/presets", headers=auth["official"])
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.json()["error"]["message"]["zh"].startswith("此客户端请求过于频繁")
        assert api.get("/v1/presets", headers=auth["reviewer"]).status_code == 200


def test_an_unexpected_failure_is_a_500_with_an_id_and_no_traceback(
    api: TestClient,
    auth: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A defect below the API: 500 naming a log id; the exception's text stays in the log."""
    import advisor.pipeline

    def broken(_profile: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(advisor.pipeline, "assess", broken)
    r = api.post("/v1/assess", content=SAMPLE.read_bytes(), headers=auth["official"])
    assert r.status_code == 500
    body = r.json()["error"]
    assert body["code"] == "internal_error" and len(body["id"]) == 12
    assert "secret" not in r.text and "Traceback" not in r.text
    assert body["id"] in caplog.text and "secret internal detail" in caplog.text


def test_unknown_address_and_method_keep_the_shape(api: TestClient) -> None:
    """404 and 405 come in the one error shape too."""
    r = api.get("/v1/nothing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "http_404"
    r = api.get("/v1/assess")
    assert r.status_code == 405 and r.json()["error"]["message"]["zh"]


def test_yaml_and_json_bodies_give_the_same_assessment(
    api: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    """The body may be YAML or JSON, as a profile file may."""
    import yaml

    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    a = api.post("/v1/assess", content=SAMPLE.read_bytes(), headers=auth["official"])
    b = api.post("/v1/assess", content=json.dumps(data, default=str), headers=auth["official"])
    assert a.status_code == b.status_code == 200
    assert a.content == b.content
