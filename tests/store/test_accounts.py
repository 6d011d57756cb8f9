"""Local accounts: argon2 hashes, lock-out after repeated failures, sessions that expire, disabled
accounts stay out; OpenID Connect identities map to registered accounts only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from advisor import accounts as acc_mod
from advisor import schema as T
from advisor.accounts import AccountError, Accounts, LockedOutError, SignInError
from advisor.principal import Principal, Role
from advisor.store import CaseStore, ForbiddenError

ADMIN = Principal("ada", "local", Role.ADMIN)
PASSWORD = "correct horse battery"


@pytest.fixture
def acc(store: CaseStore) -> Accounts:
    a = Accounts(store.as_principal(ADMIN))
    a.add_organisation("office-b", "东城街道办事处", "street_office")
    a.add_user("bob", "office-b", "official", PASSWORD, "Bob")
    return a


def test_password_is_hashed_with_argon2(acc: Accounts) -> None:
    """The database holds an argon2id hash, never the password."""
    with acc.store.engine.connect() as conn:
        stored = conn.execute(sa.select(T.users.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_sign_in_gives_a_principal_and_a_session(acc: Accounts) -> None:
    """The right password opens a session whose token maps back to the user's principal."""
    session = acc.sign_in("Bob ", PASSWORD)
    assert session.principal == Principal("bob", "office-b", Role.OFFICIAL, "password", 1, "Bob")
    assert acc.principal_for(session.token) == session.principal
    assert acc.principal_for("forged-token") is None
    acc.sign_out(session.token)
    assert acc.principal_for(session.token) is None


def test_wrong_password_and_unknown_user_look_alike(acc: Accounts) -> None:
    """Both failures give the same message, and both are audited."""
    with pytest.raises(SignInError) as wrong:
        acc.sign_in("bob", "not the password")
    with pytest.raises(SignInError) as unknown:
        acc.sign_in("nobody", "not the password")
    assert str(wrong.value) == str(unknown.value)
    actions = [e.action for e in acc.audit(action="sign_in_failed")]
    assert actions == ["sign_in_failed", "sign_in_failed"]


def test_locked_out_account_stays_out(acc: Accounts) -> None:
    """After the allowed failures the account is locked: even the right password is refused
    until an administrator resets it."""
    for _ in range(acc_mod.MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(SignInError):
            acc.sign_in("bob", "wrong password!")
    with pytest.raises(LockedOutError):
        acc.sign_in("bob", "wrong password!")
    with pytest.raises(LockedOutError) as info:
        acc.sign_in("bob", PASSWORD)
    assert "锁定" in info.value.text("zh")
    assert acc.audit(action="locked_out")
    acc.reset_password("bob", "another good password")
    with pytest.raises(SignInError):
        acc.sign_in("bob", PASSWORD)
    assert acc.sign_in("bob", "another good password").principal.username == "bob"


def test_expired_session_is_refused(acc: Accounts) -> None:
    """A session past its expiry no longer maps to anyone."""
    session = acc.sign_in("bob", PASSWORD)
    with acc.store.engine.begin() as conn:
        conn.execute(T.sessions.update().values(expires_at="2000-01-01T00:00:00+00:00"))
    assert acc.principal_for(session.token) is None
    acc.sign_in("bob", PASSWORD)  # a new sign-in clears expired sessions away
    with acc.store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(T.sessions)).scalar() == 1


def test_disabled_account_is_out_at_once(acc: Accounts) -> None:
    """Disabling ends the user's sessions and refuses new sign-ins."""
    session = acc.sign_in("bob", PASSWORD)
    acc.set_disabled("bob")
    assert acc.principal_for(session.token) is None
    with pytest.raises(SignInError):
        acc.sign_in("bob", PASSWORD)
    acc.set_disabled("bob", False)
    assert acc.sign_in("bob", PASSWORD)


def test_account_rules(acc: Accounts) -> None:
    """Short passwords, unknown roles and organisations, and taken names are refused; only an
    administrator manages accounts."""
    with pytest.raises(AccountError, match="at least"):
        acc.add_user("carol", "office-b", "official", "short")
    with pytest.raises(AccountError, match="role"):
        acc.add_user("carol", "office-b", "boss", PASSWORD)
    with pytest.raises(AccountError, match="no organisation"):
        acc.add_user("carol", "nowhere", "official", PASSWORD)
    with pytest.raises(AccountError, match="already"):
        acc.add_user("BOB", "office-b", "official", PASSWORD)
    bob = Accounts(acc.store.as_principal(Principal("bob", "office-b", Role.OFFICIAL)))
    with pytest.raises(ForbiddenError):
        bob.add_user("eve", "office-b", "admin", PASSWORD)
    assert acc.count() == 1


def test_oidc_maps_only_registered_identities(acc: Accounts) -> None:
    """A person the identity provider vouches for gets their account's organisation and role; an
    unregistered identity is refused."""
    acc.add_user("lin@district.example", "office-b", "official", None, "林", None)
    session = acc.sign_in_oidc("sub-123", "Lin@district.example")
    assert (session.principal.org_id, session.principal.via) == ("office-b", "oidc")
    assert acc.user("lin@district.example").oidc_subject == "sub-123"
    assert acc.sign_in_oidc("sub-123").principal.username == "lin@district.example"
    with pytest.raises(SignInError):
        acc.sign_in_oidc("sub-999", "stranger@example.org")
    with pytest.raises(SignInError):  # no password set: password sign-in is impossible
        acc.sign_in("lin@district.example", "")


def test_concurrent_wrong_guesses_all_count(acc: Accounts) -> None:
    """Wrong passwords tried at the same moment each count towards the lock-out (the count goes
    up in the database, not from a value read before the slow hash check)."""
    import threading

    n = acc_mod.MAX_FAILED_SIGN_INS - 1
    barrier = threading.Barrier(n)

    def guess() -> None:
        barrier.wait()
        with pytest.raises(SignInError):
            acc.sign_in("bob", "wrong password!")

    threads = [threading.Thread(target=guess) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert acc.user("bob").failed_sign_ins == n
    with pytest.raises(LockedOutError):
        acc.sign_in("bob", "one more wrong")
