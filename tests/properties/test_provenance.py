"""Provenance, determinism and contract properties of every output.

Each test's docstring cites the passage it rests on (section, the Chinese original, our English).
A property that fails is a finding about the rule base or its parameters: it is reported, never
weakened to pass.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from paper_helpers import _nows, diagnosis_ids, kb_actions, paper_nows, rules_by_id, run
from strategies import profile_dicts


@given(profile_dicts())
def test_every_conclusion_rests_on_a_rule_and_a_verbatim_source(data: dict[str, Any]) -> None:
    """Every diagnosis and action of every output names at least one rule that concludes it and
    at least one source whose Chinese quote occurs verbatim in the paper (whitespace and page
    furniture removed).

    No passage: this is the project's fidelity rule (nothing is attributed to the paper that the
    paper does not contain), on which every other citation depends.
    """
    out = run(data)
    for item in [*out.diagnoses, *out.actions]:
        assert item.rules, f"{item.id} rests on no rule"
        for rid in item.rules:
            assert rid in rules_by_id(), f"{item.id}: unknown rule {rid}"
            assert rules_by_id()[rid].concludes == item.id, (item.id, rid)
        assert item.sources, f"{item.id} rests on no source"
        for src in item.sources:
            assert _nows(src.quote_zh) in paper_nows(), (item.id, src.quote_zh)


@given(profile_dicts())
def test_the_same_input_gives_the_same_bytes(data: dict[str, Any]) -> None:
    """Assessing the same profile twice, or the same data with its keys in another order, gives
    byte-identical JSON.

    No passage: reproducibility is what lets an official's decision be checked afterwards.
    """
    first = run(data).model_dump_json()
    assert run(data).model_dump_json() == first
    reordered = {k: data[k] for k in reversed(list(data))}
    assert run(reordered).model_dump_json() == first


@given(profile_dicts())
def test_output_follows_the_contract_and_the_knowledge_base(data: dict[str, Any]) -> None:
    """Ranks run 1..n without gaps in priority order; each action carries its knowledge-base
    actor, phase, stage and dimensions; every addressed diagnosis is one of the output's.

    No single passage: the section 6 framework's actors and phases as the knowledge base
    encodes them, and the contract's ranking rule.
    """
    out = run(data)
    assert [a.rank for a in out.actions] == list(range(1, len(out.actions) + 1))
    prios = [a.priority for a in out.actions]
    assert prios == sorted(prios, reverse=True)
    present = diagnosis_ids(out)
    for a in out.actions:
        item = kb_actions()[a.id]
        assert (a.actor, a.phase, a.stage) == (item.actor, item.phase, item.stage), a.id
        assert sorted(a.dimensions) == sorted(item.dimensions), a.id
        assert set(a.addresses) <= present, (a.id, a.addresses)
    assert len({a.id for a in out.actions}) == len(out.actions)
    assert len(present) == len(out.diagnoses)
