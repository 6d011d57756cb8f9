"""The basis of every input: paper facts and assumptions, in the JSON, Markdown, HTML and YAML."""

from __future__ import annotations

import json

import pytest
import yaml

from advisor.basis import (
    annotate,
    annotated_yaml,
    basis_text,
    conclusion_inputs,
    field_basis,
    inputs_of_key,
)
from advisor.io import profile_from_data
from advisor.models import Assessment, CaseProfile, FieldBasis
from advisor.pipeline import PRESETS, assess, preset, preset_basis
from advisor.report import basis_rows, render


@pytest.fixture(scope="module")
def case_y() -> CaseProfile:
    return preset("case-y", with_basis=True)


def test_presets_carry_the_basis_of_every_field_they_document() -> None:
    """A preset profile carries its file's basis, each entry bound to the preset's value."""
    for name in PRESETS:
        p = preset(name, with_basis=True)
        assert p.basis is not None
        assert set(p.basis) == set(preset_basis(name))
        assert all(b.value_recorded for k, b in p.basis.items() if k != "third_party")


def test_basis_text_tells_a_paper_fact_from_an_assumption(case_y: CaseProfile) -> None:
    """A fact names the section and quotes the paper; an assumption says 'assumed' and why."""
    fact = next(k for k, b in case_y.basis.items() if b.kind == "fact" and b.section == "4.2")
    text = basis_text(case_y, fact)
    assert text.zh.startswith("论文事实（第 4.2 节") and case_y.basis[fact].quote_zh in text.zh
    assert text.en.startswith("paper fact (4.2")
    guess = basis_text(case_y, "knowledge.training_sessions_per_year")
    assert guess.zh.startswith("假设：") and guess.en.startswith("assumed: ")


def test_a_changed_value_loses_its_basis(case_y: CaseProfile) -> None:
    """Once a value differs from the one its basis was written for, it is the user's value."""
    p = case_y.model_copy(deep=True)
    assert field_basis(p, "government.control") is not None
    p.government.control = 0
    assert field_basis(p, "government.control") is None
    assert basis_text(p, "government.control").zh == "未注明依据（用户填写）"


def test_a_group_entry_covers_its_fields() -> None:
    """An entry for a group (third_party) is the basis of each of its fields."""
    p = preset("case-h", with_basis=True)
    p.basis = {"third_party": FieldBasis(kind="assumption", reasoning={"zh": "甲", "en": "a"})}
    assert field_basis(p, "third_party.capacity") is p.basis["third_party"]


def test_derived_facts_map_to_the_fields_they_are_computed_from() -> None:
    """The asymmetry index rests on the dependence fields and government's reliance."""
    assert "government.reliance_on_force" in inputs_of_key("asymmetry.index")
    assert "funding.government_direct" in inputs_of_key("asymmetry.index")
    assert inputs_of_key("agenda.set_by") == ("agenda.set_by",)
    assert inputs_of_key("no.such.key") == ()


def test_actions_inherit_the_inputs_of_the_diagnoses_they_match(case_y: CaseProfile) -> None:
    """An action resting on a diagnosis rests on that diagnosis's inputs."""
    a = assess(case_y)
    ins = conclusion_inputs(a)
    for act in a.actions:
        for step in act.trace:
            for key in step.matched:
                if key.startswith("diagnosis:") and key[10:] in ins:
                    assert set(ins[key[10:]]) <= set(ins[act.id])


def test_assessment_marks_assumed_inputs_and_only_assumed_conclusions(
    case_y: CaseProfile,
) -> None:
    """Each conclusion lists its assumed inputs; 'only' holds when all its inputs are assumed."""
    a = assess(case_y)
    ins = conclusion_inputs(a)
    assert a.basis and set(a.basis) <= set(case_y.basis)
    marked = 0
    for item in [*a.diagnoses, *a.actions]:
        kinds = [case_y.basis and field_basis(case_y, p) for p in ins[item.id]]
        assumed = [
            p for p, b in zip(ins[item.id], kinds, strict=True) if b and b.kind == "assumption"
        ]
        assert item.assumed_inputs == assumed
        assert item.only_assumed_inputs == (bool(assumed) and len(assumed) == len(ins[item.id]))
        marked += item.only_assumed_inputs
    assert marked >= 1


def test_a_profile_without_basis_is_assessed_as_before(case_y: CaseProfile) -> None:
    """No basis: the new fields keep their defaults, and annotate changes nothing."""
    p = case_y.model_copy(update={"basis": None})
    a = assess(p)
    assert a.basis == {}
    assert all(not d.assumed_inputs and not d.only_assumed_inputs for d in a.diagnoses)
    assert annotate(a, p) is a
    assert basis_rows(p, "zh") == []


def test_old_assessment_json_without_the_new_fields_stays_valid(case_y: CaseProfile) -> None:
    """JSON written before the basis fields existed still validates."""
    data = json.loads(assess(case_y).model_dump_json())
    data.pop("basis")
    for item in [*data["diagnoses"], *data["actions"]]:
        item.pop("assumed_inputs")
        item.pop("only_assumed_inputs")
    Assessment.model_validate(data)


def test_a_user_profile_may_carry_a_basis_and_bad_entries_are_refused(case_y: CaseProfile) -> None:
    """A basis in a user's profile is validated: a fact needs a quote, an assumption reasons."""
    data = case_y.model_dump(mode="json", exclude={"basis"})
    data["basis"] = {
        "government.control": {"kind": "fact", "source": "2024 年入户调查", "quote_zh": "干预多"}
    }
    p = profile_from_data(data)
    assert basis_text(p, "government.control").zh == "事实（2024 年入户调查：「干预多」）"
    data["basis"] = {"government.control": {"kind": "assumption"}}
    with pytest.raises(Exception, match="basis"):
        profile_from_data(data)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_reports_show_the_basis_of_each_value_and_flag_assumed_conclusions(
    case_y: CaseProfile, fmt: str, lang: str
) -> None:
    """The report counts facts and assumptions, lists each value's basis and flags conclusions."""
    a = assess(case_y)
    text = render(a, case_y, fmt, lang)
    table = {"zh": "本案例各项取值的依据", "en": "The basis of each value in this profile"}[lang]
    only = {
        "zh": "本项所依据的案例信息全部是本工具的假设",
        "en": "every input this rests on is an assumption",
    }
    assert table in text
    assert only[lang] in text
    assert text.count(only[lang]) == sum(i.only_assumed_inputs for i in [*a.diagnoses, *a.actions])
    quote = case_y.basis["human_resources.core_volunteers"].quote_zh
    assert quote in text
    reasoning = case_y.basis["knowledge.training_sessions_per_year"].reasoning.get(lang)
    assert (
        reasoning.replace("'", "&#39;").replace('"', "&#34;") if fmt == "html" else reasoning
    ) in text


def test_the_only_assumed_note_is_the_first_line_of_its_conclusion(case_y: CaseProfile) -> None:
    """In Markdown, a conclusion resting only on assumptions opens with the note."""
    a = assess(case_y)
    text = render(a, case_y, "md", "zh")
    d = next(d for d in a.diagnoses if d.only_assumed_inputs)
    after = text.split(f"{d.label.zh}——严重程度", 1)[1].split("\n\n", 2)[1]
    assert after.startswith("**注意：本项所依据的案例信息全部是本工具的假设")


def test_json_report_carries_the_basis(case_y: CaseProfile) -> None:
    """The contract JSON has the applying basis and each conclusion's assumed inputs."""
    data = json.loads(render(assess(case_y), case_y, "json", "zh"))
    assert data["basis"]["knowledge.training_sessions_per_year"]["kind"] == "assumption"
    assert any(d["only_assumed_inputs"] for d in data["diagnoses"])


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_show_is_a_valid_profile_with_comments_that_round_trips(name: str) -> None:
    """`presets --show` YAML has a comment per basis, and loads back to the same profile."""
    p = preset(name, with_basis=True)
    text = annotated_yaml(p, "zh")
    assert text.count("# 论文事实") >= 5 and text.count("# 假设：") >= 5
    back = profile_from_data(yaml.safe_load(text))
    assert back == p
    en = annotated_yaml(p, "en")
    assert "# paper fact (" in en and "# assumed: " in en


def test_the_basis_is_written_with_the_profile_but_not_among_its_values(
    case_y: CaseProfile,
) -> None:
    """profile_to_json/yaml keep the basis; model_dump (the values) leaves it out."""
    from advisor.io import profile_to_json, profile_to_yaml

    assert "basis" not in case_y.model_dump()
    for text in (profile_to_json(case_y), profile_to_yaml(case_y)):
        back = profile_from_data(yaml.safe_load(text))
        assert back.basis == case_y.basis


def test_whatif_shows_what_a_changed_value_rested_on(case_y: CaseProfile) -> None:
    """With the baseline's basis, the what-if table says what each changed value rested on."""
    from advisor.report import render_comparison
    from advisor.whatif import apply_lever, compare

    variant = apply_lever(case_y, "government_enabler")
    comparison = compare(case_y, [variant])
    with_basis = render_comparison(comparison, "md", "zh", baseline=case_y)
    assert "原值的依据" in with_basis
    assert basis_text(case_y, "government.role").zh in with_basis
    assert "原值的依据" not in render_comparison(comparison, "md", "zh")
