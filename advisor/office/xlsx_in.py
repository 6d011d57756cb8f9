"""Reading a district workbook for ``advisor batch``, and handing back its problems in a copy.

The cases are on the sheet named 个案 or Cases (else the first sheet); row 1 names the fields by
their label in Chinese or English or by the contract's dotted name (see ``columns``); every
following non-empty row is one case and its ``line`` is the Excel row number. Columns the tool
writes itself (share totals, problems) are skipped, so a marked copy can be uploaded again as
it is.

``mark_problems`` writes a copy of the workbook in which every cell at fault is filled red with a
comment naming the problem in the user's language, and a last column lists the row's problems;
the valid rows and every value stay as the user wrote them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from advisor.batch import BatchInputError, RawRow, check_csv_header, row_to_data
from advisor.errors import FieldProblem, ProfileError
from advisor.io import profile_from_data
from advisor.office.columns import PROBLEMS_LABEL, cell_text, header_path, safe_text

CASE_SHEETS = ("个案", "Cases")
MAX_COLUMNS = 500


@dataclass(frozen=True)
class Layout:
    """Where the cases are in a workbook: the sheet, and per used column (index, dotted path)."""

    sheet: str
    columns: tuple[tuple[int, str], ...]
    problems_column: int | None  # 0-based index of an existing problems column

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(p for _, p in self.columns)


def _open(path: Path, read_only: bool = True) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=read_only, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException ...
        raise BatchInputError(
            f"{path}: not a readable Excel workbook (.xlsx) ({type(exc).__name__}); "
            "不是可读取的 Excel 工作簿"
        ) from None


def _case_sheet(wb: Any) -> Any:
    for name in CASE_SHEETS:
        if name in wb.sheetnames:
            return wb[name]
    return wb.worksheets[0]


def read_layout(path: str | Path) -> Layout:
    """Map the header row to field paths; BatchInputError (both languages) when it cannot."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return _read_layout(p)
    # opening a workbook without a <dimension> (openpyxl's write-only files) parses the whole
    # sheet once, so the layout is read once per file version, not again for the rows
    return _cached_layout(str(p.resolve()), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _cached_layout(path: str, mtime_ns: int, size: int) -> Layout:
    return _read_layout(Path(path))


def _read_layout(p: Path) -> Layout:
    fast = _calamine_sheet(p)
    if fast is not None:
        name, ws = fast
        rows = _calamine_rows(ws)
        first = next(rows, None)
        row1 = first[1] if first is not None and first[0] == 1 else []
        lay = _layout_of(p, name, row1[:MAX_COLUMNS])
        with _loaded_lock:  # the rows are read next: parse the sheet once
            _loaded[:] = [(_file_key(p), name, ws)]
        return lay
    wb = _open(p)
    try:
        ws = _case_sheet(wb)
        header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
        return _layout_of(p, ws.title, list(header)[:MAX_COLUMNS])
    finally:
        wb.close()


# --------------------------------------------------------------------------- fast reading
#
# openpyxl parses a sheet in Python (~0.4 ms of CPU a row of ~60 cells, the larger part of a
# 100,000-row batch); python-calamine parses it in Rust, about 8x faster. Its values differ from
# openpyxl's in ways that are mapped back here: an empty cell is "" (openpyxl: None), every number
# a float (openpyxl: an int when the file writes it without a point, as Excel does for whole
# numbers), a date a ``date`` (openpyxl: a ``datetime`` at midnight, which ``cell_text`` renders
# the same). One difference cannot be mapped: calamine reads an error cell (#N/A, #DIV/0! ...) as
# empty, where openpyxl gives its text, which validation then names; so a workbook with any error
# cell is read with openpyxl, as are workbooks calamine cannot open (openpyxl gives the message).


#: the sheet parsed for the layout, kept for the rows that follow: [(file key, name, sheet)]
_loaded: list[tuple[tuple[Any, ...], str, Any]] = []
_loaded_lock = threading.Lock()


def _file_key(p: Path) -> tuple[Any, ...]:
    try:
        st = p.stat()
    except OSError:
        return (str(p),)
    return (str(p.resolve()), st.st_mtime_ns, st.st_size)


def _calamine_sheet(p: Path, sheet: str | None = None) -> tuple[str, Any] | None:
    """The case sheet (or ``sheet``) parsed by python-calamine, with its name, or None when
    openpyxl must read the workbook."""
    key = _file_key(p)
    with _loaded_lock:  # the UI may read two workbooks at once, on two threads
        hit = _loaded.pop() if _loaded else None
    if hit is not None and hit[0] == key and sheet in (None, hit[1]):
        return hit[1], hit[2]
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency; openpyxl still reads everything
        return None
    if _has_error_cells(p):
        return None
    try:
        book = CalamineWorkbook.from_path(str(p))
        try:
            names = [m.name for m in book.sheets_metadata if _is_worksheet(m)]
            if sheet is None:
                sheet = next((n for n in CASE_SHEETS if n in names), names[0] if names else None)
            if sheet is None or sheet not in names:
                return None
            return sheet, book.get_sheet_by_name(sheet)
        finally:
            book.close()
    except Exception:  # not a workbook calamine reads: openpyxl's path names the problem
        return None


#: calamine holds a whole sheet in memory (about 1.3x its XML); a sheet whose XML is larger than
#: this (some 130,000 rows of the template's columns, ~650 MiB) is streamed by openpyxl instead,
#: in constant memory
MAX_FAST_SHEET_XML = 512 * 2**20


def _has_error_cells(p: Path) -> bool:
    """Whether any worksheet of the workbook holds an error cell (``t="e"``), is too large to be
    held in memory (``MAX_FAST_SHEET_XML``), or the file cannot be scanned (then openpyxl reads
    it and names the problem). Streams the sheets' XML."""
    import zipfile

    marker = b't="e"'
    try:
        with zipfile.ZipFile(p) as z:
            for info in z.infolist():
                if not info.filename.startswith("xl/worksheets/"):
                    continue
                if info.file_size > MAX_FAST_SHEET_XML:
                    return True
                with z.open(info) as fh:
                    tail = b""
                    while chunk := fh.read(1 << 20):
                        if marker in tail + chunk[: len(marker)] or marker in chunk:
                            return True
                        tail = chunk[-len(marker) :]
    except Exception:
        return True
    return False


def _is_worksheet(meta: Any) -> bool:
    return str(meta.typ).rsplit(".", 1)[-1].lower() == "worksheet"


def _calamine_rows(ws: Any) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, values as openpyxl gives them) of every row of a calamine sheet."""
    first_row, first_col = ws.start or (0, 0)
    pad = [None] * first_col
    for n, row in enumerate(ws.iter_rows(), start=first_row + 1):
        yield n, pad + [_openpyxl_value(v) for v in row]


def _openpyxl_value(v: Any) -> Any:
    if v == "" and isinstance(v, str):
        return None
    if type(v) is float and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


def _layout_of(path: Path, sheet: str, header: list[Any]) -> Layout:
    used: list[tuple[int, str]] = []
    unknown: list[str] = []
    problems_col = None
    for i, text in enumerate(header):
        if text is None or not str(text).strip():
            continue
        target = header_path(text)
        if target is None:
            unknown.append(str(text).strip())
        elif target == "":
            if any(str(text).strip() == v for v in PROBLEMS_LABEL.values()):
                problems_col = i
        else:
            used.append((i, target))
    if not used and not unknown:
        raise BatchInputError(
            f"{path}: sheet {sheet!r} has no header row naming the fields "
            f"(工作表“{sheet}”第 1 行没有字段名称)"
        )
    if unknown:
        raise BatchInputError(
            f"{path}: sheet {sheet!r}, row 1 has columns that are not fields: "
            + ", ".join(repr(u) for u in unknown)
            + f" (第 1 行有无法识别的列：{'、'.join(unknown)}；请使用模板的表头)"
        )
    check_csv_header([p for _, p in used])
    return Layout(sheet, tuple(used), problems_col)


def xlsx_rows(path: str | Path, layout: Layout | None = None) -> Iterator[RawRow]:
    """Stream the workbook's cases as RawRows whose payload is the cells' text in header order."""
    p = Path(path)
    lay = layout or read_layout(p)
    source = str(p)
    fast = _calamine_sheet(p, lay.sheet)
    if fast is None:
        yield from _openpyxl_rows(p, lay)
        return
    for n, values in _calamine_rows(fast[1]):
        if n >= 2:
            cells = [
                cell_text(col_path, values[i] if i < len(values) else None)
                for i, col_path in lay.columns
            ]
            if any(cells):
                yield RawRow(n, source, cells)


def _openpyxl_rows(p: Path, lay: Layout) -> Iterator[RawRow]:
    """``xlsx_rows`` read with openpyxl (workbooks with error cells; the reference reader)."""
    wb = _open(p)
    try:
        ws = wb[lay.sheet]
        source = str(p)
        for n, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            cells = [
                cell_text(col_path, values[i] if i < len(values) else None)
                for i, col_path in lay.columns
            ]
            if any(cells):
                yield RawRow(n, source, cells)
    finally:
        wb.close()


def count_rows(path: str | Path) -> int:
    """The number of rows below the header as the workbook declares it (for progress only)."""
    p = Path(path)
    with _loaded_lock:
        hit = _loaded[0] if _loaded else None
    if hit is not None and hit[0] == _file_key(p):  # parsed for the layout, about to be read
        end = hit[2].end
        return max(0, (end[0] + 1 if end else 1) - 1)
    wb = _open(p)
    try:
        ws = _case_sheet(wb)
        return max(0, (ws.max_row or 1) - 1)
    finally:
        wb.close()


def row_problems(header: tuple[str, ...], cells: list[str]) -> list[FieldProblem]:
    """Every problem of one row, as validation names it (empty when the row is valid)."""
    try:
        profile_from_data(row_to_data(list(header), cells), strict=False)  # cells are text
    except ProfileError as exc:
        return exc.problems
    return []


def _columns_for(problem_path: str, columns: tuple[tuple[int, str], ...]) -> list[int]:
    """The 0-based columns a problem's path names (a group names all its fields)."""
    hits = [i for i, p in columns if p == problem_path or p.startswith(problem_path + ".")]
    if not hits and "." in problem_path:  # e.g. third_party.kind missing while others filled
        group = problem_path.rsplit(".", 1)[0]
        hits = [i for i, p in columns if p.startswith(group + ".")][:1]
    return hits


def mark_problems(
    path: str | Path,
    out: str | Path,
    lang: str = "zh",
    extra: dict[int, list[FieldProblem]] | None = None,
) -> int:
    """Write a copy of the workbook with every problem marked; return the rows marked.

    Rows are re-validated here (validation alone, no engine); ``extra`` adds problems by Excel
    row that validation cannot see (an engine failure). The input is never changed.
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    src, dst = Path(path), Path(out)
    if dst.resolve() == src.resolve():
        raise BatchInputError(f"{dst}: the marked copy would overwrite the input")
    lay = read_layout(src)
    found: dict[int, list[FieldProblem]] = {}
    for row in xlsx_rows(src, lay):
        probs = row_problems(lay.header, row.payload)
        if probs:
            found[row.line] = probs
    for line, probs in (extra or {}).items():
        found.setdefault(line, []).extend(probs)
    wb = _open(src, read_only=False)
    ws = wb[lay.sheet]
    bad = PatternFill("solid", fgColor="FFC7CE")
    pcol = (lay.problems_column if lay.problems_column is not None else ws.max_column) + 1
    head = ws.cell(row=1, column=pcol, value=PROBLEMS_LABEL[lang])
    head.font = Font(bold=True, color="9C0006")
    ws.column_dimensions[head.column_letter].width = 60
    for r in range(2, ws.max_row + 1):  # an old problems column says nothing true any more
        ws.cell(row=r, column=pcol).value = None
    for line, probs in found.items():
        notes: dict[int, list[str]] = {}
        for prob in probs:
            targets = _columns_for(prob.path, lay.columns) or [lay.columns[0][0]]
            for i in targets:
                notes.setdefault(i, []).append(prob.text(lang))
        for i, texts in notes.items():
            cell = ws.cell(row=line, column=i + 1)
            cell.fill = bad
            cell.comment = Comment("\n".join(dict.fromkeys(texts)), "advisor")
        sep = "；" if lang == "zh" else "; "
        summary = sep.join(dict.fromkeys(_display(p, lang) for p in probs))
        pc = ws.cell(row=line, column=pcol, value=safe_text(summary))
        pc.fill = bad
    wb.save(dst)
    return len(found)


def _display(problem: FieldProblem, lang: str) -> str:
    """``label: message`` in ``lang``, the field named as the workbook's header names it."""
    from knowledge_base.fields import load_fields

    doc = load_fields().get(problem.path)
    name = doc.label.get(lang) if doc else problem.path
    msg = problem.text(lang)
    if not name:
        return msg
    return f"{name}：{msg}" if lang == "zh" else f"{name}: {msg}"


def marked_copy_path(out: str | Path) -> Path:
    """Where the marked copy of a batch's input workbook goes: ``OUT.problems.xlsx``."""
    o = Path(out)
    return o.with_name(o.name + ".problems.xlsx")
