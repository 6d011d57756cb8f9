"""The case library over HTTP: list, get, put with the version, delete, history; by role."""

from __future__ import annotations

import json

from api_helpers import SAMPLE
from fastapi.testclient import TestClient

from advisor.io import load_profile


def _profile(**changes: object) -> dict:
    data = load_profile(SAMPLE).model_dump(mode="json")
    data.update(changes)
    return data


def test_put_get_update_delete_with_optimistic_locking(
    api: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    """New without a version (201); update with the version read; a stale version is 409."""
    w = auth["official"]
    body = _profile()
    r = api.put(f"/v1/cases/{body['id']}", json=body, headers=w)
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1 and r.headers["etag"] == '"1"'
    r = api.put(f"/v1/cases/{body['id']}", json=body, headers=w)
    assert r.status_code == 409 and r.json()["error"]["code"] == "case_exists"

    changed = _profile(name="Y 社区志愿服务协会（更新）")
    r = api.put(f"/v1/cases/{body['id']}", params={"version": 1}, json=changed, headers=w)
    assert r.status_code == 200 and r.json()["version"] == 2
    # a second editor still holding version 1 is refused and nothing changes
    r = api.put(f"/v1/cases/{body['id']}", params={"version": 1}, json=body, headers=w)
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "stale_case" and err["params"] == {
        "case_id": body["id"],
        "expected": 1,
        "actual": 2,
    }
    assert "重新载入" in err["message"]["zh"]
    got = api.get(f"/v1/cases/{body['id']}", headers=auth["trainer"]).json()
    assert got["name"] == "Y 社区志愿服务协会（更新）" and got["version"] == 2
    assert got["profile"] == json.loads(json.dumps(changed))

    # If-Match carries the version as an ETag
    r = api.delete(f"/v1/cases/{body['id']}", headers={**w, "If-Match": '"1"'})
    assert r.status_code == 409
    r = api.delete(f"/v1/cases/{body['id']}", headers={**w, "If-Match": '"2"'})
    assert r.status_code == 204
    r = api.get(f"/v1/cases/{body['id']}", headers=w)
    assert r.status_code == 404 and r.json()["error"]["code"] == "case_not_found"


def test_put_refuses_an_invalid_profile_or_a_mismatched_id(
    api: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    """The profile is checked as `advisor assess` checks it; its id must match the address."""
    bad = _profile()
    bad["government"]["control"] = 9
    r = api.put(f"/v1/cases/{bad['id']}", json=bad, headers=auth["official"])
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0]["path"] == "government.control"
    r = api.put("/v1/cases/other-id", json=_profile(), headers=auth["official"])
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["path"] == "id"
    assert api.get("/v1/cases", headers=auth["official"]).json() == []


def test_history_records_assessments_of_a_saved_case(
    api: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    """POST /v1/cases/{id}/assess assesses and records; history lists it at the case version."""
    body = _profile()
    api.put(f"/v1/cases/{body['id']}", json=body, headers=auth["planner"])
    r = api.post(f"/v1/cases/{body['id']}/assess", headers=auth["planner"])
    assert r.status_code == 200 and r.json()["profile_id"] == body["id"]
    hist = api.get(f"/v1/cases/{body['id']}/history", headers=auth["trainer"]).json()
    assert len(hist) == 1 and hist[0]["case_version"] == 1
    assert hist[0]["summary"]["actions"] == [
        a["id"] for a in sorted(r.json()["actions"], key=lambda a: a["rank"])
    ]
    listing = api.get("/v1/cases", headers=auth["trainer"]).json()
    assert [(c["id"], c["assessments"]) for c in listing] == [(body["id"], 1)]


def test_roles_without_a_case_library(api: TestClient, auth: dict[str, dict[str, str]]) -> None:
    """As in the web UI: trainees and reviewers have no case library (403 on every path),
    trainers read and write; no token is 401."""
    body = _profile()
    api.put(f"/v1/cases/{body['id']}", json=body, headers=auth["admin"])
    assert api.get(f"/v1/cases/{body['id']}", headers=auth["trainer"]).status_code == 200
    for role in ("reviewer", "trainee"):
        r = api.get("/v1/cases", headers=auth[role])
        assert r.status_code == 403 and role in r.json()["error"]["message"]["en"]
        assert api.get(f"/v1/cases/{body['id']}", headers=auth[role]).status_code == 403
        r = api.put(f"/v1/cases/{body['id']}", params={"version": 1}, json=body, headers=auth[role])
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert api.delete(f"/v1/cases/{body['id']}", headers=auth[role]).status_code == 403
        assert api.post(f"/v1/cases/{body['id']}/assess", headers=auth[role]).status_code == 403
        assert api.get(f"/v1/cases/{body['id']}/history", headers=auth[role]).status_code == 403
        assert api.get("/v1/cases/export", headers=auth[role]).status_code == 403
    assert api.get("/v1/cases").status_code == 401
