"""AppTest wiring of every page: rendering in both languages, validation, the case library."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from apptest_support import fk, texts
from sample_profiles import profile_data
from streamlit.testing.v1 import AppTest

from advisor.models import CaseProfile
from advisor.store import CaseStore

PAGES = [
    ("views/assess.py", "Assess a volunteer force", "评估一个志愿服务力量"),
    ("views/whatif.py", "What-if comparison", "情景比较"),
    ("views/cases.py", "Case library", "案例库"),
    ("views/knowledge.py", "Knowledge base: the paper, passage by passage", "知识库：逐段阅读论文"),
    ("views/reports.py", "Reports", "报告"),
]


@pytest.mark.parametrize(("page", "en", "zh"), PAGES)
def test_every_page_renders_in_both_languages(
    make_app: Callable[..., AppTest], page: str, en: str, zh: str
) -> None:
    """Each page runs without an exception and shows its title in the chosen language."""
    at = make_app("en", page)
    assert at.title[0].value == en
    at = make_app("zh", page)
    assert at.title[0].value == zh


def test_switching_language_in_the_sidebar(make_app: Callable[..., AppTest]) -> None:
    """The sidebar switch turns the page Chinese and back."""
    at = make_app("en")
    assert at.title[0].value == "Assess a volunteer force"
    at.sidebar.radio(key="lang_choice").set_value("zh").run()
    assert at.title[0].value == "评估一个志愿服务力量"
    assert "从哪里开始" in [s.label for s in at.selectbox]
    at.sidebar.radio(key="lang_choice").set_value("en").run()
    assert at.title[0].value == "Assess a volunteer force"


def test_blank_profile_shows_problems_next_to_fields_and_keeps_input(
    make_app: Callable[..., AppTest],
) -> None:
    """Assessing a blank profile lists problems by field and keeps what was typed."""
    at = make_app("en")
    at.text_input(key=fk(at, "name")).input("Riverside volunteers")
    at.text_input(key=fk(at, "id")).input("Bad Id!")
    at.button[1].click().run()  # Assess
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("problems" in e and "Nothing you entered was lost" in e for e in errors)
    assert any("required field is missing" in e for e in errors)
    # shares are entered in %, and so is what is said about their sum
    assert any("the shares add up to 0%; they must add up to 100%" in e for e in errors)
    # a case number that is not an id is not refused: an id is made from it and shown
    assert not any("a\\-z" in e for e in errors)
    assert any("bad-id-" in c.value and "Bad Id" in c.value for c in at.caption)
    assert at.text_input(key=fk(at, "name")).value == "Riverside volunteers"
    assert at.text_input(key=fk(at, "id")).value == "Bad Id!"
    # the sections holding problems say so in their titles
    assert any("problems" in e.label for e in at.expander)


def test_problems_are_shown_in_chinese_on_the_chinese_form(
    make_app: Callable[..., AppTest],
) -> None:
    """In Chinese the field problems are Chinese too, not the English messages."""
    at = make_app("zh")
    at.text_input(key=fk(at, "name")).input("河畔志愿者")
    at.button[1].click().run()  # 评估
    assert not at.exception
    errors = "\n".join(e.value for e in at.error)
    assert "缺少必填字段" in errors or "各项比例之和为" in errors
    assert "资金来源：目前合计 0%，应为 100%。" in errors
    assert "required field is missing" not in errors
    assert "shares sum to" not in errors


def test_saved_case_can_be_loaded_into_the_form(make_app: Callable[..., AppTest]) -> None:
    """A case saved in the library appears under 'Start from' and loads into the form."""
    CaseStore().save(CaseProfile.model_validate(profile_data("lib-1", "Library case")))
    at = make_app("en")
    at.selectbox(key="start").set_value("saved:lib-1").run()
    at.button[0].click().run()  # Load
    assert not at.exception
    assert at.text_input(key=fk(at, "name")).value == "Library case"
    assert at.number_input(key=fk(at, "human_resources.volunteers")).value == 10
    assert "Editing the saved case lib-1 (version 1)" in texts(at)


def test_saving_the_form_and_a_stale_save_is_refused(make_app: Callable[..., AppTest]) -> None:
    """Saving a loaded case bumps its version; after another session saved, a save is refused."""
    store = CaseStore()
    store.save(CaseProfile.model_validate(profile_data("lib-1", "Library case")))
    at = make_app("en")
    at.selectbox(key="start").set_value("saved:lib-1").run()
    at.button[0].click().run()
    at.text_input(key=fk(at, "region")).input("North").run()
    at.button[2].click().run()  # Save to library
    assert "version 2" in texts(at)
    assert store.get("lib-1").profile.region == "North"
    # another session renames it: our next save is stale and refused, nothing overwritten
    store.rename("lib-1", "Renamed elsewhere")
    at.text_input(key=fk(at, "region")).input("South").run()
    at.button[2].click().run()
    assert any("changed in another session" in e.value for e in at.error)
    assert store.get("lib-1").profile.region == "North"
    assert at.text_input(key=fk(at, "region")).value == "South"


def test_case_library_rename_duplicate_delete(make_app: Callable[..., AppTest]) -> None:
    """Rename, duplicate and confirmed delete act on the library and report it."""
    store = CaseStore()
    store.save(CaseProfile.model_validate(profile_data("lib-1", "Library case")))
    at = make_app("en", "views/cases.py")
    assert "Saved cases (1)" in texts(at)
    rename_box = next(x for x in at.text_input if x.label == "New name")
    rename_box.input("Better name")
    next(b for b in at.button if b.label == "Rename").click().run()
    assert store.get("lib-1").name == "Better name"
    assert "Renamed to “Better name”." in texts(at)
    at.button(key="dup_case").click().run()
    assert {c.id for c in store.list()} == {"lib-1", "lib-1-copy"}
    assert store.get("lib-1-copy").name == "Better name (copy)"
    at.selectbox(key="case_choice").set_value("lib-1-copy").run()
    at.button(key="delete_yes").click().run()
    assert {c.id for c in store.list()} == {"lib-1"}
    assert "Deleted" in texts(at)


def test_markup_in_a_case_name_is_shown_as_text(make_app: Callable[..., AppTest]) -> None:
    """A name holding HTML or script is escaped in every markdown element of the Cases page."""
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)> **bold** [link](http://e.vil)"
    store = CaseStore()
    store.save(CaseProfile.model_validate(profile_data("evil", evil)))
    at = make_app("en", "views/cases.py")
    md = "\n".join(str(m.value) for m in at.markdown)
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    assert "\\*\\*bold\\*\\*" in md and "\\[link\\]" in md
    # and as plain text in the chooser
    assert evil in at.selectbox(key="case_choice").options[0]


def test_knowledge_base_search_narrows_the_passages(make_app: Callable[..., AppTest]) -> None:
    """Searching for 寄居蟹 shows fewer paragraphs, each holding the term or encoded by it."""
    at = make_app("en", "views/knowledge.py")
    total = int(next(c.value for c in at.caption if c.value.startswith("Showing")).split()[1])
    at.text_input(key="kb_query").input("寄居蟹").run()
    shown = int(next(c.value for c in at.caption if c.value.startswith("Showing")).split()[1])
    assert 0 < shown < total
    at.text_input(key="kb_query").input("no such words anywhere").run()
    assert "Showing 0 paragraphs" in texts(at)


def test_reports_without_an_assessment_says_what_to_do(make_app: Callable[..., AppTest]) -> None:
    """With nothing assessed, the Reports page points to the Assess page."""
    at = make_app("zh", "views/reports.py")
    assert "还没有评估结果" in at.info[0].value


def test_whatif_without_a_baseline_says_what_to_do(make_app: Callable[..., AppTest]) -> None:
    """With no valid profile, the What-if page asks for one."""
    at = make_app("en", "views/whatif.py")
    assert "no baseline" in at.info[0].value


def test_import_refusal_lists_reasons(tmp_path: object) -> None:
    """The store behind the import button refuses a bad file with reasons (shown on the page)."""
    store = CaseStore()
    bad = profile_data("x")
    bad["funding"]["charity"] = 0.5
    with pytest.raises(Exception, match="funding shares sum"):
        store.import_text(json.dumps(bad))
    assert store.list() == []
