"""Hypothesis strategies for case profiles: valid ones across the whole input space, invalid
ones with one known defect each, and raw garbage documents.

Valid profiles cover every enum value, nullable fields both null and set, a present or absent
third party, and shares drawn as integer weights then normalised (so they always sum to 1 within
the contract's 0.01). They are drawn by the one uniform generator of the project
(``advisor.synth.uniform_data``, which walks the field catalogue ``advisor.fields``) with
hypothesis supplying the choices, so a field or value added to the contract is generated without
editing this file, and the seeded samples and the property tests cover the same space.

Invalid profiles start from a valid one and break exactly one thing; each comes with the dotted
field path the refusal must name.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from hypothesis import strategies as st

from advisor import fields as catalogue
from advisor.fields import FUNDING_KEYS, RECRUIT_KEYS, FieldSpec
from advisor.models import CaseProfile
from advisor.synth import uniform_data

STAGES = tuple(s.name for s in catalogue.leaves("coproduction"))
SLUG = st.from_regex(r"[a-z0-9_-]{1,64}", fullmatch=True)
NAME = st.text(min_size=1, max_size=200).filter(lambda s: s.strip() != "")


def enum_values(path: str) -> tuple[Any, ...]:
    """The allowed values of an enum field of the contract by dotted path (from the catalogue)."""
    return catalogue.values(path)


def shares(keys: Sequence[str], max_weight: int = 20) -> st.SearchStrategy[dict[str, float]]:
    """Shares over ``keys`` that sum to 1: integer weights (zeros likely) normalised."""
    weight = st.one_of(st.just(0), st.integers(0, max_weight))
    weights = st.lists(weight, min_size=len(keys), max_size=len(keys)).filter(lambda w: sum(w) > 0)
    return weights.map(lambda w: {k: wi / sum(w) for k, wi in zip(keys, w, strict=True)})


class DrawSource:
    """The uniform generator's choices (``advisor.synth.Source``) taken from hypothesis."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def choice(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def count(self, low: int, typical: int, high: int) -> int:
        return self.draw(st.one_of(st.integers(low, typical), st.integers(low, high)))

    def boolean(self) -> bool:
        return self.draw(st.booleans())

    def weights(self, n: int) -> list[int]:
        weight = st.one_of(st.just(0), st.integers(0, 20))
        return self.draw(st.lists(weight, min_size=n, max_size=n).filter(lambda w: sum(w) > 0))

    def fraction(self) -> float:
        return self.draw(st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 2)))

    def text(self, spec: FieldSpec) -> str:
        if spec.path == "id":
            return self.draw(SLUG)
        if spec.path == "name":
            return self.draw(NAME)
        return self.draw(st.text(max_size=200))

    def date(self) -> str:
        return self.draw(st.dates().map(lambda d: d.isoformat()))

    def presence(self, spec: FieldSpec) -> Literal["set", "null", "absent"]:
        return self.draw(st.sampled_from(("set", "null", "absent")))


@st.composite
def profile_dicts(draw: st.DrawFn, third_party: bool | None = None) -> dict[str, Any]:
    """A valid case profile as plain JSON data (``advisor.synth.uniform_data`` drawn by
    hypothesis). ``third_party``: force present/absent, or None for either."""
    force = {} if third_party is None else {"third_party": third_party}
    return uniform_data(DrawSource(draw), force)


@st.composite
def third_parties(draw: st.DrawFn) -> dict[str, Any]:
    """A third-party social organisation of any kind, capacity, role and autonomy."""
    return uniform_data(DrawSource(draw), {"third_party": True})["third_party"]


def profiles(third_party: bool | None = None) -> st.SearchStrategy[CaseProfile]:
    """Valid CaseProfile objects (see ``profile_dicts``)."""
    return profile_dicts(third_party=third_party).map(CaseProfile.model_validate)


# --------------------------------------------------------------------------- invalid profiles


@dataclass(frozen=True)
class Defect:
    """One broken profile: the data, the kind of defect, and the field path it must be named by."""

    data: dict[str, Any]
    kind: str
    path: str


def _always_there(spec: FieldSpec) -> bool:
    """Fields an invalid profile (drawn with a third party) always has a parent for."""
    return spec.top == "third_party" or spec.top not in catalogue.OPTIONAL_GROUPS


_FIXED = [s for s in catalogue.LEAVES if _always_there(s)]
# Every field whose value is a closed set of strings, by dotted path.
ENUM_PATHS: dict[str, tuple[Any, ...]] = {s.path: s.values for s in _FIXED if s.kind == "enum"}
# Ordinal levels and their inclusive upper bound.
LEVEL_PATHS: dict[str, int] = {s.path: int(s.high or 0) for s in _FIXED if s.kind == "level"}
INT_PATHS = tuple(s.path for s in _FIXED if s.kind == "count")
BOOL_PATHS = tuple(s.path for s in _FIXED if s.kind == "bool")
OBJECT_PATHS = tuple(
    s.path for s in catalogue.FIELDS.values() if s.kind == "group" and not s.nullable
)
REQUIRED_TOP = tuple(s.path for s in catalogue.FIELDS.values() if "." not in s.path and s.required)

# Values no field of the contract accepts in lax mode, by the kind of field they are put in.
WRONG_FOR_NUMBER = st.sampled_from(["many", "", [], [1], {}, {"a": 1}, "1e", "½"])
WRONG_FOR_BOOL = st.sampled_from(["maybe", 2, -1, 0.5, [], {}, "yess"])
WRONG_FOR_STR = st.sampled_from([1, 2.5, True, [], ["a"], {}, {"zh": "x"}])
WRONG_FOR_OBJECT = st.sampled_from([1, "x", True, [], [1, 2], 0.5])


def _get(data: dict[str, Any], path: str) -> Any:
    cur: Any = data
    for part in path.split("."):
        cur = cur[part]
    return cur


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    cur = data
    for part in parts[:-1]:
        cur = cur[part]
    cur[parts[-1]] = value


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data))


@st.composite
def invalid_profiles(draw: st.DrawFn) -> Defect:
    """A valid profile with exactly one defect, and the field path the refusal must name."""
    data = _copy(draw(profile_dicts(third_party=True)))
    kind = draw(
        st.sampled_from(
            [
                "shares_off",
                "core_over_volunteers",
                "unknown_enum",
                "unknown_field",
                "wrong_type",
                "out_of_range",
                "missing_field",
            ]
        )
    )
    if kind == "shares_off":
        path, keys = draw(
            st.sampled_from(
                [("funding", FUNDING_KEYS), ("human_resources.recruited_by", RECRUIT_KEYS)]
            )
        )
        block = _get(data, path)
        key = draw(st.sampled_from(keys))
        delta = draw(st.floats(0.02, 0.5))
        block[key] = block[key] - delta if block[key] >= 0.5 else block[key] + delta
        return Defect(data, kind, path)
    if kind == "core_over_volunteers":
        hr = data["human_resources"]
        hr["core_volunteers"] = hr["volunteers"] + draw(st.integers(1, 1000))
        return Defect(data, kind, "human_resources.core_volunteers")
    if kind == "unknown_enum":
        path = draw(st.sampled_from(sorted(ENUM_PATHS)))
        bad = draw(
            st.one_of(
                st.text(max_size=20), st.sampled_from(["GOVERNMENT", "Top_Down", " none"])
            ).filter(lambda v: v not in ENUM_PATHS[path])
        )
        _set(data, path, bad)
        return Defect(data, kind, path)
    if kind == "unknown_field":
        where = draw(st.sampled_from(["", *OBJECT_PATHS, "third_party"]))
        key = draw(st.from_regex(r"[a-z][a-z_]{0,15}", fullmatch=True))
        block = data if where == "" else _get(data, where)
        if key in block or (where == "" and key in CaseProfile.model_fields):
            key = key + "_extra"
        block[key] = draw(st.integers() | st.text(max_size=5) | st.none())
        return Defect(data, kind, f"{where}.{key}" if where else key)
    if kind == "wrong_type":
        group = draw(st.sampled_from(["number", "bool", "str", "object"]))
        if group == "number":
            path = draw(st.sampled_from([*LEVEL_PATHS, *INT_PATHS, "funding.charity"]))
            _set(data, path, draw(WRONG_FOR_NUMBER))
        elif group == "bool":
            path = draw(st.sampled_from(BOOL_PATHS))
            _set(data, path, draw(WRONG_FOR_BOOL))
        elif group == "str":
            path = draw(st.sampled_from(["id", "name", *sorted(ENUM_PATHS)]))
            _set(data, path, draw(WRONG_FOR_STR))
        else:
            path = draw(st.sampled_from([*OBJECT_PATHS, "third_party"]))
            _set(data, path, draw(WRONG_FOR_OBJECT))
        return Defect(data, kind, path)
    if kind == "out_of_range":
        path = draw(st.sampled_from([*LEVEL_PATHS, *INT_PATHS]))
        top = LEVEL_PATHS.get(path)
        if top is None:
            value = draw(st.integers(max_value=-1))
        else:
            value = draw(st.integers(top + 1, 10**6) | st.integers(-(10**6), -1))
        _set(data, path, value)
        return Defect(data, kind, path)
    # missing_field
    path = draw(st.sampled_from(REQUIRED_TOP))
    del data[path]
    return Defect(data, kind, path)


# --------------------------------------------------------------------------- garbage documents

JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)

# YAML documents a careless or hostile file might hold.
NASTY_YAML = [
    b"!!python/object/apply:os.system ['echo pwned']",
    b"!!python/object:advisor.models.CaseProfile {id: x}",
    b"!!python/name:os.system",
    b"id: !!binary aGVsbG8=",
    b"a: &a [1, 2]\nb: *a\n",
    b"a: &a ['x','x','x','x','x','x','x','x','x']\n"
    b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    b"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    b"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
    b"a: *undefined\n",
    b"--- a\n--- b\n",
    b"? [1, 2]\n: x\n",
    b"{[1]: 2}",
    b"as_of: 99999-99-99\n",
    b"as_of: 2024-02-30\n",
    b"id: 1e999999\n",
    b"id: .nan\nname: .inf\n",
    b"<<: {id: x}\n",
    b"%YAML 9.9\n---\na: 1\n",
    b"\t- tab",
    b"[" * 5000 + b"]" * 5000,
    b"a:" + b" [" * 3000,
    b"- " * 3000 + b"x",
    b"\xef\xbb\xbf{}",
    b"\xef\xbb\xbfid: x\n",
    b"id: \x85\xe2\x80\xa8\n",
    b"id: '\xed\xa0\x80'\n",
]
NASTY_JSON = [
    b'{"id": NaN}',
    b'{"id": Infinity, "name": -Infinity}',
    b'{"funding": {"charity": 1e999}}',
    b'{"human_resources": {"volunteers": 1' + b"0" * 5000 + b"}}",
    b'{"a": "\\ud800"}',
    b'{"id": "x", "id": "y"}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 5000 + b"1" + b"}" * 5000,
    b"{}",
    b"[]",
    b"null",
    b'"just a string"',
    b"12",
    b'{"schema_version": 2}',
]


def garbage_documents() -> st.SearchStrategy[bytes]:
    """Raw bytes a user might feed the CLI: noise, text, JSON values, YAML oddities."""
    return st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
        JSON_VALUES.map(lambda v: json.dumps(v).encode()),
        JSON_VALUES.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8")),
        st.sampled_from(NASTY_YAML),
        st.sampled_from(NASTY_JSON),
    )


@st.composite
def mutated_profiles(draw: st.DrawFn) -> bytes:
    """A valid profile with a random value anywhere replaced by any JSON value or odd number."""
    data = draw(profile_dicts())
    paths = [
        *REQUIRED_TOP,
        *ENUM_PATHS,
        *LEVEL_PATHS,
        *INT_PATHS,
        *BOOL_PATHS,
        *[f"funding.{k}" for k in FUNDING_KEYS],
        *[f"human_resources.recruited_by.{k}" for k in RECRUIT_KEYS],
    ]
    if data.get("third_party") is None:
        paths = [p for p in paths if not p.startswith("third_party")]
    path = draw(st.sampled_from(sorted(set(paths))))
    odd = st.one_of(
        JSON_VALUES,
        st.sampled_from([math.nan, math.inf, -math.inf, 10**400, -(10**400), 1e308, 5e-324]),
    )
    _set(data, path, draw(odd))
    as_yaml = draw(st.booleans())
    if as_yaml:
        return yaml.safe_dump(data, allow_unicode=draw(st.booleans())).encode("utf-8")
    return json.dumps(data, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
