"""The project's own errors. Nothing below the CLI or UI lets a library exception escape."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of an input: ``path`` is dotted (``funding.charity``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class AdvisorError(Exception):
    """Base of every error the advisor raises on purpose."""


class ProfileError(AdvisorError):
    """A case profile was refused as a whole; ``problems`` lists every field at fault."""

    def __init__(self, problems: list[FieldProblem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(where + "invalid case profile\n" + "\n".join(f"  - {p}" for p in problems))


class EngineError(AdvisorError):
    """The rules engine failed; the message says what and the assessment is not half-used."""


class KnowledgeBaseError(AdvisorError):
    """The knowledge base is not sound (see ``advisor kb validate``)."""


def _humanise(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    msg = str(err.get("msg", "invalid"))
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not part of schema_version 1)"
    if kind == "literal_error":
        return f"unknown value {err.get('input')!r}; expected {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return "must be 1-64 characters of a-z, 0-9, '-' and '_'"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    return msg


def problems_from_validation(exc: ValidationError) -> list[FieldProblem]:
    """Turn pydantic's errors into field problems with dotted paths, in input order."""
    out: list[FieldProblem] = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(p) for p in err.get("loc", ()))
        out.append(FieldProblem(path=path, message=_humanise(err)))
    return out
