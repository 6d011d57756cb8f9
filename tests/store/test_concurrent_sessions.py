"""Twenty sessions of twenty organisations on one server, in-process (issue 15's district
benchmark without the browsers): each thread does what a person's page does on every click
(check the session, count the accounts, list the library, read the organisation names), then
assesses its case with the real engine, saves it, records the assessment and saves again with
the version check, all through ONE shared store (one connection pool), on SQLite and
PostgreSQL. Every save lands in its own organisation, nothing waits forever, the pool is
returned whole."""

from __future__ import annotations

import threading

from sample_profiles import profile_data

from advisor.accounts import Accounts
from advisor.models import CaseProfile
from advisor.pipeline import assess
from advisor.principal import Principal, Role
from advisor.store import CaseStore

ADMIN = Principal("ada", "local", Role.ADMIN)
N = 20
ROUNDS = 2
PW = "a long password 1"


def test_twenty_sessions_assess_and_save_at_once(store: CaseStore) -> None:
    acc = Accounts(store.as_principal(ADMIN))
    for i in range(N):
        acc.add_organisation(f"org-{i:02d}", f"第{i + 1}街道办事处", "street_office")
        acc.add_user(f"user{i:02d}", f"org-{i:02d}", "official", PW)
    tokens = [acc.sign_in(f"user{i:02d}", PW).token for i in range(N)]
    barrier = threading.Barrier(N)
    errors: list[BaseException] = []
    versions: dict[int, int] = {}

    def page_rerun(i: int) -> CaseStore:
        """What every rerun of a signed-in page asks the store (ui.auth.gate, the sidebar)."""
        a = Accounts(store)
        assert a.count() == N
        who = a.principal_for(tokens[i])
        assert who is not None and who.org_id == f"org-{i:02d}"
        me = store.as_principal(who)
        me.list()
        Accounts(me).organisation_names()
        return me

    def person(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            profile = CaseProfile.model_validate(profile_data("case-h", f"第{i + 1}街道的案例"))
            version = None
            for _ in range(ROUNDS):
                me = page_rerun(i)
                result = assess(profile)  # the Assess click
                if version is not None:
                    me.record_assessment("case-h", result)
                me = page_rerun(i)  # the Save click
                rec = (
                    me.save(profile)
                    if version is None
                    else me.save_as("case-h", profile, expected_version=version)
                )
                version = rec.version
            versions[i] = int(version or 0)
        except BaseException as exc:  # reported below, with the thread's number
            errors.append(exc)

    threads = [threading.Thread(target=person, args=(i,), daemon=True) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)  # a generous bound: a hang fails the test instead of the suite
    assert not any(t.is_alive() for t in threads), "a session never finished"
    assert not errors, errors
    assert versions == dict.fromkeys(range(N), ROUNDS)
    for i in range(N):
        me = store.as_principal(Principal(f"user{i:02d}", f"org-{i:02d}", Role.OFFICIAL))
        [case] = me.list()
        assert (case.owner, case.id, case.version, case.assessments) == (
            f"org-{i:02d}",
            "case-h",
            ROUNDS,
            ROUNDS - 1,
        )
    trail = acc.audit(limit=10_000)
    assert all(e.actor == f"user{e.org_id[-2:]}" for e in trail if e.action in ("create", "update"))
    if not store.is_sqlite:  # every connection went back to the pool
        assert store.engine.pool.checkedout() == 0
