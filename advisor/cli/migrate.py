"""``advisor migrate FILE...``: rewrite version 1 profile files as version 2.

Version 2 (unknowns and ranges, ``advisor/uncertain.py``) reads every version 1 profile as it
is, so the migration changes only the version number: comments, field order and layout are kept.
Each file is validated first (an invalid one is left untouched and reported), written atomically,
and the original is kept beside it as ``FILE.v1.bak`` unless ``--no-backup``. Exit codes: 0 all
migrated or already version 2; 2 a file was invalid; 1 a file could not be written.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from advisor.cli.common import write_output
from advisor.errors import AdvisorError, ProfileError
from advisor.io import parse_document
from advisor.uncertain import migrate_text, read_profile


def _cmd_migrate(args: argparse.Namespace) -> int:
    code = 0
    for name in args.files:
        path = Path(name)
        try:
            raw = path.read_bytes()
            doc = parse_document(raw, name)
            profile_doc = doc.get("profile", doc) if isinstance(doc, dict) else doc
            read_profile(profile_doc, name)
        except ProfileError as exc:
            print(f"advisor: {exc}", file=sys.stderr)
            code = max(code, 2)
            continue
        except OSError as exc:
            print(f"advisor: cannot read {name}: {exc.strerror}", file=sys.stderr)
            code = max(code, 1)
            continue
        new = migrate_text(raw.decode("utf-8"))
        if new is None:
            print(f"{name}: already schema version 2")
            continue
        try:
            if not args.no_backup:
                backup = path.with_name(path.name + ".v1.bak")
                if not backup.exists():
                    shutil.copy2(path, backup)
            write_output(new, str(path))
        except (AdvisorError, OSError) as exc:
            print(f"advisor: {exc}", file=sys.stderr)
            code = max(code, 1)
            continue
        print(
            f"{name}: schema version 1 -> 2" + ("" if args.no_backup else f" (kept {name}.v1.bak)")
        )
    return code


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``advisor migrate``."""
    p = sub.add_parser(
        "migrate",
        help="rewrite version 1 profile files as version 2 (unknowns and ranges allowed)",
        description=(
            "Rewrite each version 1 profile file (JSON or YAML) as version 2, in which fields may "
            "be unknown (null) or ranges. Only the version number changes; the original is kept "
            "as FILE.v1.bak."
        ),
        epilog="exit codes: 0 done; 2 an invalid file (left untouched); 1 a file not written",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="profile files to rewrite")
    p.add_argument("--no-backup", action="store_true", help="do not keep FILE.v1.bak")
    p.set_defaults(func=_cmd_migrate)
