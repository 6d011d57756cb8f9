"""Case profiles with unknowns and ranges (schema version 2), and the worlds they stand for.

People who fill in a profile rarely know every share exactly. In schema version 2 every field
of the version 1 profile may be

- **unknown**: ``null`` (or left out). Fields that were already optional in version 1 keep
  their version 1 meaning when null (``third_party: null`` is "no third party",
  ``development_mode: null`` "infer it", ``region`` "not given");
- a **range** when numeric: a share as ``{low, high}`` (0..1), a count as ``{low, high}``,
  a level as an interval ``{low, high}`` or a set ``[1, 2]``;
- a **set** when it is a choice: ``leadership: [cadre, residents]`` ("one of these"); a
  yes/no field left null is either.

``UncertainProfile`` holds such a profile: the known values and, by dotted field path, what is
uncertain. It resolves into **worlds**, complete version 1 ``CaseProfile`` objects (what the
engine evaluates): ``central()`` (a reference completion: the middle of each range, the first
of each set, shares completed so they sum to 1), ``sample(rng)`` (a random one), and
``fact_bounds()`` (for each fact the rules read, a point, an ``Interval`` or a ``OneOf`` set
covering every world), on which the oracle's three-valued evaluation decides each conclusion
(``rules.oracle.evaluate3``). A version 1 profile reads as a version 2 one with nothing
uncertain; ``to_v2(data)`` is the migration.

The bounds of the derived indices are taken over the corners of the uncertain inputs (each
range at its two ends, each set at every value), treating the share constraint as a box, so
they contain every world: the indices are monotone in each numeric input (a property test
checks sampled worlds fall within them). Widening a range only adds corners, so bounds, and
with them the undecided conclusions, only grow.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from advisor import fields as catalogue
from advisor.errors import FieldProblem, ProfileError, problems_from_validation
from advisor.indices import derive
from advisor.models import SHARE_TOLERANCE, CaseProfile
from rules.dsl import FACT_KEYS, case_fact

SCHEMA_VERSION_2 = 2
# The largest count sampled for an unknown count without an upper bound.
UNKNOWN_COUNT_MAX = 1000
# Beyond this many corners the derived indices are left fully open (still covering every world).
MAX_CORNERS = 4096
MISSING = "<missing>"  # a fact absent in some worlds (core_share with no volunteers)


@dataclass(frozen=True)
class Unknown:
    """Nothing is known."""


@dataclass(frozen=True)
class Interval:
    """A numeric value somewhere in [low, high] (``missing``: or absent in some worlds)."""

    low: float
    high: float
    missing: bool = False

    def contains(self, x: float) -> bool:
        return self.low - 1e-9 <= x <= self.high + 1e-9


@dataclass(frozen=True)
class OneOf:
    """One of a finite set of values (levels, choices, yes/no)."""

    values: tuple[Any, ...]


Spec = Unknown | Interval | OneOf


@dataclass(frozen=True)
class Leaf:
    """One field of the version 1 profile: its dotted path and what values it takes."""

    path: str
    kind: Literal["share", "level", "count", "enum", "bool", "other"]
    optional: bool  # nullable in version 1 (null keeps its version 1 meaning)
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] = ()
    group: str = ""  # the enclosing group's path ("" at the top)

    def domain(self) -> Spec:
        """Every value the field may take, as a spec."""
        if self.kind == "share":
            return Interval(0.0, 1.0)
        if self.kind == "count":
            return Interval(self.low or 0, self.high if self.high is not None else math.inf)
        return OneOf(self.values)


_LEAF_KIND = {"const": "other", "text": "other", "date": "other", "map": "other"}


def _leaf(spec: catalogue.FieldSpec) -> Leaf:
    """The catalogue's field as a leaf of the version 2 profile."""
    kind: Any = _LEAF_KIND.get(spec.kind, spec.kind)
    optional = spec.nullable or not spec.required
    group = spec.parent
    if kind == "enum":
        return Leaf(spec.path, kind, optional, values=spec.values, group=group)
    if kind == "bool":
        return Leaf(spec.path, kind, optional, values=(False, True), group=group)
    if kind == "level":
        return Leaf(spec.path, kind, optional, spec.low, spec.high, spec.levels, group=group)
    if kind in ("share", "count"):
        return Leaf(spec.path, kind, optional, spec.low, spec.high, group=group)
    return Leaf(spec.path, "other", optional, group=group)


LEAVES: tuple[Leaf, ...] = tuple(
    _leaf(spec)
    for spec in catalogue.FIELDS.values()
    if spec.kind != "group" and spec.path != "schema_version"
)
BY_PATH: dict[str, Leaf] = {leaf.path: leaf for leaf in LEAVES}
# Groups whose shares must sum to 1 (their version 1 validators say so).
SHARE_GROUPS: tuple[str, ...] = tuple(catalogue.SHARE_GROUPS)
# Optional groups: null is their version 1 meaning ("no third party", "not given").
OPTIONAL_GROUPS: tuple[str, ...] = catalogue.OPTIONAL_GROUPS


def _get(data: dict[str, Any], path: str) -> tuple[bool, Any]:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


# --------------------------------------------------------------------------- reading


def _problem(path: str, en: str, zh: str) -> FieldProblem:
    return FieldProblem(path=path, message=en, zh=zh)


def _parse_leaf(leaf: Leaf, raw: Any, problems: list[FieldProblem]) -> Spec | None:
    """The spec of an uncertain value, or None when ``raw`` is a plain value (checked later)."""
    p = leaf.path
    if leaf.kind == "other":  # id, name, dates, free text: known or reported as missing
        return None
    if raw is None:
        return None if leaf.optional else Unknown()
    if isinstance(raw, dict):
        if leaf.kind not in ("share", "count", "level"):
            problems.append(
                _problem(p, "a range {low, high} is only for numbers", "只有数值字段可以填范围")
            )
            return None
        if set(raw) != {"low", "high"}:
            problems.append(
                _problem(
                    p, "a range needs exactly 'low' and 'high'", "范围须且只须包含 low 和 high"
                )
            )
            return None
        lo, hi = raw["low"], raw["high"]
        ok = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (lo, hi))
        if ok and leaf.kind != "share":
            ok = all(float(x).is_integer() for x in (lo, hi))
        if not ok:
            what = "numbers" if leaf.kind == "share" else "whole numbers"
            zh = "数字" if leaf.kind == "share" else "整数"
            problems.append(_problem(p, f"low and high must be {what}", f"low 和 high 须为{zh}"))
            return None
        if lo > hi:
            problems.append(_problem(p, f"low {lo} is above high {hi}", f"下限 {lo} 高于上限 {hi}"))
            return None
        dlo = leaf.low if leaf.low is not None else -math.inf
        dhi = leaf.high if leaf.high is not None else math.inf
        if lo < dlo or hi > dhi:
            rng = f"{leaf.low:g}..{leaf.high:g}" if leaf.high is not None else f"≥ {leaf.low:g}"
            problems.append(_problem(p, f"the range must lie within {rng}", f"范围须在 {rng} 之内"))
            return None
        if leaf.kind == "level":
            return OneOf(tuple(range(int(lo), int(hi) + 1)))
        return Interval(lo, hi)
    if isinstance(raw, list):
        if leaf.kind not in ("level", "enum", "bool"):
            problems.append(
                _problem(
                    p,
                    "a set of values is only for levels and choices",
                    "只有等级和选项可以填多个值",
                )
            )
            return None
        if not raw:
            problems.append(_problem(p, "the set is empty", "所列的值为空"))
            return None
        bad = [
            v for v in raw if v not in leaf.values or isinstance(v, bool) != (leaf.kind == "bool")
        ]
        if bad:
            allowed = ", ".join(map(str, leaf.values))
            problems.append(
                _problem(
                    p,
                    f"{bad[0]!r} is not one of {allowed}",
                    f"{bad[0]!r} 不是可选的值（{allowed}）",
                )
            )
            return None
        values = tuple(v for v in leaf.values if v in raw)
        return values[0] if len(values) == 1 else OneOf(values)
    return None


@dataclass
class UncertainProfile:
    """A version 2 profile: the known values (``base``, version 1 shaped) and what is uncertain
    (``uncertain``, by dotted path)."""

    base: dict[str, Any]
    uncertain: dict[str, Spec] = field(default_factory=dict)
    _central: CaseProfile | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return str(self.base.get("id", ""))

    @property
    def name(self) -> str:
        return str(self.base.get("name", ""))

    def is_certain(self) -> bool:
        return not self.uncertain

    def fixed(self, path: str, value: Any) -> UncertainProfile:
        """The same profile with one uncertain field known (``value``)."""
        base = _deep_copy(self.base)
        _set(base, path, value)
        rest = {p: s for p, s in self.uncertain.items() if p != path}
        return UncertainProfile(base=base, uncertain=rest)

    def narrowed(self, path: str, spec: Spec) -> UncertainProfile:
        """The same profile with one field's range or set replaced."""
        return UncertainProfile(
            base=_deep_copy(self.base), uncertain={**self.uncertain, path: spec}
        )

    def candidates(self, path: str) -> Spec:
        """Every value the field may take: its range or set, or its whole domain if unknown."""
        spec = self.uncertain[path]
        return BY_PATH[path].domain() if isinstance(spec, Unknown) else spec

    # ---- worlds

    def complete(self, choices: dict[str, Any], validate: bool = True) -> CaseProfile:
        """The version 1 profile with these values for the uncertain fields."""
        data = _deep_copy(self.base)
        for path, value in choices.items():
            _set(data, path, value)
        if validate:
            return CaseProfile.model_validate(data)
        return construct(data)

    def central(self) -> CaseProfile:
        """A reference completion: the middle of each range, the middle level of each set of
        levels, the first value of each other set, shares completed to sum to 1. It is one of
        the worlds; the assessment orders what holds in every world by it."""
        if self._central is None:
            choices: dict[str, Any] = {}
            for path in self.uncertain:
                c = self.candidates(path)
                leaf = BY_PATH[path]
                if isinstance(c, Interval):
                    if leaf.kind == "count":
                        hi = c.high if math.isfinite(c.high) else max(c.low, UNKNOWN_COUNT_MAX)
                        choices[path] = int((c.low + hi) // 2)
                    else:
                        choices[path] = round((c.low + c.high) / 2, 4)
                elif leaf.kind == "level":
                    choices[path] = c.values[(len(c.values) - 1) // 2]  # type: ignore[union-attr]
                else:
                    choices[path] = c.values[0]  # type: ignore[union-attr]
            self._fix_shares(choices, None)
            self._fix_counts(choices)
            self._central = self.complete(choices)
        return self._central

    def sample(self, rng: random.Random) -> CaseProfile:
        """A random world: each range uniform, each set uniform, shares summing to 1."""
        return self.world(self.sample_choices(rng))

    def world(self, choices: dict[str, Any]) -> CaseProfile:
        """The reference completion with these values (unvalidated, shallow copies only along
        the changed paths: fast enough for a thousand worlds)."""
        return _updated(self.central(), [(tuple(p.split(".")), v) for p, v in choices.items()])

    def sample_choices(self, rng: random.Random) -> dict[str, Any]:
        choices: dict[str, Any] = {}
        for path in self.uncertain:
            c = self.candidates(path)
            leaf = BY_PATH[path]
            if isinstance(c, Interval):
                hi = c.high if math.isfinite(c.high) else max(c.low, UNKNOWN_COUNT_MAX)
                if leaf.kind == "count":
                    choices[path] = rng.randint(int(c.low), int(hi))
                else:
                    choices[path] = round(rng.uniform(c.low, hi), 4)
            else:
                choices[path] = rng.choice(c.values)  # type: ignore[union-attr]
        self._fix_shares(choices, rng)
        self._fix_counts(choices)
        return choices

    def _fix_counts(self, choices: dict[str, Any]) -> None:
        """Core volunteers never above volunteers (the version 1 rule)."""
        core, total = "human_resources.core_volunteers", "human_resources.volunteers"
        if core in choices or total in choices:
            c = choices.get(core, _get(self.base, core)[1])
            t = choices.get(total, _get(self.base, total)[1])
            if isinstance(c, int) and isinstance(t, int) and c > t:
                if core in choices:
                    choices[core] = t
                else:
                    choices[total] = c

    def _fix_shares(self, choices: dict[str, Any], rng: random.Random | None) -> None:
        """Make each share group sum to 1 by moving the uncertain shares within their ranges."""
        for group in SHARE_GROUPS:
            paths = [lf.path for lf in LEAVES if lf.group == group and lf.kind == "share"]
            loose = [p for p in paths if p in self.uncertain]
            if not loose:
                continue
            fixed = sum(float(_get(self.base, p)[1] or 0.0) for p in paths if p not in loose)
            iv = [self.candidates(p) for p in loose]
            lows = [float(c.low) for c in iv]  # type: ignore[union-attr]
            widths = [float(c.high) - float(c.low) for c in iv]  # type: ignore[union-attr]
            free = 1.0 - fixed - sum(lows)
            weights = [rng.random() + 1e-6 if rng else 1.0 for _ in loose]
            alloc = [0.0] * len(loose)
            open_ = [i for i in range(len(loose)) if widths[i] > 0]
            while free > 1e-12 and open_:  # water-filling within each range
                total = sum(weights[i] for i in open_)
                spent = 0.0
                for i in list(open_):
                    give = min(widths[i] - alloc[i], free * weights[i] / total)
                    alloc[i] += give
                    spent += give
                    if widths[i] - alloc[i] <= 1e-12:
                        open_.remove(i)
                free -= spent
                if spent <= 1e-12:
                    break
            for p, lo, a in zip(loose, lows, alloc, strict=True):
                choices[p] = round(lo + a, 4)
            # rounding may leave a few 1e-4: give it to the widest loose share
            drift = 1.0 - fixed - sum(choices[p] for p in loose)
            widest = max(range(len(loose)), key=lambda i: widths[i])
            choices[loose[widest]] = round(max(0.0, choices[loose[widest]] + drift), 4)

    # ---- bounds over every world

    def corners(self, paths: list[str]) -> Iterator[dict[str, Any]]:
        """Every combination of the ends of the ranges and the values of the sets of ``paths``."""
        axes = []
        for p in paths:
            c = self.candidates(p)
            if isinstance(c, Interval):
                hi = c.high if math.isfinite(c.high) else max(c.low, UNKNOWN_COUNT_MAX * 100)
                ends = [c.low, hi] if c.low != hi else [c.low]
                if BY_PATH[p].kind == "count":
                    ends = [int(e) for e in ends]
                    if ends[0] == 0 and hi >= 1:  # a zero count makes ratios of it absent:
                        ends.insert(1, 1)  # the smallest positive count is a corner too
                axes.append(ends)
            else:
                axes.append(list(c.values))  # type: ignore[union-attr]
        for combo in itertools.product(*axes):
            yield dict(zip(paths, combo, strict=True))


def _updated(model: Any, changes: list[tuple[tuple[str, ...], Any]]) -> Any:
    direct: dict[str, Any] = {}
    deeper: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
    for path, value in changes:
        if len(path) == 1:
            direct[path[0]] = value
        else:
            deeper.setdefault(path[0], []).append((path[1:], value))
    for key, sub in deeper.items():
        direct[key] = _updated(getattr(model, key), sub)
    return model.model_copy(update=direct)


def _deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deep_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deep_copy(v) for v in data]
    return data


def construct(data: dict[str, Any], model: type[BaseModel] = CaseProfile) -> Any:
    """A model built without validation (a corner may break the share sums on purpose)."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name not in data:
            continue
        ann = catalogue.unwrap_optional(info.annotation)[0]
        v = data[name]
        if isinstance(ann, type) and issubclass(ann, BaseModel) and isinstance(v, dict):
            v = construct(v, ann)
        values[name] = v
    return model.model_construct(**values)


def read_profile(data: Any, source: str | None = None, *, strict: bool = True) -> UncertainProfile:
    """Read a version 1 or version 2 profile; raise ProfileError listing every problem.

    A version 1 profile is validated like ``advisor.io.profile_from_data`` (``strict`` for JSON
    and YAML: ``true`` is not 1; ``strict=False`` for CSV text cells).
    """
    if not isinstance(data, dict):
        raise ProfileError(
            [
                _problem(
                    "", "expected a mapping of fields (a JSON object)", "应为一组字段（JSON 对象）"
                )
            ],
            source,
        )
    version = data.get("schema_version", 1)
    if version is None or (type(version) is int and version == 1):
        # imported here: advisor.io reads version 2 files through this module (a cycle)
        from advisor.io import profile_from_data

        profile = profile_from_data(data, source, strict=strict)
        return UncertainProfile(base=profile.model_dump(mode="json"), _central=profile)
    if type(version) is not int or version != SCHEMA_VERSION_2:
        raise ProfileError(
            [
                _problem(
                    "schema_version",
                    f"unknown schema_version {version!r}; expected 1 or 2",
                    f"未知的档案格式版本 {version!r}；应为 1 或 2",
                )
            ],
            source,
        )
    problems: list[FieldProblem] = []
    base = _deep_copy(data)
    base["schema_version"] = 1
    uncertain: dict[str, Spec] = {}
    for group in OPTIONAL_GROUPS:
        if base.get(group) is None:
            base[group] = None
    for leaf in LEAVES:
        top = leaf.path.split(".")[0]
        if top in OPTIONAL_GROUPS and base.get(top) is None:
            continue  # no third party / community not given: their fields do not exist
        present, raw = _get(base, leaf.path)
        if not present and leaf.optional:
            continue
        group_present, group_value = _get(base, leaf.group) if leaf.group else (True, base)
        if leaf.group and (not group_present or group_value is None):
            _set(base, leaf.group, {})  # a required group left out or null: all unknown
        spec = _parse_leaf(leaf, raw, problems)
        if spec is None:
            continue
        if isinstance(spec, Unknown | Interval | OneOf):
            uncertain[leaf.path] = spec
            _set(base, leaf.path, None)
        else:  # a set of one value is that value
            _set(base, leaf.path, spec)
    if problems:
        raise ProfileError(problems, source)
    up = UncertainProfile(base=base, uncertain=uncertain)
    _check_share_sums(up, source)
    try:
        up.central()
    except ValidationError as exc:
        # a known value is invalid: report it by its path (uncertain ones were checked above)
        raise ProfileError(
            [p for p in problems_from_validation(exc) if p.path not in uncertain], source
        ) from None
    return up


def _check_share_sums(up: UncertainProfile, source: str | None) -> None:
    problems: list[FieldProblem] = []
    for group in SHARE_GROUPS:
        paths = [lf.path for lf in LEAVES if lf.group == group and lf.kind == "share"]
        if not any(p in up.uncertain for p in paths):
            continue
        lo = hi = 0.0
        for p in paths:
            if p in up.uncertain:
                c = up.candidates(p)
                lo += float(c.low)  # type: ignore[union-attr]
                hi += float(c.high)  # type: ignore[union-attr]
            else:
                v = float(_get(up.base, p)[1] or 0.0)
                lo += v
                hi += v
        if lo > 1 + SHARE_TOLERANCE or hi < 1 - SHARE_TOLERANCE:
            problems.append(
                _problem(
                    group,
                    f"the shares given cannot sum to 1 (they sum to between {lo:.2f} and {hi:.2f})",
                    f"所填的份额无法合计为 1（合计在 {lo:.2f} 到 {hi:.2f} 之间）",
                )
            )
    if problems:
        raise ProfileError(problems, source)


def to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """The version 2 form of a version 1 profile document (validated; nothing else changes)."""
    read_profile(data)
    out = {"schema_version": SCHEMA_VERSION_2}
    out.update({k: v for k, v in data.items() if k != "schema_version"})
    return out


def as_v1_if_certain(up: UncertainProfile) -> CaseProfile | None:
    """The complete profile when nothing is uncertain, else None."""
    return up.central() if up.is_certain() else None


# --------------------------------------------------------------------------- facts over every world


@dataclass
class FactBounds:
    """The case fact over every world: each key a point, an Interval or a OneOf; and for each
    uncertain input the fact keys it moves (``moves``), so an undecided conclusion can name the
    inputs it needs."""

    fact: dict[str, Any]
    moves: dict[str, set[str]]
    open_: bool = False  # too many corners: the derived facts were left fully open

    def inputs_for(self, keys: set[str]) -> list[str]:
        """The uncertain input fields behind these fact keys, in profile order."""
        wanted = {p for p, ks in self.moves.items() if ks & keys}
        return [lf.path for lf in LEAVES if lf.path in wanted]


def _fact_of(profile: CaseProfile) -> dict[str, Any]:

    return case_fact(profile, derive(profile))


def _open_value(key: str, may_be_missing: bool) -> Any:

    kind, values = FACT_KEYS.get(key, ("number", ()))
    if kind == "number":
        return Interval(-math.inf, math.inf, may_be_missing)
    vals = (False, True) if kind == "bool" else tuple(values)
    return OneOf(vals + ((MISSING,) if may_be_missing else ()))


def fact_bounds(up: UncertainProfile) -> FactBounds:
    """Bounds of every fact over the worlds of ``up`` (see the module docstring)."""
    central = up.central()
    base = _fact_of(central)
    if up.is_certain():
        return FactBounds(dict(base), {})
    choices0 = {p: _get(central.model_dump(), p)[1] for p in up.uncertain}
    dumped = central.model_dump()

    def world(changes: dict[str, Any]) -> dict[str, Any]:
        data = _deep_copy(dumped)
        for p, v in changes.items():
            _set(data, p, v)
        return _fact_of(construct(data))

    # which fact keys each uncertain input moves, each varied alone over its corners
    moves: dict[str, set[str]] = {}
    for p in up.uncertain:
        changed: set[str] = {p} if p in base or p.startswith("third_party.") else set()
        for corner in up.corners([p]):
            f = world(corner)
            changed |= {k for k in set(f) | set(base) if f.get(k, MISSING) != base.get(k, MISSING)}
        moves[p] = changed
    raw_keys = {p for p in up.uncertain}
    derived_keys = set().union(*moves.values()) - raw_keys
    relevant = [p for p in up.uncertain if moves[p] & derived_keys]
    sizes = [len(list(up.corners([p]))) for p in relevant]
    fact: dict[str, Any] = dict(base)
    for p in raw_keys:
        if p in base or any(k == p for k in moves[p]):
            fact[p] = up.candidates(p)
    if math.prod(sizes) > MAX_CORNERS:
        for k in derived_keys:
            fact[k] = _open_value(k, True)
        return FactBounds(fact, moves, open_=True)
    seen: dict[str, list[Any]] = {k: [] for k in derived_keys}
    for corner in up.corners(relevant):
        f = world({**choices0, **corner})
        for k in derived_keys:
            seen[k].append(f.get(k, MISSING))
    for k, vals in seen.items():
        present = [v for v in vals if v != MISSING]
        missing = len(present) < len(vals)
        nums = [v for v in present if isinstance(v, int | float) and not isinstance(v, bool)]
        if present and len(nums) == len(present):
            lo, hi = min(nums), max(nums)
            fact[k] = lo if lo == hi and not missing else Interval(float(lo), float(hi), missing)
        else:
            distinct = tuple(dict.fromkeys(vals))
            fact[k] = distinct[0] if len(distinct) == 1 and not missing else OneOf(distinct)
        if (
            not present
            and k in fact
            and isinstance(fact[k], OneOf)
            and fact[k].values == (MISSING,)
        ):
            fact.pop(k)  # absent in every world
    return FactBounds(fact, moves)


# ---------------------------------------------------------------- JSON Schema and migration


def json_schema_v2() -> dict[str, Any]:
    """The JSON Schema of a version 2 profile: the version 1 schema with every field also null
    (unknown), shares and counts also ``{low, high}``, levels also ``{low, high}`` or a list,
    choices and yes/no also a list; only ``id`` and ``name`` stay required."""
    schema = CaseProfile.model_json_schema()
    defs = schema.get("$defs", {})

    def node_of(props_owner: dict[str, Any], name: str) -> dict[str, Any]:
        prop = props_owner["properties"][name]
        refs = [prop, *prop.get("anyOf", [])]
        for r in refs:
            if "$ref" in r:
                return defs[r["$ref"].split("/")[-1]]
        return prop

    def range_of(leaf: Leaf) -> dict[str, Any]:
        num: dict[str, Any] = {"type": "number" if leaf.kind == "share" else "integer"}
        if leaf.low is not None:
            num["minimum"] = leaf.low
        if leaf.high is not None:
            num["maximum"] = leaf.high
        return {
            "type": "object",
            "description": "a range: the value lies somewhere from low to high",
            "properties": {"low": num, "high": num},
            "required": ["low", "high"],
            "additionalProperties": False,
        }

    for leaf in LEAVES:
        if leaf.kind not in ("share", "level", "count", "enum", "bool"):
            continue
        *parents, name = leaf.path.split(".")
        owner: dict[str, Any] = schema
        for part in parents:
            owner = node_of(owner, part)
        original = owner["properties"][name]
        options: list[dict[str, Any]] = [original, {"type": "null", "description": "unknown"}]
        if leaf.kind in ("share", "count", "level"):
            options.append(range_of(leaf))
        if leaf.kind in ("level", "enum", "bool"):
            options.append(
                {
                    "type": "array",
                    "description": "one of these values",
                    "items": {"enum": list(leaf.values)},
                    "minItems": 1,
                    "uniqueItems": True,
                }
            )
        owner["properties"][name] = {"anyOf": options, "title": original.get("title", name)}
        owner.pop("required", None)
    for d in defs.values():
        d.pop("required", None)
    schema["required"] = ["schema_version", "id", "name"]
    schema["properties"]["schema_version"] = {"const": SCHEMA_VERSION_2, "type": "integer"}
    schema["title"] = "CaseProfile (schema_version 2: unknowns and ranges)"
    return schema


def migrate_text(text: str) -> str | None:
    """The version 2 text of a version 1 profile file (JSON or YAML), changing only the version
    number (comments, order and layout kept); None when it is version 2 already."""

    if re.search(r'^\s*"?schema_version"?\s*:\s*2\s*,?\s*$', text, re.M):
        return None
    out, n = re.subn(
        r'^(\s*"?schema_version"?\s*:\s*)1(\s*,?\s*)$', r"\g<1>2\g<2>", text, count=1, flags=re.M
    )
    if n:
        return out
    stripped = text.lstrip()
    if stripped.startswith("{"):  # JSON without the key: add it first
        i = text.index("{")
        return text[: i + 1] + '\n  "schema_version": 2,' + text[i + 1 :]
    return "schema_version: 2\n" + text
