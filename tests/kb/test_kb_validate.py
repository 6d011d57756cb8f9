"""The validator catches every kind of defect, naming the file, the item and the field.

Each fixture in ``fixtures/`` is a tiny data folder holding one defect; it is laid over a copy of
the shipped knowledge base, and the problems it adds must be exactly the expected ones.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml
from kb_helpers import FIXTURES, key, overlay

from knowledge_base.loader import DATA_DIR
from knowledge_base.validate import validate

H = "diagnoses/hermit_crab.yaml"
A = "actions/tp_joint_negotiation.yaml"

# fixture -> the problems it must add: (file, item, field, a phrase of the message)
EXPECTED: dict[str, list[tuple[str, str, str, str]]] = {
    "unknown_key": [(H, "hermit_crab", "refrence", "unknown key")],
    "missing_language": [(H, "hermit_crab", "label.en", "missing")],
    "blank_language": [(H, "hermit_crab", "summary.zh", "blank")],
    "swapped_languages": [
        (H, "hermit_crab", "label.zh", "no Chinese characters"),
        (H, "hermit_crab", "label.en", "no Latin letters"),
    ],
    "missing_source": [(H, "hermit_crab", "source", "missing")],
    "empty_source": [(H, "hermit_crab", "source", "at least one")],
    "quote_not_verbatim": [(H, "hermit_crab", "source[0].quote_zh", "not found verbatim")],
    "quote_wrong_section": [(H, "hermit_crab", "source[0].section", "in section 5.1 (5.1-p9)")],
    "garbled_quote": [(H, "hermit_crab", "source[1].quote_zh", "garbled")],
    "wrong_interview_code": [
        (
            "quotes/quote_202203073123.yaml",
            "quote_202203073123",
            "source[0].interview_code",
            "202203073163 is not the code of paragraph 5.1-p5",
        )
    ],
    "missing_interview_code": [
        (
            "diagnoses/third_party_low_autonomy.yaml",
            "third_party_low_autonomy",
            "source[0].interview_code",
            "from interview 20221019012",
        )
    ],
    "dangling_link": [(H, "hermit_crab", "links[3]", "'hermit_crabs', which does not exist")],
    "dangling_address": [
        (A, "tp_joint_negotiation", "addresses[0]", "'asymmetric_dependance', which does not"),
        (A, "tp_joint_negotiation", "addresses[1]", "is a dimension, not a diagnosis"),
    ],
    "dangling_conflict": [
        (A, "tp_joint_negotiation", "conflicts_with[1]", "'tp_build_capacity', which does not")
    ],
    "one_way_conflict": [
        (
            "actions/gov_regulations.yaml",
            "gov_regulations",
            "conflicts_with[0]",
            "does not declare the conflict back",
        )
    ],
    "duplicate_id": [("theory/hermit_crab.yaml", "hermit_crab", "id", "duplicate id")],
    "file_name_mismatch": [("diagnoses/hermit.yaml", "hermit_crab", "id", "named after the id")],
    "invalid_action": [
        (A, "tp_joint_negotiation", "actor", "'government'"),
        (A, "tp_joint_negotiation", "phase", "1, 2 or 3"),
        (A, "tp_joint_negotiation", "stage", "'co_planning'"),
    ],
    "action_without_stage": [(A, "tp_joint_negotiation", "stage", "an action needs stage")],
    "parameter_not_operationalisation": [
        (
            "parameters/thresholds.fixture.yaml",
            "thresholds.fixture",
            "provenance.kind",
            "operationalisation",
        )
    ],
    "parameter_range_defects": [
        (
            "parameters/thresholds.festivalisation.yaml",
            "thresholds.festivalisation",
            "plausible_range",
            "missing: every parameter declares",
        ),
        (
            "parameters/thresholds.excessive_control.yaml",
            "thresholds.excessive_control",
            "plausible_range.values.severity_low",
            "does not lie around the value 0.3",
        ),
        (
            "parameters/thresholds.excessive_control.yaml",
            "thresholds.excessive_control",
            "plausible_range.values.control_min",
            "the bounds must be integers too",
        ),
        (
            "parameters/thresholds.excessive_control.yaml",
            "thresholds.excessive_control",
            "plausible_range.values.control_max",
            "not a key of the value",
        ),
    ],
    "diagnosis_without_recognition": [(H, "hermit_crab", "recognition", "needs 'recognition'")],
    "literature_without_citation": [
        ("modes/mode_top_down.yaml", "mode_top_down", "provenance.citation", "needs a citation")
    ],
    "operationalisation_without_reasoning": [
        (
            "actions/gov_auxiliary_role.yaml",
            "gov_auxiliary_role",
            "provenance.reasoning",
            "needs its reasoning",
        )
    ],
    "malformed_yaml": [(H, "", "", "malformed YAML")],
    "case_without_facts": [("cases/case_h.yaml", "case_h", "facts", "needs its facts")],
    "wrong_kind": [
        ("actions/gov_bring_in_third_party.yaml", "gov_bring_in_third_party", "addresses[1]", ""),
        ("actions/gov_five_social_linkage.yaml", "gov_five_social_linkage", "addresses[0]", ""),
        ("actions/gov_link_local_resources.yaml", "gov_link_local_resources", "addresses[0]", ""),
        ("actions/tp_five_social_linkage.yaml", "tp_five_social_linkage", "addresses[0]", ""),
        ("actions/tp_mobilise_stakeholders.yaml", "tp_mobilise_stakeholders", "addresses[1]", ""),
        ("actions/vol_diversify_sources.yaml", "vol_diversify_sources", "addresses[1]", ""),
        (H, "hermit_crab", "recognition", "only diagnoses"),
        ("", "hermit_crab", "kind", "must be diagnosis, not concept"),
    ],
    "missing_contract_diagnosis": [
        ("", "hermit_crab", "id", "the contract diagnosis 'hermit_crab' is missing"),
        # every reference to it now dangles, and is reported where it is
        ("actions/gov_bring_in_third_party.yaml", "gov_bring_in_third_party", "addresses[1]", ""),
        ("actions/gov_five_social_linkage.yaml", "gov_five_social_linkage", "addresses[0]", ""),
        ("actions/gov_link_local_resources.yaml", "gov_link_local_resources", "links[0]", ""),
        ("actions/gov_link_local_resources.yaml", "gov_link_local_resources", "addresses[0]", ""),
        ("actions/tp_five_social_linkage.yaml", "tp_five_social_linkage", "addresses[0]", ""),
        ("actions/tp_mobilise_stakeholders.yaml", "tp_mobilise_stakeholders", "addresses[1]", ""),
        ("actions/vol_diversify_sources.yaml", "vol_diversify_sources", "addresses[1]", ""),
        ("diagnoses/administrative_assistant.yaml", "administrative_assistant", "links[2]", ""),
        ("diagnoses/sole_dependence.yaml", "sole_dependence", "links[2]", ""),
        ("dimensions/dim_funding.yaml", "dim_funding", "links[1]", ""),
        ("parameters/thresholds.hermit_crab.yaml", "thresholds.hermit_crab", "links[0]", ""),
    ],
    "unaccounted_paragraph": [
        ("coverage.yaml", "5.1-p3", "paragraph", "neither encoded by an item nor listed"),
        ("cases/case_y.yaml", "case_y", "links[3]", "does not exist"),
        ("dimensions/dim_funding.yaml", "dim_funding", "links[0]", "does not exist"),
    ],
    "coverage_defects": [
        ("coverage.yaml", "", "comment", "unknown key"),
        ("coverage.yaml", "1-p1", "not_encoded[2].reason.en", "missing"),
        ("coverage.yaml", "1-p3", "not_encoded[4]", "listed twice"),
        ("coverage.yaml", "7.1-p1", "paragraph", "no such paragraph"),
        ("coverage.yaml", "5.1-p3", "paragraph", "but encoded by quote_202203073010"),
    ],
}


@functools.cache
def _baseline() -> frozenset[tuple[str, str, str, str]]:
    return frozenset(key(p) for p in validate(DATA_DIR))


def _added(data: Path) -> list[tuple[str, str, str, str]]:
    return [key(p) for p in validate(data) if key(p) not in _baseline()]


def test_every_fixture_has_an_expectation() -> None:
    """No fixture folder is left untested and no expectation lacks its fixture."""
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders == set(EXPECTED)


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_fixture_defect_is_caught_by_file_item_and_field(fixture: str, tmp_path: Path) -> None:
    """The fixture's defect, and nothing else, is reported with its file, item and field."""
    added = _added(overlay(fixture, tmp_path))
    got = sorted((f, i, fld) for f, i, fld, _m in added)
    want = sorted((f, i, fld) for f, i, fld, _m in EXPECTED[fixture])
    assert got == want, "\n".join(map(str, added))
    messages = {(f, i, fld): m for f, i, fld, m in added}
    for f, i, fld, phrase in EXPECTED[fixture]:
        assert phrase in messages[(f, i, fld)], messages[(f, i, fld)]


def _mutate_fields(tmp_path: Path, edit) -> Path:
    data = overlay("unknown_key", tmp_path)  # any copy will do; restore the item first
    (data / H).write_bytes((DATA_DIR / H).read_bytes())
    doc = yaml.safe_load((data / "fields.yaml").read_text(encoding="utf-8"))
    edit(doc["fields"])
    (data / "fields.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return data


def test_profile_field_without_documentation_is_caught(tmp_path: Path) -> None:
    """A case-profile field missing from fields.yaml is named by its path."""
    data = _mutate_fields(tmp_path, lambda f: f.pop("linkage"))
    assert _added(data) == [
        ("fields.yaml", "", "linkage", "the profile field has no entry in fields.yaml")
    ]


def test_unlabelled_level_and_enum_value_are_caught(tmp_path: Path) -> None:
    """A level of a scale or a value of an enum without a label is named by its path."""

    def edit(f: dict) -> None:
        del f["government.control"]["levels"][4]
        del f["agenda.pattern"]["values"]["fragmented"]
        f["agenda.pattern"]["values"]["monthly"] = {"zh": "每月", "en": "Monthly"}

    added = _added(_mutate_fields(tmp_path, edit))
    assert sorted(added) == [
        ("fields.yaml", "", "agenda.pattern.values.fragmented", "value has no label"),
        ("fields.yaml", "", "agenda.pattern.values.monthly", "not a value of the profile field"),
        ("fields.yaml", "", "government.control.levels.4", "level has no label"),
    ]


def test_field_doc_missing_english_help_is_caught(tmp_path: Path) -> None:
    """Field documentation in one language only is refused, naming the field path."""

    def edit(f: dict) -> None:
        del f["funding.charity"]["help"]["en"]
        f["funding.residents"]["unit"] = "yuan"

    added = _added(_mutate_fields(tmp_path, edit))
    assert sorted(added) == [
        ("fields.yaml", "", "fields.funding.charity.help.en", "missing"),
        ("fields.yaml", "", "fields.funding.residents.unit", "unknown key"),
    ]
