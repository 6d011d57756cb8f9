"""The trainer tools' own wording, in both languages (``advisor/trainer/strings.yaml``).

Headings and sentences of the handouts, debriefs and roadmaps live in one YAML file as
``key -> {zh, en}``; domain words (field labels, value labels, actors, phases) come from the
report module, which reads the knowledge base, so every output names things the same way.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from advisor.models import BiText

STRINGS_PATH = Path(__file__).resolve().parent / "strings.yaml"


@lru_cache(maxsize=1)
def strings() -> dict[str, dict[str, str]]:
    """Every trainer string by key; both languages are required."""
    data = yaml.safe_load(STRINGS_PATH.read_text(encoding="utf-8"))
    for key, entry in data.items():
        if not isinstance(entry, dict) or not entry.get("zh") or not entry.get("en"):
            raise ValueError(f"{STRINGS_PATH.name}: {key} needs both zh and en")
    return data


def tr(key: str, lang: str, **params: Any) -> str:
    """The string ``key`` in ``lang``, formatted with ``params``."""
    text = strings()[key][lang]
    return text.format(**params) if params else text


def bitext(key: str, **params: Any) -> BiText:
    """The string ``key`` in both languages, formatted with ``params``."""
    return BiText(zh=tr(key, "zh", **params), en=tr(key, "en", **params))


def field_label(path: str, lang: str) -> str:
    """A profile field's label (from the knowledge base through the report module)."""
    from advisor import report

    return report.field_label(path, lang)


def value_label(path: str, value: Any, lang: str) -> str:
    """A field value as a reader reads it."""
    from advisor import report

    return report.value_label(path, value, lang)


def vocab(namespace: str, key: Any, lang: str) -> str:
    """A term of the assessment's vocabulary (actor, phase, stage, level ...)."""
    from advisor import report

    return report.label(namespace, key, lang)
