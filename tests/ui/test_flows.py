"""AppTest of the flows through the engine: assess a preset, read results, what-if, reports."""

from __future__ import annotations

from collections.abc import Callable

from apptest_support import fk
from streamlit.testing.v1 import AppTest

from advisor.pipeline import assess, preset
from advisor.report import label
from advisor.store import CaseStore


def load_and_assess(at: AppTest, start: str = "case-h") -> AppTest:
    """Load a start point into the form and press Assess."""
    at.selectbox(key="start").set_value(start).run()
    next(b for b in at.button if b.label in ("Load", "载入")).click().run()
    next(b for b in at.button if b.label in ("Assess", "评估")).click().run()
    assert not at.exception, at.exception
    return at


def test_assessing_case_h_shows_the_top_action_and_the_framework(
    make_app: Callable[..., AppTest],
) -> None:
    """Case H gives the engine's top action, its asymmetry level, the chart and action cards."""
    expected = assess(preset("case-h"))
    top = min(expected.actions, key=lambda a: a.rank)
    at = load_and_assess(make_app("en"))
    assert at.success[0].value.startswith(f"Top action: {top.label.en}")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Asymmetry level"] == label("level", expected.asymmetry.level, "en")
    assert metrics["Asymmetry index"] == f"{expected.asymmetry.index:+.2f}"
    md = "\n".join(m.value for m in at.markdown)
    for action in expected.actions:
        assert f"#{action.rank} · " in md
    assert len(at.get("vega_lite_chart")) == 1
    # grouping by actor shows the actors as headings
    at.segmented_control(key="results_group").set_value("actor").run()
    md = "\n".join(m.value for m in at.markdown)
    assert "#### Government" in md


def test_assessment_of_a_saved_case_is_recorded_in_its_history(
    make_app: Callable[..., AppTest],
) -> None:
    """Assessing a case opened from the library adds an entry to its history."""
    store = CaseStore()
    store.save(preset("case-y"))
    at = load_and_assess(make_app("zh"), "saved:" + preset("case-y").id)
    assert at.success[0].value.startswith("首要行动：")
    [entry] = store.history(preset("case-y").id)
    assert (
        entry.summary["actions"][0]
        == min(assess(preset("case-y")).actions, key=lambda a: a.rank).id
    )


def test_whatif_lever_and_field_change_update_the_diff(make_app: Callable[..., AppTest]) -> None:
    """A lever variant shows its changed fields and deltas; changing a field changes the diff."""
    at = load_and_assess(make_app("en"))
    at.switch_page("views/whatif.py").run()
    assert not at.exception
    at.button(key="lever_government_enabler").click().run()
    assert not at.exception, at.exception
    md = "\n".join(m.value for m in at.markdown)
    shown = "\n".join([md, *(c.value for c in at.caption)])
    assert any(
        x in shown
        for x in ("Actions added", "Actions re-ranked", "Actions dropped", "did not change")
    )
    assert "**Changed:**" in md
    before = md
    # change a field of the variant: the list of changed fields grows
    at.selectbox(key=fk(at, "field_1_0")).set_value("management.incentives").run()
    at.selectbox(key=fk(at, "val_1_0_management.incentives")).set_value("formal").run()
    assert not at.exception, at.exception
    after = "\n".join(m.value for m in at.markdown)
    assert after != before
    assert "formal" in after.lower()


def test_reports_page_offers_three_downloads(make_app: Callable[..., AppTest]) -> None:
    """After an assessment the Reports page renders without error and previews the report."""
    at = load_and_assess(make_app("en"))
    at.switch_page("views/reports.py").run()
    assert not at.exception, at.exception
    assert not at.info
    assert any("Case:" in m.value for m in at.markdown)
    assert len(at.get("download_button")) == 3


def test_history_over_time_is_charted_after_two_assessments(
    make_app: Callable[..., AppTest],
) -> None:
    """Two assessments of a saved case give two history rows and a chart on the Cases page."""
    store = CaseStore()
    store.save(preset("case-h"))
    at = load_and_assess(make_app("en"), "saved:" + preset("case-h").id)
    next(b for b in at.button if b.label == "Assess").click().run()
    assert len(store.history(preset("case-h").id)) == 2
    at.switch_page("views/cases.py").run()
    assert not at.exception, at.exception
    assert any(m.value == "**Assessment history (2)**" for m in at.markdown)
    assert len(at.get("vega_lite_chart")) == 1


def test_an_invalid_variant_is_named_and_left_out(make_app: Callable[..., AppTest]) -> None:
    """Breaking a variant's funding shares shows the reason and compares nothing for it."""
    at = load_and_assess(make_app("en"))
    at.switch_page("views/whatif.py").run()
    at.button(key="add_copy").click().run()
    at.selectbox(key=fk(at, "field_1_0")).set_value("funding.charity").run()
    at.number_input(key=fk(at, "val_1_0_funding.charity")).set_value(90.0).run()  # in %
    assert not at.exception, at.exception
    errors = "\n".join(e.value for e in at.error)
    assert "left out of the comparison" in errors
    # said with the field's name and in %, as the shares are entered (no path, no 1.85)
    shown = errors.replace("\\", "")  # as markdown shows it
    assert "Funding: the shares add up to 185%; they must add up to 100%." in shown
    assert "funding" not in errors
