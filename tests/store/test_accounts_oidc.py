"""OpenID Connect identities map to registered accounts only (both engines): by subject, else by
a verified e-mail of an account not yet tied to another subject; disabled accounts, unverified
addresses and re-used addresses are refused with the OIDC wording, and every outcome is audited
with ``via=oidc``."""

from __future__ import annotations

import pytest

from advisor.accounts import Accounts, OidcRefusedError, SignInError
from advisor.principal import Principal, Role
from advisor.store import CaseStore

ADMIN = Principal("ada", "local", Role.ADMIN)


@pytest.fixture
def acc(store: CaseStore) -> Accounts:
    a = Accounts(store.as_principal(ADMIN))
    a.add_organisation("office-b", "东城街道办事处", "street_office")
    a.add_user("lin@district.example", "office-b", "official", None, "林")
    a.add_user("wu", "office-b", "official", None, "吴", oidc_subject="sub-wu")
    return a


def test_email_links_the_subject_once_then_the_subject_alone_signs_in(acc: Accounts) -> None:
    session = acc.sign_in_oidc("sub-lin", "Lin@District.example", True)
    assert (session.principal.username, session.principal.via) == ("lin@district.example", "oidc")
    assert acc.user("lin@district.example").oidc_subject == "sub-lin"
    assert acc.principal_for(session.token, via="oidc") == session.principal
    again = acc.sign_in_oidc("sub-lin", "new-address@elsewhere.example")
    assert again.principal.username == "lin@district.example"
    entry = acc.audit(action="sign_in")[0]
    assert (entry.actor, entry.via, entry.org_id) == ("lin@district.example", "oidc", "office-b")


def test_an_unverified_address_does_not_open_the_account(acc: Accounts) -> None:
    with pytest.raises(OidcRefusedError) as err:
        acc.sign_in_oidc("sub-x", "lin@district.example", False)
    assert err.value.params["identity"] == "lin@district.example"
    assert acc.user("lin@district.example").oidc_subject is None
    assert acc.audit(action="sign_in_failed")[0].detail["reason"] == "oidc-email-unverified"


def test_an_address_of_an_account_tied_to_another_subject_is_refused(acc: Accounts) -> None:
    acc.sign_in_oidc("sub-lin", "lin@district.example")
    with pytest.raises(OidcRefusedError):  # someone else now holding the old address
        acc.sign_in_oidc("sub-impostor", "lin@district.example", True)
    assert acc.user("lin@district.example").oidc_subject == "sub-lin"
    failed = acc.audit(action="sign_in_failed")[0]
    assert (failed.via, failed.detail["reason"]) == ("oidc", "oidc-other-subject")


def test_unknown_and_disabled_identities_stay_out_with_the_oidc_message(acc: Accounts) -> None:
    with pytest.raises(OidcRefusedError) as err:
        acc.sign_in_oidc("sub-999", "stranger@example.org")
    assert isinstance(err.value, SignInError)
    assert "stranger@example.org" in err.value.text("zh") and "管理员" in err.value.text("zh")
    assert "not registered" in err.value.text("en")
    with pytest.raises(OidcRefusedError):
        acc.sign_in_oidc("", "")  # no subject at all
    token = acc.sign_in_oidc("sub-wu").token
    acc.set_disabled("wu")
    assert acc.principal_for(token, via="oidc") is None
    with pytest.raises(OidcRefusedError):
        acc.sign_in_oidc("sub-wu")
    reasons = [e.detail["reason"] for e in acc.audit(action="sign_in_failed")]
    assert reasons[0] == "oidc-disabled" and reasons[-1] == "oidc-unknown"
