"""The pipeline: contract fields, determinism, ranking, explanations, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from advisor.errors import ProfileError
from advisor.models import Assessment
from advisor.pipeline import PRESETS, assess, assess_data, preset
from knowledge_base.loader import load_kb
from rules.dsl import load_rules

P_CAPACITY = {int(k): float(v) for k, v in load_kb().param("priority.third_party_capacity").items()}


def kb_action(action_id: str) -> Any:
    """The knowledge-base item of an action."""
    return load_kb().items[action_id]


def test_the_same_profile_gives_byte_identical_json(profiles: list[Any]) -> None:
    """Two assessments of the same profile serialise to the same bytes."""
    for p in profiles[:40]:
        assert assess(p).model_dump_json() == assess(p.model_copy(deep=True)).model_dump_json()


def test_a_fresh_process_gives_the_same_bytes() -> None:
    """Determinism holds across processes (no dependence on hashing or firing order)."""
    code = (
        "from advisor.pipeline import assess, preset; "
        "print(assess(preset('case-y')).model_dump_json())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == assess(preset("case-y")).model_dump_json()


def test_assessments_validate_against_the_contract_model(profiles: list[Any]) -> None:
    """Every assessment round-trips through the strict Assessment model."""
    for p in profiles[:60]:
        j = assess(p).model_dump_json()
        assert Assessment.model_validate_json(j).model_dump_json() == j


def test_ranks_are_one_to_n_ordered_by_priority(profiles: list[Any]) -> None:
    """Ranks are 1..n without gaps; priority never rises down the list; ties by phase then id."""
    for p in profiles:
        acts = assess(p).actions
        assert [a.rank for a in acts] == list(range(1, len(acts) + 1))
        keys = [(-a.priority, a.phase, a.id) for a in acts]
        assert keys == sorted(keys)


def test_the_breakdown_adds_up_to_the_priority(profiles: list[Any]) -> None:
    """The factors of each action's breakdown (the four weighted ones, plus the capacity deduction
    on a third party's actions other than capacity-building) sum to its priority (within
    rounding)."""
    seen_capacity = False
    for p in profiles[:80]:
        for a in assess(p).actions:
            deducted = (
                p.third_party is not None
                and a.actor == "third_party"
                and "weak_third_party" not in kb_action(a.id).addresses
            )
            four = ["severity", "breadth", "leverage", "phase"]
            assert [f.factor for f in a.priority_breakdown] == four + ["capacity"] * deducted
            if deducted:
                seen_capacity = True
                cap = a.priority_breakdown[-1].value
                assert cap == -P_CAPACITY[p.third_party.capacity], (a.id, cap)
            assert abs(sum(f.value for f in a.priority_breakdown) - a.priority) <= 0.06
            assert all(f.label and f.label.zh and f.label.en for f in a.priority_breakdown)
    assert seen_capacity


def test_every_conclusion_is_explained(profiles: list[Any]) -> None:
    """Diagnoses and actions carry rules, a trace of those rules, sources and reasons."""
    for p in profiles[:80]:
        a = assess(p)
        for d in a.diagnoses:
            assert d.rules and [t.rule for t in d.trace] == d.rules
            assert d.sources and d.because and len(d.because_text) == len(d.because)
        for x in a.actions:
            assert x.rules and [t.rule for t in x.trace] == x.rules
            assert x.sources and x.rationale.zh and x.rationale.en
            assert set(x.addresses) <= {d.id for d in a.diagnoses}


def test_why_not_covers_every_other_framework_action(profiles: list[Any]) -> None:
    """Each of the 24 actions is either recommended or listed as not recommended with a reason."""
    kb_actions = {i.id for i in load_kb().by_kind("action")}
    for p in profiles[:60]:
        a = assess(p)
        got = {x.id for x in a.actions}
        nots = {n.id for n in a.not_recommended}
        assert got | nots == kb_actions and not got & nots
        for n in a.not_recommended:
            assert n.reason.zh and n.reason.en


def test_why_not_names_the_failed_condition() -> None:
    """Y has no third party: a third-party action's reason names that condition."""
    a = assess(preset("case-y"))
    reason = {n.id: n.reason for n in a.not_recommended}["gov_strengthen_third_party"]
    assert "third party" in reason.en and "第三方" in reason.zh


def test_why_not_names_the_overruling_guard() -> None:
    """An action overruled by a guard rail says which guard overruled it: by its name in the
    reason, by its id in ``overruled_by``."""
    p = preset("case-h").model_copy(deep=True)
    assert p.third_party is not None
    p.third_party.capacity = 1
    p.legitimacy.status = "via_government"
    p.agenda.pattern = "fragmented"
    a = assess(p)
    entry = next(n for n in a.not_recommended if n.id == "tp_five_social_linkage")
    assert entry.overruled_by == ["guard_weak_third_party_capacity_first"]
    guard = next(r for r in load_rules() if r.id == "guard_weak_third_party_capacity_first")
    assert guard.name.en in entry.reason.en and guard.name.zh in entry.reason.zh


def test_conflicting_actions_never_come_together(profiles: list[Any]) -> None:
    """Actions the knowledge base declares in conflict are never recommended together."""
    kb = load_kb()
    conflicts = {(i.id, c) for i in kb.by_kind("action") for c in i.conflicts_with}
    for p in profiles:
        ids = {x.id for x in assess(p).actions}
        assert not [(a, b) for a, b in conflicts if a in ids and b in ids]


def test_assess_data_refuses_bad_input_by_field() -> None:
    """Bad plain data raises ProfileError naming each field at fault."""
    data = json.loads(preset("case-h").model_dump_json())
    data["funding"]["charity"] = 0.9
    data["human_resources"]["core_volunteers"] = 10_000
    data["colour"] = "blue"
    with pytest.raises(ProfileError) as err:
        assess_data(data)
    paths = {p.path for p in err.value.problems}
    assert {"funding", "human_resources.core_volunteers", "colour"} <= paths


def test_assess_data_accepts_a_valid_mapping() -> None:
    """assess_data on a preset's data equals assess on the preset."""
    data = json.loads(preset("case-y").model_dump_json())
    assert assess_data(data).model_dump_json() == assess(preset("case-y")).model_dump_json()


def test_unknown_preset_is_refused() -> None:
    """An unknown preset name is a ProfileError listing the known ones."""
    with pytest.raises(ProfileError, match="case-h"):
        preset("case-z")
    assert set(PRESETS) == {"case-h", "case-y"}


def test_development_mode_is_reported_and_inference_warned() -> None:
    """An empty development mode is inferred, reported, and warned about."""
    a = assess(preset("case-y"))
    assert a.development_mode is not None
    assert a.development_mode.value == "top_down" and a.development_mode.inferred
    assert "development_mode_inferred" in {w.code for w in a.warnings}


def test_a_third_party_mentioned_without_one_is_warned() -> None:
    """Third-party resources in a profile without a third party give a warning."""
    p = preset("case-h").model_copy(deep=True)
    p.third_party = None
    warning = next(w for w in assess(p).warnings if w.code == "third_party_missing")
    # a sentence with the fields' labels, no field path or "null" (issue 13)
    assert "third_party" not in warning.message.zh + warning.message.en
    assert "null" not in warning.message.en and "为空" not in warning.message.zh
    assert "“社会组织招募”" in warning.message.zh


def test_results_do_not_depend_on_what_was_assessed_before(profiles: list[Any]) -> None:
    """With the explanation caches cleared and the order reversed, every result is the same."""
    from advisor import fastpath, priority

    sample = profiles[:80]
    first = [assess(p).model_dump_json() for p in sample]
    fastpath.memo.clear()
    priority._cache.clear()
    again = [assess(p).model_dump_json() for p in reversed(sample)]
    assert list(reversed(again)) == first
