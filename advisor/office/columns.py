"""The columns of a district workbook and the text of its cells.

One column per field of the case profile (``schema_version`` is implied), in the contract's
order, headed by the field's label from ``knowledge_base/data/fields.yaml`` in the user's
language. Choices are written as their labels (a drop-down in the template), levels as
``"2：label"``, booleans as the labels of true and false; the reader accepts those in either
language, as well as the contract's raw values, so a workbook filled in Chinese and one filled by
a script read alike.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from advisor.batch import CSV_COLUMNS
from knowledge_base.fields import FieldDoc, load_fields

LANGS = ("zh", "en")
# Groups whose fields must add up to 1 (CONTRACT.md); the template shows their running total.
SHARE_GROUPS: dict[str, tuple[str, ...]] = {
    "funding": tuple(c for c in CSV_COLUMNS if c.startswith("funding.")),
    "human_resources.recruited_by": tuple(
        c for c in CSV_COLUMNS if c.startswith("human_resources.recruited_by.")
    ),
}
TOTAL_LABEL = {"zh": "{group}合计（应为 1）", "en": "{group} total (must be 1)"}
PROBLEMS_LABEL = {"zh": "问题（由工具填写）", "en": "Problems (filled in by the tool)"}
LEVEL_SEP = {"zh": "：", "en": ": "}
# Optional groups and fields: an empty cell is "unknown" / "none" (see advisor.batch).
OPTIONAL_PREFIXES = ("third_party.", "community.")
OPTIONAL_FIELDS = frozenset({"region", "as_of", "development_mode"})


@dataclass(frozen=True)
class Column:
    """One field as a workbook column: its path, documentation and the choices it offers."""

    path: str
    doc: FieldDoc

    @property
    def kind(self) -> str:
        return self.doc.type

    @property
    def optional(self) -> bool:
        return self.path in OPTIONAL_FIELDS or self.path.startswith(OPTIONAL_PREFIXES)

    def label(self, lang: str) -> str:
        return self.doc.label.get(lang)

    def choices(self, lang: str) -> list[str]:
        """The drop-down entries in ``lang`` (empty for free-text and number fields)."""
        if self.kind == "level" and self.doc.levels:
            sep = LEVEL_SEP[lang]
            return [f"{k}{sep}{v.get(lang)}" for k, v in sorted(self.doc.levels.items())]
        if self.kind in ("enum", "bool") and self.doc.values:
            return [v.get(lang) for v in self.doc.values.values()]
        return []

    def to_cell(self, value: Any, lang: str) -> Any:
        """A field value as the template writes it (labels for choices)."""
        if value is None:
            return None
        if self.kind == "level" and self.doc.levels and int(value) in self.doc.levels:
            return f"{int(value)}{LEVEL_SEP[lang]}{self.doc.levels[int(value)].get(lang)}"
        if self.kind in ("enum", "bool") and self.doc.values:
            key = str(value).lower() if isinstance(value, bool) else str(value)
            if key in self.doc.values:
                return self.doc.values[key].get(lang)
        if self.kind == "date" and isinstance(value, str):
            return value
        return value


@lru_cache(maxsize=1)
def columns() -> tuple[Column, ...]:
    """Every profile field as a column, in the contract's order (without schema_version)."""
    docs = load_fields()
    return tuple(Column(p, docs[p]) for p in CSV_COLUMNS if p != "schema_version" and p in docs)


def group_label(path: str, lang: str) -> str:
    """The label of a group of fields (``funding``) in ``lang``."""
    docs = load_fields()
    doc = docs.get(path)
    return doc.label.get(lang) if doc else path


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().rstrip("*＊").strip()).casefold()


@lru_cache(maxsize=1)
def header_index() -> dict[str, str]:
    """Normalised header text -> dotted path, for the dotted names and both languages' labels."""
    index: dict[str, str] = {}
    for col in columns():
        index[_norm(col.path)] = col.path
        for lang in LANGS:
            index.setdefault(_norm(col.label(lang)), col.path)
    index[_norm("schema_version")] = "schema_version"
    return index


@lru_cache(maxsize=1)
def ignored_headers() -> frozenset[str]:
    """Headers of columns the tool writes itself (share totals, problems): skipped on reading."""
    out = set()
    for lang in LANGS:
        out.add(_norm(PROBLEMS_LABEL[lang]))
        for group in SHARE_GROUPS:
            out.add(_norm(TOTAL_LABEL[lang].format(group=group_label(group, lang))))
    return frozenset(out)


def header_path(text: Any) -> str | None:
    """The dotted path a header names, ``""`` for a column to skip, None when unknown."""
    if text is None:
        return None
    key = _norm(str(text))
    if key in ignored_headers():
        return ""
    return header_index().get(key)


@lru_cache(maxsize=1)
def _value_index() -> dict[str, dict[str, str]]:
    """Per path: normalised label or raw value -> the contract's value as text."""
    out: dict[str, dict[str, str]] = {}
    for col in columns():
        table: dict[str, str] = {}
        if col.kind == "level" and col.doc.levels:
            for k, v in col.doc.levels.items():
                for lang in LANGS:
                    table[_norm(v.get(lang))] = str(k)
        if col.kind in ("enum", "bool") and col.doc.values:
            for raw, text in col.doc.values.items():
                table[_norm(raw)] = raw
                for lang in LANGS:
                    table[_norm(text.get(lang))] = raw
        if col.kind == "bool":
            for t in ("true", "yes", "y", "1", "是", "有"):
                table.setdefault(t, "true")
            for f in ("false", "no", "n", "0", "否", "无", "没有"):
                table.setdefault(f, "false")
        out[col.path] = table
    return out


_LEVEL_PREFIX = re.compile(r"^\s*(\d+)\s*(?:[:：.、\-–—]|$)")


def cell_text(path: str, value: Any) -> str:
    """A cell's value as the text the CSV reader expects for field ``path`` ("" when empty).

    Labels (either language) become the contract's values; ``"2：…"`` a level; a whole float
    (Excel stores 12 as 12.0) an integer; a date its ISO form; ``'=…`` (a text the tool
    neutralised with ``safe_text``) the text itself. Anything else is passed on as
    written, for validation to name the problem.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and not path.startswith("funding.") and "recruited_by" not in path:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    if not text:
        return ""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]  # undo ``safe_text``: the tool wrote this text, not a formula
    if _value_index().get(path):  # a field with choices (free text is passed on as written)
        return _choice(path, text)
    return text


@lru_cache(maxsize=4096)
def _choice(path: str, text: str) -> str:
    """A choice cell's text as the contract's value (cached: a district repeats the same
    drop-down labels in every row, and reading them was a fifth of reading a workbook)."""
    table = _value_index()[path]
    hit = table.get(_norm(text))
    if hit is not None:
        return hit
    m = _LEVEL_PREFIX.match(text)
    if m and any(v == m.group(1) for v in table.values()):
        return m.group(1)
    return text


# --------------------------------------------------------------------------- safe cells

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """Neutralise a text that a spreadsheet would run as a formula (OWASP CSV injection).

    A string starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe, so
    Excel, LibreOffice and a CSV import show it as text. Numbers, booleans and None pass as they
    are. (A private helper: this branch has no shared ``advisor/textsafe.py``.)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
