"""The contract, the knowledge base, the presets and the docs over HTTP; the OpenAPI document."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from api_helpers import cli
from fastapi.testclient import TestClient


def _deref(node: Any, defs: dict[str, Any], prefix: str) -> Any:
    """``node`` with every ``$ref`` under ``prefix`` replaced by its definition, recursively."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(prefix) and len(node) == 1:
            return _deref(defs[ref[len(prefix) :]], defs, prefix)
        return {k: _deref(v, defs, prefix) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_deref(v, defs, prefix) for v in node]
    return node


def test_openapi_profile_schema_equals_advisor_schema(api: TestClient) -> None:
    """The request body of /v1/assess in the OpenAPI document is `advisor schema`, resolved."""
    code, out, _ = cli(["schema"])
    assert code == 0
    cli_schema = json.loads(out)
    expected = _deref(cli_schema, cli_schema.get("$defs", {}), "#/$defs/")
    doc = api.get("/openapi.json").json()
    comps = doc["components"]["schemas"]
    for path, method in (("/v1/assess", "post"), ("/v1/cases/{case_id}", "put")):
        body = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        got = _deref(body, comps, "#/components/schemas/")
        assert got == expected, path
    whatif = _deref(comps["WhatifRequest"], comps, "#/components/schemas/")
    assert whatif["properties"]["variants"]["items"] == expected


def test_schema_endpoint_is_the_cli_schema(api: TestClient) -> None:
    """GET /v1/schema (and ?of=assessment) answer what `advisor schema [--assessment]` prints."""
    for params, argv in (({}, ["schema"]), ({"of": "assessment"}, ["schema", "--assessment"])):
        r = api.get("/v1/schema", params=params)
        assert r.status_code == 200
        assert r.json() == json.loads(cli(argv)[1])


def test_presets_are_the_clis(api: TestClient) -> None:
    """/v1/presets/case-y as YAML is `advisor presets --show case-y`; as JSON the same data."""
    import yaml

    r = api.get("/v1/presets/case-y", params={"format": "yaml"})
    assert r.status_code == 200 and r.text == cli(["presets", "--show", "case-y"])[1]
    assert api.get("/v1/presets/case-y").json() == yaml.safe_load(r.text)
    names = [p["name"] for p in api.get("/v1/presets").json()]
    assert names == ["case-h", "case-y"]
    r = api.get("/v1/presets/case-z")
    assert r.status_code == 404 and "case-y" in r.json()["error"]["suggestions"]


def test_kb_item_and_search(api: TestClient) -> None:
    """An item with its verbatim sources; a field; a near miss suggests; search finds 寄居蟹."""
    r = api.get("/v1/kb/items/hermit_crab")
    assert r.status_code == 200
    item = r.json()
    assert item["label"]["zh"] == "寄居蟹" and item["source"][0]["quote_zh"]
    r = api.get("/v1/kb/items/funding.charity")
    assert r.status_code == 200 and r.json()["kind"] == "field"
    r = api.get("/v1/kb/items/hermit_crb")
    assert r.status_code == 404 and "hermit_crab" in r.json()["error"]["suggestions"]
    r = api.get("/v1/kb/search", params={"q": "寄居蟹", "kind": "diagnosis"})
    assert r.status_code == 200
    assert [i["id"] for i in r.json()["items"]] == ["hermit_crab"]
    r = api.get("/v1/kb/search", params={"q": "x", "kind": "nonsense"})
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["path"] == "kind"
    r = api.get("/v1/kb/search")
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["path"] == "q"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_outside_the_machine(api: TestClient, page: str) -> None:
    """The docs pages reference only this server: no CDN, no web fonts; their assets are here."""
    r = api.get(page)
    assert r.status_code == 200
    html = r.text
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html), html
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs, html
    for ref in refs:
        assert ref.startswith("/"), ref
        assert api.get(ref).status_code == 200, ref
    assert "/openapi.json" in html
    # ReDoc fetches its logo from a CDN by itself: the page's policy makes the browser refuse
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "img-src 'self' data: blob:" in csp
    assert not re.search(r"https?://", csp)
