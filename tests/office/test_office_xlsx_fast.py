"""The fast workbook reader (python-calamine) gives exactly the rows openpyxl gives.

``advisor.office.xlsx_in`` reads a district workbook with python-calamine (issue 17: openpyxl's
parsing was most of a 100,000-row batch) and keeps openpyxl as the reference reader and for
workbooks with error cells. These tests compare the two readers row for row on every kind of
workbook the tool writes or an office would send.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from advisor.office import xlsx_in as X
from advisor.office.columns import columns
from advisor.office.xlsx_template import build_template, data_cells, write_cases
from advisor.synth import profile_data


def both(path: Path) -> tuple[list, list]:
    """The rows as the batch reads them (calamine) and as openpyxl reads them."""
    X._cached_layout.cache_clear()
    lay = X.read_layout(path)
    return list(X.xlsx_rows(path, lay)), list(X._openpyxl_rows(path, lay))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_written_cases_read_alike(tmp_path, lang):
    """A streamed export of 300 generated cases (inline strings, labels, numbers)."""
    path = tmp_path / "cases.xlsx"
    write_cases(path, (profile_data(i, seed=3) for i in range(300)), lang)
    fast, slow = both(path)
    assert len(fast) == 300
    assert fast == slow
    assert X._calamine_sheet(path) is not None  # the fast reader did read it


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_with_example_reads_alike(tmp_path, lang):
    """The template (validations, totals formulas, the fields sheet, its example row)."""
    path = tmp_path / "t.xlsx"
    build_template(lang).save(path)
    fast, slow = both(path)
    assert fast and fast == slow


def test_typed_cells_blank_rows_and_offsets_read_alike(tmp_path):
    """Numbers whole and not (shares kept as written), dates and date-times, booleans, text
    with spaces, a neutralised formula text, a formula without a cached value, blank rows in
    between and at the end, a dotted header: the same cell texts and Excel row numbers."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    paths = [c.path for c in columns()]
    ws.append(paths)
    for i in range(20):
        ws.append(data_cells(profile_data(i, seed=11), "en"))
    ws.append([None] * len(paths))
    ws.append([])
    row = data_cells(profile_data(99, seed=11), "zh")
    col = {p: i for i, p in enumerate(paths)}
    row[col["funding.government_direct"]] = 1.0  # a share written whole
    row[col["funding.charity"]] = 0
    row[col["as_of"]] = dt.datetime(2024, 3, 1)
    row[col["human_resources.volunteers"]] = 12.0
    row[col["name"]] = "  =SUM(A1)"
    ws.append(row)
    ws.append(["'=1+1", True, dt.date(2024, 1, 2), 3.5, -0.0, 1e20])
    ws.cell(row=30, column=1, value=7)  # a number where text is expected
    ws.cell(row=30, column=3, value="=1+1")  # no cached value: empty for both
    wb.save(tmp_path / "typed.xlsx")
    fast, slow = both(tmp_path / "typed.xlsx")
    assert [r.line for r in fast] == [*range(2, 22), 24, 25, 30]
    assert fast == slow


def test_a_header_not_in_row_1_is_refused_alike(tmp_path):
    """A sheet whose first row is empty (calamine starts its range at the first filled cell)
    has no header row for either reader; a header starting in column B keeps its columns."""
    wb = Workbook()
    ws = wb.active
    ws.append([])
    ws.append([c.path for c in columns()])
    wb.save(tmp_path / "low.xlsx")
    with pytest.raises(Exception, match="no header row"):
        X._cached_layout.cache_clear()
        X.read_layout(tmp_path / "low.xlsx")
    wb = Workbook()
    ws = wb.active
    ws.append([None, *[c.path for c in columns()]])
    for i in range(5):
        ws.append([None, *data_cells(profile_data(i, seed=4), "en")])
    wb.save(tmp_path / "shifted.xlsx")
    fast, slow = both(tmp_path / "shifted.xlsx")
    assert len(fast) == 5 and fast == slow
    assert fast[0].payload[0] == profile_data(0, seed=4)["id"]


def test_error_cells_are_read_by_openpyxl_and_named(tmp_path):
    """calamine reads an error cell (#N/A) as empty, which would turn a formula's failure into
    an unknown; a workbook with one is read with openpyxl, so validation names the cell."""
    wb = Workbook()
    ws = wb.active
    ws.append([c.path for c in columns()])
    row = data_cells(profile_data(0, seed=5), "en")
    i = [c.path for c in columns()].index("human_resources.volunteers")
    row[i] = "#N/A"  # openpyxl stores this as an error cell
    ws.append(row)
    wb.save(tmp_path / "err.xlsx")
    assert X._has_error_cells(tmp_path / "err.xlsx")
    assert X._calamine_sheet(tmp_path / "err.xlsx") is None
    fast, slow = both(tmp_path / "err.xlsx")
    assert fast == slow
    assert fast[0].payload[i] == "#N/A"
    lay = X.read_layout(tmp_path / "err.xlsx")
    problems = X.row_problems(lay.header, fast[0].payload)
    assert any(p.path == "human_resources.volunteers" for p in problems)


def test_a_sheet_too_large_to_hold_is_streamed_by_openpyxl(tmp_path, monkeypatch):
    """calamine holds the whole sheet in memory; past ``MAX_FAST_SHEET_XML`` openpyxl streams
    it (same rows), so memory stays bounded for any size of workbook."""
    path = tmp_path / "cases.xlsx"
    write_cases(path, (profile_data(i, seed=6) for i in range(40)), "zh")
    assert X._calamine_sheet(path) is not None
    monkeypatch.setattr(X, "MAX_FAST_SHEET_XML", 1_000)
    assert X._calamine_sheet(path) is None
    fast, slow = both(path)
    assert len(fast) == 40 and fast == slow
