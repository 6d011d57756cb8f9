"""The field documentation covers every case-profile field, level and value, in both languages."""

from __future__ import annotations

import re

import pytest

from advisor.errors import KnowledgeBaseError
from knowledge_base.fields import check_fields, enum_label, field_doc, load_fields, profile_fields
from knowledge_base.loader import load_kb


def test_every_profile_field_has_an_entry() -> None:
    """Each leaf and group of CaseProfile is documented, and nothing else is."""
    docs = load_fields()
    model = profile_fields()
    assert set(docs) == set(model)
    leaves = [p for p, spec in model.items() if spec["kind"] != "group"]
    assert len(leaves) == 50
    assert check_fields(docs) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_enum_value_and_level_is_labelled(lang: str) -> None:
    """Every enum value, boolean and ordinal level has a non-blank label in each language."""
    for path, spec in profile_fields().items():
        doc = field_doc(path)
        assert doc.label.get(lang).strip() and doc.help.get(lang).strip(), path
        for value in spec.get("values", []):
            label = doc.values[value].get(lang)
            assert label.strip() and label != value, (path, value)
        for level in spec.get("levels", []):
            assert doc.levels[level].get(lang).strip(), (path, level)


def test_scales_are_labelled_as_our_operationalisation() -> None:
    """The profile's scales are ours: every field but Deng's modes says operationalisation."""
    for path, doc in load_fields().items():
        if path == "development_mode":
            assert doc.provenance.kind == "literature"
            assert "邓国胜" in (doc.provenance.citation or "")
        else:
            assert doc.provenance.kind == "operationalisation", path
            assert doc.provenance.reasoning is not None


def test_enum_label_reads_values_levels_booleans_and_null() -> None:
    """enum_label gives the label of an enum value, a level, a boolean and an empty field."""
    assert enum_label("agenda.pattern", "holiday_campaign", "zh").endswith("（节日化）")
    assert enum_label("coproduction.planning", 3, "en") == "Shared"
    assert enum_label("government.acceptance_mechanism", False, "zh") == "没有"
    assert enum_label("third_party", None, "en") == "No third party"
    assert enum_label("development_mode", None, "zh") == "不确定，由工具推断"


def test_unknown_field_is_a_clear_error() -> None:
    """Asking for a field that does not exist names it."""
    with pytest.raises(KnowledgeBaseError, match=re.escape("funding.grants")):
        field_doc("funding.grants")


def test_knowledge_base_exposes_the_field_docs() -> None:
    """load_kb().fields is the same documentation, keyed by dotted path."""
    kb = load_kb()
    assert kb.fields["third_party.capacity"].sections == ["5.2", "6"]
    assert kb.fields["funding.government_direct"].path == "funding.government_direct"
