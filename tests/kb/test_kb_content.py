"""The shipped knowledge base: sound, complete against contract and architecture, faithful."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from pydantic import BaseModel

from knowledge_base.coverage import REQUIRED_SECTIONS, coverage, unaccounted
from knowledge_base.loader import load_kb
from knowledge_base.passages import load_paper
from knowledge_base.schema import Text
from knowledge_base.validate import CONTRACT_DIAGNOSES, FURTHER_DIAGNOSES, validate

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
CONTRACT = (ROOT / "docs" / "CONTRACT.md").read_text(encoding="utf-8")


def _architecture_actions() -> dict[str, dict]:
    """The action table of docs/ARCHITECTURE.md, by id."""
    rows = {}
    for line in ARCHITECTURE.splitlines():
        m = re.match(r"^\| `(\w+)` \| (\w+) \| (\d) \| (\w+) \| ([^|]+) \| ([^|]+) \|$", line)
        if m:
            rows[m.group(1)] = {
                "actor": m.group(2),
                "phase": int(m.group(3)),
                "stage": m.group(4),
                "dimensions": {s.strip() for s in m.group(5).split(",")},
                "addresses": {s.strip() for s in m.group(6).split(",")},
            }
    return rows


ACTIONS = _architecture_actions()


def test_shipped_knowledge_base_validates() -> None:
    """`advisor kb validate` finds no problem in the shipped data (parameters included)."""
    problems = validate()
    assert problems == [], "\n".join(map(str, problems))


def test_contract_diagnosis_ids_exist() -> None:
    """Every diagnosis id the contract names exists as a diagnosis with a recognition text."""
    named = re.search(r"Diagnosis ids the paper names.*?\n\n", CONTRACT, re.S)
    assert named is not None
    ids = set(re.findall(r"`([a-z_]+)`", named.group(0)))
    assert ids == set(CONTRACT_DIAGNOSES)
    kb = load_kb()
    for diagnosis_id in ids:
        item = kb.get(diagnosis_id)
        assert item.kind == "diagnosis" and item.recognition is not None


def test_architecture_diagnoses_are_exactly_the_diagnosis_items() -> None:
    """The diagnoses are the eighteen of ARCHITECTURE.md, no more and no fewer."""
    section = ARCHITECTURE.split("## Diagnoses", 1)[1].split("## Actions", 1)[0]
    ids = set(re.findall(r"`([a-z_]+)`", section))
    assert ids == set(CONTRACT_DIAGNOSES) | set(FURTHER_DIAGNOSES)
    assert {i.id for i in load_kb().by_kind("diagnosis")} == ids


def test_actions_match_the_architecture_table() -> None:
    """Every action of the table exists with its actor, phase, stage, dimensions and addresses."""
    assert len(ACTIONS) == 30
    kb = load_kb()
    assert {i.id for i in kb.by_kind("action")} == set(ACTIONS)
    for action_id, row in ACTIONS.items():
        item = kb.get(action_id)
        got = {
            "actor": item.actor,
            "phase": item.phase,
            "stage": item.stage,
            "dimensions": set(item.dimensions),
            "addresses": set(item.addresses),
        }
        assert got == row, action_id


def test_conflicts_are_declared_both_ways_as_in_the_architecture() -> None:
    """The two conflicts of ARCHITECTURE.md are declared in both directions, and no others."""
    expected = {
        frozenset({"gov_bring_in_third_party", "gov_strengthen_third_party"}),
        frozenset({"tp_build_own_capacity", "tp_five_social_linkage"}),
        frozenset({"tp_build_own_capacity", "tp_joint_negotiation"}),
    }
    declared = set()
    for item in load_kb().by_kind("action"):
        for other in item.conflicts_with:
            declared.add(frozenset({item.id, other}))
            assert item.id in load_kb().get(other).conflicts_with
    assert declared == expected


def test_government_actions_are_a_change_of_role_never_withdrawal() -> None:
    """Every government action's rationale says it changes the role; no action says withdraw.
    The measures of section 6's 从民众层面 are government's (aimed at the public), but they are not
    a change of its role, so they are left out of the first check."""
    public_level = {"res_publicity_awareness", "vol_qualification_system"}
    for item in load_kb().by_kind("action"):
        if item.actor == "government" and item.id not in public_level:
            assert "角色的转变" in item.summary.zh and "不是政府退出" in item.summary.zh
            assert "change of government's role, not a withdrawal" in item.summary.en
        assert "withdraw" not in item.label.en.lower() and "退出" not in item.label.zh
    auxiliary = load_kb().get("gov_auxiliary_role")
    assert any("完全脱离这种依赖" in s.quote_zh and s.section == "6" for s in auxiliary.source)


def _all_texts(model: BaseModel, path: str = "") -> list[tuple[str, Text]]:
    out = []
    for name in type(model).model_fields:
        if name == "scale":
            continue  # a parameter's scale may be a notation ("0..1"); see validate.py
        value = getattr(model, name)
        values = (
            value
            if isinstance(value, list)
            else list((value or {}).values())
            if isinstance(value, dict)
            else [value]
        )
        for i, v in enumerate(values):
            if isinstance(v, Text):
                out.append((f"{path}{name}[{i}]", v))
            elif isinstance(v, BaseModel):
                out.extend(_all_texts(v, f"{path}{name}[{i}]."))
    return out


def test_both_languages_present_and_non_blank_everywhere() -> None:
    """Every bilingual text of items, field docs and coverage has non-blank zh and en."""
    kb = load_kb()
    models = list(kb.items.values()) + list(kb.fields.values()) + list(kb.not_encoded.values())
    count = 0
    for model in models:
        for path, text in _all_texts(model):
            count += 1
            assert text.zh.strip() and text.en.strip(), path
            assert re.search(r"[\u4e00-\u9fff]", text.zh), (path, text.zh)
            assert re.search(r"[A-Za-z]", text.en), (path, text.en)
        for src in getattr(model, "source", []):
            assert src.quote_zh.strip() and src.quote_en.strip()
    assert count > 500


def test_every_paragraph_of_sections_3_5_and_6_is_accounted_for() -> None:
    """Each paragraph of 3.1, 3.2, 5.1, 5.2 and 6 is encoded or listed with its reason."""
    kb = load_kb()
    rows = coverage(kb.items.values(), kb.not_encoded)
    assert unaccounted(rows) == []
    required = [r for r in rows if r.paragraph.section in REQUIRED_SECTIONS]
    assert len(required) == 26  # 4 + 3 + 10 + 4 + 5
    assert all(r.status in ("encoded", "not_encoded") for r in required)


def test_sections_5_and_6_are_encoded_by_knowledge_items_not_only_parameters() -> None:
    """Every paragraph of 5 and 6 is quoted by a knowledge item, not just by a parameter."""
    kb = load_kb()
    items = [i for i in kb.items.values() if i.kind != "parameter"]
    for row in coverage(items, {}):
        if row.paragraph.section in ("5.1", "5.2", "6"):
            assert row.items, row.paragraph.id


def test_five_interview_quotes_with_their_codes() -> None:
    """All five interview quotes exist, the two of 20221019012 as two distinct items."""
    quotes = load_kb().by_kind("quote")
    codes = Counter(i.source[0].interview_code for i in quotes)
    assert codes == Counter(
        {"202203073010": 1, "202203073123": 1, "202203073163": 1, "20221019012": 2}
    )
    texts = {i.source[0].quote_zh for i in quotes}
    assert len(texts) == 5
    paper = load_paper()
    for item in quotes:  # each quote is the whole quoted speech of its paragraph
        (para,) = paper.locate(item.source[0].quote_zh)
        assert para.norm.startswith(item.source[0].quote_zh.replace(" ", ""))


@pytest.mark.parametrize(
    ("case_id", "facts"),
    [
        ("case_h", ["2016 年 6 月", "2017 年", "40 位志愿者", "2020 年", "20 人", "民间性"]),
        (
            "case_y",
            [
                "1998 年 9 月",
                "1 万余人",
                "90%",
                "1 + 3 + 8",
                "2019 年 4 月",
                "8 支",
                "强依附于政府",
            ],
        ),
    ],
)
def test_cases_carry_the_facts_of_section_4_2(case_id: str, facts: list[str]) -> None:
    """The two cases state the paper's facts, each of them also in a verbatim source quote."""
    item = load_kb().get(case_id)
    assert item.kind == "case"
    fact_text = " ".join(f.zh for f in item.facts)
    quote_text = " ".join(s.quote_zh for s in item.source)
    for fact in facts:
        assert fact.replace(" ", "") in fact_text.replace(" ", ""), fact
        assert fact.replace(" ", "") in quote_text.replace(" ", ""), fact


def test_theory_modes_and_dimensions_exist() -> None:
    """Theory, Deng's three modes and the four dimensions exist under their agreed ids."""
    kb = load_kb()
    for item_id, kind in {
        "concept_resource_dependence": "concept",
        "concept_asymmetric_dependence": "concept",
        "concept_sole_dependence": "concept",
        "concept_coproduction": "concept",
        "stage_co_planning": "concept",
        "stage_co_design": "concept",
        "stage_co_delivery": "concept",
        "stage_co_evaluation": "concept",
        "mode_top_down": "development_mode",
        "mode_bottom_up_top_down": "development_mode",
        "mode_bottom_up": "development_mode",
        "dim_legitimacy": "dimension",
        "dim_funding": "dimension",
        "dim_human_resources": "dimension",
        "dim_knowledge": "dimension",
        "reverse_dependence": "reverse_dependence",
    }.items():
        assert kb.get(item_id).kind == kind
    assert len(kb.by_kind("advantage")) >= 6 and len(kb.by_kind("limit")) == 2


def test_literature_items_cite_their_source() -> None:
    """Items resting on the cited literature name it: Pfeffer & Salancik, Xu, Osborne, Deng."""
    kb = load_kb()
    for item_id, name in {
        "concept_resource_dependence": "Pfeffer",
        "concept_asymmetric_dependence": "徐宇珊",
        "concept_coproduction": "Osborne",
        "mode_top_down": "邓国胜",
    }.items():
        prov = kb.get(item_id).provenance
        assert prov.kind == "literature" and name in (prov.citation or "")


def test_no_numbers_are_attributed_to_the_paper() -> None:
    """Only operationalisation parameters carry values; paper items carry no threshold."""
    for item in load_kb().items.values():
        if item.value is not None:
            assert item.kind == "parameter" and item.provenance.kind == "operationalisation"
