"""``advisor serve`` (the JSON API on uvicorn) and ``advisor tokens`` (its API tokens).

- ``advisor serve [--host 127.0.0.1] [--port 8000] [--workers 1]``: OpenAPI at ``/openapi.json``,
  docs at ``/docs`` and ``/redoc`` (served from this machine, no CDN). Binds to 127.0.0.1 unless
  told otherwise; put a TLS-terminating proxy in front before opening it to a network.
- ``advisor tokens create --organisation ORG_ID --role ROLE [--user NAME] [--label TEXT]``
  prints the new token once (the organisation must exist in the accounts);
  ``advisor tokens list [--org ORG_ID]``; ``advisor tokens revoke ID``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from advisor.errors import AdvisorError, ProfileError


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        # the web server loads only for advisor serve
        import uvicorn
    except ImportError:  # pragma: no cover - a dependency of the package
        raise AdvisorError("uvicorn is not installed: pip install uvicorn") from None
    if args.db:
        os.environ["ADVISOR_DB"] = args.db  # the workers read it when they build the app
    if args.open:
        os.environ["ADVISOR_API_OPEN"] = "1"
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"advisor: serving on {args.host}: every machine that reaches it can call the API; "
            "use tokens and a TLS proxy",
            file=sys.stderr,
        )
    uvicorn.run(
        "advisor.api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=not args.no_access_log,
    )
    return 0


def _tokens(args: argparse.Namespace) -> Any:
    """The token table of ``--db`` / ``$ADVISOR_DB``, acting as ``cli:<user>`` (an administrator,
    as ``advisor users`` does: whoever can run this can read the database anyway)."""
    # only when a password is asked for
    import getpass

    # FastAPI and SQLAlchemy load only for advisor serve
    from advisor.api.tokens import TokenStore
    from advisor.principal import Principal, Role
    from advisor.store import CaseStore

    who = f"cli:{getpass.getuser()}"[:64]
    store = CaseStore(
        getattr(args, "db", None) or None, principal=Principal(who, "local", Role.ADMIN, via="cli")
    )
    return TokenStore(store)


def _cmd_tokens_create(args: argparse.Namespace) -> int:

    try:
        token, info = _tokens(args).create(
            args.organisation, args.role, args.label or "", username=args.user
        )
    except ProfileError as exc:
        zh = _lang() == "zh"
        print("advisor: 未创建令牌：" if zh else "advisor: no token created:", file=sys.stderr)
        for p in exc.problems:
            text = p.zh if zh and p.zh else p.message
            print(f"  - {p.path}: {text}", file=sys.stderr)
        return 2
    print(token)
    print(
        f"advisor: token {info.id} for {info.organisation} ({info.role}) created; "
        "this is the only time it is shown: keep it now",
        file=sys.stderr,
    )
    return 0


def _cmd_tokens_list(args: argparse.Namespace) -> int:
    tokens = _tokens(args).list(include_revoked=args.all, org_id=args.org)
    if not tokens:
        print("no tokens" if args.all else "no active tokens (--all shows revoked ones)")
        return 0
    print("id\torganisation\trole\tuser\tcreated\tcreated_by\trevoked\tlabel")
    for t in tokens:
        print(
            f"{t.id}\t{t.organisation}\t{t.role}\t{t.username or '-'}\t{t.created_at}\t"
            f"{t.created_by}\t{t.revoked_at or '-'}\t{t.label}"
        )
    return 0


def _cmd_tokens_revoke(args: argparse.Namespace) -> int:
    info = _tokens(args).revoke(args.id)
    print(f"token {info.id} ({info.organisation}, {info.role}) revoked at {info.revoked_at}")
    return 0


def _lang() -> str:
    raw = os.environ.get("ADVISOR_LANG") or os.environ.get("LANG") or ""
    return "zh" if raw.lower().startswith("zh") else "en"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` and ``tokens`` commands."""
    # FastAPI and SQLAlchemy load only for advisor serve
    from advisor.api.tokens import ROLE_ALIASES, ROLES

    p = sub.add_parser(
        "serve",
        help="serve the JSON API (FastAPI on uvicorn) with its OpenAPI document and docs",
        description=(
            "Serve the advisor as a JSON API: POST /v1/assess, /v1/whatif, /v1/batch, the "
            "schema, the knowledge base, the presets and the case library. OpenAPI at "
            "/openapi.json, docs at /docs (offline). Callers send 'Authorization: Bearer TOKEN' "
            "(advisor tokens create); ADVISOR_API_OPEN=1 or --open lets a local single user "
            "assess without a token."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (1)")
    p.add_argument("--db", metavar="FILE", help="case library and tokens (default $ADVISOR_DB)")
    p.add_argument(
        "--open", action="store_true", help="assessment endpoints without a token (local use)"
    )
    p.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    p.add_argument("--no-access-log", action="store_true", help="do not log every request")
    p.set_defaults(func=_cmd_serve)

    t = sub.add_parser(
        "tokens",
        help="create, list and revoke API tokens",
        description="API tokens for `advisor serve`, each for one organisation and one role.",
    )
    t_sub = t.add_subparsers(dest="tokens_command", metavar="TOKENS_COMMAND")
    t.set_defaults(func=lambda _a: (t.print_help(), 2)[1])
    c = t_sub.add_parser("create", help="create a token and print it (shown only once)")
    c.add_argument(
        "--organisation",
        "--org",
        required=True,
        metavar="ORG_ID",
        help="the id of an organisation of the accounts (advisor users orgs)",
    )
    c.add_argument(
        "--role",
        required=True,
        choices=[*ROLES, *ROLE_ALIASES],
        metavar="ROLE",
        help=f"one of {', '.join(ROLES)}",
    )
    c.add_argument(
        "--user",
        metavar="USERNAME",
        help="the account the token is for (same organisation and role)",
    )
    c.add_argument("--label", metavar="TEXT", help="what the token is for (e.g. the system)")
    c.add_argument("--db", help="case library (default $ADVISOR_DB)")
    c.set_defaults(func=_cmd_tokens_create)
    ls = t_sub.add_parser("list", help="list tokens (never their secrets)")
    ls.add_argument("--all", action="store_true", help="include revoked tokens")
    ls.add_argument("--org", metavar="ORG_ID", help="only this organisation's tokens")
    ls.add_argument("--db", help="case library (default $ADVISOR_DB)")
    ls.set_defaults(func=_cmd_tokens_list)
    r = t_sub.add_parser("revoke", help="revoke a token by its id")
    r.add_argument("id", metavar="ID")
    r.add_argument("--db", help="case library (default $ADVISOR_DB)")
    r.set_defaults(func=_cmd_tokens_revoke)
