"""``advisor db``, ``advisor users`` and ``advisor audit``: running the case library on a server.

These commands act as the operating-system user at the server (``cli:<user>``, an administrator):
whoever can run them can read the database file or its URL anyway. Every change they make is in
the audit trail under that name. ``--db`` overrides ``$ADVISOR_DB``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import unicodedata
from typing import Any

from advisor.principal import ROLE_LABELS, Principal, Role

_LANG: list[str] = []  # set by --lang for this command (else $ADVISOR_LANG, then $LANG)


def _lang() -> str:
    if _LANG:
        return _LANG[-1]
    raw = os.environ.get("ADVISOR_LANG") or os.environ.get("LANG") or ""
    return "zh" if raw.lower().startswith("zh") else "en"


def _take_lang(args: argparse.Namespace) -> None:
    lang = getattr(args, "lang", None)
    _LANG.clear()
    if lang in ("zh", "en"):
        _LANG.append(lang)


def _add_lang(parser: argparse.ArgumentParser) -> None:
    # on the command and on its actions, so that both `users --lang zh list` and
    # `users list --lang zh` work (SUPPRESS: an action's absent option leaves the command's)
    parser.add_argument(
        "--lang",
        choices=["zh", "en"],
        default=argparse.SUPPRESS,
        help="the language of messages and tables (default: $ADVISOR_LANG, then $LANG)",
    )


def _store(args: argparse.Namespace, readonly: bool | None = None) -> Any:
    # SQLAlchemy loads only for commands that open the case library
    from advisor.store import CaseStore

    who = f"cli:{getpass.getuser()}"[:64]
    return CaseStore(
        args.db or None, principal=Principal(who, "local", Role.ADMIN, via="cli"), readonly=readonly
    )


ACTING = {
    "accounts": {
        "en": (
            "the case library at {db} has accounts: say whose cases to read, with --org ORG "
            "(as the server's administrator, for that organisation) or --user NAME (as that "
            "account); `advisor users orgs` lists the organisations"
        ),
        "zh": "{db} 的案例库已有账号：请指明读取哪个单位的案例，用 --org 单位编号"
        "（以服务器管理员身份代该单位读取）或 --user 用户名（以该账号身份）；"
        "`advisor users orgs` 列出各单位。",
    },
    "both": {
        "en": "give --org or --user, not both",
        "zh": "--org 与 --user 只能给一个。",
    },
    "org": {
        "en": "there is no organisation {org!r} (`advisor users orgs` lists them)",
        "zh": "没有编号为 {org} 的单位（`advisor users orgs` 列出各单位）。",
    },
    "disabled": {
        "en": "the account {user!r} is disabled",
        "zh": "账号 {user} 已停用。",
    },
    "org_disabled": {
        "en": "the account {user!r} belongs to {org!r}, which is disabled (an administrator "
        "reads its cases with --org {org})",
        "zh": "账号 {user} 所在的单位 {org} 已停用（管理员可用 --org {org} 读取其案例）。",
    },
}


def acting_store(
    db: str | None, org: str | None = None, user: str | None = None, lang: str | None = None
) -> Any:
    """The case library as the person running a command that reads or writes cases sees it.

    ``--org ORG``: the operating-system user at the server (``cli:<user>``, an administrator, as
    for ``advisor db|users|audit``) acting for organisation ORG; ``--user NAME``: that account,
    with its organisation and role (a trainee sees no case). Without either, a library with
    accounts is refused with a message naming the options; one without accounts (single-user
    mode) is the local organisation's, as in the app. Raises StoreError.
    """
    from advisor.accounts import Accounts
    from advisor.db import StoreError
    from advisor.principal import LOCAL_ORG
    from advisor.store import CaseStore

    lang = lang or _lang()

    def refuse(key: str, **params: Any) -> StoreError:
        return StoreError(
            ACTING[key]["en"].format(**params), ACTING[key]["zh"].format(**params), **params
        )

    who = f"cli:{getpass.getuser()}"[:64]
    admin = Principal(who, LOCAL_ORG, Role.ADMIN, via="cli")
    store = CaseStore(db or None, principal=admin)
    if org and user:
        raise refuse("both")
    acc = Accounts(store)
    if user:
        account = acc.user(user)
        if account.disabled:
            raise refuse("disabled", user=account.username)
        if account.org_id in {o.id for o in acc.organisations() if o.disabled}:
            raise refuse("org_disabled", user=account.username, org=account.org_id)
        return store.as_principal(account.principal("cli"))
    if org:
        if org not in {o.id for o in acc.organisations()}:
            raise refuse("org", org=org)
        return store.as_principal(Principal(who, org, Role.ADMIN, via="cli"))
    if acc.count() > 0:
        raise refuse("accounts", db=store.location)
    return store.as_principal(Principal(who, LOCAL_ORG, Role.ADMIN, via="cli"))


def _password(args: argparse.Namespace, prompt: str = "Password") -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise SystemExit("advisor: no terminal to ask for a password: use --password-stdin")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(f"{prompt} (again): ") != first:
        raise SystemExit("advisor: the two passwords differ; nothing changed")
    return first


def _fail(exc: Any) -> int:
    text = exc.text(_lang()) if hasattr(exc, "text") else str(exc)
    print(f"advisor: {text}", file=sys.stderr)
    return 1


def quiet_store_log() -> None:
    """The store logs a failure's technical details (an exception's repr) for a server's log;
    at the terminal the operator gets the plain message of :func:`_fail` instead, so the
    details are not printed (Python's last-resort handler would show them raw on stderr)."""
    logger = logging.getLogger("advisor")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())


# ----------------------------------------------------------------------------- db

CHECK_TEXT = {
    "ok": {
        "en": "The case library's database is sound: {engine}'s own check found no problem.",
        "zh": "案例库数据库完好：{engine} 自身的完整性检查未发现问题。",
    },
    "bad": {
        "en": (
            "The case library's database is damaged: {engine}'s own check found {n} problem(s). "
            "Restore it from a backup (advisor db restore) into a new library."
        ),
        "zh": "案例库数据库已损坏：{engine} 自身的完整性检查发现 {n} 处问题。"
        "请从备份恢复到新的案例库（advisor db restore）。",
    },
    "detail": {
        "en": "  problem {i}: {text}",
        "zh": "  问题 {i}：{text}",
    },
    "more": {
        "en": "  (run again with --details to list them)",
        "zh": "  （加 --details 重新运行可列出这些问题）",
    },
}


def _check(store: Any, args: argparse.Namespace) -> int:
    """``advisor db check``: one sentence in the CLI's language (and, with --details, the
    engine's own findings, labelled as such)."""
    lang = _lang()
    findings = store.integrity_problems()
    engine = "SQLite" if store.backend == "sqlite" else "PostgreSQL"
    if not findings:
        print(CHECK_TEXT["ok"][lang].format(engine=engine))
        return 0
    print(CHECK_TEXT["bad"][lang].format(engine=engine, n=len(findings)))
    if getattr(args, "details", False):
        for i, text in enumerate(findings, 1):
            print(CHECK_TEXT["detail"][lang].format(i=i, text=text))
    else:
        print(CHECK_TEXT["more"][lang])
    return 1


BACKUP_TEXT = {
    "written": {"en": "backup written to {file} ({kind}): ", "zh": "备份已写入 {file}（{kind}）："},
    "sqlite": {
        "en": "a SQLite database file: sqlite3 opens it, ADVISOR_DB can point at it",
        "zh": "SQLite 数据库文件：可用 sqlite3 直接打开，也可作为 ADVISOR_DB 使用",
    },
    "portable": {
        "en": "the portable backup: advisor db restore loads it into SQLite or PostgreSQL",
        "zh": "通用备份：advisor db restore 可将其恢复到 SQLite 或 PostgreSQL",
    },
    "restored": {"en": "restored: ", "zh": "已恢复："},
}


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())


def cmd_db(args: argparse.Namespace) -> int:
    # SQLAlchemy loads only for commands that open the database
    quiet_store_log()
    _take_lang(args)
    from advisor import backup
    from advisor.db import StoreError
    from advisor.store import current_revision, head_revision

    try:
        if args.db_command == "upgrade":
            before, after = _store(args, readonly=False).upgraded
            if before == after:
                print(f"the case library is up to date (schema {after})")
            else:
                print(f"the case library was upgraded from schema {before or 'none'} to {after}")
            return 0
        lang = _lang()
        if args.db_command == "restore":
            store = _store(args)
            counts = backup.restore(store, args.file)
            print(BACKUP_TEXT["restored"][lang] + _counts(counts))
            return 0
        if args.db_command == "backup":  # the name is checked before connecting
            from advisor.db import default_target, is_url

            target = args.db or default_target()
            kind = backup.kind_for("postgresql" if is_url(target) else "sqlite", args.file)
        store = _store(args)
        if args.db_command == "backup":
            counts = backup.backup(store, args.file)
            text = BACKUP_TEXT["written"][lang].format(file=args.file, kind=BACKUP_TEXT[kind][lang])
            print(text + _counts(counts))
            return 0
        if args.db_command == "check":
            return _check(store, args)
        with store.engine.connect() as conn:
            rev = current_revision(conn)
        print(f"database: {store.location} ({store.backend})")
        print(f"schema: {rev} (newest {head_revision()})")
        print("read-only: " + ("yes (saving is unavailable)" if store.readonly else "no"))
        return 0
    except StoreError as exc:
        return _fail(exc)


# ----------------------------------------------------------------------------- users

USERS_TEXT: dict[str, dict[str, str]] = {
    "none": {
        "en": "no accounts (the app runs in single-user mode)",
        "zh": "尚无账户（应用以单机模式运行）。",
    },
    "head": {
        "en": "User name|Organisation|Role|Signs in with|State|Last sign-in (UTC)",
        "zh": "用户名|单位|角色|登录方式|状态|最近登录（UTC）",
    },
    "password": {"en": "password", "zh": "密码"},
    "oidc_bound": {"en": "OIDC (bound)", "zh": "统一身份认证（已绑定）"},
    "oidc_email": {
        "en": "OIDC (not yet bound: by e-mail at first sign-in)",
        "zh": "统一身份认证（未绑定：首次登录时按邮箱匹配）",
    },
    "nothing": {"en": "nothing (cannot sign in)", "zh": "无（无法登录）"},
    "and": {"en": " + ", "zh": "＋"},
    "active": {"en": "active", "zh": "正常"},
    "locked": {"en": "locked until {until}", "zh": "锁定至 {until}"},
    "disabled": {"en": "disabled", "zh": "已停用"},
    "org_disabled": {"en": "organisation disabled", "zh": "所在单位已停用"},
    "never": {"en": "never", "zh": "从未登录"},
    "org_mark": {"en": " (disabled)", "zh": "（已停用）"},
    "org_now_disabled": {
        "en": "{org} ({name}) is now disabled: its users cannot sign in and their sessions have "
        "ended; its cases and their shares are kept (advisor users enable-org {org} undoes it)",
        "zh": "{org}（{name}）已停用：其用户无法登录，已登录的会话已结束；该单位的案例及其共享"
        "保持不变（advisor users enable-org {org} 可恢复）。",
    },
    "org_now_enabled": {
        "en": "{org} ({name}) is enabled: its users can sign in again",
        "zh": "{org}（{name}）已启用：其用户可以重新登录。",
    },
}


def _account_facts(user: Any, org_disabled: bool, last_sign_in: str | None) -> dict[str, Any]:
    """How an account signs in and whether it can now (the JSON keys of `users list`)."""
    from advisor.store import now

    methods = (["password"] if user.has_password else []) + (
        ["oidc"] if user.oidc_subject or "@" in user.username else []
    )
    locked = bool(user.locked_until and user.locked_until > now())
    state = (
        "disabled"
        if user.disabled
        else "org_disabled"
        if org_disabled
        else "locked"
        if locked
        else "active"
        if methods
        else "no_sign_in"
    )
    return {
        "sign_in_methods": methods,
        "oidc_bound": user.oidc_subject is not None,
        "state": state,
        "org_disabled": org_disabled,
        "last_sign_in": last_sign_in,
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(head: list[str], rows: list[list[str]]) -> str:
    """Columns padded by display width (a Chinese character takes two terminal cells)."""
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = []
    for r in [head, ["-" * w for w in widths], *rows]:
        cells = [c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _users_table(users: list[Any], facts: list[dict[str, Any]], lang: str) -> str:
    txt = {k: v[lang] for k, v in USERS_TEXT.items()}
    rows = []
    for u, f in zip(users, facts, strict=True):
        how = [txt["password"]] if u.has_password else []
        if u.oidc_subject:
            how.append(txt["oidc_bound"])
        elif "oidc" in f["sign_in_methods"]:
            how.append(txt["oidc_email"])
        state = f["state"]
        if state == "locked":
            shown = txt["locked"].format(until=u.locked_until[:16].replace("T", " "))
        elif state == "no_sign_in":
            shown = txt["active"]
        else:
            shown = txt[state]
        last = f["last_sign_in"]
        rows.append(
            [
                u.username,
                u.org_id + (txt["org_mark"] if f["org_disabled"] else ""),
                ROLE_LABELS[Role(u.role)][lang],
                txt["and"].join(how) or txt["nothing"],
                shown,
                last[:16].replace("T", " ") if last else txt["never"],
            ]
        )
    return _table(txt["head"].split("|"), rows)


def cmd_users(args: argparse.Namespace) -> int:
    # SQLAlchemy and argon2 load only for commands that open the database
    quiet_store_log()
    _take_lang(args)
    from advisor.accounts import Accounts
    from advisor.db import StoreError

    try:
        acc = Accounts(_store(args))
        cmd = args.users_command
        if cmd == "add":
            if args.org_name:
                known = {o.id for o in acc.organisations()}
                if args.org not in known:
                    acc.add_organisation(args.org, args.org_name, args.org_kind)
            password = None if args.no_password else _password(args)
            user = acc.add_user(
                args.username,
                args.org,
                args.role,
                password,
                args.name or "",
                args.oidc_subject,
            )
            print(f"added {user.username} ({user.role}) to {user.org_id}")
        elif cmd == "list":
            rows = acc.users(args.org)
            disabled_orgs = {o.id for o in acc.organisations() if o.disabled}
            last = acc.last_sign_ins()
            facts = [
                _account_facts(u, u.org_id in disabled_orgs, last.get(u.username)) for u in rows
            ]
            if args.format == "json":
                out = [{**u.__dict__, **f} for u, f in zip(rows, facts, strict=True)]
                print(json.dumps(out, ensure_ascii=False, indent=2))
            elif not rows:
                print(USERS_TEXT["none"][_lang()])
            else:
                print(_users_table(rows, facts, _lang()))
        elif cmd in ("disable", "enable"):
            user = acc.set_disabled(args.username, cmd == "disable")
            print(f"{user.username} is now {'disabled' if user.disabled else 'enabled'}")
        elif cmd == "reset-password":
            acc.user(args.username)
            acc.reset_password(args.username, _password(args, "New password"))
            print(f"password of {args.username} reset; lock-out lifted, sessions ended")
        elif cmd == "orgs":
            orgs = acc.organisations()
            if args.format == "json":
                print(json.dumps([o.__dict__ for o in orgs], ensure_ascii=False, indent=2))
            else:
                from advisor.accounts import org_tree

                mark = USERS_TEXT["org_mark"][_lang()]
                for depth, o in org_tree(orgs):
                    label = "  " * depth + o.id
                    print(f"{label:24} {o.kind:14} {o.name}{mark if o.disabled else ''}")
        elif cmd == "add-org":
            o = acc.add_organisation(args.org_id, args.name, args.kind, args.parent)
            under = f", under {o.parent_org}" if o.parent_org else ""
            print(f"added organisation {o.id} ({o.kind}{under})")
        elif cmd == "set-parent":
            o = acc.set_parent(args.org_id, None if args.top else args.parent)
            if o.parent_org:
                print(f"{o.id} is now under {o.parent_org}: its cases are readable there")
            else:
                print(f"{o.id} is now at the top (under no organisation)")
        elif cmd in ("disable-org", "enable-org"):
            o = acc.set_org_disabled(args.org_id, cmd == "disable-org")
            key = "org_now_disabled" if o.disabled else "org_now_enabled"
            print(USERS_TEXT[key][_lang()].format(org=o.id, name=o.name))
        elif cmd == "count":
            print(acc.count())
        return 0
    except StoreError as exc:
        return _fail(exc)


# ----------------------------------------------------------------------------- audit


def cmd_audit(args: argparse.Namespace) -> int:
    # SQLAlchemy and argon2 load only for commands that open the database
    quiet_store_log()
    from advisor.accounts import Accounts
    from advisor.db import StoreError

    try:
        entries = Accounts(_store(args)).audit(
            org_id=args.org,
            actor=args.user,
            action=args.action,
            case_id=args.case,
            limit=args.limit,
        )
    except StoreError as exc:
        return _fail(exc)
    if args.format == "json":
        print(json.dumps([e.__dict__ for e in entries], ensure_ascii=False, indent=2))
        return 0
    for e in reversed(entries):
        versions = ""
        if e.from_version is not None or e.to_version is not None:
            versions = f" v{e.from_version or '-'}->v{e.to_version or '-'}"
        case = f" {e.org_id}/{e.case_id}" if e.case_id else (f" {e.org_id}" if e.org_id else "")
        detail = " ".join(f"{k}={v}" for k, v in e.detail.items())
        print(
            f"{e.at[:19].replace('T', ' ')} {e.actor} ({e.actor_org or '-'}, {e.via}) "
            f"{e.action}{case}{versions} {detail}".rstrip()
        )
    return 0


def register(sub: Any) -> None:
    """Add ``db``, ``users`` and ``audit``."""
    db_help = "the database: $ADVISOR_DB (a file path or a postgresql:// URL) unless given"

    p = sub.add_parser("db", help="the case library's database: upgrade, backup, restore, check")
    p.add_argument("--db", help=db_help)
    _add_lang(p)
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    dsub.add_parser("upgrade", help="bring the schema to this version (safe to repeat)")
    b = dsub.add_parser("backup", help="a consistent copy while the app runs (new file only)")
    b.add_argument(
        "file",
        help="NAME.sqlite3 (or .db): a SQLite database file, SQLite libraries only; "
        "NAME.jsonl.gz: the portable backup, either engine",
    )
    r = dsub.add_parser("restore", help="load a backup into an EMPTY library (new file or DB)")
    r.add_argument("file", help="a backup of either kind (told apart by its content)")
    c = dsub.add_parser("check", help="check the database's integrity")
    c.add_argument("--details", action="store_true", help="list the problems the check found")
    dsub.add_parser("info", help="where the library is, its schema, whether it is read-only")
    for action in dsub.choices.values():
        _add_lang(action)
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("users", help="accounts and organisations (administrators)")
    p.add_argument("--db", help=db_help)
    _add_lang(p)
    usub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    a = usub.add_parser("add", help="add an account (asks for the password)")
    a.add_argument("username")
    a.add_argument("--org", required=True, help="the organisation's id")
    a.add_argument("--org-name", help="create the organisation with this name if it is new")
    a.add_argument("--org-kind", default="other", help="street_office, community, agency, ...")
    a.add_argument("--role", required=True, choices=[r.value for r in Role])
    a.add_argument("--name", help="display name")
    a.add_argument("--oidc-subject", help="the identity provider's subject for this person")
    a.add_argument("--no-password", action="store_true", help="signs in through OIDC only")
    a.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    lst = usub.add_parser("list", help="list accounts")
    lst.add_argument("--org")
    lst.add_argument("--format", choices=["text", "json"], default="text")
    for name, text in (("disable", "disable an account"), ("enable", "enable it again")):
        d = usub.add_parser(name, help=text)
        d.add_argument("username")
    rp = usub.add_parser("reset-password", help="set a new password; lifts a lock-out")
    rp.add_argument("username")
    rp.add_argument("--password-stdin", action="store_true")
    og = usub.add_parser("orgs", help="list organisations (indented under their parent)")
    og.add_argument("--format", choices=["text", "json"], default="text")
    ao = usub.add_parser("add-org", help="add an organisation")
    ao.add_argument("org_id")
    ao.add_argument("--name", required=True)
    ao.add_argument("--kind", default="other")
    ao.add_argument("--parent", help="the organisation directly above (it reads this one's cases)")
    sp = usub.add_parser(
        "set-parent", help="put an organisation under another (which then reads its cases)"
    )
    sp.add_argument("org_id")
    where = sp.add_mutually_exclusive_group(required=True)
    where.add_argument("parent", nargs="?", help="the organisation directly above")
    where.add_argument("--top", action="store_true", help="under no organisation")
    for name, text in (
        (
            "disable-org",
            "disable an organisation (e.g. its contract ended): no sign-in, cases kept",
        ),
        ("enable-org", "enable an organisation again"),
    ):
        d = usub.add_parser(name, help=text)
        d.add_argument("org_id")
    usub.add_parser("count", help="how many accounts exist (0: single-user mode)")
    for action in usub.choices.values():
        _add_lang(action)
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("audit", help="the audit trail (newest last)")
    p.add_argument("--db", help=db_help)
    p.add_argument("--org")
    p.add_argument("--user")
    p.add_argument("--action")
    p.add_argument("--case")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_audit)
