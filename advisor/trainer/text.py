"""The trainer tools' own wording, in both languages (``advisor/trainer/strings.yaml``).

Headings and sentences of the handouts, debriefs and roadmaps live in one YAML file as
``key -> {zh, en}``; domain words (field labels, value labels, actors, phases) come from
``advisor.vocabulary``, which reads the knowledge base, so every output names things alike.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from advisor import vocabulary
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


# Domain words come from the project's vocabulary (advisor.vocabulary), never re-wrapped here.
field_label = vocabulary.field_label
value_label = vocabulary.value_label
vocab = vocabulary.label
