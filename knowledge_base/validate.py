"""Validation of the knowledge base: every problem, by file, item id and field.

``validate(data_dir)`` runs every check and returns the full list (it never stops at the first):

- the item files: strict models (unknown keys, a missing or blank language, a missing source,
  an action without actor/phase/stage or with an invalid one, a parameter not labelled
  ``operationalisation``), duplicate ids, a file not named after its id;
- every ``quote_zh`` verbatim in the paper (all whitespace removed from both, page furniture
  stripped), within one paragraph, in the section it names, not the garbled 5.2 sentence, and
  carrying the interview code of the paragraph it comes from;
- every ``links``, ``addresses`` (diagnoses) and ``conflicts_with`` (actions, declared both ways)
  id resolves; the contract's diagnosis ids and the further ones of ARCHITECTURE.md exist;
- kind-specific content: cases have facts, quotes a speaker, actions dimensions and addresses;
- zh texts contain Chinese, en texts contain Latin letters;
- ``fields.yaml`` documents every case-profile field and labels every level and enum value;
- every parameter declares a ``plausible_range`` (with its reasoning) lying around its value;
- ``coverage.yaml`` names real paragraphs, and every paragraph of sections 3, 5 and 6 is encoded
  or listed there with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from knowledge_base.coverage import coverage, unaccounted
from knowledge_base.fields import check_fields
from knowledge_base.loader import DATA_DIR, LoadProblem, read_items, read_special
from knowledge_base.passages import Paper, load_paper, normalise
from knowledge_base.ranges import range_problems
from knowledge_base.schema import Item, Text

# The diagnosis ids of CONTRACT.md: a published interface, they must exist.
CONTRACT_DIAGNOSES: tuple[str, ...] = (
    "asymmetric_dependence",
    "sole_dependence",
    "administrative_assistant",
    "hermit_crab",
    "surface_autonomy",
    "festivalisation",
    "fragmentation",
    "weak_professionalism",
    "over_dependence_on_third_party",
    "weak_third_party",
)
# The further diagnoses of docs/ARCHITECTURE.md the paper supports; rules refer to them.
FURTHER_DIAGNOSES: tuple[str, ...] = (
    "low_resident_awareness",
    "excessive_control",
    "no_acceptance_mechanism",
    "coproduction_deficit",
    "volunteers_as_tools",
    "weak_incentives",
    "third_party_low_autonomy",
    "direct_intervention_cycle",
)
# Other ids the contract and the engine rely on.
REQUIRED_ITEMS: dict[str, str] = {
    "mode_top_down": "development_mode",
    "mode_bottom_up_top_down": "development_mode",
    "mode_bottom_up": "development_mode",
    "dim_legitimacy": "dimension",
    "dim_funding": "dimension",
    "dim_human_resources": "dimension",
    "dim_knowledge": "dimension",
    "case_h": "case",
    "case_y": "case",
}

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_CODE = re.compile(r"访谈编码：(\d{11,12})")


def _texts(model: BaseModel, prefix: str = "") -> list[tuple[str, Text]]:
    """Every bilingual text inside a model, with its dotted field path."""
    out: list[tuple[str, Text]] = []
    for name in type(model).model_fields:
        if name == "scale":
            continue  # a parameter's scale may be a notation ("0..1", "force_type -> mode")
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, Text):
            out.append((path, value))
        elif isinstance(value, BaseModel):
            out.extend(_texts(value, path + "."))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, Text):
                    out.append((f"{path}[{i}]", v))
                elif isinstance(v, BaseModel):
                    out.extend(_texts(v, f"{path}[{i}]."))
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, Text):
                    out.append((f"{path}.{k}", v))
    return out


def check_languages(model: BaseModel, file: str, item: str) -> list[LoadProblem]:
    """zh texts must contain Chinese and en texts Latin letters (catches swapped languages)."""
    problems = []
    for path, text in _texts(model):
        if not _CJK.search(text.zh):
            problems.append(LoadProblem(file, item, f"{path}.zh", "has no Chinese characters"))
        if not _LATIN.search(text.en):
            problems.append(LoadProblem(file, item, f"{path}.en", "has no Latin letters"))
    return problems


def check_sources(item: Item, file: str, paper: Paper) -> list[LoadProblem]:
    """Every quote verbatim, in one paragraph of the section it names, with its interview code."""
    problems = []
    for i, src in enumerate(item.source):
        field = f"source[{i}]"
        where = paper.locate(src.quote_zh)
        if paper.is_garbled(src.quote_zh):
            problems.append(
                LoadProblem(
                    file, item.id, f"{field}.quote_zh", "cites the sentence garbled by extraction"
                )
            )
            continue
        if not where:
            problems.append(
                LoadProblem(
                    file,
                    item.id,
                    f"{field}.quote_zh",
                    f"not found verbatim in the paper: {src.quote_zh[:40]!r}",
                )
            )
            continue
        if len(where) > 1:
            ids = ", ".join(p.id for p in where)
            problems.append(
                LoadProblem(
                    file,
                    item.id,
                    f"{field}.quote_zh",
                    f"spans several paragraphs ({ids}); split it",
                )
            )
            continue
        para = where[0]
        if para.section != src.section:
            problems.append(
                LoadProblem(
                    file,
                    item.id,
                    f"{field}.section",
                    f"the quote is in section {para.section} ({para.id}), not {src.section}",
                )
            )
        codes = _CODE.findall(normalise(para.text))
        if src.interview_code and src.interview_code not in codes:
            problems.append(
                LoadProblem(
                    file,
                    item.id,
                    f"{field}.interview_code",
                    f"{src.interview_code} is not the code of paragraph {para.id}",
                )
            )
        elif codes and not src.interview_code:
            problems.append(
                LoadProblem(
                    file,
                    item.id,
                    f"{field}.interview_code",
                    f"the quote is from interview {codes[0]}; give interview_code",
                )
            )
    return problems


def check_item(
    item: Item, file: str, items: dict[str, Item], invalid: frozenset[str] = frozenset()
) -> list[LoadProblem]:
    """References resolve and kind-specific content is there.

    ``invalid`` holds the ids of items whose files exist but do not validate: references to them
    are not reported again (their own problems already are).
    """
    problems = []

    def bad(field: str, msg: str) -> None:
        problems.append(LoadProblem(file, item.id, field, msg))

    for i, ref in enumerate(item.links):
        if ref in invalid:
            continue
        if ref not in items:
            bad(f"links[{i}]", f"links to {ref!r}, which does not exist")
        elif ref == item.id:
            bad(f"links[{i}]", "links to itself")
    for i, ref in enumerate(item.addresses):
        target = items.get(ref)
        if ref in invalid:
            continue
        if target is None:
            bad(f"addresses[{i}]", f"addresses {ref!r}, which does not exist")
        elif target.kind != "diagnosis":
            bad(f"addresses[{i}]", f"{ref!r} is a {target.kind}, not a diagnosis")
    for i, ref in enumerate(item.conflicts_with):
        target = items.get(ref)
        if ref in invalid:
            continue
        if target is None:
            bad(f"conflicts_with[{i}]", f"conflicts with {ref!r}, which does not exist")
        elif target.kind != "action":
            bad(f"conflicts_with[{i}]", f"{ref!r} is a {target.kind}, not an action")
        elif item.id not in target.conflicts_with:
            bad(f"conflicts_with[{i}]", f"{ref!r} does not declare the conflict back")
    if item.kind != "action":
        for name in ("actor", "phase", "stage", "addresses", "conflicts_with", "dimensions"):
            if getattr(item, name):
                bad(name, f"only actions have {name!r}")
    else:
        if not item.dimensions:
            bad("dimensions", "an action needs the dimensions it works on")
        if not item.addresses:
            bad("addresses", "an action needs the diagnoses it addresses")
    if item.kind != "diagnosis" and item.recognition is not None:
        bad("recognition", "only diagnoses have 'recognition'")
    if item.kind == "case" and not item.facts:
        bad("facts", "a case needs its facts")
    if item.kind != "case" and item.facts:
        bad("facts", "only cases have 'facts'")
    if item.kind == "quote" and item.speaker is None:
        bad("speaker", "an interview quote needs 'speaker' (say so when the paper does not)")
    if item.kind != "parameter" and (item.value is not None or item.scale is not None):
        bad("value", "only parameters have 'value' and 'scale'")
    for field, msg in range_problems(item):
        bad(field, msg)
    return problems


def check_required(
    items: dict[str, Item], invalid: frozenset[str] = frozenset()
) -> list[LoadProblem]:
    """The ids the contract, the architecture and the engine rely on exist with the right kind."""
    problems = []
    wanted = {d: "diagnosis" for d in CONTRACT_DIAGNOSES + FURTHER_DIAGNOSES} | REQUIRED_ITEMS
    for item_id, kind in wanted.items():
        if item_id in invalid:
            continue  # the file is there; its own problems are reported
        item = items.get(item_id)
        what = "contract diagnosis" if item_id in CONTRACT_DIAGNOSES else kind
        if item is None:
            problems.append(LoadProblem("", item_id, "id", f"the {what} {item_id!r} is missing"))
        elif item.kind != kind:
            problems.append(LoadProblem("", item_id, "kind", f"must be {kind}, not {item.kind}"))
    return problems


def validate(data_dir: Path = DATA_DIR, paper: Paper | None = None) -> list[LoadProblem]:
    """Every problem of the knowledge base in ``data_dir`` (empty when it is sound)."""
    paper = paper or load_paper()
    items, files, problems = read_items(data_dir)
    _raw, fields, not_encoded, special = read_special(data_dir)
    # items whose files exist but do not validate (a malformed file counts under its stem)
    invalid = frozenset(p.item for p in problems if p.item and p.item not in items) | frozenset(
        Path(p.file).stem for p in problems if not p.item and Path(p.file).stem not in items
    )
    problems = list(problems) + special
    for item_id, item in items.items():
        file = files[item_id]
        problems += check_sources(item, file, paper)
        problems += check_item(item, file, items, invalid)
        problems += check_languages(item, file, item_id)
    problems += check_required(items, invalid)
    if fields:
        problems += [LoadProblem("fields.yaml", "", p, m) for p, m in check_fields(fields)]
        for path, fd in fields.items():
            problems += check_languages(fd, "fields.yaml", path)
    known = {p.id for p in paper.paragraphs}
    for pid, ne in not_encoded.items():
        if pid not in known:
            problems.append(
                LoadProblem("coverage.yaml", pid, "paragraph", "no such paragraph in the paper")
            )
        problems += check_languages(ne, "coverage.yaml", pid)
    for row in unaccounted(coverage(items.values(), not_encoded, paper)):
        pid = row.paragraph.id
        if row.status == "contradiction":
            msg = f"listed as not encoded, but encoded by {', '.join(row.items)}"
        else:
            msg = "neither encoded by an item nor listed as not encoded"
        problems.append(LoadProblem("coverage.yaml", pid, "paragraph", msg))
    from knowledge_base.glossary import check_glossary

    problems += [
        LoadProblem(f"glossary/{g.file}", "", g.field, g.message)
        for g in check_glossary(paper, data_dir / "glossary")
        if (data_dir / "glossary").is_dir()
    ]
    return problems
