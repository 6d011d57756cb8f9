"""The audit trail: who did what to which case, when, from which version to which.

Append-only: the store writes an entry in the same transaction as the change it records, and the
database itself refuses to update or delete an entry (a trigger; see migration 0002). Entries
record creates, updates, renames, deletes, restores, imports, exports, shares and sign-ins (and
failed sign-ins, lock-outs and account changes). Administrators read it in the web UI and with
``advisor audit``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from advisor import schema as T
from advisor.principal import Principal

ACTIONS = (
    "create",
    "update",
    "rename",
    "delete",
    "restore",
    "import",
    "export",
    "export_all",
    "share",
    "unshare",
    "sign_in",
    "sign_in_failed",
    "locked_out",
    "sign_out",
    "user_add",
    "user_disable",
    "user_enable",
    "password_reset",
    "org_add",
    "org_parent",
    "org_disable",
    "org_enable",
    "db_backup",
    "db_restore",
    "token_create",
    "token_revoke",
    "class_open",
    "class_reveal",
    "assess",
)


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the trail."""

    seq: int
    at: str
    actor: str
    actor_org: str | None
    via: str
    action: str
    org_id: str | None
    case_id: str | None
    from_version: int | None
    to_version: int | None
    detail: dict[str, Any]


def record(
    conn: sa.Connection,
    principal: Principal,
    action: str,
    org_id: str | None = None,
    case_id: str | None = None,
    from_version: int | None = None,
    to_version: int | None = None,
    **detail: Any,
) -> None:
    """Append one entry in the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(
        T.audit.insert().values(
            at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            actor=principal.username,
            actor_org=principal.org_id,
            via=principal.via,
            action=action,
            org_id=org_id,
            case_id=case_id,
            from_version=from_version,
            to_version=to_version,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
        )
    )


def read(
    conn: sa.Connection,
    org_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    case_id: str | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """The newest ``limit`` entries matching the filters, newest first."""
    q = sa.select(T.audit)
    if org_id:
        q = q.where(sa.or_(T.audit.c.org_id == org_id, T.audit.c.actor_org == org_id))
    if actor:
        q = q.where(T.audit.c.actor == actor)
    if action:
        q = q.where(T.audit.c.action == action)
    if case_id:
        q = q.where(T.audit.c.case_id == case_id)
    rows = conn.execute(q.order_by(T.audit.c.seq.desc()).limit(limit)).all()
    return [
        AuditEntry(
            r.seq,
            r.at,
            r.actor,
            r.actor_org,
            r.via,
            r.action,
            r.org_id,
            r.case_id,
            r.from_version,
            r.to_version,
            json.loads(r.detail),
        )
        for r in rows
    ]
