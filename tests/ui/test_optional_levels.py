"""An optional level (``community.non_government_resources``, 0-4 or not known) is offered as its
five levels with their words, not as an open number; case Y's 3 survives a language switch."""

from __future__ import annotations

from collections.abc import Callable

from apptest_support import fk
from streamlit.testing.v1 import AppTest

from advisor.vocabulary import value_label
from ui.services import DRAFT

PATH = "community.non_government_resources"


def test_an_optional_level_is_a_choice_of_its_levels(make_app: Callable[..., AppTest]) -> None:
    at = make_app("zh")
    at.selectbox(key="start").set_value("case-y").run()
    next(b for b in at.button if b.label == "载入").click().run()
    box = at.selectbox(key=fk(at, PATH))
    assert box.value == 3
    assert list(box.options) == [value_label(PATH, v, "zh") for v in range(5)]
    at.sidebar.radio(key="lang_choice").set_value("en").run()
    assert not at.exception, at.exception
    box = at.selectbox(key=fk(at, PATH))
    assert box.value == 3
    assert list(box.options) == [value_label(PATH, v, "en") for v in range(5)]
    assert at.session_state[DRAFT][PATH] == 3
