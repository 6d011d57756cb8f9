"""Shared helpers for the AppTest tests of the UI and trainer pages."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

TEXT_ELEMENTS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "error",
    "warning",
    "success",
)


def texts(at: AppTest) -> str:
    """Everything the page shows as text, joined."""
    parts: list[str] = []
    for kind in TEXT_ELEMENTS:
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def fk(at: AppTest, name: str) -> str:
    """The key of a form widget in the app's current widget generation (ui.services.form_key)."""
    try:
        gen = at.session_state["widget_generation"]
    except KeyError:
        gen = 0
    return f"w:{gen}:{name}"
