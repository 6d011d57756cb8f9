"""The classroom pages under AppTest: both languages, open a class, join, rank, reveal."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from apptest_support import texts
from streamlit.testing.v1 import AppTest

from advisor.classroom import Classroom

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    db = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("ADVISOR_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    return db


def app(lang: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("page", "en", "zh"),
    [
        ("views/classroom_trainer.py", "Live class: trainer", "课堂演练：培训师"),
        ("views/classroom_join.py", "Join a class", "加入课堂"),
    ],
)
def test_pages_render_in_both_languages(page: str, en: str, zh: str) -> None:
    """Each page opens in English and in Chinese with its own title."""
    assert app("en", page).title[0].value == en
    assert app("zh", page).title[0].value == zh


def test_trainer_opens_a_class_and_trainee_joins_ranks_and_reads_feedback(fresh: Path) -> None:
    """Trainer opens from case Y; a trainee joins, ranks; after the reveal reads the feedback."""
    trainer = app("en", "views/classroom_trainer.py")
    trainer.button(key="cls:open").click().run()
    assert not trainer.exception, trainer.exception
    code = trainer.session_state["cls:code"]
    key = trainer.session_state["cls:key"]
    assert code in texts(trainer) or any(code in m.value for m in trainer.markdown)

    trainee = app("zh", "views/classroom_join.py")
    trainee.text_input(key="cj:code_in").input(code.lower())
    trainee.text_input(key="cj:name_in").input("王芳")
    trainee.button[0].click().run()
    assert not trainee.exception, trainee.exception
    shown = texts(trainee)
    assert "王芳" in shown and "情景" in shown
    room = Classroom(fresh)
    pack = room.session(code).pack
    assert "ranks" not in shown and str(pack.key.ranks) not in shown
    trainee.button(key="FormSubmitter:cj:ranking-提交排序").click().run()
    assert "已收到你的排序" in texts(trainee)

    room.reveal(code, key)
    trainee.run()
    shown = texts(trainee)
    assert "你的结果" in shown and "前 " in shown and "并非论文对这些行动的排名" in shown
    trainer.run()
    assert not trainer.exception, trainer.exception
    assert "The key is revealed" in texts(trainer)
    assert trainer.session_state["cls:code"] == code
