"""The ``advisor`` command. Each command group lives in its own module with ``register(sub)``."""

from __future__ import annotations

import argparse
import importlib
import sys

from advisor import __version__
from advisor.errors import AdvisorError, ProfileError

# Modules that add subcommands; each defines register(subparsers) -> None.
COMMAND_MODULES = [  # in the order of the help: one case first, then many, then tools
    "advisor.cli.assess",
    "advisor.cli.batch",
    "advisor.cli.trainer",
    "advisor.cli.kb",
    "advisor.cli.admin",  # db, users, audit
    "advisor.cli.serve",
]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every registered command group."""
    parser = argparse.ArgumentParser(
        prog="advisor",
        description=(
            "Co-production advisor: diagnoses a community volunteer force's dependence on "
            "government and proposes the action framework of Gao Ya (2024)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"advisor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 failure, 2 invalid input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_INVALID_INPUT
    try:
        return int(args.func(args) or 0)
    except ProfileError as exc:
        print(f"advisor: {exc}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    except AdvisorError as exc:
        print(f"advisor: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("advisor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
