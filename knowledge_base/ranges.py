"""Plausible ranges of our parameters: how far a reviewer could move each of our choices.

Every threshold, weight and scale in ``data/parameters/`` is this tool's operationalisation, not
a finding of the paper. Each parameter therefore declares, at the end of its file, a
``plausible_range``: the reasoning (bilingual) and, under ``values``, a mirror of its ``value``
in which every number that may move is replaced by ``[low, high]``. A number left out of the
mirror is fixed (an anchor such as "full dependence is 1"); a mapping of strings has nothing to
move and declares ``values: {}``. Lists (the co-production bands) are mirrored element by
element (``{}`` for an element that does not move).

``ranged_leaves(item)`` flattens the mirror into ``RangedLeaf`` records (the path into the value,
the value, low, high, whether it is an integer) for the robustness analysis
(``advisor/robustness.py``); ``range_problems(item)`` is what ``advisor kb validate`` reports:
a missing range, a path that is not in the value, bounds that are not numbers, a range that
does not lie around the value, an integer parameter with fractional bounds.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from knowledge_base.schema import Item

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class RangedLeaf:
    """One number of a parameter that may move: where it is, our value, its plausible bounds."""

    param: str  # parameter id
    path: Path  # keys (and list indices) into the parameter's value; () for a scalar value
    value: float
    low: float
    high: float
    integer: bool

    @property
    def name(self) -> str:
        """``param`` or ``param:key.key`` (list indices as ``[i]``), for tables and messages."""
        if not self.path:
            return self.param
        parts = [f"[{p}]" if isinstance(p, int) else str(p) for p in self.path]
        return self.param + ":" + ".".join(parts).replace(".[", "[")

    @property
    def ref(self) -> str | None:
        """The rule-definition reference (``id`` or ``id:key``) when the leaf is at most one key
        deep, else None (rules only refer that deep)."""
        if not self.path:
            return self.param
        if len(self.path) == 1 and isinstance(self.path[0], str):
            return f"{self.param}:{self.path[0]}"
        return None


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _walk(
    pid: str, value: Any, mirror: Any, path: Path, out: list[RangedLeaf], problems: list
) -> None:
    where = "plausible_range.values" + "".join(
        f"[{p}]" if isinstance(p, int) else f".{p}" for p in path
    )
    if isinstance(mirror, dict):
        if not isinstance(value, dict):
            if mirror:
                problems.append((where, "the value here is not a mapping"))
            return
        for key, sub in mirror.items():
            vkey: Any = key
            if key not in value and str(key) in value:
                vkey = str(key)
            if vkey not in value:
                problems.append((f"{where}.{key}", f"{key!r} is not a key of the value"))
                continue
            _walk(pid, value[vkey], sub, (*path, vkey), out, problems)
        return
    if isinstance(mirror, list) and not (len(mirror) == 2 and all(map(_is_number, mirror))):
        if not isinstance(value, list) or len(value) != len(mirror):
            problems.append((where, "a list range needs one entry per element of the value"))
            return
        for i, (v, m) in enumerate(zip(value, mirror, strict=True)):
            if m is not None:
                _walk(pid, v, m, (*path, i), out, problems)
        return
    if not (isinstance(mirror, list) and len(mirror) == 2 and all(map(_is_number, mirror))):
        problems.append((where, "a range is [low, high], two numbers"))
        return
    if not _is_number(value):
        problems.append((where, f"the value here ({value!r}) is not a number"))
        return
    low, high = float(mirror[0]), float(mirror[1])
    if not low <= float(value) <= high:
        bounds = f"[{mirror[0]}, {mirror[1]}]"
        problems.append((where, f"{bounds} does not lie around the value {value}"))
        return
    if low == high:
        problems.append((where, "low equals high: leave a fixed number out of the range instead"))
        return
    integer = isinstance(value, int)
    if integer and not all(float(b).is_integer() for b in mirror):
        problems.append((where, f"{value} is an integer: the bounds must be integers too"))
        return
    out.append(RangedLeaf(pid, path, float(value), low, high, integer))


def _parse(item: Item) -> tuple[list[RangedLeaf], list[tuple[str, str]]]:
    out: list[RangedLeaf] = []
    problems: list[tuple[str, str]] = []
    pr = item.plausible_range
    if item.kind != "parameter":
        if pr is not None:
            problems.append(("plausible_range", "only parameters have a plausible range"))
        return out, problems
    if pr is None:
        problems.append(
            (
                "plausible_range",
                "missing: every parameter declares how far it could plausibly move, with its "
                "reasoning (values: {} when nothing numeric may move)",
            )
        )
        return out, problems
    _walk(item.id, item.value, pr.values, (), out, problems)
    return out, problems


def ranged_leaves(item: Item) -> list[RangedLeaf]:
    """The numbers of a parameter that may move, in the order its range declares them (empty
    when the range is missing or broken: ``range_problems`` says why)."""
    leaves, problems = _parse(item)
    return [] if problems else leaves


def range_problems(item: Item) -> list[tuple[str, str]]:
    """What is wrong with an item's plausible range, as (field, message) pairs."""
    return _parse(item)[1]


def with_values(value: Any, changes: dict[Path, float]) -> Any:
    """A copy of a parameter's value with the numbers at these paths replaced (integers kept
    integers)."""
    out = copy.deepcopy(value)
    for path, new in changes.items():
        if not path:
            return new
        node = out
        for p in path[:-1]:
            node = node[p]
        node[path[-1]] = new
    return out
