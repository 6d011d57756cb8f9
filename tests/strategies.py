"""Hypothesis strategies for case profiles: valid ones across the whole input space, invalid
ones with one known defect each, and raw garbage documents.

Valid profiles cover every enum value, nullable fields both null and set, a present or absent
third party, and shares drawn as integer weights then normalised (so they always sum to 1 within
the contract's 0.01). Enum values are read from ``advisor.models`` so a value added to the
contract is generated without editing this file.

Invalid profiles start from a valid one and break exactly one thing; each comes with the dotted
field path the refusal must name.
"""

from __future__ import annotations

import json
import math
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from hypothesis import strategies as st
from pydantic import BaseModel

from advisor.models import (
    Agenda,
    CaseProfile,
    Government,
    HumanResources,
    Knowledge,
    Legitimacy,
    Management,
    ThirdParty,
)

FUNDING_KEYS = (
    "government_direct",
    "government_via_third_party",
    "third_party_own",
    "charity",
    "residents",
    "self_generated",
)
RECRUIT_KEYS = ("government", "third_party", "self")
STAGES = ("planning", "design", "delivery", "evaluation")


def enum_values(model: type[BaseModel], field: str) -> tuple[Any, ...]:
    """The allowed values of a Literal field of a contract model (None excluded)."""
    ann = model.model_fields[field].annotation
    args: list[Any] = []
    stack = [ann]
    while stack:
        t = stack.pop()
        origin = get_origin(t)
        if origin is Literal:
            args.extend(get_args(t))
        elif origin in (typing.Union, types.UnionType):
            stack.extend(get_args(t))
    return tuple(a for a in args if a is not None)


def _e(model: type[BaseModel], field: str) -> st.SearchStrategy[Any]:
    return st.sampled_from(enum_values(model, field))


LEVEL4 = st.integers(0, 4)
LEVEL3 = st.integers(0, 3)


def shares(keys: tuple[str, ...], max_weight: int = 20) -> st.SearchStrategy[dict[str, float]]:
    """Shares over ``keys`` that sum to 1: integer weights (zeros likely) normalised."""
    weight = st.one_of(st.just(0), st.integers(0, max_weight))
    weights = st.lists(weight, min_size=len(keys), max_size=len(keys)).filter(lambda w: sum(w) > 0)
    return weights.map(lambda w: {k: wi / sum(w) for k, wi in zip(keys, w, strict=True)})


@st.composite
def human_resources(draw: st.DrawFn) -> dict[str, Any]:
    """Volunteers, core volunteers (never more than volunteers), recruitment shares, etc."""
    volunteers = draw(st.one_of(st.integers(0, 12), st.integers(0, 5000)))
    return {
        "volunteers": volunteers,
        "core_volunteers": draw(st.integers(0, volunteers)),
        "recruited_by": draw(shares(RECRUIT_KEYS)),
        "leadership": draw(_e(HumanResources, "leadership")),
        "resident_awareness": draw(LEVEL4),
    }


def third_parties() -> st.SearchStrategy[dict[str, Any]]:
    """A third-party social organisation of any kind, capacity, role and autonomy."""
    return st.fixed_dictionaries(
        {
            "kind": _e(ThirdParty, "kind"),
            "capacity": LEVEL4,
            "role": _e(ThirdParty, "role"),
            "autonomy": LEVEL4,
        },
        optional={
            "origin": st.none()
            | st.sampled_from(("independent", "community_founded", "government_founded")),
            "government_purchase_share": st.none()
            | st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 2)),
            "strict_assessment": st.none() | st.booleans(),
        },
    )


def communities() -> st.SearchStrategy[dict[str, Any]]:
    """The optional community group: resources, resident associations, staff overload."""
    return st.fixed_dictionaries(
        {},
        optional={
            "non_government_resources": st.none() | LEVEL4,
            "resident_associations": st.none() | st.integers(0, 12),
            "staff_overloaded": st.none() | st.booleans(),
        },
    )


SLUG = st.from_regex(r"[a-z0-9_-]{1,64}", fullmatch=True)
NAME = st.text(min_size=1, max_size=200).filter(lambda s: s.strip() != "")


@st.composite
def profile_dicts(draw: st.DrawFn, third_party: bool | None = None) -> dict[str, Any]:
    """A valid case profile as plain JSON data. ``third_party``: force present/absent, or None."""
    if third_party is None:
        tp = draw(st.none() | third_parties())
    elif third_party:
        tp = draw(third_parties())
    else:
        tp = None
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": draw(SLUG),
        "name": draw(NAME),
        "region": draw(st.none() | st.text(max_size=200)),
        "as_of": draw(st.none() | st.dates().map(lambda d: d.isoformat())),
        "force_type": draw(_e(CaseProfile, "force_type")),
        "development_mode": draw(st.none() | _e(CaseProfile, "development_mode")),
        "legitimacy": {"status": draw(_e(Legitimacy, "status"))},
        "funding": draw(shares(FUNDING_KEYS)),
        "human_resources": draw(human_resources()),
        "knowledge": {
            "training_provider": draw(_e(Knowledge, "training_provider")),
            "training_sessions_per_year": draw(
                st.one_of(st.integers(0, 24), st.integers(0, 10_000))
            ),
            "self_sufficiency": draw(LEVEL3),
        },
        "government": {
            "reliance_on_force": draw(LEVEL4),
            "control": draw(LEVEL4),
            "role": draw(_e(Government, "role")),
            "acceptance_mechanism": draw(st.booleans()),
            "purchases_services": draw(st.booleans()),
            "party_leadership": draw(LEVEL4),
        },
        "agenda": {
            "set_by": draw(_e(Agenda, "set_by")),
            "pattern": draw(_e(Agenda, "pattern")),
        },
        "management": {
            "decision_participation": draw(LEVEL3),
            "incentives": draw(_e(Management, "incentives")),
            "records": draw(st.booleans()),
        },
        "third_party": tp,
        "coproduction": {s: draw(LEVEL4) for s in STAGES},
        "linkage": draw(_e(CaseProfile, "linkage")),
        "community": draw(st.none() | communities()),
    }
    # Optional keys may also be left out entirely rather than given as null.
    for key in ("region", "as_of", "development_mode", "third_party", "community"):
        if data[key] is None and draw(st.booleans()):
            del data[key]
    return data


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


# Every field whose value is a closed set of strings, by dotted path.
ENUM_PATHS: dict[str, tuple[Any, ...]] = {
    "force_type": enum_values(CaseProfile, "force_type"),
    "development_mode": enum_values(CaseProfile, "development_mode"),
    "linkage": enum_values(CaseProfile, "linkage"),
    "legitimacy.status": enum_values(Legitimacy, "status"),
    "human_resources.leadership": enum_values(HumanResources, "leadership"),
    "knowledge.training_provider": enum_values(Knowledge, "training_provider"),
    "government.role": enum_values(Government, "role"),
    "agenda.set_by": enum_values(Agenda, "set_by"),
    "agenda.pattern": enum_values(Agenda, "pattern"),
    "management.incentives": enum_values(Management, "incentives"),
    "third_party.kind": enum_values(ThirdParty, "kind"),
    "third_party.role": enum_values(ThirdParty, "role"),
}
# Ordinal levels and their inclusive upper bound.
LEVEL_PATHS: dict[str, int] = {
    "human_resources.resident_awareness": 4,
    "knowledge.self_sufficiency": 3,
    "government.reliance_on_force": 4,
    "government.control": 4,
    "government.party_leadership": 4,
    "management.decision_participation": 3,
    "third_party.capacity": 4,
    "third_party.autonomy": 4,
    **{f"coproduction.{s}": 4 for s in STAGES},
}
INT_PATHS = ("human_resources.volunteers", "knowledge.training_sessions_per_year")
BOOL_PATHS = (
    "government.acceptance_mechanism",
    "government.purchases_services",
    "management.records",
)
OBJECT_PATHS = (
    "legitimacy",
    "funding",
    "human_resources",
    "human_resources.recruited_by",
    "knowledge",
    "government",
    "agenda",
    "management",
    "coproduction",
)
REQUIRED_TOP = (
    "id",
    "name",
    "force_type",
    "legitimacy",
    "funding",
    "human_resources",
    "knowledge",
    "government",
    "agenda",
    "management",
    "coproduction",
    "linkage",
)

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
        import yaml

        return yaml.safe_dump(data, allow_unicode=draw(st.booleans())).encode("utf-8")
    return json.dumps(data, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
