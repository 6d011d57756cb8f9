"""Injection: what users typed stays text in the batch summary (Markdown) and in CSV files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from sample_profiles import profile_data

from advisor.batch import CSV_COLUMNS, data_to_row, row_to_data, run_batch
from advisor.cli.main import main
from advisor.textsafe import csv_cell, csv_row, csv_uncell, md_code, md_text

HOSTILE_NAMES = [
    "![pixel](http://evil.example/t.png)",
    "[click](http://evil.example/x)",
    "<img src=x onerror=alert(1)>",
    "**bold** _it_ ~~gone~~ | extra cell",
    "see http://evil.example and www.evil.example",
]


def _render(md: str) -> str:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(md)


def test_hostile_names_and_ids_stay_text_in_the_summary(tmp_path: Path) -> None:
    src = tmp_path / "s.jsonl"
    lines = [
        json.dumps(profile_data(f"case-{i}", name), ensure_ascii=False)
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    bad = profile_data("x", "y")
    bad["id"] = "a`](http://evil.example)`b"  # invalid id: an error record echoing it
    bad["linkage"] = "![x](http://evil.example/e.png)"
    lines.append(json.dumps(bad))
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_batch(src, tmp_path / "o.jsonl", workers=1, lang="en")
    assert result.failed == 1
    md = result.summary_md.read_text(encoding="utf-8")
    html = _render(md)
    assert "<img" not in html and "<a " not in html and "<strong>" not in html
    assert "<em>" not in html and "<s>" not in html and "<del>" not in html
    assert "http\\://evil.example" in md and "www\\.evil" in md  # no GFM autolink either
    for row in [r for r in md.splitlines() if r.startswith("| ") and "evil" in r]:
        # a name never adds a table cell: every row of a table has its header's cell count
        assert "| extra cell" not in row
    assert "<code>a`](http://evil.example)`b</code>" in html  # the id stays in its code span


@pytest.mark.parametrize(
    "text",
    ["a`b", "``x``", "`", "x|y", "![i](u)", "", "a\nb"],
)
def test_a_code_span_holds_whatever_it_is_given(text: str) -> None:
    html = _render(f"| h |\n|---|\n| {md_code(text)} |\n")
    if text:
        expected = " ".join(text.split())
        assert "<code>" in html and html.count("<td>") == 1
        code = html.split("<code>", 1)[1].split("</code>", 1)[0]
        assert code.strip() == expected.replace("<", "&lt;").strip()


@pytest.mark.parametrize("text", [*HOSTILE_NAMES, "a\\b", "1 < 2 & 3 > 2"])
def test_md_text_renders_back_to_the_same_words(text: str) -> None:
    html = _render(md_text(text))
    assert "<a " not in html and "<img" not in html
    shown = html.removeprefix("<p>").removesuffix("</p>\n")
    shown = shown.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    shown = shown.replace("&quot;", '"').replace("\\:", ":").replace("www\\.", "www.")
    assert shown == " ".join(text.split())


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+1", "'+1+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-0.5", "-0.5"),
        ("+3", "+3"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_csv_cells_never_run_as_formulas_and_read_back_unchanged(cell: str, written: str) -> None:
    assert csv_cell(cell) == written
    assert csv_uncell(csv_cell(cell)) == cell


def test_a_hostile_name_round_trips_through_a_csv_file(tmp_path: Path) -> None:
    data = profile_data("case-f", '=HYPERLINK("http://evil.example","x")')
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(csv_row(data_to_row(data)))
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert not any(c.startswith(("=", "+", "@")) for c in rows[1])
    back = row_to_data(rows[0], rows[1])
    assert back["name"] == data["name"]
    path = tmp_path / "f.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    result = run_batch(path, tmp_path / "o.jsonl", workers=1)
    assert result.assessed == 1
    rec = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    assert rec["profile_name"] == data["name"]


def test_synth_csv_is_formula_safe(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    assert main(["synth", "30", "-o", str(out)]) == 0
    for row in csv.reader(out.open(encoding="utf-8")):
        for c in row:
            assert not c.startswith(("=", "@", "\t", "\r")) or c.startswith("'")
