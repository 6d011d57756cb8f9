"""The space of a case profile's fields: which values each field can take, and changing one.

A *field* is a dotted path of the contract (``government.control``). Its *domain* is read from the
field catalogue (``advisor.fields``: levels, enum values, booleans, shares), so a field added to the
contract is swept without code changes; counts are swept over the grids below.
Changing a share keeps its group valid: the other shares of the group (funding, or recruitment)
are rescaled proportionally so they still sum to 1, and the change says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from advisor import fields as catalogue
from advisor.errors import FieldProblem, ProfileError, problems_from_validation
from advisor.fields import FieldSpec as CatalogueSpec
from advisor.models import CaseProfile

Kind = Literal["level", "enum", "bool", "share", "count"]

# Identity and bookkeeping fields: never swept.
NOT_SWEPT = {"schema_version", "id", "name", "region", "as_of"}
# Share groups whose members must sum to 1.
SHARE_GROUPS = tuple(catalogue.SHARE_GROUPS)
SHARE_STEP = 0.1
# Counts have no upper bound in the contract; these grids cover the range seen in practice.
COUNT_GRIDS: dict[str, tuple[int, ...]] = {
    "human_resources.volunteers": (0, 5, 10, 20, 40, 80, 160),
    "human_resources.core_volunteers": (0, 2, 5, 10, 20, 40),
    "knowledge.training_sessions_per_year": (0, 1, 2, 4, 6, 12, 24, 52),
}


@dataclass(frozen=True)
class FieldSpec:
    """One sweepable field: its path, kind and the ordered values a sweep tries (``None`` = absent
    or inferred). The field itself is described by the catalogue (``advisor.fields.spec(path)``)."""

    path: str
    kind: Kind
    values: tuple[Any, ...]


def _sweep(spec: CatalogueSpec) -> FieldSpec | None:
    """The values a sweep tries for one catalogue field (None: the field is not swept)."""
    if spec.kind == "enum":
        none: tuple[Any, ...] = (None,) if spec.nullable else ()
        return FieldSpec(spec.path, "enum", (*none, *spec.values))
    if spec.kind == "bool":
        return FieldSpec(spec.path, "bool", (False, True))
    if spec.kind == "share" and spec.low == 0 and spec.high == 1:
        steps = round(1 / SHARE_STEP)
        grid = tuple(round(i * SHARE_STEP, 2) for i in range(steps + 1))
        return FieldSpec(spec.path, "share", grid)
    if spec.path in COUNT_GRIDS:
        return FieldSpec(spec.path, "count", COUNT_GRIDS[spec.path])
    if spec.kind == "level":
        return FieldSpec(spec.path, "level", spec.levels)
    return None


FIELDS: dict[str, FieldSpec] = {
    s.path: s
    for s in (_sweep(c) for c in catalogue.LEAVES if c.path not in NOT_SWEPT)
    if s is not None
}


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
    data = profile.model_dump(mode="json") if isinstance(profile, BaseModel) else profile
    return catalogue.get(data, path)


def share_group(path: str) -> str | None:
    """The share group a path belongs to (``funding``), or None."""
    spec = catalogue.FIELDS.get(path)
    return spec.share_group if spec is not None else None


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
