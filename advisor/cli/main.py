"""The ``advisor`` command. Each command group lives in its own module with ``register(sub)``."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from pydantic import ValidationError

from advisor import __version__
from advisor.errors import AdvisorError, ProfileError, os_error_text, problems_from_validation
from advisor.safefile import UnsafePathError

# Modules that add subcommands; each defines register(subparsers) -> None.
COMMAND_MODULES = [  # in the order of the help: one case first, then many, then tools
    "advisor.cli.assess",
    "advisor.cli.robustness",
    "advisor.cli.migrate",
    "advisor.cli.batch",
    "advisor.cli.office",
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
    except (ProfileError, UnsafePathError) as exc:
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
    except ValidationError as exc:  # a model built from arguments; never a traceback
        problems = "\n".join(f"  - {p}" for p in problems_from_validation(exc))
        print(f"advisor: invalid input\n{problems}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    except RecursionError:
        print("advisor: the input is nested too deeply", file=sys.stderr)
        return EXIT_INVALID_INPUT
    except MemoryError:
        print("advisor: out of memory; nothing was written", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:  # a full disk, a read-only folder, a vanished file
        print(f"advisor: {os_error_text(exc)}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # a defect: say so plainly, keep the traceback for ADVISOR_DEBUG
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        print(
            f"advisor: internal error ({type(exc).__name__}); nothing more was done. "
            "Run again with ADVISOR_DEBUG=1 to see the details, and please report it.",
            file=sys.stderr,
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
