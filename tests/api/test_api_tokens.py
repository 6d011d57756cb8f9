"""`advisor tokens`: created for an organisation and a role, shown once, stored hashed, revoked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from api_helpers import SAMPLE, cli, ensure_org
from fastapi.testclient import TestClient

from advisor.api.tokens import TokenError, TokenStore, digest
from advisor.errors import ProfileError


def test_create_prints_the_token_once_and_stores_only_its_hash(db: Path) -> None:
    """The secret goes to stdout once; the database holds its SHA-256, never the secret."""
    ensure_org(db)
    code, out, err = cli(
        [
            "tokens",
            "create",
            "--organisation",
            "chaoyang",
            "--role",
            "official",
            "--label",
            "智慧社区",
        ]
    )
    assert code == 0, err
    token = out.strip()
    assert token.startswith("adv_") and "only time" in err
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    secret = token.split("_", 2)[2]
    assert secret.encode() not in raw
    with sqlite3.connect(db) as con:
        (stored,) = con.execute("SELECT secret_sha256 FROM api_tokens").fetchone()
    assert stored == digest(token)
    code, out, _ = cli(["tokens", "list"])
    assert code == 0 and "chaoyang" in out and "official" in out and secret not in out
    assert TokenStore(db).verify(token) is not None


def test_revoke_lists_and_refuses_twice(db: Path) -> None:
    """A revoked token shows as revoked with --all, hides from the default list, fails verify."""
    ensure_org(db, "y-community", "Y 社区")
    store = TokenStore(db)
    token, info = store.create("y-community", "trainer")
    code, out, _ = cli(["tokens", "revoke", info.id])
    assert code == 0 and "revoked" in out
    assert store.verify(token) is None
    assert info.id not in cli(["tokens", "list"])[1]
    assert info.id in cli(["tokens", "list", "--all"])[1]
    code, _o, err = cli(["tokens", "revoke", info.id])
    assert code == 1 and "already revoked" in err
    with pytest.raises(TokenError):
        store.revoke("nope")


def test_create_refuses_a_blank_organisation_or_unknown_role(db: Path) -> None:
    """Bad fields are named; the CLI also refuses an unknown role before touching the file."""
    with pytest.raises(ProfileError) as exc:
        TokenStore(db).create("   ", "mayor")
    assert [p.path for p in exc.value.problems] == ["organisation", "role"]
    code, _o, err = cli(["tokens", "create", "--org", "X", "--role", "mayor"])
    assert code == 2 and "invalid choice" in err


def test_create_refuses_an_organisation_the_accounts_do_not_know(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that is no organisation id is refused, in both languages, listing the known ones;
    nothing is created."""
    code, out, err = cli(["tokens", "create", "--org", "朝阳街道", "--role", "official"])
    assert code == 2 and out == ""
    assert "there is no organisation '朝阳街道'" in err and "known: local" in err
    monkeypatch.setenv("ADVISOR_LANG", "zh_CN.UTF-8")
    code, _o, err = cli(["tokens", "create", "--org", "nowhere", "--role", "official"])
    assert code == 2 and "没有编号为 'nowhere' 的单位" in err and "未创建令牌" in err
    assert TokenStore(db).list() == []


def test_a_token_for_an_account_must_match_it_and_dies_with_it(db: Path) -> None:
    """--user makes the token the account's (same organisation and role, recorded); disabling
    the account stops the token; creating and revoking are audited under the CLI's name."""
    from advisor.accounts import Accounts
    from advisor.api import tokens as tokens_mod
    from advisor.store import CaseStore

    ensure_org(db)
    store = CaseStore(db)
    acc = Accounts(store)
    acc.add_user("wang", "chaoyang", "planner", password="correct horse battery")
    code, _o, err = cli(
        ["tokens", "create", "--org", "chaoyang", "--role", "official", "--user", "wang"]
    )
    assert code == 2 and "user:" in err
    code, out, err = cli(
        ["tokens", "create", "--org", "chaoyang", "--role", "planner", "--user", "wang"]
    )
    assert code == 0, err
    token = out.strip()
    ts = TokenStore(store)
    who = ts.verify(token).principal()
    assert (who.org_id, who.role, who.via, who.user_id) == (
        "chaoyang",
        "planner",
        "api",
        acc.user("wang").id,
    )
    assert "wang" in cli(["tokens", "list"])[1]
    acc.set_disabled("wang")
    tokens_mod.CACHE_SECONDS, saved = 0.0, tokens_mod.CACHE_SECONDS
    try:
        assert TokenStore(store).verify(token) is None
    finally:
        tokens_mod.CACHE_SECONDS = saved
    actions = [e.action for e in acc.audit(limit=50)]
    assert "token_create" in actions
    entry = next(e for e in acc.audit(action="token_create"))
    assert entry.actor.startswith("cli:") and entry.org_id == "chaoyang"
    store.dispose()


def test_malformed_tokens_are_not_looked_up(db: Path) -> None:
    """Anything that is not adv_<id>_<secret> is refused without a query."""
    store = TokenStore(db)
    for bad in ("", "adv_", "adv_xyz_short", "Bearer adv_12345678_" + "a" * 43, "x" * 5000):
        assert store.verify(bad) is None


def test_a_token_works_against_the_api_until_revoked(
    api: TestClient, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end in-process: create with the CLI, call, revoke with the CLI, refused."""
    from advisor.api import tokens

    monkeypatch.setattr(tokens, "CACHE_SECONDS", 0.0)
    ensure_org(db, "j-civil-affairs", "J 区民政局")
    token = cli(["tokens", "create", "--org", "j-civil-affairs", "--role", "reviewer"])[1].strip()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.post("/v1/assess", content=SAMPLE.read_bytes(), headers=headers).status_code == 200
    token_id = token.split("_")[1]
    assert cli(["tokens", "revoke", token_id])[0] == 0
    r = api.post("/v1/assess", content=SAMPLE.read_bytes(), headers=headers)
    assert r.status_code == 401
