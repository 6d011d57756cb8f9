"""The space of a case profile's fields: which values each field can take, and changing one.

A *field* is a dotted path of the contract (``government.control``). Its *domain* is read from the
pydantic model itself (levels, enum values, booleans, shares), so a field added to the contract is
swept without code changes. Changing a share keeps its group valid: the other shares of the group
(funding, or recruitment) are rescaled proportionally so they still sum to 1, and the change
says so.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel, ValidationError

from advisor.errors import FieldProblem, ProfileError, problems_from_validation
from advisor.models import CaseProfile

Kind = Literal["level", "enum", "bool", "share", "count"]

# Identity and bookkeeping fields: never swept.
NOT_SWEPT = {"schema_version", "id", "name", "region", "as_of"}
# Share groups whose members must sum to 1.
SHARE_GROUPS = ("funding", "human_resources.recruited_by")
SHARE_STEP = 0.1
# Counts have no upper bound in the contract; these grids cover the range seen in practice.
COUNT_GRIDS: dict[str, tuple[int, ...]] = {
    "human_resources.volunteers": (0, 5, 10, 20, 40, 80, 160),
    "human_resources.core_volunteers": (0, 2, 5, 10, 20, 40),
    "knowledge.training_sessions_per_year": (0, 1, 2, 4, 6, 12, 24, 52),
}


@dataclass(frozen=True)
class FieldSpec:
    """One sweepable field: its path, kind and ordered values (``None`` = absent or inferred)."""

    path: str
    kind: Kind
    values: tuple[Any, ...]


def _unwrap_optional(ann: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return ann, False


def _spec(path: str, ann: Any, metadata: list[Any]) -> FieldSpec | None:
    ann, optional = _unwrap_optional(ann)
    if typing.get_origin(ann) is typing.Annotated:
        args = typing.get_args(ann)
        ann = args[0]
        metadata = [*metadata, *getattr(args[1], "metadata", [args[1]])]
    none: tuple[Any, ...] = (None,) if optional else ()
    if typing.get_origin(ann) is Literal:
        return FieldSpec(path, "enum", (*none, *typing.get_args(ann)))
    if ann is bool:
        return FieldSpec(path, "bool", (False, True))
    ge = next((m.ge for m in metadata if isinstance(m, annotated_types.Ge)), None)
    le = next((m.le for m in metadata if isinstance(m, annotated_types.Le)), None)
    if ann is float and ge == 0 and le == 1:
        steps = round(1 / SHARE_STEP)
        return FieldSpec(path, "share", tuple(round(i * SHARE_STEP, 2) for i in range(steps + 1)))
    if ann is int:
        if path in COUNT_GRIDS:
            return FieldSpec(path, "count", COUNT_GRIDS[path])
        if ge is not None and le is not None and le - ge <= 10:
            return FieldSpec(path, "level", tuple(range(int(ge), int(le) + 1)))
    return None


def _walk(model: type[BaseModel], prefix: str = "") -> list[FieldSpec]:
    out: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if path in NOT_SWEPT:
            continue
        inner, _ = _unwrap_optional(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            out.extend(_walk(inner, path + "."))
            continue
        spec = _spec(path, info.annotation, list(info.metadata))
        if spec is not None:
            out.append(spec)
    return out


FIELDS: dict[str, FieldSpec] = {s.path: s for s in _walk(CaseProfile)}


def field_spec(path: str) -> FieldSpec:
    """Return the spec of a sweepable field; raise ProfileError naming the path if there is none."""
    try:
        return FIELDS[path]
    except KeyError:
        close = [p for p in FIELDS if p.split(".")[-1] == path.split(".")[-1]]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ProfileError(
            [FieldProblem(path, f"not a field that can be varied{hint}")], "--field"
        ) from None


def get_value(profile: CaseProfile | dict[str, Any], path: str) -> Any:
    """The value at a dotted path (``None`` when a parent, such as ``third_party``, is absent)."""
    node: Any = profile.model_dump(mode="json") if isinstance(profile, BaseModel) else profile
    for part in path.split("."):
        if node is None:
            return None
        node = node[part]
    return node


def share_group(path: str) -> str | None:
    """The share group a path belongs to (``funding``), or None."""
    parent = path.rsplit(".", 1)[0]
    return parent if parent in SHARE_GROUPS else None


def _rebalance(group: dict[str, float], key: str, value: float) -> dict[str, float]:
    others = [k for k in group if k != key]
    rest = sum(group[k] for k in others)
    remaining = 1.0 - value
    out = {key: value}
    if rest > 1e-9:
        for k in others:
            out[k] = group[k] * remaining / rest
    else:  # nothing to scale: spread the remainder evenly
        for k in others:
            out[k] = remaining / len(others)
    # round to 4 places and put the rounding residue on the largest other share
    out = {k: round(v, 4) for k, v in out.items()}
    if others:
        big = max(others, key=lambda k: out[k])
        out[big] = round(out[big] + 1.0 - sum(out.values()), 4)
    return {k: out[k] for k in group}


def with_value(profile: CaseProfile, path: str, value: Any) -> CaseProfile:
    """Return a copy of the profile with one field set; shares rebalance their group.

    Raises ProfileError (naming the field) when the result is not a valid profile, for example a
    third-party field on a case with no third party.
    """
    data = profile.model_dump(mode="json")
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        if node.get(part) is None:
            raise ProfileError(
                [FieldProblem(path, f"this case has no {part}, so {path} cannot be set")]
            )
        node = node[part]
    if parts[-1] not in node:
        raise ProfileError([FieldProblem(path, "no such field")])
    if share_group(path) is not None:
        node.update(_rebalance(node, parts[-1], float(value)))
    else:
        node[parts[-1]] = value
    try:
        return CaseProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(problems_from_validation(exc)) from None


def applicable_fields(profile: CaseProfile) -> list[FieldSpec]:
    """The sweepable fields that exist in this case (third-party fields need a third party)."""
    has_tp = profile.third_party is not None
    return [s for s in FIELDS.values() if has_tp or not s.path.startswith("third_party.")]
