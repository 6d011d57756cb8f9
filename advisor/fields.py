"""The catalogue of the case profile's fields: one spec per dotted path, read off the models.

Every module that walks the profile field by field (the form, the CSV columns, the trainer's
sweeps, what-if changes, the field documentation, the generators) reads this catalogue instead of
the pydantic annotations, so they agree on what a field is. A spec gives the field's dotted
``path`` (``government.control``), its ``kind``, its allowed ``values`` (enums), its ``low`` and
``high`` bounds, whether it may be null (``nullable``) and the share group it belongs to.

Kinds:

- ``group``: a nested model (``funding``, ``third_party``); its fields are listed below it.
- ``enum``: a closed set of strings; ``bool``: true or false.
- ``level``: an ordinal scale, an integer bounded on both sides with at most 11 steps (``Level4``
  0-4, ``Level3`` 0-3). Earlier walkers disagreed (the form said "at most 4", the field
  documentation "from 0 to at most 10", the trainer "at most 10 steps"); they agreed on every
  field of schema 1. The catalogue keeps the trainer's rule: a scale is ordinal because it is small
  and closed, whatever its first step, and ``knowledge_base/data/fields.yaml`` must label every
  step of it.
- ``count``: any other integer (volunteers, sessions, resident associations).
- ``share``: a fraction 0..1. Shares of a *share group* (every field of the group a share, such
  as ``funding`` and ``human_resources.recruited_by``) sum to 1.
- ``text``, ``date``, ``const`` (``schema_version``) and ``map`` (the optional ``basis``, which
  describes the fields and is not one: no form widget, no CSV column).

``knowledge_base/fields.py`` checks ``fields.yaml`` against this catalogue, so a field added to
``advisor/models.py`` is documented, and labelled at every level and value, before it ships.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from annotated_types import Ge, Le
from pydantic import BaseModel

from advisor.models import BASIS_FIELD, CaseProfile, Funding, RecruitedBy

Kind = Literal["group", "enum", "level", "count", "share", "bool", "text", "date", "const", "map"]
LEVEL_MAX_STEPS = 10  # a bounded integer with at most this many steps above its low is a level


@dataclass(frozen=True)
class FieldSpec:
    """One field of the case profile (or a group of fields) by dotted path."""

    path: str
    kind: Kind
    values: tuple[Any, ...] = ()  # enum values and const values, in the contract's order
    low: float | None = None
    high: float | None = None
    nullable: bool = False  # may be null (and left out): an optional field or group
    required: bool = True  # must be given (no default)
    share_group: str | None = None  # the group whose shares sum to 1
    pattern: str | None = None  # text fields: the pattern the model enforces

    @property
    def name(self) -> str:
        """The last part of the path (``control``)."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def parent(self) -> str:
        """The group the field belongs to (``government``), ``""`` at the top level."""
        return self.path.rsplit(".", 1)[0] if "." in self.path else ""

    @property
    def top(self) -> str:
        """The top-level part of the path (``third_party`` for ``third_party.capacity``)."""
        return self.path.split(".", 1)[0]

    @property
    def is_level(self) -> bool:
        return self.kind == "level"

    @property
    def levels(self) -> tuple[int, ...]:
        """The steps of a level (``(0, 1, 2, 3, 4)``); empty for any other kind."""
        if self.kind != "level" or self.low is None or self.high is None:
            return ()
        return tuple(range(int(self.low), int(self.high) + 1))


def unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` -> (X, True); anything else -> (annotation, False)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1 and len(inner) < len(args):
            return inner[0], True
    return annotation, False


def _bounds(metadata: Iterable[Any]) -> tuple[float | None, float | None]:
    low: float | None = None
    high: float | None = None
    for m in metadata:
        if isinstance(m, Ge):
            low = cast(float, m.ge)
        if isinstance(m, Le):
            high = cast(float, m.le)
    return low, high


def _is_share_group(model: type[BaseModel]) -> bool:
    """A group whose every field is a required fraction 0..1 (its validator sums them to 1)."""
    infos = list(model.model_fields.values())
    if len(infos) < 2:
        return False
    for info in infos:
        inner, optional = unwrap_optional(info.annotation)
        if optional or inner is not float or _bounds(info.metadata) != (0.0, 1.0):
            return False
    return True


def _leaf(path: str, info: Any, nullable: bool, group: str | None) -> FieldSpec:
    inner, _ = unwrap_optional(info.annotation)
    metadata = list(info.metadata)
    if typing.get_origin(inner) is typing.Annotated:
        args = typing.get_args(inner)
        inner = args[0]
        for extra in args[1:]:
            metadata.extend(getattr(extra, "metadata", [extra]))
    low, high = _bounds(metadata)
    common: dict[str, Any] = {"nullable": nullable, "required": info.is_required()}
    if typing.get_origin(inner) is Literal:
        values = tuple(typing.get_args(inner))
        if all(isinstance(v, str) for v in values):
            return FieldSpec(path, "enum", values, **common)
        return FieldSpec(path, "const", values, **common)
    if inner is bool:
        return FieldSpec(path, "bool", (False, True), **common)
    if inner is int:
        small = low is not None and high is not None and high - low <= LEVEL_MAX_STEPS
        return FieldSpec(path, "level" if small else "count", low=low, high=high, **common)
    if inner is float:
        return FieldSpec(path, "share", low=low, high=high, share_group=group, **common)
    if inner is dt.date:
        return FieldSpec(path, "date", **common)
    if inner is str:
        pattern = next(
            (getattr(m, "pattern", None) for m in metadata if hasattr(m, "pattern")), None
        )
        return FieldSpec(path, "text", pattern=pattern, **common)
    return FieldSpec(path, "map", **common)


def _walk(model: type[BaseModel], prefix: str = "") -> Iterator[FieldSpec]:
    share = prefix[:-1] if prefix and _is_share_group(model) else None
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        inner, optional = unwrap_optional(info.annotation)
        nullable = optional or (info.default is None and not info.is_required())
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield FieldSpec(path, "group", nullable=nullable, required=info.is_required())
            yield from _walk(inner, path + ".")
        else:
            yield _leaf(path, info, nullable, share)


#: Every field and group of the profile by dotted path, in the contract's order.
FIELDS: dict[str, FieldSpec] = {s.path: s for s in _walk(CaseProfile)}
#: The value fields (no groups, no basis map), in the contract's order.
LEAVES: tuple[FieldSpec, ...] = tuple(s for s in FIELDS.values() if s.kind not in ("group", "map"))
#: Groups whose members are shares summing to 1, with their keys in the contract's order.
SHARE_GROUPS: dict[str, tuple[str, ...]] = {
    g: tuple(s.name for s in LEAVES if s.share_group == g)
    for g in dict.fromkeys(s.share_group for s in LEAVES if s.share_group)
}
FUNDING_KEYS: tuple[str, ...] = tuple(Funding.model_fields)
RECRUIT_KEYS: tuple[str, ...] = tuple(RecruitedBy.model_fields)
#: Groups that may be null as a whole (``third_party``, ``community``).
OPTIONAL_GROUPS: tuple[str, ...] = tuple(
    s.path for s in FIELDS.values() if s.kind == "group" and s.nullable
)
assert BASIS_FIELD in FIELDS and FIELDS[BASIS_FIELD].kind == "map"


def spec(path: str) -> FieldSpec:
    """The spec at a dotted path; KeyError when the profile has no such field."""
    return FIELDS[path]


def values(path: str) -> tuple[Any, ...]:
    """The allowed values of an enum (or const) field, in the contract's order."""
    return FIELDS[path].values


def leaves(under: str = "") -> list[FieldSpec]:
    """The value fields, all of them or those below the group ``under``."""
    if not under:
        return list(LEAVES)
    return [s for s in LEAVES if s.path.startswith(under + ".")]


def first_unknown(path: str) -> str | None:
    """The shortest prefix of ``path`` that is not a field of the profile, or None if all are."""
    parts = path.split(".")
    for depth in range(1, len(parts) + 1):
        prefix = ".".join(parts[:depth])
        if prefix not in FIELDS:
            return prefix
    return None


def get(data: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a dotted path of plain profile data (``None`` when it or a parent is absent)."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at a dotted path of plain profile data, making missing groups as needed."""
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def flatten(data: Mapping[str, Any], specs: Iterable[FieldSpec] = LEAVES) -> dict[str, Any]:
    """Plain profile data as ``{path: value}`` over ``specs`` (absent or null as ``None``)."""
    return {s.path: get(data, s.path) for s in specs}


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{path: value}`` back to nested profile data; an optional group all of whose values are
    None (or that is given as None itself) becomes null."""
    data: dict[str, Any] = {}
    for path, value in flat.items():
        set_path(data, path, value)
    for group in OPTIONAL_GROUPS:
        node = data.get(group)
        if isinstance(node, dict) and all(v is None for v in node.values()):
            data[group] = None
    return data
