"""Action effects: how an action is expected to change a case profile, as knowledge-base data.

Each effect is a parameter item ``effect.<action id>`` under ``knowledge_base/data/effects/``
with its passages and our reasoning (the size of a change is always ours; its direction is the
paper's). Its ``value`` holds operations on the profile's dotted fields:

- ``set``: give the field this value;
- ``at_least``: raise a level or count to at least this value (never lower it);
- ``at_most``: lower a level to at most this value (never raise it);
- ``raise_by``: raise a level by this many steps, never past the top of its scale;
- ``route``: ``[{from, to, share}]``: shift from one share to another until ``to`` holds at least
  ``share`` of the two together (the total stays the same);

and ``moves``: the direction the sources give the effect on a derived figure (``up``/``down``,
meaning "never the other way"), which ``tests/properties/test_effects.py`` checks on random
profiles. What-if levers, the roadmap and the smallest-change search read the same items.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from advisor.models import CaseProfile
from knowledge_base.loader import load_kb

PREFIX = "effect."
DIGITS = 4

#: the top of each level scale an effect may raise (0..top)
TOPS: dict[str, int] = {
    "coproduction.planning": 4,
    "coproduction.design": 4,
    "coproduction.delivery": 4,
    "coproduction.evaluation": 4,
    "knowledge.self_sufficiency": 3,
    "management.decision_participation": 3,
    "government.control": 4,
    "human_resources.resident_awareness": 4,
}


@lru_cache(maxsize=1)
def effect_ids() -> tuple[str, ...]:
    """The action ids that have an effect item."""
    kb = load_kb()
    return tuple(
        sorted(i.id[len(PREFIX) :] for i in kb.by_kind("parameter") if i.id.startswith(PREFIX))
    )


def effect(action_id: str) -> dict[str, Any] | None:
    """The effect item's value for this action, or None when the action has no modelled effect."""
    if action_id not in effect_ids():
        return None
    return dict(load_kb().param(PREFIX + action_id))


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def apply_ops(data: dict[str, Any], ops: dict[str, Any]) -> dict[str, Any]:
    """Apply an effect's operations to a profile's JSON data (in place; returned for chaining)."""
    for path, value in (ops.get("set") or {}).items():
        _set(data, path, value)
    for path, value in (ops.get("at_least") or {}).items():
        _set(data, path, max(_get(data, path), value))
    for path, value in (ops.get("at_most") or {}).items():
        _set(data, path, min(_get(data, path), value))
    for path, steps in (ops.get("raise_by") or {}).items():
        _set(data, path, min(TOPS.get(path, 4), _get(data, path) + int(steps)))
    for move in ops.get("route") or []:
        src, dst, share = move["from"], move["to"], float(move["share"])
        total = _get(data, src) + _get(data, dst)
        wanted = round(total * share, DIGITS)
        if _get(data, dst) < wanted:
            _set(data, dst, wanted)
            _set(data, src, round(total - wanted, DIGITS))
    return data


def apply_effect(profile: CaseProfile, action_id: str) -> CaseProfile:
    """The profile after the action's modelled effect (the same profile when it has none)."""
    ops = effect(action_id)
    if ops is None:
        return profile
    data = apply_ops(profile.model_dump(mode="json"), ops)
    return CaseProfile.model_validate(data)
