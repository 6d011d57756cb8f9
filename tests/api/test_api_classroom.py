"""A live class over the API: a trainer token opens it; trainees join, rank and read feedback."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from advisor.pipeline import preset
from advisor.trainer.exercise import create_pack, pack_to_text


def _pack_json() -> str:
    return pack_to_text(create_pack(preset("case-y"), max_actions=5), "json")


def test_a_class_run_entirely_over_the_api(
    api: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    """Open (trainer token), join x2, rank, live view, reveal, feedback, CSV."""
    r = api.post("/v1/classroom", content=_pack_json(), headers=auth["trainer"])
    assert r.status_code == 201, r.text
    code, tkey = r.json()["code"], r.json()["trainer_key"]
    handout = api.get(f"/v1/classroom/{code}/handout").json()
    assert "key" not in handout and "profile" not in handout
    ids = [a["id"] for a in handout["actions"]]

    keys = []
    for name, ranking in (("王芳", ids), ("Li Wei", list(reversed(ids)))):
        r = api.post(f"/v1/classroom/{code.lower()}/join", json={"name": name})
        assert r.status_code == 201, r.text
        pk = r.json()["participant_key"]
        keys.append(pk)
        r = api.put("/v1/classroom/ranking", json={"ranking": ranking}, headers={
            "X-Participant-Key": pk})  # fmt: skip
        assert r.status_code == 200 and r.json()["ranking"] == ranking
    r = api.get("/v1/classroom/feedback", headers={"X-Participant-Key": keys[0]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_revealed"

    r = api.get(f"/v1/classroom/{code}/live", headers={"X-Trainer-Key": tkey})
    assert r.status_code == 200 and (r.json()["joined"], r.json()["answered"]) == (2, 2)
    assert api.get(f"/v1/classroom/{code}/live", headers={"X-Trainer-Key": "x"}).status_code == 403
    assert (
        api.post(f"/v1/classroom/{code}/reveal", headers={"X-Trainer-Key": tkey}).json()["state"]
        == "revealed"
    )

    fb = api.get("/v1/classroom/feedback", headers={"X-Participant-Key": keys[1]}).json()
    assert fb["lines"][0]["en"].startswith("Top ") and fb["lines"][0]["zh"].startswith("前 ")
    assert "spearman" not in json.dumps(fb) and fb["ranking"] == list(reversed(ids))
    r = api.put("/v1/classroom/ranking", json={"ranking": ids}, headers={
        "X-Participant-Key": keys[1]})  # fmt: skip
    assert r.status_code == 409 and r.json()["error"]["code"] == "closed"
    r = api.get(f"/v1/classroom/{code}/results.csv", params={"lang": "en"}, headers={
        "X-Trainer-Key": tkey})  # fmt: skip
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][2] == "name" and sorted(r[2] for r in rows[1:]) == ["Li Wei", "王芳"]


def test_classroom_refusals_keep_the_one_shape(
    api: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    """Only trainers open classes; unknown codes 404; bad names and rankings 422 by field."""
    assert (
        api.post("/v1/classroom", content=_pack_json(), headers=auth["trainee"]).status_code == 403
    )
    assert api.post("/v1/classroom", content=_pack_json()).status_code == 401
    r = api.post("/v1/classroom", content=b'{"id": 1}', headers=auth["admin"])
    assert r.status_code == 422
    r = api.post("/v1/classroom", content=_pack_json(), headers=auth["admin"])
    code = r.json()["code"]
    assert api.get("/v1/classroom/ZZZZZZ/handout").status_code == 404
    r = api.post(f"/v1/classroom/{code}/join", json={"name": "  "})
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["path"] == "name"
    pk = api.post(f"/v1/classroom/{code}/join", json={"name": "A"}).json()["participant_key"]
    r = api.post(f"/v1/classroom/{code}/join", json={"name": "a"})
    assert r.status_code == 422 and "换一个" in r.json()["error"]["problems"][0]["message"]["zh"]
    r = api.put("/v1/classroom/ranking", json={"ranking": ["x"]}, headers={"X-Participant-Key": pk})
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["path"] == "ranking"
    r = api.put("/v1/classroom/ranking", json={"ranking": []}, headers={"X-Participant-Key": "no"})
    assert r.status_code == 401
