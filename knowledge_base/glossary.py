"""The glossary: one settled Chinese and English name per key term of the paper.

Each ``data/glossary/<id>.yaml`` is one term: its Chinese (the paper's word first) and English
names, a definition, the passage it comes from (verbatim, checked like every item's source),
the terms to avoid in both languages, and, for terms that name a label of ours (a stage of the
co-production score), the label ``names`` it settles with the names that must not be used there.

The reports take such labels from here (``label_of``), and ``tests/glossary`` fails when a UI or
report string uses a term the glossary forbids.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, ValidationError

from knowledge_base.schema import Source, Strict, Text, error_list

GLOSSARY_DIR = Path(__file__).resolve().parent / "data" / "glossary"


class Avoid(Strict):
    """Terms not to use, per language (matched as substrings; English case-insensitively)."""

    zh: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    en: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)


class Term(Strict):
    """One settled term."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    zh: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]
    definition: Text
    source: Annotated[list[Source], Field(min_length=1)]
    avoid: Avoid = Avoid()
    # labels of ours this term is the name of ("coproduction.stage:consultation"), and the names
    # that must not be used for them (a word fine elsewhere, wrong as this label)
    names: list[str] = Field(default_factory=list)
    avoid_as_name: Avoid = Avoid()
    # whose the English name or the definition is, when it is not the paper's (a policy term)
    note: Text | None = None


@dataclass(frozen=True)
class GlossaryProblem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"glossary/{self.file}: {self.field}: {self.message}" if self.field else self.file


def read_glossary(
    glossary_dir: Path = GLOSSARY_DIR,
    files: dict[str, str] | None = None,
) -> tuple[dict[str, Term], list[GlossaryProblem]]:
    """Every term by id, and every problem found (malformed file, unknown key, file name).
    ``files``, when given, is filled with each term's file name."""
    terms: dict[str, Term] = {}
    problems: list[GlossaryProblem] = []
    if not glossary_dir.is_dir():
        return terms, [GlossaryProblem("", "", "missing folder data/glossary")]
    for path in sorted(glossary_dir.glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            problems.append(GlossaryProblem(path.name, "", f"malformed YAML: {exc}"))
            continue
        try:
            term = Term.model_validate(doc)
        except ValidationError as exc:
            problems += [GlossaryProblem(path.name, loc, msg) for loc, msg in error_list(exc)]
            continue
        if term.id != path.stem:
            problems.append(GlossaryProblem(path.name, "id", "the file must be named after the id"))
        if term.id in terms:
            problems.append(GlossaryProblem(path.name, "id", "duplicate id"))
        for lang in ("zh", "en"):
            own = getattr(term, lang)
            for bad in getattr(term.avoid, lang):
                if bad.lower() in own.lower():
                    problems.append(
                        GlossaryProblem(path.name, f"avoid.{lang}", f"{bad!r} is in the term")
                    )
        terms[term.id] = term
        if files is not None:
            files[term.id] = path.name
    return terms, problems


def check_glossary(paper: object, glossary_dir: Path = GLOSSARY_DIR) -> list[GlossaryProblem]:
    """Every problem of the glossary, its passages checked verbatim against ``paper`` (a
    ``knowledge_base.passages.Paper``)."""
    files: dict[str, str] = {}
    terms, problems = read_glossary(glossary_dir, files)
    names: dict[str, str] = {}
    for term in terms.values():
        file = files[term.id]
        for i, s in enumerate(term.source):
            if not paper.locate(s.quote_zh):  # type: ignore[attr-defined]
                problems.append(
                    GlossaryProblem(file, f"source[{i}].quote_zh", "not verbatim in the paper")
                )
        if term.zh not in "".join(s.quote_zh for s in term.source) and term.note is None:
            problems.append(
                GlossaryProblem(
                    file, "zh", "the term is not in its passage; say whose it is in 'note'"
                )
            )
        for key in term.names:
            if key in names:
                problems.append(GlossaryProblem(file, "names", f"{key} is named by {names[key]}"))
            names[key] = term.id
    return problems


@lru_cache(maxsize=1)
def load_glossary() -> dict[str, Term]:
    """The glossary's terms by id (cached). Raises KnowledgeBaseError when a file is unsound."""
    from advisor.errors import KnowledgeBaseError

    terms, problems = read_glossary()
    if problems:
        raise KnowledgeBaseError("; ".join(str(p) for p in problems))
    return terms


def label_of(key: str, lang: str) -> str | None:
    """The settled name of one of our labels (``coproduction.stage:<stage>``), or None."""
    for term in load_glossary().values():
        if key in term.names:
            return term.zh if lang == "zh" else term.en
    return None


def forbidden(lang: str) -> dict[str, str]:
    """Every term to avoid in ``lang`` -> the id of the term to use instead."""
    out: dict[str, str] = {}
    for term in load_glossary().values():
        for bad in getattr(term.avoid, lang):
            out[bad] = term.id
    return out
