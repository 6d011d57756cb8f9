"""Who is acting: a :class:`Principal` is a user of an organisation in a role.

The UI (after sign-in), the CLI and, later, an API token all reduce to a ``Principal`` and pass it
to the store, which decides from the role what may be done and from the organisation which cases
are visible. The store never trusts anything else from the caller: a case reference or an id in
an uploaded file cannot reach another organisation's case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The roles of a district's deployment."""

    OFFICIAL = "official"  # street office or civil-affairs official
    PLANNER = "planner"  # social-work agency planner
    TRAINER = "trainer"
    TRAINEE = "trainee"
    REVIEWER = "reviewer"  # knowledge-base reviewer
    ADMIN = "admin"  # administrator


ROLE_LABELS: dict[Role, dict[str, str]] = {
    Role.OFFICIAL: {"zh": "街道/民政干部", "en": "official"},
    Role.PLANNER: {"zh": "社工机构策划人员", "en": "agency planner"},
    Role.TRAINER: {"zh": "培训师", "en": "trainer"},
    Role.TRAINEE: {"zh": "学员", "en": "trainee"},
    Role.REVIEWER: {"zh": "知识库审校人", "en": "knowledge-base reviewer"},
    Role.ADMIN: {"zh": "管理员", "en": "administrator"},
}

# What each role may do. "cases.*" act on the organisation's own cases and those shared with it;
# "admin.*" are district-wide. A trainee and a reviewer have no case library at all (ours: a
# trainee practises on presets and exercises; a reviewer works on the knowledge base).
PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.OFFICIAL: frozenset({"cases.read", "cases.write", "cases.export", "cases.share"}),
    Role.PLANNER: frozenset({"cases.read", "cases.write", "cases.export", "cases.share"}),
    Role.TRAINER: frozenset({"cases.read", "cases.write", "cases.export"}),
    Role.TRAINEE: frozenset(),
    Role.REVIEWER: frozenset(),
    Role.ADMIN: frozenset(
        {
            "cases.read",
            "cases.write",
            "cases.export",
            "cases.share",
            "admin.undelete",
            "admin.audit",
            "admin.users",
        }
    ),
}

LOCAL_ORG = "local"


@dataclass(frozen=True)
class Principal:
    """A user acting for an organisation in a role; ``via`` says how they were authenticated.

    ``via`` is ``password``, ``oidc``, ``single_user`` (the laptop mode: no sign-in), ``cli``
    (the operating-system user at the server) or ``api`` (a token).
    """

    username: str
    org_id: str
    role: Role
    via: str = "password"
    user_id: int | None = None
    display_name: str = ""

    def can(self, permission: str) -> bool:
        """Whether the role grants ``permission``."""
        return permission in PERMISSIONS[Role(self.role)]


# The single-user mode's principal: one person on a laptop, administrator of the "local"
# organisation, which is where every case of a library made before accounts existed lives.
LOCAL_PRINCIPAL = Principal("local", LOCAL_ORG, Role.ADMIN, via="single_user")
