"""``advisor template``: the workbook a district fills in, one row per case.

Exit codes: 0 written; 1 the file could not be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from advisor.errors import AdvisorError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``template`` command."""
    p = sub.add_parser(
        "template",
        help="an Excel workbook to fill in, one row per case (for advisor batch)",
        description=(
            "Write an Excel workbook with one column per field of the case profile, headed by "
            "its label in LANG, drop-down lists for every choice, checked number ranges, a "
            "running total for each group of shares, and a second sheet documenting every "
            "field. Fill in one case per row and assess it with: advisor batch FILE.xlsx -o OUT"
        ),
    )
    p.add_argument("--format", choices=("xlsx",), default="xlsx", help="xlsx (default)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="headers' language (zh)")
    p.add_argument("-o", "--output", metavar="FILE", help="default: district-template.xlsx")
    p.set_defaults(func=_run_template)


def _run_template(args: argparse.Namespace) -> int:
    # openpyxl loads only for this command
    from advisor.office.xlsx_template import write_template

    out = Path(args.output or "district-template.xlsx")
    if out.is_dir():
        raise AdvisorError(f"cannot write {out}: it is a folder")
    if not out.parent.exists():
        raise AdvisorError(f"cannot write {out}: the folder {out.parent} does not exist")
    try:
        write_template(out, args.lang)
    except OSError as exc:
        raise AdvisorError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"advisor template: {out}", file=sys.stderr)
    return 0
