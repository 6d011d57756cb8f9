"""Assessments returned in-process share no mutable part: changing one never changes another."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from advisor.models import Assessment, BiText, PriorityFactor, SourceRef
from advisor.pipeline import assess, preset


def _vandalise(node: Any, seen: set[int]) -> None:
    """Change everything a caller could change in place, depth first."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            _vandalise(value, seen)
            # a frozen leaf refuses: it cannot be changed, so it cannot leak
            with contextlib.suppress(ValidationError):
                setattr(node, name, "vandalised" if isinstance(value, str) else None)
    elif isinstance(node, list):
        for item in list(node):
            _vandalise(item, seen)
        node.append("vandalised")
        node.reverse()
    elif isinstance(node, dict):
        for value in list(node.values()):
            _vandalise(value, seen)
        node["vandalised"] = True


@pytest.mark.parametrize("name", ["case-y", "case-h"])
def test_mutating_one_assessment_does_not_change_a_later_one(name: str) -> None:
    profile = preset(name)
    expected = assess(profile).model_dump(mode="json")
    first = assess(profile)
    _vandalise(first, set())
    assert first.model_dump(mode="python") != expected  # the vandal did change this one
    later = assess(profile)
    assert later.model_dump(mode="json") == expected
    Assessment.model_validate(later.model_dump())


@pytest.mark.parametrize("cls", [BiText, SourceRef, PriorityFactor])
def test_shared_leaves_are_read_only(cls: type[BaseModel]) -> None:
    a = assess(preset("case-y"))
    leaf = {
        BiText: a.actions[0].label,
        SourceRef: a.actions[0].sources[0],
        PriorityFactor: a.actions[0].priority_breakdown[0],
    }[cls]
    field = next(iter(cls.model_fields))
    with pytest.raises(ValidationError):
        setattr(leaf, field, "x")
    copy = leaf.model_copy(update={field: getattr(leaf, field)})
    assert copy == leaf
