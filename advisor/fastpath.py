"""The assessment's speed layer, kept apart from its domain steps.

An assessment builds some 150 small pydantic models from data the pipeline has already checked,
and most of its sentences repeat from one profile to the next. Two tricks keep ``assess`` near
half a millisecond, and both live here so that the domain code reads plainly:

- ``make(cls, **values)`` builds a model as ``model_construct`` does, writing pydantic's instance
  attributes directly (about 3x faster than ``model_construct`` for our small models). It relies
  on pydantic 2's instance layout; ``tests/engine/test_fastpath.py`` pins that layout, so an
  upgrade that changes it fails there and not in a report.
- ``Memo``: bounded per-process tables of explanation parts keyed by everything they depend on
  (``key_values``: the values a rule read, with their types). The leaf models they share between
  assessments (``BiText``, ``SourceRef``, ``PriorityFactor``) are frozen, and every list, dict
  and other model of an assessment is its own, so changing one assessment never changes another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_setattr = object.__setattr__


def make(cls: type[M], **values: Any) -> M:
    """``cls.model_construct(**values)`` for internal, already valid data giving every field.

    The same instance model_construct builds (``__dict__`` = the values, every field set, no
    extra, no private attributes), without its per-field alias and default lookups. Falls back
    to model_construct when a field is missing (the defaults are its job).
    """
    if len(values) != len(cls.__pydantic_fields__):
        return cls.model_construct(**values)
    m = cls.__new__(cls)
    _setattr(m, "__dict__", values)
    _setattr(m, "__pydantic_fields_set__", set(values))
    _setattr(m, "__pydantic_extra__", None)
    _setattr(m, "__pydantic_private__", None)
    return m


def key_values(fact: dict[str, Any], keys: tuple[str, ...]) -> tuple[Any, ...]:
    """The fact's values at ``keys`` and their types (so 1, 1.0 and True stay distinct keys)."""
    values = tuple(map(fact.get, keys))
    return (values, tuple(map(type, values)))


class Memo:
    """Per-process tables of explanation parts, each cleared when it reaches ``LIMIT`` entries."""

    LIMIT = 4_096

    def __init__(self) -> None:
        self.because: dict[tuple[Any, ...], Any] = {}
        self.why_not: dict[tuple[Any, ...], Any] = {}
        self.rationale: dict[tuple[Any, ...], Any] = {}
        self.breakdown: dict[tuple[Any, ...], Any] = {}
        self.lock = threading.Lock()

    def get(
        self, table: dict[tuple[Any, ...], Any], key: tuple[Any, ...], make: Callable[[], T]
    ) -> T:
        """The entry for ``key``, made (and kept) on first use."""
        hit = table.get(key)
        if hit is None:
            hit = make()
            with self.lock:
                if len(table) >= self.LIMIT:
                    table.clear()
                table[key] = hit
        return hit

    def clear(self) -> None:
        """Forget every entry (tests: results must not depend on what was assessed before)."""
        for table in (self.because, self.why_not, self.rationale, self.breakdown):
            table.clear()


#: The one memo of the process (explanations depend on the knowledge base, fixed per process).
memo = Memo()
