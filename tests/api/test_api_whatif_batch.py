"""POST /v1/whatif and POST /v1/batch: what `advisor whatif` and `advisor batch` give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_helpers import SAMPLE, cli
from fastapi.testclient import TestClient

from advisor.io import MAX_BYTES, load_profile


@pytest.mark.parametrize("fmt", ["json", "md"])
def test_whatif_with_levers_and_set_equals_the_cli(
    api: TestClient, auth: dict[str, dict[str, str]], fmt: str
) -> None:
    """A preset baseline with two levers and one field change: the CLI's comparison, bytes."""
    argv = ["whatif", "case-y", "--lever", "government_enabler", "--lever",
            "bring_in_strong_agency", "--set", "government.control=1", "--format", fmt,
            "--lang", "en"]  # fmt: skip
    code, out, err = cli(argv)
    assert code == 0, err
    r = api.post(
        "/v1/whatif",
        params={"format": fmt, "lang": "en"},
        json={
            "baseline": "case-y",
            "levers": ["government_enabler", "bring_in_strong_agency"],
            "set": {"government.control": 1},
        },
        headers=auth["trainee"],
    )
    assert r.status_code == 200, r.text
    assert r.text == out


def test_whatif_with_profile_variants_equals_the_cli(
    api: TestClient, auth: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    """Profiles as baseline and variant: the same comparison as with files."""
    base = load_profile(SAMPLE).model_dump(mode="json")
    variant = json.loads(json.dumps(base))
    variant["government"]["role"] = "enabler"
    (tmp_path / "b.json").write_text(json.dumps(base), encoding="utf-8")
    (tmp_path / "v.json").write_text(json.dumps(variant), encoding="utf-8")
    out = cli(["whatif", str(tmp_path / "b.json"), str(tmp_path / "v.json"), "--format", "json"])[1]
    r = api.post(
        "/v1/whatif", json={"baseline": base, "variants": [variant]}, headers=auth["official"]
    )
    assert r.status_code == 200 and r.text == out


def test_whatif_problems_carry_the_place_in_the_request(
    api: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    """A bad variant field is named under variants.N; unknown levers and keys are named too."""
    base = load_profile(SAMPLE).model_dump(mode="json")
    bad = json.loads(json.dumps(base))
    bad["government"]["control"] = 9
    r = api.post(
        "/v1/whatif", json={"baseline": base, "variants": [base, bad]}, headers=auth["official"]
    )
    assert r.status_code == 422
    assert [p["path"] for p in r.json()["error"]["problems"]] == ["variants.1.government.control"]
    r = api.post(
        "/v1/whatif",
        json={"baseline": "case-y", "levers": ["magic"], "colour": 1},
        headers=auth["official"],
    )
    assert r.status_code == 422
    assert {p["path"] for p in r.json()["error"]["problems"]} == {"levers.0", "colour"}
    r = api.post("/v1/whatif", json={"baseline": "case-y"}, headers=auth["official"])
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["path"] == "variants"
    r = api.post(
        "/v1/whatif",
        json={"baseline": "case-y", "set": {"government.control": 7}},
        headers=auth["official"],
    )
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0]["path"].startswith("set.")


def _jsonl(*lines: bytes) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def test_batch_streams_one_line_per_input_line_like_advisor_batch(
    api: TestClient, auth: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    """Good, broken, blank and oversized lines: the records `advisor batch` writes, in order."""
    good = json.dumps(load_profile(SAMPLE).model_dump(mode="json"), ensure_ascii=False).encode()
    huge = b'{"id": "' + b"x" * (MAX_BYTES + 10) + b'"}'
    body = _jsonl(good, b"{not json", b"", huge, good)
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(body)
    out = tmp_path / "out.jsonl"
    code, _o, err = cli(["batch", str(inp), "-o", str(out), "--workers", "1"])
    assert code in (0, 3), err

    def chunks():  # streamed in pieces that cut through lines
        for i in range(0, len(body), 65_536):
            yield body[i : i + 65_536]

    r = api.post("/v1/batch", content=chunks(), headers=auth["official"])
    assert r.status_code == 200, r.text[:500]
    assert r.headers["x-advisor-rows"] == "4" and r.headers["x-advisor-failed"] == "2"
    got = [json.loads(line) for line in r.content.splitlines()]
    want = [json.loads(line) for line in out.read_bytes().splitlines()]
    assert len(got) == len(want) == 4
    for g, w in zip(got, want, strict=True):
        if "errors" in w:
            assert g["line"] == w["line"] and g["errors"] == w["errors"]
        else:
            assert g == w
    assert got[2]["line"] == 4 and "over" in got[2]["errors"][0]["message"]


def test_batch_refuses_too_many_lines(
    api: TestClient, auth: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the line limit: 413 in the one error shape."""
    import advisor.api.app as app_module

    monkeypatch.setattr(app_module, "BATCH_MAX_ROWS", 2)
    r = api.post("/v1/batch", content=_jsonl(b"{}", b"{}", b"{}"), headers=auth["official"])
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_many_rows"


def test_batch_line_limit_is_the_clis_to_the_byte(
    api: TestClient, auth: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    """A record of exactly the limit is read; one byte more is 'over the limit', as in the CLI."""

    def record(size: int) -> bytes:
        head, tail = b'{"id": "', b'"}'
        return head + b"x" * (size - len(head) - len(tail)) + tail

    body = _jsonl(record(MAX_BYTES), record(MAX_BYTES + 1))
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(body)
    out = tmp_path / "out.jsonl"
    cli(["batch", str(inp), "-o", str(out), "--workers", "1"])
    want = [json.loads(line) for line in out.read_bytes().splitlines()]
    r = api.post("/v1/batch", content=body, headers=auth["official"])
    got = [json.loads(line) for line in r.content.splitlines()]
    assert [g["errors"] for g in got] == [w["errors"] for w in want]
    assert "over" not in got[0]["errors"][0]["message"]
    assert "over" in got[1]["errors"][0]["message"]
