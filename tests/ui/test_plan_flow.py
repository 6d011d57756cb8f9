"""AppTest of the connected planning flow (issue 13): combine levers in one variant, save a variant
as a case, send it to Smallest change and Roadmap, and bring a smallest-change path back to
What-if as a variant. The real engine, the real case library (a file per test)."""

from __future__ import annotations

from collections.abc import Callable

from apptest_support import fk, texts
from streamlit.testing.v1 import AppTest

from advisor.pipeline import assess, preset
from advisor.store import CaseStore
from advisor.trainer.roadmap import build_roadmap
from advisor.whatif import LEVERS, apply_lever, fields_changed


def whatif_with_case_y(make_app: Callable[..., AppTest], lang: str = "en") -> AppTest:
    at = make_app(lang)
    at.selectbox(key="start").set_value("case-y").run()
    next(b for b in at.button if b.label in ("Load", "载入")).click().run()
    at.switch_page("views/whatif.py").run()
    assert not at.exception, at.exception
    return at


def test_two_levers_combine_in_one_variant(make_app: Callable[..., AppTest]) -> None:
    """A second lever applied to a lever variant changes the same variant: its name joins both
    levers, and its changed fields are those of both levers applied in turn."""
    at = whatif_with_case_y(make_app)
    at.button(key="lever_government_enabler").click().run()
    at.selectbox(key=fk(at, "addlever_1_0")).set_value("formal_incentives").run()
    assert not at.exception, at.exception
    state = at.session_state["whatif"]
    assert len(state["variants"]) == 1
    assert state["variants"][0]["levers"] == ["government_enabler", "formal_incentives"]
    y = preset("case-y")
    both = apply_lever(apply_lever(y, "government_enabler"), "formal_incentives")
    assert state["variants"][0]["data"] == both.model_dump(mode="json")
    name = f"{LEVERS['government_enabler'].label.en} + {LEVERS['formal_incentives'].label.en}"
    shown = texts(at)
    assert f"Levers applied: {name}" in shown
    changed = {fc.path for fc in fields_changed(y, both)}
    assert "management.incentives" in changed and "government.role" in changed
    # the headline table names the variant after both levers (escaped for markdown)
    table = next(m.value for m in at.markdown if m.value.startswith("| Measure |"))
    assert "Government takes an auxiliary role" in table and " \\+ " in table


def test_a_variant_is_saved_as_a_new_case_of_the_library(
    make_app: Callable[..., AppTest],
) -> None:
    """Save as a new case: a new id each time, the name typed, the variant's values; the baseline
    case itself is not touched."""
    at = whatif_with_case_y(make_app)
    at.button(key="lever_bring_in_strong_agency").click().run()
    at.text_input(key=fk(at, "savename_1_0")).input("Y with an agency").run()
    at.button(key="plan_save_0").click().run()
    assert not at.exception, at.exception
    y = preset("case-y")
    store = CaseStore()
    rec = store.get(f"{y.id}-plan-1")
    assert rec.name == "Y with an agency"
    made = apply_lever(y, "bring_in_strong_agency")
    assert rec.profile.model_dump(exclude={"id", "name"}) == made.model_dump(exclude={"id", "name"})
    assert any("Saved as the new case" in s.value for s in at.success)
    at.button(key="plan_save_0").click().run()
    assert store.exists(f"{y.id}-plan-2")
    assert not store.exists(y.id)


def test_an_empty_name_is_refused_in_the_users_language(make_app: Callable[..., AppTest]) -> None:
    at = whatif_with_case_y(make_app, "zh")
    at.button(key="add_copy").click().run()
    at.text_input(key=fk(at, "savename_1_0")).input("  ").run()
    at.button(key="plan_save_0").click().run()
    assert not at.exception, at.exception
    assert any("请填写名称" in e.value for e in at.error)
    assert CaseStore().list() == []


def test_variant_to_smallest_change_and_a_path_back_to_whatif(
    make_app: Callable[..., AppTest],
) -> None:
    """A variant sent to Smallest change is the case searched from; a path found comes back to
    the same What-if comparison as a second variant (the baseline unchanged)."""
    at = whatif_with_case_y(make_app)
    at.button(key="lever_formal_incentives").click().run()
    baseline = at.session_state["whatif"]["baseline"]
    at.button(key="plan_small_0").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Smallest change"
    assert at.radio(key="small:source").value == "variant"
    assert "The What-if variant:" in " ".join(at.radio(key="small:source").options)
    # AppTest reruns the page it was last switched to: follow st.switch_page by hand
    at.switch_page("views/trainer_smallest_change.py")
    at.button(key="small:go").click().run()
    assert not at.exception, at.exception
    at.button(key="small:to_whatif:0").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "What-if comparison"
    at.switch_page("views/whatif.py")
    state = at.session_state["whatif"]
    assert state["baseline"] == baseline
    assert len(state["variants"]) == 2
    assert state["variants"][1]["label"]["en"].startswith("Smallest-change path 1")
    assert any("added to the What-if comparison" in s.value for s in at.success)
    # the path's result is the variant plus the path's changes: it differs from the first variant
    assert state["variants"][1]["data"] != state["variants"][0]["data"]


def test_variant_to_roadmap(make_app: Callable[..., AppTest]) -> None:
    """A variant sent to Roadmap is the case its plan is built for."""
    at = whatif_with_case_y(make_app, "zh")
    at.button(key="lever_government_enabler").click().run()
    at.button(key="plan_road_0").click().run()
    assert not at.exception, at.exception
    assert at.radio(key="road:source").value == "variant"
    made = apply_lever(preset("case-y"), "government_enabler")
    roadmap = build_roadmap(assess(made))
    shown = texts(at)
    for item in roadmap.items[:3]:
        assert item.label.zh.replace("-", "\\-") in shown or item.label.zh in shown


def test_roadmap_shows_the_social_organisation_without_one(
    make_app: Callable[..., AppTest],
) -> None:
    """A case with no third party still gets the social organisation's section, which says why
    it is empty and how to see its actions."""
    data = preset("case-y").model_dump(mode="json")
    data["third_party"] = None
    data["id"] = "no-agency"
    from advisor.io import profile_from_data

    CaseStore().save(profile_from_data(data))
    at = make_app("en", "views/trainer_roadmap.py")
    at.radio(key="road:source").set_value("saved").run()
    assert not at.exception, at.exception
    heads = [s.value for s in at.subheader]
    assert "Government" in heads
    third = [h for h in heads if h not in ("Government", "Volunteers", "Residents")]
    assert third, heads
    assert any("no social organisation yet" in i.value for i in at.info)


def test_whatif_shows_robustness_beside_each_conclusion(make_app: Callable[..., AppTest]) -> None:
    """Every diagnosis of the baseline carries its robustness badge, in the baseline's column and
    in an unchanged copy's column alike."""
    from advisor.robustness import analyse
    from ui.services import md_text

    at = whatif_with_case_y(make_app)
    at.button(key="add_copy").click().run()
    assert not at.exception, at.exception
    y = preset("case-y")
    a = assess(y)
    rob = {c.id: c for c in analyse(y, a).diagnoses}
    table = next(m.value for m in at.markdown if m.value.startswith("| | Baseline"))
    labels = {"robust": "robust", "fairly_robust": "fairly robust", "fragile": "fragile"}
    for d in a.diagnoses:
        row = next(x for x in table.splitlines() if x.startswith(f"| {md_text(d.label.en)} |"))
        badge = f"{labels[rob[d.id].label]} {round(rob[d.id].robustness * 100)}%"
        assert row.count(badge) == 2, (row, badge)


def test_sensitivity_names_the_choices_that_move_the_case_most(
    make_app: Callable[..., AppTest],
) -> None:
    """The parameter view lists our choices in the order advisor.robustness.review gives, by
    their names (no ids), with what changes at each end of the range and the reasoning."""
    from advisor.robustness import review
    from knowledge_base.loader import load_kb

    at = make_app("zh", "views/trainer_sensitivity.py")
    assert not at.exception, at.exception
    moving = [f for f in review([preset("case-y")]) if f.flips > 0][:8]
    table = at.table[-1].value
    assert list(table.iloc[:, 3]) == [f.flips_low for f in moving]
    assert list(table.iloc[:, 4]) == [f.flips_high for f in moving]
    kb = load_kb()
    assert table.iloc[0, 0].startswith(kb.get(moving[0].leaf.param).label.zh)
    shown = texts(at)
    assert "为什么取这个值" in shown and "为什么是这个范围" in shown
    for f in moving:
        assert f.leaf.name not in shown and f.leaf.param not in shown
    assert "funding.government_direct" not in shown  # the sweep's note names the field


def test_whatif_shows_the_basis_of_the_values_a_variant_replaces(
    make_app: Callable[..., AppTest],
) -> None:
    """Case Y records the basis of its inputs: a lever's variant says, for each field it changes,
    whether the baseline's value was a paper fact or our assumption (issue 11)."""
    from advisor.basis import basis_text
    from ui.services import md_text

    at = whatif_with_case_y(make_app, "zh")
    at.button(key="lever_government_enabler").click().run()
    assert not at.exception, at.exception
    y = preset("case-y", with_basis=True)
    assert y.basis
    made = apply_lever(y, "government_enabler")
    shown = texts(at)
    for fc in fields_changed(y, made):
        said = basis_text(y, fc.path).zh
        assert said.startswith(("论文事实", "假设", "事实")), said
        assert md_text(said) in shown, fc.path
