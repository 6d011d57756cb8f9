"""An organisation's cases stay its own: no path in the store reaches another organisation's case
(on SQLite and on PostgreSQL); shares open exactly what they say; deletes are soft; everything is
in the audit trail."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sample_profiles import profile_data

from advisor import schema as T
from advisor.accounts import Accounts
from advisor.errors import ProfileError
from advisor.models import Assessment, CaseProfile
from advisor.principal import Principal, Role
from advisor.store import CaseNotFoundError, CaseStore, ForbiddenError, StaleCaseError

A = Principal("ann", "agency-a", Role.PLANNER)
B = Principal("bob", "office-b", Role.OFFICIAL)
TRAINEE = Principal("tia", "class-c", Role.TRAINEE)
REVIEWER = Principal("rey", "agency-a", Role.REVIEWER)
ADMIN = Principal("ada", "local", Role.ADMIN)


def profile(**kw: Any) -> CaseProfile:
    return CaseProfile.model_validate(profile_data(**kw))


def assessment() -> Assessment:
    dims = {"legitimacy": 0.9, "funding": 0.8, "human_resources": 0.7, "knowledge": 0.6}
    return Assessment.model_validate(
        {
            "profile_id": "case-a",
            "engine_version": "t",
            "knowledge_base_version": "k",
            "dependence": dims,
            "third_party_dependence": dict.fromkeys(dims, 0.0),
            "asymmetry": {
                "force_on_government": 0.8,
                "government_on_force": 0.2,
                "index": 0.6,
                "level": "high",
            },
            "coproduction": {"score": 1, "stage": "x"},
            "diagnoses": [],
            "actions": [],
        }
    )


@pytest.fixture
def orgs(store: CaseStore) -> CaseStore:
    acc = Accounts(store.as_principal(ADMIN))
    acc.add_organisation("agency-a", "阳光社工服务中心", "agency")
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_organisation("class-c", "2026 培训班", "training")
    return store


def test_other_organisation_cannot_reach_a_case_by_any_path(orgs: CaseStore) -> None:
    """B cannot list, open, assess from, export, rename, delete, duplicate, share or see the
    history of A's case, by its plain id or by a crafted 'owner/id' reference."""
    a, b = orgs.as_principal(A), orgs.as_principal(B)
    a.save(profile())
    a.record_assessment("case-a", assessment())
    assert b.list() == []
    for ref in ("case-a", "agency-a/case-a", "agency-a/../case-a", "/case-a", "agency-a//case-a"):
        for call in (
            lambda r: b.get(r),
            lambda r: b.history(r),
            lambda r: b.export(r, "json"),
            lambda r: b.rename(r, "stolen"),
            lambda r: b.delete(r),
            lambda r: b.duplicate(r),
            lambda r: b.record_assessment(r, assessment()),
            lambda r: b.share(r, "office-b", "edit"),
            lambda r: b.save_as(r, profile(name="overwritten"), expected_version=1),
        ):
            with pytest.raises(CaseNotFoundError):
                call(ref)
        assert not b.exists(ref)
    assert json.loads(b.export_all("json")) == []
    rec = a.get("case-a")
    assert (rec.name, rec.version, len(a.history("case-a"))) == ("Case A", 1, 1)


def test_same_id_in_two_organisations_are_two_cases(orgs: CaseStore) -> None:
    """B saving or importing 'case-a' makes B's own case; A's is untouched, and no error tells B
    that A has one."""
    a, b = orgs.as_principal(A), orgs.as_principal(B)
    a.save(profile(volunteers=11))
    b.save(profile(volunteers=22))
    [imported] = b.import_text(json.dumps(profile_data(name="Imported")), replace=True)
    assert (imported.owner, imported.version) == ("office-b", 2)
    assert a.get("case-a").profile.human_resources.volunteers == 11
    assert a.get("case-a").version == 1
    b.delete("case-a")
    assert a.get("case-a").version == 1
    # importing into an organisation that has no such case never says another has it
    c = orgs.as_principal(Principal("cy", "class-c", Role.TRAINER))
    [rec] = c.import_text(json.dumps(profile_data()))
    assert rec.owner == "class-c"


def test_shares_read_only_and_editable(orgs: CaseStore) -> None:
    """A read-only share lets B read and export but not change; an editable one lets B save
    with the optimistic lock; neither lets B delete or re-share, and unsharing closes it."""
    a, b = orgs.as_principal(A), orgs.as_principal(B)
    a.save(profile())
    a.share("case-a", "office-b", "read")
    [row] = b.list()
    assert (row.ref, row.access, row.owner) == ("agency-a/case-a", "read", "agency-a")
    assert b.get("agency-a/case-a").profile == profile()
    assert b.history("agency-a/case-a") == []
    assert b.export("agency-a/case-a", "yaml")
    with pytest.raises(CaseNotFoundError):
        b.get("case-a")  # the plain id is B's own namespace
    with pytest.raises(ForbiddenError):
        b.rename("agency-a/case-a", "x")
    with pytest.raises(ForbiddenError):
        b.save_as("agency-a/case-a", profile(volunteers=3), expected_version=1)
    a.share("case-a", "office-b", "edit")
    rec = b.save_as("agency-a/case-a", profile(volunteers=3), expected_version=1)
    assert (rec.version, rec.owner, rec.access) == (2, "agency-a", "edit")
    with pytest.raises(StaleCaseError):
        a.save(profile(volunteers=4), expected_version=1)
    with pytest.raises(ForbiddenError):
        b.delete("agency-a/case-a")
    with pytest.raises(CaseNotFoundError):
        b.share("agency-a/case-a", "class-c", "read")
    assert json.loads(b.export_all("json")) == []  # "export all" is the organisation's own
    a.unshare("case-a", "office-b")
    assert b.list() == []
    with pytest.raises(CaseNotFoundError):
        b.get("agency-a/case-a")


def test_roles_without_a_case_library(orgs: CaseStore) -> None:
    """A trainee and a reviewer see no case library and can change nothing in one."""
    orgs.as_principal(Principal("x", "class-c", Role.TRAINER)).save(profile())
    for who in (TRAINEE, REVIEWER):
        s = orgs.as_principal(who)
        assert s.list() == []
        for call in (
            lambda s=s: s.get("case-a"),
            lambda s=s: s.save(profile(case_id="mine")),
            lambda s=s: s.export_all("json"),
            lambda s=s: s.import_text(json.dumps(profile_data("z"))),
            lambda s=s: s.history("case-a"),
        ):
            with pytest.raises(ForbiddenError):
                call()


def test_soft_delete_and_restore_by_an_administrator(orgs: CaseStore) -> None:
    """A delete hides the case and frees its id; an administrator lists and restores it (unless
    the id was taken again); others cannot."""
    a = orgs.as_principal(A)
    a.save(profile())
    a.record_assessment("case-a", assessment())
    a.delete("case-a", expected_version=1)
    assert a.list() == []
    with pytest.raises(ForbiddenError):
        a.deleted()
    admin = orgs.as_principal(ADMIN)
    [gone] = admin.deleted()
    assert (gone.org_id, gone.case_id, gone.deleted_by) == ("agency-a", "case-a", "ann")
    back = admin.restore(gone.key)
    assert back.case_id == "case-a"
    rec = a.get("case-a")
    assert rec.version == 1 and len(a.history("case-a")) == 1
    a.delete("case-a")
    a.save(profile(name="A new one"))
    [gone] = admin.deleted()
    with pytest.raises(Exception, match="already in the library"):
        admin.restore(gone.key)


def test_every_change_is_audited_and_the_trail_is_append_only(orgs: CaseStore) -> None:
    """Create, update, rename, share, export, import, delete and restore each leave an entry with
    who, what and from which version; the database refuses to change or delete an entry."""
    a = orgs.as_principal(A)
    a.save(profile())
    a.save(profile(volunteers=9), expected_version=1)
    a.rename("case-a", "Renamed")
    a.share("case-a", "office-b", "read")
    a.export("case-a", "json")
    a.export_all("yaml")
    a.import_text(json.dumps(profile_data("case-z")))
    a.delete("case-a")
    admin = orgs.as_principal(ADMIN)
    admin.restore(admin.deleted()[0].key)
    entries = Accounts(admin).audit(org_id="agency-a")
    got = [(e.action, e.actor, e.case_id, e.from_version, e.to_version) for e in reversed(entries)]
    assert got[-9:] == [
        ("create", "ann", "case-a", None, 1),
        ("update", "ann", "case-a", 1, 2),
        ("rename", "ann", "case-a", 2, 3),
        ("share", "ann", "case-a", 3, None),
        ("export", "ann", "case-a", 3, None),
        ("export_all", "ann", None, None, None),
        ("import", "ann", "case-z", None, 1),
        ("delete", "ann", "case-a", 3, None),
        ("restore", "ada", "case-a", None, 3),
    ]
    with pytest.raises(ForbiddenError):
        Accounts(a).audit()
    for stmt in (T.audit.update().values(actor="nobody"), T.audit.delete()):
        with pytest.raises(sa.exc.DBAPIError), orgs.engine.begin() as conn:
            conn.execute(stmt)
    assert len(Accounts(admin).audit(org_id="agency-a")) == len(entries)


def test_failed_write_leaves_no_audit_entry(orgs: CaseStore) -> None:
    """A refused import writes neither cases nor an audit entry (one transaction)."""
    a = orgs.as_principal(A)
    before = len(Accounts(orgs.as_principal(ADMIN)).audit())
    bad = profile_data("case-q")
    del bad["linkage"]
    with pytest.raises(ProfileError):
        a.import_text(json.dumps([profile_data("case-p"), bad]))
    a.save(profile())
    with pytest.raises(StaleCaseError):
        a.save(profile(volunteers=1), expected_version=7)
    assert len(Accounts(orgs.as_principal(ADMIN)).audit()) == before + 1
