"""The UI's two languages: every user-facing string of ui/ as ``key -> {zh, en}``.

Strings live in ``ui/locales/*.yaml`` (every file is loaded, so a page group can bring its own
file). A file is a mapping of keys to ``{zh: ..., en: ...}``; nested mappings are joined with dots
(``nav: {assess: {zh, en}}`` is the key ``nav.assess``). A key defined twice is an error, and both
languages are required. ``t(key, **params)`` formats the text of the current language with
``str.format`` parameters; the current language is chosen in the sidebar, its default taken from
the browser's locale (``st.context.locale``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGS: tuple[str, ...] = ("zh", "en")
LANG_KEY = "lang"
LANG_WIDGET = "lang_choice"
# A counter that keyed widgets put into their keys so they are made anew (from the session's own
# values, never from what the browser still holds) after a language switch, a page change or a
# load: see ``ui.services.form_key``.
WIDGET_GENERATION = "widget_generation"


def renew_widgets() -> None:
    """Give the widgets that use ``WIDGET_GENERATION`` new keys from the next run on."""
    st.session_state[WIDGET_GENERATION] = int(st.session_state.get(WIDGET_GENERATION, 0)) + 1


class LocaleError(ValueError):
    """A locale file is malformed: the message names the file and the key."""


def _flatten(node: Any, prefix: str, out: dict[str, dict[str, str]], where: str) -> None:
    if not isinstance(node, dict):
        raise LocaleError(f"{where}: {prefix or 'top level'} must be a mapping")
    if set(node) == set(LANGS):
        for lang in LANGS:
            if not isinstance(node[lang], str) or not node[lang].strip():
                raise LocaleError(
                    f"{where}: {prefix}.{lang} is missing, blank or not text (quote it)"
                )
        if prefix in out:
            raise LocaleError(f"{where}: {prefix} is defined twice")
        out[prefix] = {lang: node[lang] for lang in LANGS}
        return
    for key, value in node.items():
        _flatten(value, f"{prefix}.{key}" if prefix else str(key), out, where)


@lru_cache(maxsize=1)
def catalogue(locales_dir: Path = LOCALES_DIR) -> dict[str, dict[str, str]]:
    """Every string of every ``*.yaml`` in the locales folder, by key."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(locales_dir.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        _flatten(doc, "", out, path.name)
    return out


def lang_from_locale(locale: str | None) -> str:
    """``zh`` for any Chinese browser locale, else ``en``."""
    return "zh" if (locale or "").lower().startswith("zh") else "en"


def current_lang() -> str:
    """The language of this session (``zh`` or ``en``)."""
    value = st.session_state.get(LANG_KEY)
    return value if value in LANGS else "en"


def init_language() -> None:
    """Choose the session's language once: ``?lang=`` in the address, else the browser locale."""
    if st.session_state.get(LANG_KEY) in LANGS:
        return
    asked = st.query_params.get("lang")
    if asked in LANGS:
        st.session_state[LANG_KEY] = asked
        return
    try:
        locale = st.context.locale
    except Exception:  # no browser context (bare script run)
        locale = None
    st.session_state[LANG_KEY] = lang_from_locale(locale)


# The kinds of widget state that hold a value a person chose or typed (not a click, not a file).
_VALUE_STATES = frozenset(
    {
        "string_value",
        "string_array_value",
        "int_value",
        "int_array_value",
        "double_value",
        "double_array_value",
        "bool_value",
    }
)


def restate_widget_values(skip: tuple[str, ...] = (LANG_WIDGET,)) -> int:
    """Re-state every keyed widget's value as the Python value it holds now; return how many.

    A choice widget (selectbox, radio, slider with labels) travels between the browser and the
    server as its *label*. When the language changes, the labels change too, and the browser
    would send the old language's label to a widget that now only knows the new ones: a choice
    went blank, a level slider fell back to 0, or an English label came back as the value.
    Called at the start of the run that switches the language (in the switch's callback), this
    reads each value with the old labels and sets it again as a plain value, which the widgets
    of the new language then show with their new labels. Clicks (buttons) and uploads are left
    alone. Uses Streamlit's session-state internals (widget metadata by key); if they change,
    nothing is re-stated and the profile form still falls back on its draft (see
    ``ui.components.field_widget``); the browser test of the language switch would then fail.
    """
    try:
        from streamlit.runtime.state.session_state_proxy import get_session_state

        inner = get_session_state()._state
    except Exception:  # another Streamlit: see the docstring
        return 0
    done = 0
    for key in list(st.session_state.keys()):
        if key in skip:
            continue
        try:
            wid = inner.get_widget_id_from_key(str(key))
            if not wid or wid not in inner._new_widget_state.states:
                continue  # not on the page the browser shows: its state is not being sent
            meta = inner.get_widget_metadata(wid)
            if meta is None or meta.value_type not in _VALUE_STATES:
                continue
            st.session_state[key] = st.session_state[key]
            done += 1
        except Exception:  # a widget that cannot be set from session state: leave it
            continue
    return done


def _language_chosen() -> None:
    restate_widget_values()
    renew_widgets()
    st.session_state[LANG_KEY] = st.session_state[LANG_WIDGET]


def language_selector() -> None:
    """The sidebar switch between 中文 and English.

    The language itself is plain session state (``lang``), not the widget's own state: Streamlit
    drops or resets a widget's state in some reruns (a page's upload, say), and the language
    must never flip by itself.
    """
    st.radio(
        t("lang.label"),
        LANGS,
        index=LANGS.index(current_lang()),
        key=LANG_WIDGET,
        on_change=_language_chosen,
        format_func=in_lang(lambda code, lang: t(f"lang.{code}", lang)),
        horizontal=True,
    )


def in_lang(fn: Callable[[Any, str], str]) -> Callable[[Any], str]:
    """``fn(value, lang)`` bound to the session's language now, for a widget's ``format_func``.

    Streamlit may call a ``format_func`` outside the script run (AppTest does), where the
    session's language cannot be read; binding it when the widget is made avoids that.
    """
    lang = current_lang()
    return lambda value: fn(value, lang)


def t(key: str, lang: str | None = None, **params: Any) -> str:
    """The text of ``key`` in ``lang`` (default: the session's), formatted with ``params``."""
    entry = catalogue().get(key)
    if entry is None:
        raise KeyError(f"no UI string {key!r} in ui/locales")
    text = entry[lang or current_lang()]
    return text.format(**params) if params else text


def bi(text: Any, lang: str | None = None) -> str:
    """One language of a structured ``{zh, en}`` text (a model with ``zh``/``en`` or a dict)."""
    lang = lang or current_lang()
    if text is None:
        return ""
    if isinstance(text, dict):
        return str(text.get(lang) or text.get("en") or "")
    return str(getattr(text, lang, "") or getattr(text, "en", ""))
