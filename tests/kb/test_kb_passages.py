"""The paper split into paragraphs: stable ids, sections, page furniture removed."""

from __future__ import annotations

from knowledge_base.passages import load_paper, normalise


def test_normalise_removes_all_whitespace() -> None:
    """Spaces, newlines, tabs and full-width spaces all go; nothing else changes."""
    assert normalise(" 2016 年 6 月\n\n完成\t注册\u3000登记 ") == "2016年6月完成注册登记"


def test_paragraph_counts_per_section() -> None:
    """Sections 3, 5 and 6 split into the paragraphs a reader sees in the paper."""
    paper = load_paper()
    counts = {s: len(paper.in_section(s)) for s in ("3.1", "3.2", "5.1", "5.2", "6", "4.2")}
    assert counts == {"3.1": 4, "3.2": 3, "5.1": 10, "5.2": 4, "6": 5, "4.2": 4}
    assert [p.id for p in paper.in_section("5.2")] == ["5.2-p1", "5.2-p2", "5.2-p3", "5.2-p4"]


def test_paragraphs_start_where_the_paper_starts_them() -> None:
    """Known paragraph openings land on the expected ids, with the first line number."""
    paper = load_paper()
    assert paper.get("5.1-p1").text.startswith("首先，社区志愿服务力量在培育前期")
    assert paper.get("5.1-p3").text.startswith("“社区物业出现问题后")
    assert paper.get("6-p4").text.startswith("社工机构在培育志愿服务力量时呈现出的优势就越弱")
    assert paper.get("6-p4").line == 408
    assert paper.get("2.1-p1").text.endswith("[6]。")  # a line ending in "；" does not split


def test_page_furniture_is_removed() -> None:
    """The DOI address, author line and running header appear in no paragraph."""
    paper = load_paper()
    for p in paper.paragraphs:
        assert "doi" not in p.text.lower() and "社会科学前沿" not in p.text, p.id
    assert "在充分发挥专业性优势的同时又避免志愿服务力量的过度依赖" in paper.get("6-p4").norm


def test_english_abstract_is_one_paragraph_with_words_rejoined() -> None:
    """The English abstract is abstract-p2, with hyphenated line breaks rejoined."""
    text = load_paper().get("abstract-p2").text
    assert text.startswith("Under the development trend")
    assert "asymmetric dependence" in text and "asym- metric" not in text


def test_locate_finds_the_paragraph_and_flags_the_garbled_sentence() -> None:
    """A verbatim quote is located in its paragraph; the garbled join in 5.2 is flagged."""
    paper = load_paper()
    (para,) = paper.locate("成为政府之下完全的“寄居蟹”")
    assert para.id == "5.1-p9"
    assert paper.locate("成为政府之下完全的寄生蟹") == []
    assert paper.is_garbled("反之，政府对社区志除政府这一主体在积极推进")
    assert not paper.is_garbled("社会组织尤其是社工机构也在招募并培育志愿者")
    assert not paper.is_garbled("反之，政府对社区志愿服务力量的依赖性")  # 5.1, intact
