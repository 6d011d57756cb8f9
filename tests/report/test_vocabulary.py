"""One place for wording (issue 14, item 2): the vocabulary module owns the catalogue and the
label look-ups; nothing that names things imports the report renderer for words, and the old
report <-> what-if import cycle is gone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from advisor import report, vocabulary

ROOT = Path(__file__).resolve().parents[2]
WORDS_USERS = (
    "advisor/vocabulary.py",
    "advisor/whatif.py",
    "advisor/priority.py",
    "advisor/trainer/text.py",
    "ui/kbtext.py",
    "advisor/office/documents.py",
    "advisor/strengths.py",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


@pytest.mark.parametrize("rel", WORDS_USERS)
def test_no_module_takes_its_words_from_the_report_renderer(rel: str) -> None:
    assert not {"advisor.report", "advisor.report.label"} & _imports(ROOT / rel), rel


def test_the_vocabulary_imports_no_renderer() -> None:
    mods = _imports(ROOT / "advisor/vocabulary.py")
    assert not any(m.startswith(("advisor.report", "advisor.whatif", "ui")) for m in mods)


def test_the_report_module_re_exports_the_same_functions() -> None:
    """Other modules still import these names from advisor.report; they are the vocabulary's."""
    for name in ("label", "strings", "field_label", "value_label", "coproduction_stage_label"):
        assert getattr(report, name) is getattr(vocabulary, name)


def test_priority_breakdown_sentences_are_catalogue_entries() -> None:
    """A translator edits the breakdown's words in the catalogue, not in priority.py."""
    source = (ROOT / "advisor/priority.py").read_text(encoding="utf-8")
    assert "所针对诊断" not in source and "highest severity of the addressed" not in source
    table = vocabulary.strings()["priority_factor"]
    assert set(table) >= {"severity", "breadth", "leverage", "phase", "capacity"}
    for entry in table.values():
        assert entry["zh"] and entry["en"]
