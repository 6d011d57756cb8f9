"""The organisations' hierarchy (migration 0004), on SQLite and PostgreSQL: an organisation reads
the cases of every organisation under it and changes none of them without an editable share;
nobody reaches a case across organisations outside the hierarchy by any path."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sample_profiles import profile_data

from advisor.accounts import AccountError, Accounts
from advisor.models import Assessment, CaseProfile
from advisor.principal import Principal, Role
from advisor.store import BelowReadOnlyError, CaseNotFoundError, CaseStore, ForbiddenError

ADMIN = Principal("ada", "local", Role.ADMIN)
CIVIL = Principal("cao", "civil", Role.OFFICIAL)  # the district's civil-affairs bureau
STREET = Principal("sun", "street-d", Role.OFFICIAL)
STREET_E = Principal("eve", "street-e", Role.OFFICIAL)
COMM1 = Principal("chen", "comm-1", Role.OFFICIAL)
COMM2 = Principal("zhou", "comm-2", Role.OFFICIAL)
COMM3 = Principal("wu", "comm-3", Role.OFFICIAL)
AGENCY = Principal("ann", "agency-a", Role.PLANNER)
STREET_TRAINEE = Principal("tia", "street-d", Role.TRAINEE)


def profile(**kw: Any) -> CaseProfile:
    return CaseProfile.model_validate(profile_data(**kw))


def assessment() -> Assessment:
    from advisor.pipeline import assess

    return assess(profile())


@pytest.fixture
def district(store: CaseStore) -> CaseStore:
    acc = Accounts(store.as_principal(ADMIN))
    acc.add_organisation("civil", "XX区民政局", "civil_affairs")
    acc.add_organisation("street-d", "东城街道办事处", "street_office", parent="civil")
    acc.add_organisation("street-e", "西城街道办事处", "street_office", parent="civil")
    acc.add_organisation("comm-1", "和平社区居委会", "community", parent="street-d")
    acc.add_organisation("comm-2", "幸福社区居委会", "community")
    acc.set_parent("comm-2", "street-d")
    acc.add_organisation("comm-3", "光明社区居委会", "community", parent="street-e")
    acc.add_organisation("agency-a", "阳光社工服务中心", "agency")
    for who in (STREET, COMM1, COMM2, COMM3, AGENCY):
        store.as_principal(who).save(profile(name=f"{who.org_id} 的案例"))
    store.as_principal(COMM1).record_assessment("case-a", assessment())
    return store


def refs(s: CaseStore) -> set[str]:
    return {c.ref for c in s.list()}


def test_an_organisation_reads_the_cases_of_those_under_it(district: CaseStore) -> None:
    street = district.as_principal(STREET)
    assert refs(street) == {"case-a", "comm-1/case-a", "comm-2/case-a"}
    below = {c.ref: c for c in street.list() if c.below}
    assert set(below) == {"comm-1/case-a", "comm-2/case-a"}
    assert {(c.access, c.owner) for c in below.values()} == {("read", "comm-1"), ("read", "comm-2")}
    # every level below: the district sees the street offices' and their communities' cases
    assert refs(district.as_principal(CIVIL)) == {
        f"{o}/case-a" for o in ("street-d", "comm-1", "comm-2", "comm-3")
    }
    rec = street.get("comm-1/case-a")
    assert (rec.owner, rec.access, rec.below, rec.name) == ("comm-1", "read", True, "comm-1 的案例")
    assert len(street.history("comm-1/case-a")) == 1
    assert json.loads(street.export("comm-1/case-a", "json"))["name"] == "comm-1 的案例"
    copy = street.duplicate("comm-1/case-a")  # a copy into the street office's own cases
    assert (copy.owner, copy.id, copy.access) == ("street-d", "case-a-copy", "owner")
    # "export every case" stays the organisation's own
    assert {c["id"] for c in json.loads(street.export_all("json"))} == {"case-a", "case-a-copy"}
    # the role still decides: a trainee of the street office has no case library at all
    trainee = district.as_principal(STREET_TRAINEE)
    assert trainee.list() == []
    with pytest.raises(ForbiddenError):
        trainee.get("comm-1/case-a")


def test_reading_down_the_hierarchy_never_changes_anything(district: CaseStore) -> None:
    street = district.as_principal(STREET)
    ref = "comm-1/case-a"
    for call in (
        lambda: street.rename(ref, "改名"),
        lambda: street.delete(ref),
        lambda: street.save_as(ref, profile(name="覆盖"), expected_version=1),
        lambda: street.record_assessment(ref, assessment()),
    ):
        with pytest.raises(BelowReadOnlyError) as err:
            call()
        assert "comm-1" in err.value.text("zh") and "可编辑" in err.value.text("zh")
        assert err.value.params["org"] == "comm-1"
    for call in (lambda: street.share(ref, "agency-a"), lambda: street.unshare(ref, "agency-a")):
        with pytest.raises(CaseNotFoundError):
            call()
    assert street.shares(ref) == {}
    rec = district.as_principal(COMM1).get("case-a")
    assert (rec.version, rec.name) == (1, "comm-1 的案例")
    # an editable share is still the way to let the street office change it
    district.as_principal(COMM1).share("case-a", "street-d", "edit")
    saved = street.save_as(ref, profile(name="街道修改"), expected_version=1)
    assert (saved.version, saved.access, saved.below) == (2, "edit", False)
    assert [c.access for c in street.list() if c.ref == ref] == ["edit"]


def test_nobody_reaches_across_the_hierarchy_by_any_path(district: CaseStore) -> None:
    """Up, sideways and outside: a community cannot read its street office's or its sister's
    cases, another street office cannot read these communities', an agency none of them."""
    cases = {
        COMM1: ["street-d/case-a", "comm-2/case-a", "civil/case-a"],
        COMM2: ["comm-1/case-a", "street-d/case-a"],
        COMM3: ["comm-1/case-a", "street-d/case-a"],
        STREET_E: ["comm-1/case-a", "comm-2/case-a", "street-d/case-a"],
        AGENCY: ["comm-1/case-a", "street-d/case-a"],
        STREET: ["comm-3/case-a", "agency-a/case-a", "street-e/case-a"],
    }
    for who, targets in cases.items():
        s = district.as_principal(who)
        assert not any(c.owner != who.org_id and c.ref in targets for c in s.list())
        for ref in targets:
            variants = (ref, ref.replace("/", "//"), "/" + ref, ref.replace("/", "/../"))
            for r in variants:
                for call in (
                    lambda r=r, s=s: s.get(r),
                    lambda r=r, s=s: s.history(r),
                    lambda r=r, s=s: s.export(r, "json"),
                    lambda r=r, s=s: s.rename(r, "x"),
                    lambda r=r, s=s: s.delete(r),
                    lambda r=r, s=s: s.duplicate(r),
                    lambda r=r, s=s: s.record_assessment(r, assessment()),
                    lambda r=r, s=s: s.save_as(r, profile(), expected_version=1),
                ):
                    with pytest.raises(CaseNotFoundError):
                        call()
                assert not s.exists(r)
    # moving a community out of the street office closes the view at once
    Accounts(district.as_principal(ADMIN)).set_parent("comm-2", None)
    assert refs(district.as_principal(STREET)) == {"case-a", "comm-1/case-a"}
    with pytest.raises(CaseNotFoundError):
        district.as_principal(STREET).get("comm-2/case-a")


def test_the_hierarchy_is_checked_and_audited(district: CaseStore) -> None:
    acc = Accounts(district.as_principal(ADMIN))
    for org, parent in (("civil", "comm-1"), ("street-d", "street-d"), ("comm-1", "nowhere")):
        with pytest.raises(AccountError):
            acc.set_parent(org, parent)
    with pytest.raises(AccountError):  # a new organisation under one that does not exist
        acc.add_organisation("comm-9", "九号社区", "community", parent="nowhere")
    assert "comm-9" not in {o.id for o in acc.organisations()}
    with pytest.raises(ForbiddenError):  # only an administrator arranges the hierarchy
        Accounts(district.as_principal(STREET)).set_parent("comm-3", "street-d")
    parents = {o.id: o.parent_org for o in acc.organisations()}
    assert parents["comm-1"] == "street-d" and parents["civil"] is None
    trail = [e for e in acc.audit(action="org_parent") if e.org_id == "comm-2"]
    assert [(e.detail["before"], e.detail["parent"]) for e in trail] == [(None, "street-d")]
