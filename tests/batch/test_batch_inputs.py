"""Batch input readers: format detection, CSV header checks, row unflattening, line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.batch import (
    CSV_COLUMNS,
    BatchInputError,
    RawRow,
    Summary,
    _parse,
    check_csv_header,
    data_to_row,
    detect_input,
    read_rows,
    recover_output,
    row_to_data,
)
from advisor.errors import ProfileError
from advisor.io import MAX_BYTES, profile_from_data
from advisor.models import CaseProfile
from advisor.synth import profile_data


def test_missing_input_is_unusable(tmp_path: Path) -> None:
    """A path that does not exist is refused with its name."""
    with pytest.raises(BatchInputError, match="no such file"):
        detect_input(tmp_path / "nope.jsonl")


def test_unknown_extension_is_unusable(tmp_path: Path) -> None:
    """A .txt file is not guessed at: the message lists the accepted formats."""
    f = tmp_path / "profiles.txt"
    f.write_text("{}\n")
    with pytest.raises(BatchInputError, match=r"unknown input format '\.txt'.*\.jsonl.*\.csv"):
        detect_input(f)


def test_folder_without_profiles_is_unusable(tmp_path: Path) -> None:
    """A folder with no .json/.yaml/.yml files is refused."""
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(BatchInputError, match="no profile files"):
        detect_input(tmp_path)


def test_csv_header_with_unknown_columns_is_refused() -> None:
    """An unknown column is named in the refusal."""
    with pytest.raises(BatchInputError, match=r"'funding\.grants'"):
        check_csv_header([*CSV_COLUMNS, "funding.grants"])


def test_csv_header_missing_a_required_column_is_refused() -> None:
    """A required column that is absent is named."""
    cols = [c for c in CSV_COLUMNS if c != "funding.charity"]
    with pytest.raises(BatchInputError, match=r"lacks required columns: funding\.charity"):
        check_csv_header(cols)


def test_csv_header_with_a_repeated_column_is_refused() -> None:
    """A column named twice is refused."""
    with pytest.raises(BatchInputError, match="repeats columns: id"):
        check_csv_header([*CSV_COLUMNS, "id"])


def test_csv_header_may_omit_nullable_and_third_party_columns() -> None:
    """region, as_of, development_mode, schema_version and the third_party group are optional."""
    cols = [
        c
        for c in CSV_COLUMNS
        if not c.startswith("third_party.")
        and c not in ("region", "as_of", "development_mode", "schema_version")
    ]
    check_csv_header(cols)


def _row(data: dict) -> dict:
    return row_to_data(CSV_COLUMNS, data_to_row(data))


def test_empty_third_party_cells_mean_no_third_party() -> None:
    """All third_party.* cells empty gives third_party null."""
    data = profile_data(0, 1)
    data["third_party"] = None
    data["funding"] = {**data["funding"], "government_via_third_party": 0, "third_party_own": 0}
    assert _row(data)["third_party"] is None


def test_a_partly_filled_third_party_names_the_missing_fields() -> None:
    """One third_party cell filled and the others empty is a validation error on each missing."""
    cells = data_to_row(profile_data(2, 1))
    cells[CSV_COLUMNS.index("third_party.kind")] = "foundation"
    for c in ("third_party.capacity", "third_party.role", "third_party.autonomy"):
        cells[CSV_COLUMNS.index(c)] = ""
    with pytest.raises(ProfileError) as err:
        profile_from_data(row_to_data(CSV_COLUMNS, cells))
    text = str(err.value)
    assert "third_party.capacity" in text and "third_party.role" in text


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("true", True), ("1", True), ("0", False), ("false", False), ("TRUE", True)],
)
def test_booleans_read_as_true_false_one_zero(cell: str, expected: bool) -> None:
    """Boolean cells accept true/false and 1/0."""
    cells = data_to_row(profile_data(3, 1))
    cells[CSV_COLUMNS.index("government.acceptance_mechanism")] = cell
    profile = CaseProfile.model_validate(row_to_data(CSV_COLUMNS, cells))
    assert profile.government.acceptance_mechanism is expected


def test_empty_required_cell_is_reported_missing() -> None:
    """An empty cell of a required field is reported as missing, by its dotted path."""
    cells = data_to_row(profile_data(4, 1))
    cells[CSV_COLUMNS.index("funding.charity")] = ""
    with pytest.raises(ProfileError, match=r"funding\.charity: required field is missing"):
        profile_from_data(row_to_data(CSV_COLUMNS, cells))


def test_empty_nullable_cells_are_null() -> None:
    """Empty region/as_of/development_mode cells are null, not missing."""
    cells = data_to_row(profile_data(5, 1))
    for c in ("region", "as_of", "development_mode"):
        cells[CSV_COLUMNS.index(c)] = ""
    p = CaseProfile.model_validate(row_to_data(CSV_COLUMNS, cells))
    assert p.region is None and p.as_of is None and p.development_mode is None


def test_a_row_with_the_wrong_number_of_cells_is_refused() -> None:
    """A short row is a ProfileError saying how many cells it has."""
    with pytest.raises(ProfileError, match="the row has 3 cells"):
        row_to_data(CSV_COLUMNS, ["a", "b", "c"])


def test_jsonl_line_numbers_skip_blank_lines_and_bom(tmp_path: Path) -> None:
    """Blank lines produce no record; line numbers are physical lines; a BOM is ignored."""
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"a":1}\n\n   \n{"b":2}\n{"c":3}')
    rows = list(read_rows(detect_input(f)))
    assert [r.line for r in rows] == [1, 4, 5]
    assert json.loads(rows[0].payload) == {"a": 1}


def test_jsonl_oversized_and_non_utf8_lines_become_row_errors(tmp_path: Path) -> None:
    """A line over the size limit or not UTF-8 is a row error; the following lines still read."""
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'{"x": "' + b"a" * (MAX_BYTES + 10) + b'"}\n\xff\xfe\n{"ok": 1}\n')
    spec = detect_input(f)
    rows = list(read_rows(spec))
    assert [r.line for r in rows] == [1, 2, 3]
    with pytest.raises(ProfileError, match="over 1,000,000 bytes"):
        _parse("jsonl", (), rows[0])
    with pytest.raises(ProfileError, match="not UTF-8"):
        _parse("jsonl", (), rows[1])
    assert _parse("jsonl", (), rows[2]) == {"ok": 1}


def test_malformed_json_line_names_the_column() -> None:
    """A broken JSON line is refused with the column of the problem."""
    with pytest.raises(ProfileError, match="malformed JSON at column"):
        _parse("jsonl", (), RawRow(1, "x", '{"a": }'))


def test_csv_rows_carry_their_starting_line(tmp_path: Path) -> None:
    """A CSV row's line is where it starts (header is line 1), quoted newlines included."""
    f = tmp_path / "in.csv"
    d1, d2 = profile_data(0, 9), profile_data(1, 9)
    d1["name"] = "two\nlines"
    import csv

    with f.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        w.writerow(data_to_row(d1))
        w.writerow(data_to_row(d2))
    rows = list(read_rows(detect_input(f)))
    assert [r.line for r in rows] == [2, 4]


def test_folder_files_are_read_in_name_order(tmp_path: Path) -> None:
    """Folder inputs take .json/.yaml/.yml files sorted by name, numbered from 1."""
    for name in ("b.yaml", "a.json", "c.yml", "skip.txt"):
        (tmp_path / name).write_text("{}")
    rows = list(read_rows(detect_input(tmp_path)))
    assert [Path(r.source).name for r in rows] == ["a.json", "b.yaml", "c.yml"]
    assert [r.line for r in rows] == [1, 2, 3]


def test_recover_output_truncates_a_partial_last_line(tmp_path: Path) -> None:
    """A half-written last record is cut off; complete records are kept and counted."""
    out = tmp_path / "out.jsonl"
    rec = {"line": 1, "source": "x", "profile_id": None, "errors": [{"path": "", "message": "m"}]}
    full = json.dumps(rec) + "\n"
    out.write_text(full * 3 + full[:17])
    count, last = recover_output(out, Summary())
    assert count == 3 and last == rec
    assert out.read_text() == full * 3


def test_recover_output_refuses_a_foreign_file(tmp_path: Path) -> None:
    """A complete line that is not a batch record stops the resume with a clear message."""
    out = tmp_path / "out.jsonl"
    out.write_text('{"hello": "world"}\n')
    with pytest.raises(BatchInputError, match="line 1 is not a batch record"):
        recover_output(out, Summary())
