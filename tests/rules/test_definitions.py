"""Code health of the rule definitions: complete, sourced, and refused when malformed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.errors import KnowledgeBaseError
from knowledge_base.loader import load_kb
from rules.dsl import Compare, load_rules, parse_rules, walk

CASES = Path(__file__).resolve().parent / "cases"


def test_every_diagnosis_and_action_of_the_knowledge_base_has_a_rule() -> None:
    """All 17 diagnoses and 24 actions are concluded by some rule, and nothing else is."""
    kb = load_kb()
    rules = load_rules()
    dx = {r.concludes for r in rules if r.kind == "diagnosis"}
    acts = {r.concludes for r in rules if r.kind != "diagnosis" and r.concludes}
    assert dx == {i.id for i in kb.by_kind("diagnosis")}
    assert acts == {i.id for i in kb.by_kind("action")}
    assert len(dx) == 18 and len(acts) == 30


def test_every_rule_rests_on_existing_sourced_items() -> None:
    """Each rule's rests_on names knowledge items with at least one passage."""
    kb = load_kb()
    for r in load_rules():
        for iid in r.rests_on:
            assert iid in kb.items, (r.id, iid)
            assert kb.items[iid].source, (r.id, iid)


def test_every_threshold_is_an_operationalisation_parameter_and_used() -> None:
    """Params named by rules are operationalisation parameters; no thresholds.* key is unused."""
    kb = load_kb()
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (CASES.parent.parent.parent / "rules" / "definitions").rglob("*.yaml")
    )
    used: set[str] = set()
    for r in load_rules():
        for c in walk(r.when):
            if isinstance(c, Compare) and c.param:
                used.add(c.param)
    for ref in used:
        item = kb.get(ref.partition(":")[0])
        assert item.kind == "parameter" and item.provenance.kind == "operationalisation"
    for item in kb.by_kind("parameter"):
        if item.id.startswith("thresholds."):
            for key in item.value:
                assert f"{item.id}:{key}" in text, f"{item.id}:{key} is used by no rule"


def _case_expectations() -> tuple[set[str], set[str]]:
    present: set[str] = set()
    absent: set[str] = set()
    all_dx = {i.id for i in load_kb().by_kind("diagnosis")}
    for path in CASES.rglob("*.yaml"):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            exp = case.get("expect", {})
            present |= set(exp.get("diagnoses", []))
            absent |= set(exp.get("not_diagnoses", []))
            if "exact_diagnoses" in exp:
                present |= set(exp["exact_diagnoses"])
                absent |= all_dx - set(exp["exact_diagnoses"])
    return present, absent


def test_every_diagnosis_is_tested_both_ways() -> None:
    """Every diagnosis appears in a rule case where it must hold and one where it must not."""
    present, absent = _case_expectations()
    for item in load_kb().by_kind("diagnosis"):
        assert item.id in present, f"no case expects {item.id}"
        assert item.id in absent, f"no case rules out {item.id}"


BASE: dict[str, Any] = {
    "id": "dx_t",
    "kind": "diagnosis",
    "concludes": "x",
    "name": {"zh": "测试", "en": "test"},
    "severity": {"value": 0.5},
    "rests_on": ["sole_dependence"],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"when": {"fact": "government.colour", "op": "eq", "value": 1}}, "unknown fact"),
        ({"when": {"fact": "agenda.set_by", "op": "eq", "value": "mayor"}}, "not a valid value"),
        ({"when": {"fact": "agenda.set_by", "op": "lt", "value": "mixed"}}, "needs a number"),
        ({"when": {"fact": "government.control", "op": "ge", "value": True}}, "not a valid value"),
        ({"when": {"fact": "government.control", "op": "in", "value": []}}, "non-empty list"),
        ({"when": {"not": {"diagnosis": "x"}}}, "under 'not'"),
        ({"when": {"fact": "government.control", "op": "ge", "param": "no.such"}}, "no knowledge"),
        (
            {"when": {"fact": "government.control", "op": "ge", "param": "thresholds.actions:zz"}},
            "no key",
        ),
        (
            {"when": {"fact": "government.control", "op": "ge", "value": 1, "param": "x"}},
            "exactly one",
        ),
        ({"when": {"diagnosis": "nobody_concludes_this"}}, "no rule concludes"),
        (
            {"id": "act_t", "when": {"fact": "government.control", "op": "ge", "value": 1}},
            "starts with",
        ),
        (
            {"severity": None, "when": {"fact": "government.control", "op": "ge", "value": 1}},
            "severity",
        ),
        (
            {"colour": "red", "when": {"fact": "government.control", "op": "ge", "value": 1}},
            "colour",
        ),
        (
            {
                "severity": {"value": 1.5},
                "when": {"fact": "government.control", "op": "ge", "value": 1},
            },
            "outside 0..1",
        ),
        (
            {
                "severity": {"fact": "government.control", "from": 2, "to": 2},
                "when": {"fact": "government.control", "op": "ge", "value": 1},
            },
            "equal",
        ),
    ],
)
def test_malformed_rules_are_refused(change: dict[str, Any], message: str) -> None:
    """A malformed rule is refused with a message naming the problem."""
    raw = {**BASE, **change}
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(KnowledgeBaseError, match=message):
        parse_rules([("t.yaml", [raw])])


def test_a_guard_may_overrule_only_action_rules() -> None:
    """Overruling a diagnosis rule is refused."""
    guard = {
        "id": "guard_t",
        "kind": "guard",
        "name": {"zh": "测试", "en": "test"},
        "when": {"fact": "government.control", "op": "ge", "value": 1},
        "overrules": ["dx_t"],
        "rests_on": ["sole_dependence"],
    }
    rule = {**BASE, "when": {"fact": "government.control", "op": "ge", "value": 1}}
    with pytest.raises(KnowledgeBaseError, match="not an action rule"):
        parse_rules([("t.yaml", [rule, guard])])


def test_diagnosis_cycles_are_refused() -> None:
    """Two diagnosis rules that need each other are refused."""
    a = {**BASE, "id": "dx_a", "concludes": "a", "when": {"diagnosis": "b"}}
    b = {**BASE, "id": "dx_b", "concludes": "b", "when": {"diagnosis": "a"}}
    with pytest.raises(KnowledgeBaseError, match="cycle"):
        parse_rules([("t.yaml", [a, b])])
