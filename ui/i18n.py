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


def _language_chosen() -> None:
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
