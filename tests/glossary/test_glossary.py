"""The glossary: settled terms, verbatim passages, and no UI or report string that uses a term
it forbids."""

from __future__ import annotations

from pathlib import Path

import yaml
from glossary_scan import catalogue_hits, report_hits

from knowledge_base.glossary import check_glossary, forbidden, label_of, load_glossary
from knowledge_base.passages import load_paper

#: Terms the issue asks to settle, by glossary id.
REQUIRED = {
    "surface_self_governance": "表面自治",
    "negotiated_interaction": "良性的协商互动",
    "stage_dependence": None,
    "stage_consultation": None,
    "stage_partnership": "部分合作",
    "stage_co_production": "合作生产",
    "five_party_linkage": "五社联动",
    "three_party_linkage": "三社联动",
    "auxiliary_role": "辅助性角色",
    "official_performance": "政绩",
    "selected_as_centre_pilot": "入选中心试点",
    "public_welfare_income": "公益收入",
}

#: Forbidden terms still used in strings another helper owns, to be fixed there (each entry must
#: still occur: remove it once fixed). (where, forbidden term): owner and file.
PENDING: dict[tuple[str, str], str] = {}  # strings other helpers owned: all fixed now


def test_the_glossary_is_sound() -> None:
    """Every term loads, is named after its file, and quotes the paper verbatim."""
    assert check_glossary(load_paper()) == []


def test_the_terms_the_issue_names_are_settled() -> None:
    """Each required term exists, with the paper's word as its Chinese name."""
    terms = load_glossary()
    for tid, zh in REQUIRED.items():
        assert tid in terms, tid
        if zh is not None:
            assert terms[tid].zh == zh


def test_the_papers_goal_is_not_the_name_of_the_lowest_band() -> None:
    """协商 is the paper's goal, not a stage of ours; 部分合作 is not 'partnership'."""
    from advisor.report import coproduction_stage_label

    for term in load_glossary().values():
        for key in term.names:
            stage = key.split(":", 1)[1]
            for lang in ("zh", "en"):
                name = coproduction_stage_label(stage, lang)
                assert name == label_of(key, lang)
                for bad in getattr(term.avoid_as_name, lang):
                    assert bad.lower() not in name.lower(), (stage, lang, bad)
    assert coproduction_stage_label("consultation", "zh") != "协商"
    assert coproduction_stage_label("partnership", "en") != "partnership"


def test_forbidden_terms_are_listed_per_language() -> None:
    """The glossary forbids at least 'surface autonomy' and the 'five-society' rendering."""
    assert forbidden("en")["surface autonomy"] == "surface_self_governance"
    assert forbidden("en")["five-society"] == "five_party_linkage"
    assert forbidden("zh")["赋能角色"] == "auxiliary_role"


def test_no_catalogue_string_uses_a_forbidden_term() -> None:
    """The report, trainer, field and UI string catalogues use the glossary's terms."""
    found = catalogue_hits()
    assert found == set(), sorted(found)


def test_no_report_string_uses_a_forbidden_term_but_the_pending_ones() -> None:
    """The reports of H and Y in both languages use the glossary's terms; the only exceptions
    are strings another helper owns, listed in PENDING, each of which must still occur."""
    found = {(where, bad) for where, _line, bad in report_hits()}
    assert found - set(PENDING) == set(), sorted(found - set(PENDING))
    stale = set(PENDING) - found
    assert stale == set(), f"fixed, remove from PENDING: {sorted(stale)}"


def test_an_unsound_term_is_reported_by_file_and_field(tmp_path: Path) -> None:
    """A misnamed file, a paraphrased quote, a term that is its own forbidden word, an unknown
    key: each is a problem naming the file and the field."""
    good = yaml.safe_load(
        (Path(__file__).parents[2] / "knowledge_base/data/glossary/auxiliary_role.yaml").read_text(
            encoding="utf-8"
        )
    )
    bad = dict(good, id="other_name", avoid={"zh": ["辅助性角色"]})
    bad["source"] = [dict(good["source"][0], quote_zh="政府应当扮演辅助角色并且不干预")]
    (tmp_path / "auxiliary_role.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    (tmp_path / "extra.yaml").write_text(yaml.safe_dump(dict(good, id="extra", colour=1)))
    problems = {(p.file, p.field) for p in check_glossary(load_paper(), tmp_path)}
    assert ("auxiliary_role.yaml", "id") in problems
    assert ("auxiliary_role.yaml", "avoid.zh") in problems
    assert ("auxiliary_role.yaml", "source[0].quote_zh") in problems
    assert any(f == "extra.yaml" and "colour" in field for f, field in problems)
