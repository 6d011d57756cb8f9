"""The index of where each piece of advice lives (knowledge_base/rule_index.py)."""

from __future__ import annotations

from knowledge_base.loader import load_kb
from knowledge_base.rule_index import advice, rule_entries, rules_by_item
from rules.dsl import load_rules, read_definitions


def test_rules_by_item_lists_each_rule_under_what_it_concludes_and_rests_on() -> None:
    """Every rule is listed under its conclusion and each item it rests on, once, in rule order."""
    rules = load_rules()
    index = rules_by_item(rules)
    order = {r.id: i for i, r in enumerate(rules)}
    for r in rules:
        for item in {r.concludes, *r.rests_on} - {None}:
            assert r.id in index[item]
    for ids in index.values():
        assert len(ids) == len(set(ids))
        assert ids == sorted(ids, key=order.__getitem__)
    assert index["administrative_assistant"][:2] == [
        "dx_administrative_assistant_control",
        "dx_administrative_assistant_resources",
    ]


def test_every_diagnosis_and_action_has_its_rule_file_test_file_and_parameters() -> None:
    """advice() gives each diagnosis and action at least one rule file under its own name and
    its mirrored test file; parameters carry the knowledge base's values."""
    kb = load_kb()
    entries = rule_entries(read_definitions())
    for item in [*kb.by_kind("diagnosis"), *kb.by_kind("action")]:
        adv = advice(item.id, kb, entries)
        assert adv is not None and adv.rules, item.id
        folder = "diagnoses" if item.kind == "diagnosis" else "actions"
        assert f"rules/definitions/{folder}/{item.id}.yaml" in {r.file for r in adv.rules}
        assert adv.tests[0] == f"tests/rules/cases/{folder}/{item.id}.yaml"
    sole = advice("sole_dependence", kb, entries)
    assert sole is not None
    assert sole.params["thresholds.sole_dependence:government_funding_min"] == 0.7
    assert advice("no_such_item", kb, entries) is None
    assert advice("dim_funding", kb, entries) is None  # an item, but not advice
