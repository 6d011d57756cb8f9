"""The paper's cases as presets: every field has its basis, every quoted fact is verbatim."""

from __future__ import annotations

import re
from typing import Any

import pytest

from advisor.pipeline import PRESETS, _preset_doc, preset, preset_basis
from knowledge_base.loader import paper_text

FLAT_PAPER = re.sub(r"\s+", "", paper_text())


def _leaves(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_leaves(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_is_a_valid_profile(name: str) -> None:
    """The preset validates as a case profile and has a title in both languages."""
    p = preset(name)
    assert p.id == name
    doc = _preset_doc(name)
    assert doc["title"]["zh"] and doc["title"]["en"]


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_field_has_a_basis(name: str) -> None:
    """Each field of the preset (schema_version aside) is a fact or a labelled assumption."""
    leaves = set(_leaves(_preset_doc(name)["profile"])) - {"schema_version"}
    basis = preset_basis(name)
    covered = {k for k in leaves if k in basis or any(k.startswith(b + ".") for b in basis)}
    assert covered == leaves
    assert set(basis) <= leaves | {"third_party"}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_facts_quote_the_paper_verbatim_and_assumptions_give_reasons(name: str) -> None:
    """A fact cites a section and a verbatim quote; an assumption gives its reasoning in zh, en."""
    for path, b in preset_basis(name).items():
        assert b["kind"] in ("fact", "assumption"), path
        if b["kind"] == "fact":
            assert re.fullmatch(r"abstract|[1-6](\.[1-3])?", b["section"]), path
            assert re.sub(r"\s+", "", b["quote_zh"]) in FLAT_PAPER, path
            assert b["quote_en"], path
        else:
            assert b["reasoning"]["zh"] and b["reasoning"]["en"], path


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_reasoning_names_fields_in_words(name: str) -> None:
    """The basis's reasoning is read by officials: it names a field by its label, never by its
    dotted path (``funding.charity``), in both languages."""
    from advisor.fields import FIELDS

    for path, b in preset_basis(name).items():
        for lang in ("zh", "en"):
            text = (b.get("reasoning") or {}).get(lang) or ""
            named = [p for p in re.findall(r"[a-z_]+(?:\.[a-z_]+)+", text) if p in FIELDS]
            assert not named, f"{name} {path} ({lang}) names {named}: say it in words"


def test_most_numbers_are_labelled_assumptions() -> None:
    """The paper gives few numbers: both presets say so by labelling most values assumptions."""
    for name in PRESETS:
        kinds = [b["kind"] for b in preset_basis(name).values()]
        assert kinds.count("assumption") >= 10


def test_presets_are_fresh_copies() -> None:
    """Changing a returned preset does not change the next one."""
    p = preset("case-y")
    p.government.control = 0
    assert preset("case-y").government.control == 3
