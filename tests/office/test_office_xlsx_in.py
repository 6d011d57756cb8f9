"""The district workbook: the template, reading it in either language, marking its problems."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from advisor.office.columns import SHARE_GROUPS, cell_text, columns, safe_text
from advisor.office.xlsx_template import build_template, data_cells, write_cases
from advisor.synth import profile_data

ROOT = Path(__file__).resolve().parents[2]


def advisor(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the real command."""
    return subprocess.run(
        [sys.executable, "-m", "advisor.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def records(path: Path) -> list[dict]:
    """The JSONL records of an output file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def figures(recs: list[dict]) -> list[tuple]:
    """What must agree between two runs over the same cases: ids, levels, diagnoses, actions."""
    return [
        (
            r["profile_id"],
            r["asymmetry"]["level"],
            sorted(d["id"] for d in r["diagnoses"]),
            [a["id"] for a in sorted(r["actions"], key=lambda a: a["rank"])],
        )
        for r in recs
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_has_labels_dropdowns_ranges_totals_and_a_fields_sheet(tmp_path, lang):
    """The template heads each column with the field's label in the user's language, offers a
    drop-down for every choice, checks every number, totals each share group and documents every
    field with its help text on a second sheet."""
    path = tmp_path / f"t-{lang}.xlsx"
    build_template(lang).save(path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.title == ("个案" if lang == "zh" else "Cases")
    header = [c.value for c in ws[1]]
    cols = columns()
    for col in cols:
        assert col.label(lang) in header, col.path
    if lang == "zh":
        assert "资金来源合计（应为 1）" in header
        assert "政府直接拨付" in header
    letter = {c.value: c.column_letter for c in ws[1]}
    validated: dict[str, str] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            validated[rng.split(":")[0].rstrip("0123456789")] = dv.type
    for col in cols:
        kind = validated.get(letter[col.label(lang)])
        if col.kind in ("enum", "bool", "level"):
            assert kind == "list", col.path
        elif col.kind == "share":
            assert kind == "decimal", col.path
        elif col.kind == "int":
            assert kind == "whole", col.path
    total = letter["资金来源合计（应为 1）" if lang == "zh" else "Funding total (must be 1)"]
    formula = ws[f"{total}2"].value
    assert formula.startswith("=IF(COUNT(") and "SUM(" in formula
    assert len(SHARE_GROUPS["funding"]) == 6
    assert ws.conditional_formatting, "the totals turn red when they are not 1"
    doc = wb["填写说明" if lang == "zh" else "Fields"]
    documented = {row[1]: row for row in doc.iter_rows(min_row=3, values_only=True)}
    for col in cols:
        assert col.path in documented, col.path
        assert documented[col.path][3] == col.doc.help.get(lang)
    lists = wb["选项" if lang == "zh" else "Lists"]
    assert lists.sheet_state == "hidden"
    level_choices = next(c for c in cols if c.kind == "level").choices(lang)
    assert level_choices[0].startswith("0")


def test_template_reads_back_as_its_example_case(tmp_path):
    """The template as written (its example row) is a valid workbook for advisor batch."""
    path = tmp_path / "t.xlsx"
    res = advisor("template", "--lang", "zh", "-o", str(path))
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out.jsonl"
    res = advisor("batch", str(path), "-o", str(out), "--workers", "1")
    assert res.returncode == 0, res.stderr
    (rec,) = records(out)
    assert rec["profile_id"] == "y-community"


@pytest.mark.parametrize("header", ["zh", "en", "dotted"])
def test_workbook_in_either_language_assesses_like_jsonl(tmp_path, header):
    """Cases written to a workbook with Chinese, English or dotted headers (choices as labels,
    numbers as Excel numbers) give the same assessments as the same cases in JSONL."""
    datas = [profile_data(i, seed=7) for i in range(30)]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in datas), "utf-8")
    xlsx = tmp_path / "in.xlsx"
    if header == "dotted":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append([c.path for c in columns()])
        for d in datas:
            ws.append(data_cells(d, "en"))
        wb.save(xlsx)
    else:
        write_cases(xlsx, datas, header)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert advisor("batch", str(jsonl), "-o", str(a), "--workers", "1").returncode == 0
    res = advisor("batch", str(xlsx), "-o", str(b), "--workers", "1")
    assert res.returncode == 0, res.stderr
    assert figures(records(b)) == figures(records(a))
    assert [r["profile_name"] for r in records(b)] == [d["name"] for d in datas]


def test_cell_text_reads_labels_levels_and_excel_numbers():
    """Labels of either language, '2：…' levels, yes/no and Excel's 12.0 become contract text."""
    assert cell_text("force_type", "政府培育（社区党委、居委会等组建）") == "government_cultivated"
    assert cell_text("force_type", "government_cultivated") == "government_cultivated"
    assert cell_text("coproduction.planning", "2：征求意见") == "2"
    assert cell_text("coproduction.planning", 3.0) == "3"
    assert cell_text("human_resources.volunteers", 12.0) == "12"
    assert cell_text("funding.charity", 0.25) == "0.25"
    assert cell_text("management.records", "是") == "true"
    assert cell_text("management.records", "No") == "false"
    assert cell_text("region", None) == ""
    assert cell_text("force_type", "something else") == "something else"


def test_formulas_are_neutralised_in_cells_we_write():
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers don't."""
    for bad in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"):
        assert safe_text(bad) == "'" + bad
    assert safe_text("Y 社区") == "Y 社区"
    assert safe_text(-0.5) == -0.5


def _bad_workbook(path: Path, lang: str) -> list[dict]:
    datas = [profile_data(i, seed=3) for i in range(6)]
    datas[1]["funding"]["charity"] = round(datas[1]["funding"]["charity"] + 0.5, 3)  # sum 1.5
    datas[3]["human_resources"]["core_volunteers"] = datas[3]["human_resources"]["volunteers"] + 5
    datas[5]["name"] = '=HYPERLINK("http://x")'  # a formula-looking name is just a name
    write_cases(path, datas, lang)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    col = {c.value: c.column for c in ws[1]}
    label = "共同规划" if lang == "zh" else "Co-planning"
    ws.cell(row=6, column=col[label], value="很多")  # row 6 = case 4 (0-based): not a level
    wb.save(path)
    return datas


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rows_with_problems_come_back_marked_in_a_copy(tmp_path, lang):
    """A workbook with bad rows: the valid rows are assessed, and a copy comes back with every
    offending cell filled red and a comment in the user's language; the input is unchanged; once
    the cells are fixed in the copy it is assessed whole."""
    src = tmp_path / "district.xlsx"
    datas = _bad_workbook(src, lang)
    before = src.read_bytes()
    out = tmp_path / "out.jsonl"
    res = advisor("batch", str(src), "-o", str(out), "--workers", "1", "--summary-lang", lang)
    assert res.returncode == 3, res.stderr
    recs = records(out)
    assert len(recs) == 6
    assert [("errors" in r) for r in recs] == [False, True, False, True, True, False]
    assert [r["line"] for r in recs if "errors" in r] == [3, 5, 6]
    assert src.read_bytes() == before
    marked = tmp_path / "out.jsonl.problems.xlsx"
    assert str(marked) in res.stderr
    wb = load_workbook(marked)
    ws = wb.worksheets[0]
    header = {c.value: c.column for c in ws[1]}
    problems_label = "问题（由工具填写）" if lang == "zh" else "Problems (filled in by the tool)"
    assert problems_label in header
    charity = "慈善与企业捐助" if lang == "zh" else "Charity and business"
    cell = ws.cell(row=3, column=header[charity])
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.comment is not None
    if lang == "zh":
        assert "资金来源各项比例之和为" in cell.comment.text
    else:
        assert "funding shares sum to" in cell.comment.text
    core = "骨干人数" if lang == "zh" else "Core volunteers"
    assert ws.cell(row=5, column=header[core]).comment is not None
    planning = "共同规划" if lang == "zh" else "Co-planning"
    assert ws.cell(row=6, column=header[planning]).comment is not None
    assert ws.cell(row=6, column=header[planning]).value == "很多"  # kept as written
    assert ws.cell(row=2, column=header[problems_label]).value is None  # valid rows untouched
    assert ws.cell(row=3, column=header[problems_label]).value
    # the name that looks like a formula was written as text, read as text and assessed
    assert recs[5]["profile_name"] == '=HYPERLINK("http://x")'
    # fix the copy in place (as an official would in Excel) and upload it again
    ws.cell(row=3, column=header[charity]).value = datas[1]["funding"]["charity"] - 0.5
    ws.cell(row=5, column=header[core]).value = 1
    ws.cell(row=6, column=header[planning]).value = 2
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    out2 = tmp_path / "out2.jsonl"
    res = advisor("batch", str(fixed), "-o", str(out2), "--workers", "1")
    recs2 = records(out2)
    assert res.returncode == 0, res.stderr
    assert len(recs2) == 6 and not [r for r in recs2 if "errors" in r]


def test_unknown_header_is_refused_in_both_languages(tmp_path):
    """A workbook whose header names no field is refused with exit 2, naming the column."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([c.label("zh") for c in columns()] + ["备注栏"])
    wb.save(tmp_path / "x.xlsx")
    res = advisor("batch", str(tmp_path / "x.xlsx"), "-o", str(tmp_path / "o.jsonl"))
    assert res.returncode == 2
    assert "备注栏" in res.stderr and "无法识别" in res.stderr and "not fields" in res.stderr
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    res = advisor("batch", str(tmp_path / "broken.xlsx"), "-o", str(tmp_path / "o.jsonl"))
    assert res.returncode == 2
    assert "not a readable Excel workbook" in res.stderr and "Traceback" not in res.stderr
