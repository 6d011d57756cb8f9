"""The District page in AppTest: the sample district assessed, summary, filters, downloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from advisor.office.results import HEAD
from tests.apptest_support import texts

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")


def district_app(lang: str) -> AppTest:
    """The app opened straight on the District page (its first run is that page)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.switch_page("views/district.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_district_sample_run_shows_summary_charts_and_filters(lang):
    """The sample district (60 cases as a workbook) is assessed with progress; the page shows
    the counts, three charts, the cases table, and the level filter narrows the table."""
    at = district_app(lang)
    title = "辖区批量评估" if lang == "zh" else "District batch assessment"
    assert title in texts(at)
    sample = next(b for b in at.button if "60" in b.label)
    sample.click().run(timeout=300)
    assert not at.exception, at.exception
    done = [s.value for s in at.success]
    assert done and "60" in done[0]
    assert [m.value for m in at.metric][:1] == ["60"]
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 3
    (df,) = [d.value for d in at.dataframe]
    assert len(df) == 60
    level_col = HEAD["level"][lang]
    assert level_col == ("非对称程度" if lang == "zh" else "Asymmetry level")  # the product's term
    levels = sorted(set(df[level_col].dropna()))
    at.multiselect[0].set_value([levels[0]]).run(timeout=300)
    assert not at.exception, at.exception
    (df2,) = [d.value for d in at.dataframe]
    assert 0 < len(df2) < 60 and set(df2[level_col]) == {levels[0]}
