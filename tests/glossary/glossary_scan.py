"""Where the UI and report strings use a term the glossary forbids (shared by the tests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.glossary import load_glossary

ROOT = Path(__file__).resolve().parents[2]
#: String catalogues of the UI and the reports (ui/ is the UI's; the rest are shared).
CATALOGUES: tuple[str, ...] = (
    "advisor/templates/strings.yaml",
    "advisor/trainer/strings.yaml",
    "knowledge_base/data/fields.yaml",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui" / "locales").glob("*.yaml")),
)


def strings_of(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string leaf of a YAML document with its dotted path."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings_of(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from strings_of(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def hits(text: str) -> list[tuple[str, str]]:
    """(forbidden term, the glossary term to use instead) found in ``text``."""
    out = []
    low = text.lower()
    for term in load_glossary().values():
        for bad in term.avoid.zh:
            if bad in text:
                out.append((bad, term.id))
        for bad in term.avoid.en:
            if bad.lower() in low:
                out.append((bad, term.id))
    return out


def catalogue_hits() -> set[tuple[str, str, str]]:
    """(file, key path, forbidden term) over every catalogue."""
    found = set()
    for rel in CATALOGUES:
        doc = yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))
        for key, text in strings_of(doc):
            for bad, _ in hits(text):
                found.add((rel, key, bad))
    return found


def report_hits() -> set[tuple[str, str, str]]:
    """(report, line, forbidden term) over the Markdown reports of H and Y in both languages."""
    from advisor.pipeline import assess, preset
    from advisor.report import render

    found = set()
    for name in ("case-h", "case-y"):
        p = preset(name, with_basis=True)
        a = assess(p)
        for lang in ("zh", "en"):
            for line in render(a, p, "md", lang).splitlines():
                for bad, _ in hits(line):
                    found.add((f"{name}.{lang}", line.strip()[:80], bad))
    return found
