"""An organisation's cases stay its own over the API, on SQLite and on PostgreSQL.

Tokens are principals like signed-in users: a token of one organisation cannot list, open,
assess from, export, rename, delete or read the history of another organisation's case by any
path (its id, ``?owner=``, a clashing id on create); shares are honoured read-only or editable;
delete is soft; trainees have no case library; every change is in the audit trail under the
token. The same store calls as the web UI, on both engines, in-process.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from api_helpers import SAMPLE, client
from fastapi.testclient import TestClient

from advisor.accounts import Accounts
from advisor.api.tokens import TokenStore
from advisor.audit import read as read_audit
from advisor.io import load_profile
from advisor.principal import Principal, Role
from advisor.store import CaseStore


@dataclass
class District:
    api: TestClient
    store: CaseStore  # the single-user administrator's view (for set-up and checks)
    h: dict[str, dict[str, str]]  # who -> Authorization header
    ids: dict[str, str]  # who -> token id


def _profile(case_id: str, name: str = "Y 社区志愿服务协会") -> dict:
    data = load_profile(SAMPLE).model_dump(mode="json")
    data.update(id=case_id, name=name)
    return data


@pytest.fixture
def district(db_target: str) -> Iterator[District]:
    """Three organisations; tokens for an agency planner, a street-office official, an agency
    trainee and the third organisation's administrator."""
    store = CaseStore(db_target)
    acc = Accounts(store)
    acc.add_organisation("agency-a", "阳光社工服务中心", "agency")
    acc.add_organisation("street-b", "朝阳街道办事处", "street_office")
    acc.add_organisation("street-c", "东风街道办事处", "street_office")
    tokens = TokenStore(store)
    h, ids = {}, {}
    for who, org, role in (
        ("planner_a", "agency-a", "planner"),
        ("official_b", "street-b", "official"),
        ("trainee_a", "agency-a", "trainee"),
        ("admin_c", "street-c", "admin"),
    ):
        token, info = tokens.create(org, role, label=who)
        h[who] = {"Authorization": f"Bearer {token}"}
        ids[who] = info.id
    with client(db_target) as api:
        yield District(api, store, h, ids)
    store.dispose()


def test_another_organisations_case_is_unreachable_by_every_path(district: District) -> None:
    """Official of B vs. the agency's case: list, get (plain and ?owner=), history, export,
    assess, update, rename through an update, delete: 404 (nothing learnt); nothing changes."""
    api, h = district.api, district.h
    r = api.put("/v1/cases/case-a", json=_profile("case-a"), headers=h["planner_a"])
    assert r.status_code == 201 and r.json()["owner"] == "agency-a"
    b = h["official_b"]
    assert api.get("/v1/cases", headers=b).json() == []
    for params in ({}, {"owner": "agency-a"}):
        for method, path in (
            ("get", "/v1/cases/case-a"),
            ("get", "/v1/cases/case-a/history"),
            ("get", "/v1/cases/case-a/export"),
            ("post", "/v1/cases/case-a/assess"),
            ("delete", "/v1/cases/case-a"),
        ):
            r = api.request(method, path, params=params, headers=b)
            assert r.status_code == 404, (method, path, params, r.text)
            assert r.json()["error"]["code"] == "case_not_found"
        renamed = _profile("case-a", "改掉别人的名字")
        r = api.put("/v1/cases/case-a", params={**params, "version": 1}, json=renamed, headers=b)
        assert r.status_code == 404
    # the same id created by B is B's own case: the agency's stays untouched
    r = api.put("/v1/cases/case-a", json=_profile("case-a", "街道自己的"), headers=b)
    assert r.status_code == 201 and r.json()["owner"] == "street-b"
    assert api.get("/v1/cases/export", headers=b).json()[0]["name"] == "街道自己的"
    mine = api.get("/v1/cases/case-a", headers=h["planner_a"]).json()
    assert (mine["name"], mine["version"], mine["owner"]) == ("Y 社区志愿服务协会", 1, "agency-a")
    assert [c["owner"] for c in api.get("/v1/cases", headers=h["planner_a"]).json()] == ["agency-a"]
    # the administrator of a third organisation sees none of it either
    assert api.get("/v1/cases", headers=h["admin_c"]).json() == []
    assert api.get("/v1/cases/case-a", headers=h["admin_c"]).status_code == 404


def test_shares_read_only_and_editable_are_respected(district: District) -> None:
    """Shared read-only: listed with access 'read', readable with ?owner=, history readable;
    updating, assessing-and-recording and deleting are 403 share_read_only. Shared editable:
    updated with the version; still only the owner deletes."""
    api, h = district.api, district.h
    for cid in ("case-read", "case-edit"):
        assert api.put(f"/v1/cases/{cid}", json=_profile(cid), headers=h["planner_a"]).is_success
    agency = district.store.as_principal(Principal("planner", "agency-a", Role.PLANNER))
    agency.share("case-read", "street-b", "read")
    agency.share("case-edit", "street-b", "edit")
    b = h["official_b"]
    listed = {c["id"]: c["access"] for c in api.get("/v1/cases", headers=b).json()}
    assert listed == {"case-read": "read", "case-edit": "edit"}
    assert api.get("/v1/cases/case-read", headers=b).status_code == 404  # not B's own
    got = api.get("/v1/cases/case-read", params={"owner": "agency-a"}, headers=b)
    assert got.status_code == 200 and got.json()["access"] == "read"
    ro = {"owner": "agency-a"}
    r = api.put("/v1/cases/case-read", params={**ro, "version": 1}, json=_profile("case-read"),
                headers=b)  # fmt: skip
    assert r.status_code == 403 and r.json()["error"]["code"] == "share_read_only"
    assert "只读" in r.json()["error"]["message"]["zh"]
    assert api.post("/v1/cases/case-read/assess", params=ro, headers=b).status_code == 403
    assert api.delete("/v1/cases/case-read", params=ro, headers=b).status_code == 403
    assert api.get("/v1/cases/case-read/history", params=ro, headers=b).json() == []
    # the owner may name itself as owner too
    assert api.get("/v1/cases/case-read", params=ro, headers=h["planner_a"]).status_code == 200

    r = api.put("/v1/cases/case-edit", params={**ro, "version": 1},
                json=_profile("case-edit", "街道改过"), headers=b)  # fmt: skip
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["owner"] == "agency-a"
    assert api.post("/v1/cases/case-edit/assess", params=ro, headers=b).status_code == 200
    r = api.delete("/v1/cases/case-edit", params=ro, headers=b)
    assert r.status_code == 403 and r.json()["error"]["code"] == "share_read_only"
    assert api.get("/v1/cases/case-edit", headers=h["planner_a"]).json()["name"] == "街道改过"
    # B's export of "all" is B's own cases only, not those shared with it
    assert api.get("/v1/cases/export", headers=b).json() == []


def test_delete_is_soft_and_every_change_is_audited_under_the_token(district: District) -> None:
    """A deleted case is gone for the API and restorable by an administrator; create, update,
    assess, export and delete are in the trail with actor token:<id>, via api, its organisation."""
    api, h, tid = district.api, district.h, district.ids["planner_a"]
    a = h["planner_a"]
    assert api.put("/v1/cases/case-a", json=_profile("case-a"), headers=a).status_code == 201
    r = api.put("/v1/cases/case-a", params={"version": 1}, json=_profile("case-a", "改名后"),
                headers=a)  # fmt: skip
    assert r.status_code == 200
    assert api.post("/v1/cases/case-a/assess", headers=a).status_code == 200
    assert api.get("/v1/cases/case-a/export", params={"format": "yaml"}, headers=a).is_success
    assert api.delete("/v1/cases/case-a", params={"version": 2}, headers=a).status_code == 204
    assert api.get("/v1/cases/case-a", headers=a).status_code == 404
    assert api.get("/v1/cases", headers=a).json() == []
    gone = district.store.deleted("agency-a")
    assert [(d.case_id, d.version) for d in gone] == [("case-a", 2)]
    with district.store._read() as conn:
        trail = read_audit(conn, org_id="agency-a", actor=f"token:{tid}")
    assert [e.action for e in reversed(trail)] == ["create", "update", "assess", "export", "delete"]
    assert {(e.via, e.actor_org) for e in trail} == {("api", "agency-a")}
    assert trail[0].from_version == 2  # the delete names the version it removed
    district.store.restore(gone[0].key)
    assert api.get("/v1/cases/case-a", headers=a).json()["name"] == "改名后"


def test_a_trainee_token_sees_no_case_library(district: District) -> None:
    """Not even its own organisation's cases, by any path; assessing presets still works."""
    api, h = district.api, district.h
    assert api.put("/v1/cases/case-a", json=_profile("case-a"), headers=h["planner_a"]).is_success
    t = h["trainee_a"]
    for method, path in (
        ("get", "/v1/cases"),
        ("get", "/v1/cases/export"),
        ("get", "/v1/cases/case-a"),
        ("get", "/v1/cases/case-a/history"),
        ("get", "/v1/cases/case-a/export"),
        ("post", "/v1/cases/case-a/assess"),
        ("delete", "/v1/cases/case-a"),
    ):
        r = api.request(method, path, headers=t)
        assert r.status_code == 403, (method, path)
        assert r.json()["error"]["code"] == "forbidden"
    r = api.put("/v1/cases/case-t", json=_profile("case-t"), headers=t)
    assert r.status_code == 403
    assert api.post("/v1/assess", content=SAMPLE.read_bytes(), headers=t).status_code == 200


def test_classes_belong_to_the_trainers_organisation(district: District) -> None:
    """A class opened with a token is its organisation's; another organisation's list does not
    show it; without guests, a trainee account of the class's organisation joins as itself,
    a guest name and another organisation's trainee are refused; results stay in the store."""
    from advisor.classroom import Classroom
    from advisor.pipeline import preset
    from advisor.trainer.exercise import create_pack, pack_to_text

    api, store = district.api, district.store
    acc = Accounts(store)
    acc.add_user("trainer1", "agency-a", "trainer", password="correct horse battery")
    acc.add_user("xiaoli", "agency-a", "trainee", "correct horse battery", display_name="小李")
    acc.add_user("laozhang", "street-b", "trainee", password="correct horse battery")
    tokens = TokenStore(store)
    trainer = {
        "Authorization": "Bearer " + tokens.create("agency-a", "trainer", username="trainer1")[0]
    }
    li = {"Authorization": "Bearer " + tokens.create("agency-a", "trainee", username="xiaoli")[0]}
    zhang = {
        "Authorization": "Bearer " + tokens.create("street-b", "trainee", username="laozhang")[0]
    }
    pack = pack_to_text(create_pack(preset("case-y"), max_actions=4), "json")
    r = api.post("/v1/classroom", params={"guests": "false", "roster": ["王芳"]}, content=pack,
                 headers=trainer)  # fmt: skip
    assert r.status_code == 201 and r.json()["organisation"] == "agency-a"
    code = r.json()["code"]
    r = api.post(f"/v1/classroom/{code}/join", json={"name": "小王"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_on_roster"
    r = api.post(f"/v1/classroom/{code}/join", json={"name": ""}, headers=zhang)
    assert r.status_code == 403
    r = api.post(f"/v1/classroom/{code}/join", json={"name": ""}, headers=li)
    assert r.status_code == 201 and r.json()["name"] == "小李"
    again = api.post(f"/v1/classroom/{code}/join", json={}, headers=li)
    assert again.status_code == 201 and again.json()["name"] == "小李"  # the same participant
    assert api.post(f"/v1/classroom/{code}/join", json={"name": "王芳"}).status_code == 201

    room_a = Classroom(store.as_principal(Principal("trainer1", "agency-a", Role.TRAINER)))
    room_b = Classroom(store.as_principal(Principal("x", "street-b", Role.ADMIN)))
    assert [s.code for s in room_a.sessions()] == [code]
    assert room_b.sessions() == []
    people = room_a.participants(room_a.session(code))
    assert [(p.name, p.user_id is not None) for p in people] == [("小李", True), ("王芳", False)]
    with store._read() as conn:
        opened = read_audit(conn, action="class_open")
    assert [(e.org_id, e.via) for e in opened] == [("agency-a", "api")]
