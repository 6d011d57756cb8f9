"""The helpers every ``advisor`` command shares: the case argument, the language, the output.

A command takes its case as ``PROFILE`` (a JSON or YAML file, ``-`` for stdin) or
``--preset case-h|case-y``; ``--lang zh|en`` (Chinese by default); and writes to stdout or, with
``-o/--output FILE``, to a file written whole or not at all, never over one of its inputs and
never through a link, FIFO or device (``advisor.safefile``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from advisor.errors import FieldProblem, ProfileError
from advisor.io import PRESETS, load_uncertain_profile, preset
from advisor.models import CaseProfile
from advisor.safefile import identities, write_atomic
from advisor.uncertain import UncertainProfile

LANGS = ("zh", "en")


def add_lang_arg(p: argparse.ArgumentParser, help: str = "output language (default zh)") -> None:
    """``--lang zh|en``, Chinese by default."""
    p.add_argument("--lang", choices=LANGS, default="zh", help=help)


def add_output_arg(
    p: argparse.ArgumentParser,
    *flags: str,
    help: str = "write to FILE instead of stdout",
    required: bool = False,
) -> None:
    """``-o/--output FILE`` (or the command's own spelling of it, such as ``-o/--out``)."""
    p.add_argument(*(flags or ("-o", "--output")), metavar="FILE", help=help, required=required)


def preset_profile(name: str, *, with_basis: bool = True) -> CaseProfile:
    """One of the paper's cases by name; ProfileError naming ``preset`` for an unknown name."""
    if name not in PRESETS:
        raise ProfileError(
            [
                FieldProblem(
                    "preset", f"unknown preset {name!r}; expected one of {', '.join(PRESETS)}"
                )
            ]
        )
    return preset(name, with_basis=with_basis)


def uncertain_case(profile: str | None, preset_name: str | None) -> UncertainProfile:
    """The case of a command that reads profiles with unknowns and ranges (schema version 2)."""
    if preset_name:
        p = preset_profile(preset_name)
        return UncertainProfile(base=p.model_dump(mode="json"), _central=p)
    if profile is None:
        raise ProfileError([FieldProblem("", "give a PROFILE file (or - for stdin) or --preset")])
    return load_uncertain_profile(profile)  # version 1 or 2 (unknowns and ranges)


def write_output(text: str, output: str | None, inputs: Iterable[str | None] = ()) -> None:
    """Print ``text`` to stdout, or write it to ``output`` whole or not at all.

    ``output`` must be a new name or a regular file that is none of ``inputs`` (compared by
    device and inode): see ``advisor.safefile``. Raises UnsafePathError or OutputError.
    """
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    ids = identities(p for p in inputs if p and p != "-")
    write_atomic(output, text, ids)
