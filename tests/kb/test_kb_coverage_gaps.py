"""The coverage gaps of issue 11 are closed: each passage is encoded by a sourced item."""

from __future__ import annotations

from knowledge_base.loader import load_kb
from knowledge_base.passages import normalise


def _quotes(item_id: str) -> str:
    return "".join(normalise(s.quote_zh) for s in load_kb().items[item_id].source)


def test_party_leaderships_mobilising_power_is_encoded() -> None:
    """Section 1: 党建引领具有极强的动员能力…链接资源, beside the administration-led trap."""
    q = _quotes("concept_party_leadership_mobilisation")
    assert "党建引领具有极强的动员能力，有助于为培育社区志愿服务力量链接资源" in q
    assert "行政化主导" in q
    assert "1-p2" not in load_kb().not_encoded


def test_the_consequences_of_asymmetry_are_encoded() -> None:
    """Section 5.1: 不利于…“群众自治”社区…也不利于…内生性的发展."""
    q = _quotes("concept_consequences_of_asymmetry")
    assert "不利于政府建立真正意义上的“群众自治”社区" in q and "内生性的发展" in q


def test_the_early_stage_framing_is_encoded_and_labelled() -> None:
    """Section 5.1: 培育前期 and 初期, with our reading labelled as ours."""
    item = load_kb().items["concept_early_stage"]
    q = _quotes("concept_early_stage")
    assert "培育前期" in q and "培育初期" in q and "初期志愿服务力量大多" in q
    assert "本工具的解读" in item.summary.zh and "our interpretation" in item.summary.en


def test_staff_overload_is_a_reason_to_bring_in_an_agency() -> None:
    """Section 6 有心无力 and 5.1 社区工作人员事务繁杂, linked to bringing in a third party."""
    item = load_kb().items["concept_government_overload"]
    q = _quotes("concept_government_overload")
    assert "有心无力" in q and "社区工作人员事务繁杂" in q
    assert "gov_bring_in_third_party" in item.links
    assert "community.staff_overloaded" in item.summary.zh


def test_the_m_centre_interview_is_linked_to_case_y_as_our_inference() -> None:
    """Interview 202203073010 belongs to case Y, and the summary says this is inferred."""
    item = load_kb().items["quote_202203073010"]
    assert "case_y" in item.links
    assert "推断" in item.summary.zh and "inference" in item.summary.en
    assert "民心" in item.summary.zh
