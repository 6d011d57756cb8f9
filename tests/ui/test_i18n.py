"""Every UI string exists in Chinese and English, and every key the pages use is defined."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from ui.i18n import LocaleError, _flatten, catalogue, lang_from_locale

UI = Path(__file__).resolve().parents[2] / "ui"


def test_every_string_has_both_languages_with_the_same_placeholders() -> None:
    """No blank text, and {placeholders} agree between zh and en."""
    cat = catalogue()
    assert len(cat) > 100
    for key, entry in cat.items():
        fields = {
            lang: {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
            for lang in ("zh", "en")
        }
        assert fields["zh"] == fields["en"], key
        assert entry["zh"].strip() and entry["en"].strip(), key


def test_chinese_strings_are_chinese() -> None:
    """The zh text of the page titles and navigation holds Chinese characters."""
    cat = catalogue()
    for key in [k for k in cat if k.startswith(("nav.", "section.", "assess.", "cases."))]:
        assert re.search(r"[\u4e00-\u9fff]", cat[key]["zh"]), key


def test_every_literal_key_used_in_the_pages_exists() -> None:
    """Each t("...") with a literal key in ui/ names a defined string."""
    cat = catalogue()
    used: set[str] = set()
    for path in UI.rglob("*.py"):
        used |= set(re.findall(r"\bt\(\s*\"([a-z_][a-z0-9_.-]*)\"", path.read_text("utf-8")))
    assert len(used) > 100
    missing = sorted(k for k in used if k not in cat)
    assert not missing


def test_dynamic_keys_exist() -> None:
    """Keys built from data (sections, store errors, start choices) are all defined."""
    from ui.profile_form import sections

    cat = catalogue()
    for s in sections():
        assert f"section.{s.id}" in cat
    for code in ("store_error", "case_not_found", "case_exists", "stale_case"):
        assert f"store.{code}" in cat
    for choice in ("blank", "case-h", "case-y"):
        assert f"assess.start.{choice}" in cat
    for kind in ("diagnosis", "action", "parameter", "case", "quote", "concept"):
        assert f"kb.kind.{kind}" in cat


def test_bad_locale_entries_are_refused() -> None:
    """A string missing a language, or defined twice, is an error naming the key."""
    out: dict = {}
    with pytest.raises(LocaleError, match=r"a\.b\.en"):
        _flatten({"a": {"b": {"zh": "甲", "en": ""}}}, "", out, "x.yaml")
    out = {"a": {"zh": "甲", "en": "A"}}
    with pytest.raises(LocaleError, match="twice"):
        _flatten({"a": {"zh": "甲", "en": "A"}}, "", out, "y.yaml")


@pytest.mark.parametrize(
    ("locale", "lang"),
    [
        ("zh-CN", "zh"),
        ("zh-TW", "zh"),
        ("zh", "zh"),
        ("en-GB", "en"),
        ("fr-FR", "en"),
        (None, "en"),
    ],
)
def test_language_from_browser_locale(locale: str | None, lang: str) -> None:
    """Any Chinese browser locale gives Chinese; everything else English."""
    assert lang_from_locale(locale) == lang
