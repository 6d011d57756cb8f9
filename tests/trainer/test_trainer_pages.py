"""AppTest wiring of the four trainer pages, in both languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from apptest_support import texts
from streamlit.testing.v1 import AppTest

from advisor.models import CaseProfile

PAGES = [
    ("views/trainer_sensitivity.py", "Sensitivity", "敏感性分析"),
    ("views/trainer_smallest_change.py", "Smallest change", "最小变化"),
    ("views/trainer_exercises.py", "Exercises", "培训演练"),
    ("views/trainer_roadmap.py", "Roadmap", "行动路线图"),
]


def charts(at: AppTest) -> list[dict]:
    """The Vega-Lite specs of the page's altair charts."""
    import json

    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


@pytest.mark.parametrize(("page", "en", "zh"), PAGES)
def test_each_trainer_page_renders_in_both_languages(
    make_app: Callable[..., AppTest], page: str, en: str, zh: str
) -> None:
    """Each page runs on the default case (paper case Y) without an exception, in zh and en."""
    at = make_app(page, "en")
    assert at.title[0].value == en
    at = make_app(page, "zh")
    assert at.title[0].value == zh
    assert not at.exception


def test_sensitivity_charts_a_sweep_and_the_tornado(make_app: Callable[..., AppTest]) -> None:
    """The default sweep (direct government funding) says it rebalances the other shares and
    charts the asymmetry with the level bands; control has no such note; the tornado button
    adds a bar chart."""
    at = make_app("views/trainer_sensitivity.py")
    specs = charts(at)
    assert len(specs) == 2  # asymmetry (with level guides) and the top actions' priorities
    assert "layer" in specs[0]
    assert any("proportion" in i.value for i in at.info)
    at.selectbox(key="sens:field").set_value("government.control").run()
    assert not at.exception
    assert not any("proportion" in i.value for i in at.info)
    assert next(iter(at.dataframe[0].value["Value"])).startswith("0")
    at.button(key="sens:tornado").click().run()
    assert not at.exception
    assert len(charts(at)) == 3
    bars = at.dataframe[-1].value
    assert list(bars.columns) == ["Field", "Low", "High", "Swing"]
    assert len(bars) >= 5
    assert list(bars["Swing"]) == sorted(bars["Swing"], reverse=True)


def test_smallest_change_finds_paths_for_case_y(make_app: Callable[..., AppTest]) -> None:
    """Searching case Y down to moderate shows at least one path with its steps."""
    at = make_app("views/trainer_smallest_change.py")
    at.button(key="small:go").click().run()
    assert not at.exception
    shown = texts(at)
    assert "Path 1" in shown
    assert at.table, "no table of steps"


def test_smallest_change_in_chinese(make_app: Callable[..., AppTest]) -> None:
    """The same search in Chinese labels its paths in Chinese."""
    at = make_app("views/trainer_smallest_change.py", "zh")
    at.button(key="small:go").click().run()
    assert not at.exception
    assert "路径 1" in texts(at)


def test_exercise_build_rank_and_reveal(make_app: Callable[..., AppTest]) -> None:
    """Build a pack from case Y, rank in the engine's order, and get correlation 1."""
    at = make_app("views/trainer_exercises.py")
    at.button(key="ex:create").click().run()
    assert not at.exception
    pack = at.session_state["ex:pack"]
    order = pack.recommended() + pack.not_recommended()
    for rank, aid in enumerate(order, start=1):
        at.selectbox(key=f"ex:rank:{aid}").set_value(rank)
    submit = next(b for b in at.get("button") if "Submit" in str(b.proto.label))
    submit.click().run()
    assert not at.exception, at.exception
    assert at.session_state["ex:score"].spearman == 1.0
    assert "+1.00" in [m.value for m in at.metric]
    assert "No misses worth discussing." in texts(at)


def test_exercise_repeated_rank_is_refused(make_app: Callable[..., AppTest]) -> None:
    """Two actions with the same rank get a message naming them, and no score."""
    at = make_app("views/trainer_exercises.py")
    at.button(key="ex:create").click().run()
    pack = at.session_state["ex:pack"]
    first, second = pack.actions[0].id, pack.actions[1].id
    at.selectbox(key=f"ex:rank:{second}").set_value(1)
    submit = next(b for b in at.get("button") if "Submit" in str(b.proto.label))
    submit.click().run()
    assert not at.exception
    assert any("share a rank" in e.value for e in at.error)
    assert "ex:score" not in at.session_state
    assert f"{pack.actions[0].label.en}" in next(
        e.value for e in at.error if "share a rank" in e.value
    )
    del first


def test_roadmap_shows_phases_and_history(
    make_app: Callable[..., AppTest], case_y: CaseProfile, fresh_db: Path
) -> None:
    """A saved case assessed twice shows its phases and its movement chart."""
    from advisor.pipeline import assess
    from advisor.store import CaseStore
    from advisor.trainer.space import with_value

    store = CaseStore(fresh_db)
    store.save(case_y)
    store.record_assessment(case_y.id, assess(case_y))
    better = with_value(case_y, "funding.government_direct", 0.4)
    store.record_assessment(case_y.id, assess(better))
    at = make_app("views/trainer_roadmap.py")
    assert "Government" in [s.value for s in at.subheader]
    assert not charts(at)
    at.radio(key="road:source").set_value("saved").run()
    assert not at.exception
    assert len(charts(at)) == 1
    # the times are Beijing time, as everywhere in the UI (they were UTC)
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    from ui.services import beijing_time

    chart = at.get("vega_lite_chart")[0].proto
    rows = convert_arrow_bytes_to_pandas_df(chart.datasets[0].data.data)
    when = set(rows["When (Beijing time)"])
    assert when == {beijing_time(h.at) for h in store.history(case_y.id)}


def test_exercise_question_in_both_languages(make_app: Callable[..., AppTest]) -> None:
    """The trainer's own question goes into the pack; a blank one in either language is refused."""
    at = make_app("views/trainer_exercises.py")
    at.text_area(key="ex:q_en").set_value("   ")
    at.button(key="ex:create").click().run()
    assert any("both languages" in e.value for e in at.error)
    assert "ex:pack" not in at.session_state
    at.text_area(key="ex:q_en").set_value("Which first, and why?")
    at.text_area(key="ex:q_zh").set_value("先做哪一项？为什么？")
    at.button(key="ex:create").click().run()
    pack = at.session_state["ex:pack"]
    assert pack.question.en == "Which first, and why?"
    assert pack.question.zh == "先做哪一项？为什么？"
