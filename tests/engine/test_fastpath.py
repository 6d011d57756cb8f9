"""The speed layer's trick holds on this pydantic: ``fastpath.make`` builds what model_construct
builds, and the memo's shared leaves are frozen."""

from __future__ import annotations

import pydantic
import pytest

from advisor.fastpath import Memo, key_values, make
from advisor.models import (
    Action,
    BiText,
    Diagnosis,
    NotRecommended,
    PriorityFactor,
    SourceRef,
    TraceStep,
)
from advisor.pipeline import assess, preset

SRC = SourceRef(section="6", quote_zh="引", quote_en="quote")
LABEL = BiText(zh="标签", en="label")


def _state(m: pydantic.BaseModel) -> tuple[object, ...]:
    return (
        type(m),
        m.__dict__,
        m.__pydantic_fields_set__,
        m.__pydantic_extra__,
        m.__pydantic_private__,
    )


@pytest.mark.parametrize(
    ("cls", "values"),
    [
        (BiText, {"zh": "中", "en": "en"}),
        (TraceStep, {"rule": "dx_x", "matched": {"a": 1}, "sources": [SRC]}),
        (PriorityFactor, {"factor": "severity", "value": 12.5, "label": LABEL}),
        (
            NotRecommended,
            {"id": "a", "label": LABEL, "actor": "government", "reason": LABEL, "rules": []},
        ),
    ],
)
def test_make_builds_what_model_construct_builds(cls: type, values: dict) -> None:
    """Same instance attributes, same JSON, same equality as model_construct with every field."""
    fast = make(cls, **dict(values))
    slow = cls.model_construct(**dict(values))
    assert _state(fast) == _state(slow)
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast == slow
    assert fast.model_copy(update={}) == slow


def test_make_falls_back_to_model_construct_for_defaults() -> None:
    """A missing field is filled by model_construct's defaults, not left out."""
    step = make(TraceStep, rule="r", matched={})
    assert step.sources == []
    assert step.model_fields_set == {"rule", "matched"}


def test_every_field_counted_by_make_is_a_declared_field() -> None:
    """make counts ``__pydantic_fields__``: it must list exactly the model's fields."""
    for cls in (Action, Diagnosis, NotRecommended, TraceStep, PriorityFactor, BiText):
        assert set(cls.__pydantic_fields__) == set(cls.model_fields)


def test_shared_leaves_are_frozen() -> None:
    """The memo shares BiText, SourceRef and PriorityFactor between assessments: read-only."""
    factor = make(PriorityFactor, factor="f", value=1.0, label=LABEL)
    for leaf, name, value in ((LABEL, "zh", "x"), (SRC, "section", "1"), (factor, "value", 2.0)):
        with pytest.raises(pydantic.ValidationError, match="frozen"):
            setattr(leaf, name, value)


def test_fast_assessment_validates_as_it_is() -> None:
    """An assessment built by make round-trips through full validation unchanged."""
    a = assess(preset("case-h"))
    assert type(a).model_validate_json(a.model_dump_json()).model_dump_json() == a.model_dump_json()


def test_memo_keys_keep_types_apart_and_stay_bounded() -> None:
    """1, 1.0 and True are different keys; a full table starts again."""
    keys = ("x",)
    assert len({key_values({"x": v}, keys) for v in (1, 1.0, True)}) == 3
    memo = Memo()
    memo.LIMIT = 3
    for i in range(5):
        assert memo.get(memo.because, (i,), lambda i=i: i * 10) == i * 10
    assert len(memo.because) <= 3
    memo.clear()
    assert memo.because == {}
