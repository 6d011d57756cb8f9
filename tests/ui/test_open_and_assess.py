"""Cases → "Open and assess" opens the case in the Assess form AND assesses it (issue 13: the
button said so but showed the form without results); the assessment joins the case's history."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from apptest_support import texts
from streamlit.testing.v1 import AppTest

from advisor.pipeline import assess, preset
from advisor.store import CaseStore


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_open_and_assess_shows_the_results(make_app: Callable[..., AppTest], lang: str) -> None:
    case = preset("case-h")
    store = CaseStore()
    store.save(case)
    at = make_app(lang, "views/cases.py")
    at.button(key="open_case").click().run()
    assert not at.exception, at.exception
    shown = texts(at)
    expected = assess(case)
    top = min(expected.actions, key=lambda a: a.rank)
    assert (top.label.zh if lang == "zh" else top.label.en) in shown
    assert ("评估结果：" if lang == "zh" else "Assessment: ") + case.name in shown
    history = store.history(case.id)
    assert len(history) == 1
    assert history[0].summary["actions"][0] == top.id
