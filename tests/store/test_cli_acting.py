"""`advisor roadmap --case` reads a case as the person running it says (issue 15): in a library
with accounts it is refused without --org or --user, and then reaches exactly what that
organisation or account may see; a library without accounts is the local organisation's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sample_profiles import profile_data

from advisor.accounts import Accounts
from advisor.cli.main import main
from advisor.models import CaseProfile
from advisor.principal import Principal, Role
from advisor.store import CaseStore

ADMIN = Principal("ada", "local", Role.ADMIN)
PW = "a long password 1"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_roadmap_of_a_saved_case_acts_for_the_one_running_it(
    capsys: pytest.CaptureFixture[str], db_target: str
) -> None:
    store = CaseStore(db_target)
    acc = Accounts(store.as_principal(ADMIN))
    acc.add_organisation("agency-a", "阳光社工服务中心", "agency")
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_user("ann", "agency-a", "planner", PW)
    acc.add_user("bob", "office-b", "official", PW)
    acc.add_user("tia", "agency-a", "trainee", PW)
    acc.add_user("gone", "agency-a", "planner", PW)
    acc.set_disabled("gone")
    a = store.as_principal(Principal("ann", "agency-a", Role.PLANNER))
    a.save(CaseProfile.model_validate(profile_data()))
    store.dispose()
    base = ("roadmap", "--case", "case-a", "--db", db_target, "--format", "json")

    # accounts exist: no acting principal is a clear refusal, in the chosen language
    code, out, err = run(capsys, *base)
    assert code == 1 and out == ""
    assert "--org" in err and "--user" in err and "advisor users orgs" in err and "账号" in err
    code, _, err = run(capsys, *base, "--lang", "en")
    assert code == 1 and "has accounts" in err
    # the organisation's own case: as its administrator at the server, or as its planner
    for who in (("--org", "agency-a"), ("--user", "ann")):
        code, out, err = run(capsys, *base, *who)
        assert code == 0, err
        assert json.loads(out)["trajectory"] == []
    # another organisation, a trainee, a disabled account, an unknown organisation: refused,
    # and nothing tells office-b that agency-a has such a case
    for who, words in (
        (("--org", "office-b"), "case-a"),
        (("--user", "bob"), "case-a"),
        (("--org", "office-b", "--case", "agency-a/case-a"), "agency-a/case-a"),
        (("--user", "tia"), "无权"),
        (("--user", "gone"), "已停用"),
        (("--org", "nowhere"), "nowhere"),
        (("--org", "agency-a", "--user", "ann"), "只能给一个"),
    ):
        code, out, err = run(capsys, *base, *who)
        assert code == 1 and out == "", (who, out)
        assert words in err and "Traceback" not in err, (who, err)
        assert "Case A" not in err


def test_roadmap_without_accounts_is_the_local_organisation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "laptop.sqlite3")
    CaseStore(db).save(CaseProfile.model_validate(profile_data()))
    code, out, err = run(capsys, "roadmap", "--case", "case-a", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)["trajectory"] == [], err
    code, _, err = run(capsys, "roadmap", "--preset", "case-y", "--org", "local")
    assert code == 2 and "--case" in err
