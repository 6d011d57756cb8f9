"""Coverage of the paper, Catala style: which items encode each paragraph, or why none does.

A paragraph is *encoded* when at least one source quote of an item lies in it. Every paragraph of
the sections in ``REQUIRED_SECTIONS`` (the definitions of section 3, and sections 5 and 6) must be
encoded or listed in ``data/coverage.yaml`` as deliberately not encoded, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge_base.passages import Paper, Paragraph, load_paper
from knowledge_base.schema import Item, NotEncoded

# Sections whose every paragraph must be accounted for.
REQUIRED_SECTIONS: tuple[str, ...] = ("3.1", "3.2", "5.1", "5.2", "6")


@dataclass
class CoverageRow:
    """One paragraph: the items that encode it, or the reason it is not encoded."""

    paragraph: Paragraph
    items: list[str] = field(default_factory=list)
    not_encoded: NotEncoded | None = None

    @property
    def required(self) -> bool:
        return self.paragraph.section in REQUIRED_SECTIONS

    @property
    def status(self) -> str:
        """``encoded``, ``not_encoded`` (with reason), ``contradiction`` or ``unaccounted``."""
        if self.items and self.not_encoded:
            return "contradiction"
        if self.items:
            return "encoded"
        if self.not_encoded:
            return "not_encoded"
        return "unaccounted"

    @property
    def is_problem(self) -> bool:
        return self.status == "contradiction" or (self.required and self.status == "unaccounted")


def encoders(items: Iterable[Item], paper: Paper) -> dict[str, list[str]]:
    """Paragraph id -> ids of the items with a source quote in that paragraph (sorted)."""
    out: dict[str, set[str]] = {}
    for item in items:
        for src in item.source:
            for p in paper.locate(src.quote_zh):
                out.setdefault(p.id, set()).add(item.id)
    return {pid: sorted(ids) for pid, ids in out.items()}


def coverage(
    items: Iterable[Item],
    not_encoded: dict[str, NotEncoded],
    paper: Paper | None = None,
    section: str | None = None,
) -> list[CoverageRow]:
    """The paper paragraph by paragraph (optionally one section and its subsections)."""
    paper = paper or load_paper()
    by_para = encoders(items, paper)
    paragraphs = paper.in_section(section) if section else list(paper.paragraphs)
    return [CoverageRow(p, by_para.get(p.id, []), not_encoded.get(p.id)) for p in paragraphs]


def unaccounted(rows: Iterable[CoverageRow]) -> list[CoverageRow]:
    """The rows that make coverage fail: required and unaccounted for, or contradictory."""
    return [r for r in rows if r.is_problem]
