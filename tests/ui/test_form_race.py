"""The form's values survive a run that is interrupted by the next click (district benchmark).

A value put into Session State reaches the browser only with the run that set it (the widget's
``set_value`` flag). When that run is interrupted by the next click, Streamlit drops its unsent
messages, and the next run draws the widget from its declared default only; the browser then
showed a blank form for a loaded case and sent the blanks back into the draft with the next
click (1-17 of 20 sessions under load saved a blank profile and were refused). So every form
widget must declare the draft's value as its default in every run: what a browser draws from
any one run's messages alone is the draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from streamlit.testing.v1 import AppTest

from ui import profile_form
from ui.services import DRAFT


def _drawn_from_default(w: Any) -> Any:
    """What a browser that got only this run's message for ``w`` shows (without set_value)."""
    p = w.proto
    kind = type(p).__name__
    if kind == "Selectbox":
        return None if not p.HasField("default") else w._options_values[p.default]
    if kind == "Slider":  # select_slider: the default is the index of the option
        return w._options_values[int(p.default[0])]
    if kind == "NumberInput":
        return p.default if p.HasField("default") else None
    if kind == "DateInput":
        return dt.date.fromisoformat(p.default[0].replace("/", "-")) if p.default else None
    return p.default  # TextInput, Checkbox (toggle)


def _options_values(at: AppTest, w: Any) -> list[Any]:
    path = str(w.key).split(":", 2)[2]
    spec = {f.path: f for f in profile_form.all_fields()}[path]
    return list(spec.options) if spec.kind == "enum" else profile_form.choices_of(spec)


def _form_widgets(at: AppTest) -> list[Any]:
    out = []
    for kind in ("selectbox", "select_slider", "number_input", "text_input", "toggle"):
        out += [w for w in getattr(at, kind) if str(w.key or "").startswith("w:")]
    out += [w for w in at.get("date_input") if str(getattr(w, "key", "") or "").startswith("w:")]
    return out


def test_a_loaded_case_is_drawn_from_any_one_run(make_app: Callable[..., AppTest]) -> None:
    """Case H loaded, then a plain rerun (the Session State values were set in the run before):
    every form widget's own message carries case H's value, not a blank or a slider at 0."""
    at = make_app("en")
    at.selectbox(key="start").set_value("case-h").run()
    at.button[0].click().run()  # Load: the new generation of widgets is seeded in this run
    at.run()  # the next run: no widget value is "new" in Session State any more
    assert not at.exception, at.exception
    draft = at.session_state[DRAFT]
    widgets = _form_widgets(at)
    assert len(widgets) > 40, len(widgets)
    wrong = {}
    for w in widgets:
        path = str(w.key).split(":", 2)[2]
        if type(w.proto).__name__ in ("Selectbox", "Slider"):
            w._options_values = _options_values(at, w)
        drawn = _drawn_from_default(w)
        expected: Any = draft.get(path, w.value)
        spec = {f.path: f for f in profile_form.all_fields()}.get(path)
        if spec is not None and spec.kind == "share" and expected is not None:
            expected = profile_form.share_to_percent(expected)
        if path.endswith(profile_form.PRESENT) or path == profile_form.UNCERTAIN_UI:
            expected = bool(expected)
        if drawn != expected:
            wrong[path] = (drawn, expected)
    assert not wrong, wrong
    assert draft["name"] and draft["force_type"], draft


def test_a_blank_answer_from_a_stale_browser_is_refused_by_name(
    make_app: Callable[..., AppTest],
) -> None:
    """If a field was emptied all the same, Save says which fields, and saves nothing."""
    at = make_app("en")
    at.selectbox(key="start").set_value("case-h").run()
    at.button[0].click().run()
    name = next(w for w in at.text_input if str(w.key).endswith(":name"))
    name.set_value("").run()
    save = next(b for b in at.button if b.label == "Save to library")
    save.click().run()
    assert not at.exception, at.exception
    text = " ".join(e.value for e in at.error)
    assert "required field is missing" in text or "must not be empty" in text, text
    assert not [s for s in at.success if "version" in str(s.value)]
