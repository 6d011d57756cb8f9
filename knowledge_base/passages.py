"""The paper as passages: paragraphs with stable ids (``5.1-p3``), page furniture removed.

The shipped text is a PDF extraction: lines break inside sentences and blank lines separate them,
so a paragraph starts where a line follows the previous one directly (no blank line between) and
the previous line closes a sentence. Page furniture (the DOI address, the author's name, the running
header) is dropped. A quote is "verbatim" when it is found in the furniture-free text after all
whitespace is removed from both (``normalise``).

Paragraph ids number the paragraphs of one section from 1: ``abstract-p1`` (Chinese),
``abstract-p2`` (English), ``1-p1`` ... ``6-p5``. They are stable as long as the shipped text is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PAPER_PATH = Path(__file__).resolve().parent / "paper" / "paper.zh.txt"

# Page furniture of the extraction: never part of a sentence.
FURNITURE = (
    re.compile(r"^https?://doi\.org/10\.12677/ass\.2024\.131018$"),
    re.compile(r"^高雅$"),
    re.compile(r"^DOI:\s*10\.12677/ass\.2024\.131018\s+\d+\s+社会科学前沿$"),
)

# The section headings as they appear in the text, and the section ids used for citing.
HEADINGS: dict[str, str] = {
    "摘要": "abstract",
    "Abstract": "abstract",
    "1.问题的提出": "1",
    "2.文献综述": "2",
    "2.1.志愿服务组织与政府的互动": "2.1",
    "2.2.社会组织培育志愿服务力量": "2.2",
    "2.3.文献评述": "2.3",
    "3.理论基础": "3",
    "3.1.资源依赖理论与非对称性依赖": "3.1",
    "3.2.合作生产": "3.2",
    "4.研究方法与案例总体情况": "4",
    "4.1.研究方法与资料收集": "4.1",
    "4.2.案例简介": "4.2",
    "5.志愿服务力量培育中的多主体互动": "5",
    "5.1.志愿服务力量与政府的互动": "5.1",
    "5.2.社会组织培育志愿服务力量": "5.2",
    "6.从依赖到合作：一个行动框架": "6",
}
# The title of each section, for display ("5.1" -> "志愿服务力量与政府的互动").
SECTION_TITLES: dict[str, str] = {
    v: ("摘要" if v == "abstract" else re.sub(r"^[\d.]+", "", k)) for k, v in HEADINGS.items()
}

# The place in 5.2 where the extraction garbled a sentence: the start of 5.1's "反之，政府对社区志…"
# ran into 5.2's first sentence ("除政府这一主体…"). No quote may overlap it; quotes from the
# intact rest of that sentence are fine ("cite around it").
GARBLED = ("反之，政府对社区志除政府这一主体",)

_SENTENCE_END = ("。", "：", ")", "）", "”")
_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text with all whitespace removed: the form in which quotes are compared."""
    return _WS.sub("", text)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the paper: stable id, section, text (lines joined), first line number."""

    id: str
    section: str
    text: str
    line: int

    @property
    def norm(self) -> str:
        return normalise(self.text)


@dataclass(frozen=True)
class Paper:
    """The paper split into paragraphs, with the normalised full text and paragraph offsets."""

    paragraphs: tuple[Paragraph, ...]
    norm: str  # the normalised paragraphs, concatenated in order (headings left out)
    spans: tuple[tuple[int, int], ...]  # offsets of each paragraph in ``norm``

    def get(self, paragraph_id: str) -> Paragraph:
        for p in self.paragraphs:
            if p.id == paragraph_id:
                return p
        raise KeyError(paragraph_id)

    def in_section(self, section: str) -> list[Paragraph]:
        """The paragraphs of a section; ``"5"`` includes 5.1 and 5.2."""
        return [
            p
            for p in self.paragraphs
            if p.section == section or p.section.startswith(section + ".")
        ]

    def locate(self, quote: str) -> list[Paragraph]:
        """The paragraphs a quote lies in (usually one); empty when it is not verbatim."""
        q = normalise(quote)
        if not q:
            return []
        start = self.norm.find(q)
        if start < 0:
            return []
        end = start + len(q)
        return [
            p
            for p, (a, b) in zip(self.paragraphs, self.spans, strict=True)
            if a < end and b > start
        ]

    def is_garbled(self, quote: str) -> bool:
        """True when the quote overlaps the sentence garbled by the extraction."""
        q = normalise(quote)
        for bad in GARBLED:
            b = normalise(bad)
            pos = self.norm.find(b)
            start = self.norm.find(q)
            if pos >= 0 and start >= 0 and start < pos + len(b) and start + len(q) > pos:
                return True
        return False


def _is_furniture(line: str) -> bool:
    s = line.strip()
    return any(rx.match(s) for rx in FURNITURE)


def _heading(line: str) -> str | None:
    return HEADINGS.get(normalise(line))


def _join(lines: list[str]) -> str:
    """Join the lines of one paragraph: Chinese lines directly, English lines with a space."""
    out = ""
    for raw in lines:
        s = raw.strip()
        if not out:
            out = s
        elif out.endswith("-") and s[:1].isascii() and s[:1].isalpha():
            out = out[:-1] + s  # a hyphenated English word broken across lines
        elif out[-1:].isascii() and s[:1].isascii():
            out = out + " " + s
        else:
            out = out + s
    return out


def split_paragraphs(text: str) -> list[Paragraph]:
    """Split the extracted text into paragraphs with ids, dropping headings and page furniture."""
    paragraphs: list[Paragraph] = []
    section = "front"
    counts: dict[str, int] = {}
    current: list[str] = []
    first_line = 0
    prev_blank = True
    prev_text = ""

    def flush() -> None:
        nonlocal current
        if current:
            counts[section] = counts.get(section, 0) + 1
            paragraphs.append(
                Paragraph(f"{section}-p{counts[section]}", section, _join(current), first_line)
            )
        current = []

    for number, line in enumerate(text.splitlines(), start=1):
        if _is_furniture(line):
            continue  # furniture neither ends nor starts a paragraph
        if not line.strip():
            prev_blank = True
            continue
        heading = _heading(line)
        if heading is not None:
            flush()
            section = heading
            prev_blank, prev_text = True, ""
            continue
        starts_new = not current or (
            not prev_blank and not line[:1].isspace() and prev_text.rstrip().endswith(_SENTENCE_END)
        )
        if starts_new:
            flush()
            first_line = number
        current.append(line)
        prev_blank, prev_text = False, line
    flush()
    return paragraphs


@lru_cache(maxsize=4)
def load_paper(path: Path = PAPER_PATH) -> Paper:
    """The shipped paper, split into paragraphs (cached)."""
    paragraphs = split_paragraphs(path.read_text(encoding="utf-8"))
    spans: list[tuple[int, int]] = []
    pos = 0
    parts: list[str] = []
    for p in paragraphs:
        n = p.norm
        spans.append((pos, pos + len(n)))
        parts.append(n)
        pos += len(n)
    return Paper(tuple(paragraphs), "".join(parts), tuple(spans))
