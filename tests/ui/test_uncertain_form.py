"""The Assess form with unknowns, ranges, percentages and basis marks (issues 11, 12, 13).

AppTest drives the real page: case Y is loaded, fields are marked 不清楚 or given a range, and the
assessment shown must be ``advisor.uncertain_assess.assess_profile`` of the version 2 profile the
form makes; a language switch must change nothing. The draft's conversions are checked directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from apptest_support import fk, texts
from streamlit.testing.v1 import AppTest

from advisor import robustness
from advisor.pipeline import preset
from advisor.uncertain import read_profile
from advisor.uncertain_assess import assess_profile
from ui import profile_form
from ui.services import profile_data

# ---------------------------------------------------------------------------- the draft


def test_a_preset_with_its_basis_round_trips_through_the_draft() -> None:
    for name in ("case-h", "case-y"):
        data = profile_data(preset(name, with_basis=True))
        assert data["basis"], name
        assert profile_form.data_from_draft(profile_form.draft_from_data(data)) == data


def test_unknowns_ranges_and_sets_make_a_version_2_profile_and_come_back() -> None:
    draft = profile_form.draft_from_data(profile_data(preset("case-y", with_basis=True)))
    draft["management.incentives.__mode__"] = "unknown"
    draft["funding.charity.__mode__"] = "range"
    draft["funding.charity.__range__"] = [0.0, 0.2]
    draft["coproduction.planning.__mode__"] = "range"
    draft["coproduction.planning.__range__"] = [1, 2]
    draft["human_resources.volunteers.__mode__"] = "range"
    draft["human_resources.volunteers.__range__"] = [50, 200]
    data = profile_form.data_from_draft(draft)
    assert data["schema_version"] == 2
    assert data["management"]["incentives"] is None
    assert data["funding"]["charity"] == {"low": 0.0, "high": 0.2}
    assert data["coproduction"]["planning"] == [1, 2]
    assert data["human_resources"]["volunteers"] == {"low": 50, "high": 200}
    up = read_profile(data)
    assert set(up.uncertain) == {
        "management.incentives",
        "funding.charity",
        "coproduction.planning",
        "human_resources.volunteers",
    }
    again = profile_form.draft_from_data(data)
    assert profile_form.data_from_draft(again) == data
    # the exact value stays in the draft: back to "value" gives the version 1 profile again
    for path in ("management.incentives", "funding.charity", "coproduction.planning"):
        draft[f"{path}.__mode__"] = "value"
    draft["human_resources.volunteers.__mode__"] = "value"
    assert profile_form.data_from_draft(draft) == profile_data(preset("case-y", with_basis=True))


def test_an_empty_choice_is_not_taken_for_unknown() -> None:
    """A choice nobody made is missing, not 不清楚: only an explicit mark makes it unknown."""
    draft = profile_form.draft_from_data(profile_data(preset("case-y")))
    draft["funding.charity.__mode__"] = "range"
    draft["funding.charity.__range__"] = [0.0, 0.1]
    draft["management.incentives"] = None
    assert profile_form.missing_choices(draft) == ["management.incentives"]
    draft["management.incentives.__mode__"] = "unknown"
    assert profile_form.missing_choices(draft) == []


def test_percentages_convert_exactly() -> None:
    """Every percentage to a tenth converts to the share with the same digits and back."""
    for tenths in range(0, 1001):
        percent = tenths / 10
        share = profile_form.percent_to_share(percent)
        assert share is not None
        assert repr(share) == repr(float(f"{percent / 100:.4f}"))  # no 0.35000000000000003
        assert profile_form.share_to_percent(share) == percent
    assert profile_form.percent_to_share(35.0) == 0.35
    assert profile_form.percent_to_share(33.3) == 0.333  # 33.3 / 100 is 0.33299999999999996


# ---------------------------------------------------------------------------- the page


def _badges(at: AppTest) -> list[str]:
    """The badges on the page (st.badge is a markdown element ``:colour-badge[...]``)."""
    return [str(m.value) for m in at.markdown if "-badge[" in str(m.value)]


def _press(at: AppTest, label: str) -> None:
    at.button[[b.label for b in at.button].index(label)].click().run()
    assert not at.exception, at.exception


def _load_y(make_app: Callable[..., AppTest], lang: str = "zh") -> AppTest:
    at = make_app(lang)
    at.selectbox(key="start").set_value("case-y").run()
    _press(at, "载入" if lang == "zh" else "Load")
    return at


def _mode(at: AppTest, path: str, mode: str) -> None:
    at.button_group(key=fk(at, f"{path}.__mode__")).set_value(mode).run()
    assert not at.exception, at.exception


def _make_uncertain(at: AppTest) -> None:
    at.toggle(key=fk(at, "__uncertain_ui__")).set_value(True).run()
    _mode(at, "management.incentives", "unknown")
    _mode(at, "funding.charity", "range")
    at.number_input(key=fk(at, "funding.charity.__range__.high")).set_value(20.0).run()
    _mode(at, "coproduction.planning", "range")
    at.multiselect(key=fk(at, "coproduction.planning.__range__")).set_value([1, 2]).run()
    assert not at.exception, at.exception


def test_unknown_and_ranged_fields_are_assessed_as_version_2(
    make_app: Callable[..., AppTest],
) -> None:
    at = _load_y(make_app)
    _make_uncertain(at)
    data = profile_form.data_from_draft(at.session_state["draft"])
    assert data["funding"]["charity"] == {"low": 0.03, "high": 0.2}  # typed 20 (%), kept 0.2
    _press(at, "评估")
    expected = assess_profile(read_profile(data))
    shown = at.session_state["result"].assessment
    assert shown.model_dump(mode="json") == expected.model_dump(mode="json")
    assert shown.undecided and shown.ask_next
    page = texts(at)
    assert "最值得先弄清的三项信息" in page
    assert "无法确定的结论（3）" in page
    md = "\n".join(m.value for m in at.markdown)
    # plain words: the field labels, not paths
    assert "慈善与企业捐助" in md and "funding.charity" not in md
    for u in shown.undecided:
        assert u.label.zh.replace("-", "\\-") in md


def test_a_language_switch_changes_no_unknown_or_range(make_app: Callable[..., AppTest]) -> None:
    at = _load_y(make_app)
    _make_uncertain(at)
    _press(at, "评估")
    before_draft = dict(at.session_state["draft"])
    before = at.session_state["result"].assessment.model_dump_json()
    for lang, assess in (("en", "Assess"), ("zh", "评估")):
        at.sidebar.radio(key="lang_choice").set_value(lang).run()
        assert at.session_state["draft"] == before_draft
        _press(at, assess)
        assert at.session_state["result"].assessment.model_dump_json() == before
    # the widgets come back from the draft in the new generation
    assert at.multiselect(key=fk(at, "coproduction.planning.__range__")).value == [1, 2]
    assert at.number_input(key=fk(at, "funding.charity.__range__.high")).value == 20.0


def test_a_missing_choice_is_reported_not_guessed(make_app: Callable[..., AppTest]) -> None:
    at = make_app("en")
    at.toggle(key=fk(at, "__uncertain_ui__")).set_value(True).run()
    _mode(at, "funding.charity", "unknown")
    _press(at, "Assess")
    assert at.session_state.get("result") is None
    problems = at.session_state["problems"]
    assert "management.incentives" in problems
    assert any("not known" in m for m in problems["management.incentives"])


def test_shares_are_typed_as_percentages(make_app: Callable[..., AppTest]) -> None:
    at = _load_y(make_app, "en")
    box = at.number_input(key=fk(at, "funding.charity"))
    assert box.label.endswith("(%)")
    assert box.value == pytest.approx(3.0)
    box.set_value(35.0).run()
    assert at.session_state["draft"]["funding.charity"] == 0.35
    data = profile_form.data_from_draft(at.session_state["draft"])
    assert json.dumps(data["funding"]["charity"]) == "0.35"


def test_basis_marks_beside_the_fields_and_an_edited_field_loses_its_mark(
    make_app: Callable[..., AppTest],
) -> None:
    at = _load_y(make_app, "zh")
    badges = _badges(at)
    assert any("论文事实" in b for b in badges) and any("假设" in b for b in badges)
    assert not any("您的值" in b for b in badges)
    legend = [c.value for c in at.caption if "论文事实" in str(c.value)]
    assert legend
    at.number_input(key=fk(at, "human_resources.volunteers")).set_value(81).run()
    badges = _badges(at)
    assert sum("您的值" in b for b in badges) == 1


def test_robustness_badges_are_computed_once_per_profile(
    make_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    real = robustness.analyse

    def counting(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(robustness, "analyse", counting)
    at = _load_y(make_app, "en")
    _press(at, "Assess")
    assert len(calls) == 1
    labels = [b for b in _badges(at) if "robust" in b or "fragile" in b]
    res = at.session_state["result"]
    assert len(labels) == len(res.assessment.diagnoses) + len(res.assessment.actions)
    at.sidebar.radio(key="lang_choice").set_value("zh").run()
    _press(at, "评估")
    assert len(calls) == 1  # same profile, same seed: from the cache
    assert any("稳健" in b or "脆弱" in b for b in _badges(at))


def test_a_draft_with_unknowns_is_not_offered_for_saving(make_app: Callable[..., AppTest]) -> None:
    """The library keeps complete profiles: the Cases page says why it cannot save this one."""
    at = _load_y(make_app, "zh")
    at.toggle(key=fk(at, "__uncertain_ui__")).set_value(True).run()
    _mode(at, "management.incentives", "unknown")
    at.switch_page("views/cases.py")
    at.run()
    assert not at.exception, at.exception
    assert any("案例库只保存完整的档案" in i.value for i in at.info)
    assert "save_draft" not in [b.key for b in at.button]
    at.switch_page("views/assess.py")
    at.run()
    _press(at, "保存到案例库")
    assert any("案例库只保存完整的档案" in w.value for w in at.warning)


def test_a_low_above_the_high_is_reported_not_swapped(make_app: Callable[..., AppTest]) -> None:
    at = _load_y(make_app, "en")
    at.toggle(key=fk(at, "__uncertain_ui__")).set_value(True).run()
    _mode(at, "funding.charity", "range")
    at.number_input(key=fk(at, "funding.charity.__range__.low")).set_value(20.0).run()
    assert at.session_state["draft"]["funding.charity.__range__"] == [0.2, 0.03]
    _press(at, "Assess")
    assert at.session_state.get("result") is None
    assert "funding.charity" in at.session_state["problems"]
