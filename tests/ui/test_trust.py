"""AppTest of what makes the UI trustworthy: fixed problems go away, no traceback or server path
is shown, an empty new name is refused with a field message, the draft survives the language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from apptest_support import fk, texts
from sample_profiles import profile_data
from streamlit.testing.v1 import AppTest

from advisor.models import CaseProfile
from advisor.store import CaseStore, default_path

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
TIMEOUT = 60


def test_a_fixed_field_loses_its_message_at_once(make_app: Callable[..., AppTest]) -> None:
    """'must not be empty' under the name goes as soon as a name is typed, before Assess."""
    at = make_app("en")
    at.selectbox(key="start").set_value("case-y").run()
    at.button[0].click().run()  # Load
    at.text_input(key=fk(at, "name")).input("").run()
    next(b for b in at.button if b.label == "Assess").click().run()
    assert any("problem" in e.label for e in at.expander)
    at.text_input(key=fk(at, "name")).input("Y again").run()
    assert not any("problem" in e.label for e in at.expander), [e.label for e in at.expander]
    assert not at.error, [e.value for e in at.error]


def test_switching_language_keeps_every_value_of_the_draft(
    make_app: Callable[..., AppTest],
) -> None:
    """Case Y loaded in Chinese, switched to English and back: the draft is case Y's (with the
    basis of its values, which the form marks beside the fields)."""
    from advisor.pipeline import preset
    from ui.profile_form import draft_from_data
    from ui.services import profile_data

    at = make_app("zh")
    at.selectbox(key="start").set_value("case-y").run()
    at.button[0].click().run()
    expected = draft_from_data(profile_data(preset("case-y", with_basis=True)))
    for lang in ("en", "zh", "en"):
        at.sidebar.radio(key="lang_choice").set_value(lang).run()
        assert not at.exception
        assert at.session_state["draft"] == expected


def test_renaming_to_an_empty_name_gives_a_field_message(
    make_app: Callable[..., AppTest],
) -> None:
    """An empty new name is refused in the user's language, not as an import error."""
    store = CaseStore()
    store.save(CaseProfile.model_validate(profile_data("lib-1", "Library case")))
    at = make_app("zh", "views/cases.py")
    next(x for x in at.text_input if x.label == "新名称").input("   ")
    next(b for b in at.button if b.label == "重命名").click().run()
    assert any("新名称不能为空" in e.value for e in at.error)
    assert store.get("lib-1").name == "Library case"
    assert "import" not in texts(at).lower()


def test_the_cases_page_does_not_show_the_database_path(
    make_app: Callable[..., AppTest],
) -> None:
    at = make_app("en", "views/cases.py")
    assert str(default_path()) not in texts(at)
    assert "sqlite" not in texts(at)


def test_an_unexpected_error_shows_a_reference_not_a_traceback(
    make_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure inside a page is logged; the visitor sees a plain message with a reference."""
    import advisor.pipeline

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("secret detail /srv/advisor/cases.sqlite3")

    at = make_app("en")
    at.selectbox(key="start").set_value("case-y").run()
    at.button[0].click().run()
    monkeypatch.setattr(advisor.pipeline, "assess", broken)
    next(b for b in at.button if b.label == "Assess").click().run()
    assert not at.exception
    shown = texts(at)
    assert "secret detail" not in shown and "cases.sqlite3" not in shown
    [message] = [e.value for e in at.error if "error number" in e.value]
    assert "Something went wrong" in message


def test_a_reload_offers_to_restore_the_unsaved_form(make_app: Callable[..., AppTest]) -> None:
    """A new session with the same address (a reload) finds the form and restores it on request."""
    first = make_app("en")
    first.selectbox(key="start").set_value("case-y").run()
    first.button[0].click().run()
    first.text_input(key=fk(first, "region")).input("North bank").run()
    token = first.session_state["draft_token"]
    kept = first.session_state["draft"]

    again = AppTest.from_file(APP, default_timeout=TIMEOUT)
    again.session_state["lang"] = "zh"
    again.query_params["draft"] = token
    again.run()
    assert any("未保存的案例资料" in i.value and "北京时间" in i.value for i in again.info)
    # nothing is written over the kept form while the offer stands
    again.text_input(key=fk(again, "region")).input("South bank").run()
    again.button(key="kept_restore").click().run()
    assert not again.exception
    assert again.session_state["draft"] == kept
    assert again.text_input(key=fk(again, "region")).value == "North bank"
    assert not any("未保存的案例资料" in i.value for i in again.info)

    # a session that declines starts from its own form, and the offer does not come back
    third = AppTest.from_file(APP, default_timeout=TIMEOUT)
    third.session_state["lang"] = "en"
    third.query_params["draft"] = token
    third.run()
    third.button(key="kept_discard").click().run()
    assert not any("unsaved profile" in i.value for i in third.info)


def test_beijing_time() -> None:
    from ui.services import beijing_time

    assert beijing_time("2026-11-30T16:30:00+00:00") == "2026-12-01 00:30"
    assert beijing_time("2026-11-30T16:30:00") == "2026-12-01 00:30"


def test_identical_history_rows_are_collapsed(make_app: Callable[..., AppTest]) -> None:
    """Three assessments of an unchanged case are one history row counted three times."""
    from advisor.pipeline import assess, preset

    store = CaseStore()
    case = preset("case-y")
    store.save(case)
    for _ in range(3):
        store.record_assessment(case.id, assess(case))
    at = make_app("en", "views/cases.py")
    table = at.dataframe[-1].value
    assert len(table) == 1
    assert table["Times with the same result"].tolist() == [3]
    assert "(UTC)" not in " ".join(table.columns)


def test_rule_ids_only_behind_the_technical_toggle(make_app: Callable[..., AppTest]) -> None:
    """Officials read reasons in words; rule ids and field values appear only for analysts."""
    from advisor.pipeline import assess, preset

    expected = assess(preset("case-y"))
    rule = expected.actions[0].rules[0]
    at = make_app("zh")
    at.selectbox(key="start").set_value("case-y").run()
    at.button[0].click().run()
    next(b for b in at.button if b.label == "评估").click().run()
    assert rule not in texts(at)
    at.sidebar.toggle(key="show_technical").set_value(True).run()
    assert rule in texts(at)


def test_a_chinese_case_number_is_kept_and_an_id_made(make_app: Callable[..., AppTest]) -> None:
    """档案编号 “街道2024-17号” is accepted: a stable id is made, the number stays in the name."""
    at = make_app("zh")
    at.selectbox(key="start").set_value("case-y").run()
    at.button[0].click().run()
    at.text_input(key=fk(at, "id")).input("街道2024-17号").run()
    assert any("街道2024" in c.value and "2024-17-" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "保存到案例库").click().run()
    assert not at.exception
    [case] = CaseStore().list()
    assert case.id.startswith("2024-17-")
    assert case.name.endswith("（街道2024-17号）")


def test_knowledge_base_is_paged_and_searches_several_words(
    make_app: Callable[..., AppTest],
) -> None:
    """The page shows a few paragraphs at a time; every search word must occur, and is bold."""
    from knowledge_base.passages import load_paper

    at = make_app("zh", "views/knowledge.py")
    total = len(load_paper().paragraphs)
    assert len([m for m in at.markdown if m.value.startswith("**第 ")]) <= 8 < total
    assert any(s.label == "页码" for s in at.selectbox)
    at.text_input(key="kb_query").input("社工 志愿者").run()
    both = [p for p in load_paper().paragraphs if "社工" in p.text and "志愿者" in p.text]
    assert both
    shown = "\n".join(m.value for m in at.markdown)
    assert "**社工**" in shown and "**志愿者**" in shown
    one = at.caption[[c.value.startswith("共 ") for c in at.caption].index(True)].value
    n = int(one.split()[1])
    at.text_input(key="kb_query").input("社工").run()
    wider = at.caption[[c.value.startswith("共 ") for c in at.caption].index(True)].value
    assert int(wider.split()[1]) >= n


def test_whatif_shows_no_arrow_for_no_change(make_app: Callable[..., AppTest]) -> None:
    """An unchanged copy of the baseline: no arrow and no colour anywhere in the comparison."""
    at = make_app("en")
    at.selectbox(key="start").set_value("case-y").run()
    at.button[0].click().run()
    at.switch_page("views/whatif.py").run()
    at.button(key="add_copy").click().run()
    assert not at.exception
    table = next(m.value for m in at.markdown if m.value.startswith("| Measure |"))
    assert "Asymmetry index" in table and "Co-production score" in table
    for mark in ("↑", "↓", ":red[", ":green["):
        assert mark not in table, table
    assert not any(m.value.startswith("**Actions re-ranked") for m in at.markdown)


def test_a_formula_in_a_case_name_is_offered_as_text_in_the_table(
    make_app: Callable[..., AppTest],
) -> None:
    """Streamlit offers every table as "Download as CSV": a case named like a spreadsheet formula
    is shown (and so downloaded) with a leading apostrophe; the stored name is unchanged."""
    from advisor.pipeline import preset

    name = '=HYPERLINK("http://evil.example/x","click")'
    case = preset("case-y").model_copy(update={"name": name})
    store = CaseStore()
    store.save(case)
    at = make_app("en", "views/cases.py")
    table = at.dataframe[0].value
    assert table.iloc[0, 0] == "'" + name
    assert store.get(case.id).profile.name == name
