"""``advisor template --format xlsx``: a workbook to fill in, one row per case.

Sheet 1 (个案 / Cases): a header row of field labels in the user's language (grey for the
fields that may stay empty), drop-down lists for every choice, whole numbers and shares checked
by data validation, a running total after each share group that turns red while it is not 1, and
two example rows to overwrite. Sheet 2 (填写说明 / Fields): every field with its dotted name, its
help text and the values it takes. A hidden sheet holds the drop-down lists (Excel limits an
inline list to 255 characters).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from advisor.office.columns import (
    LANGS,
    PROBLEMS_LABEL,
    SHARE_GROUPS,
    TOTAL_LABEL,
    Column,
    columns,
    group_label,
    safe_text,
)

ROWS = 1000  # rows that carry the validation and the totals; more can be added by copying
SHEETS = {
    "cases": {"zh": "个案", "en": "Cases"},
    "fields": {"zh": "填写说明", "en": "Fields"},
    "lists": {"zh": "选项", "en": "Lists"},
}
TEXT = {
    "required": {"zh": "必填", "en": "required"},
    "optional": {"zh": "可空（不知道就留空）", "en": "may stay empty (leave it empty if unknown)"},
    "field": {"zh": "字段", "en": "Field"},
    "name": {"zh": "英文字段名（导入用）", "en": "Dotted name (for import)"},
    "help": {"zh": "说明", "en": "Help"},
    "values": {"zh": "可选值", "en": "Values"},
    "fill": {"zh": "是否必填", "en": "Required?"},
    "share": {"zh": "比例，0 到 1（如 0.25）", "en": "a share from 0 to 1 (e.g. 0.25)"},
    "int": {"zh": "非负整数", "en": "a whole number, 0 or more"},
    "date": {"zh": "日期，年-月-日", "en": "a date, year-month-day"},
    "slug": {
        "zh": "小写字母、数字、“-”和“_”，最多 64 个字符",
        "en": "lower-case letters, digits, '-' and '_', at most 64 characters",
    },
    "text": {"zh": "文字", "en": "text"},
    "total": {
        "zh": "{group}各项合计，须为 1；不为 1 时显示为红色（由公式计算，不需填写）",
        "en": "the sum of the {group} shares, which must be 1; red while it is not (a formula: "
        "do not fill in)",
    },
    "intro": {
        "zh": "每行填写一个个案。灰色表头的字段可以留空（表示不知道或没有）；没有第三方社会组织时，"
        "第三方各列全部留空。填好后用 advisor batch 文件名.xlsx 评估；有问题的行会在返回的"
        "副本中标红并注明原因。",
        "en": "One case per row. Fields with a grey header may stay empty (unknown or none); "
        "leave every third-party column empty when there is no third party. Assess the "
        "workbook with advisor batch FILE.xlsx; rows with problems come back in a copy with "
        "the cells marked and the reason in a comment.",
    },
    "bad_choice": {"zh": "请从下拉列表中选择", "en": "Choose from the drop-down list"},
    "bad_share": {"zh": "请填 0 到 1 之间的比例", "en": "Enter a share between 0 and 1"},
    "bad_int": {"zh": "请填非负整数", "en": "Enter a whole number, 0 or more"},
    "invalid": {"zh": "取值无效", "en": "Invalid value"},
}
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
OPTIONAL_FILL = PatternFill("solid", fgColor="7F7F7F")
TOTAL_FILL = PatternFill("solid", fgColor="D9E1F2")
BAD_FILL = PatternFill("solid", fgColor="F4B6B6")
WHITE_BOLD = Font(bold=True, color="FFFFFF")
EXAMPLES: tuple[dict[str, Any], ...] = (
    {
        "id": "y-community",
        "name": "Y 社区志愿服务队",
        "region": "某市某街道",
        "force_type": "government_cultivated",
        "legitimacy.status": "via_government",
        "funding.government_direct": 0.85,
        "funding.government_via_third_party": 0,
        "funding.third_party_own": 0,
        "funding.charity": 0.05,
        "funding.residents": 0.1,
        "funding.self_generated": 0,
        "human_resources.volunteers": 120,
        "human_resources.core_volunteers": 12,
        "human_resources.recruited_by.government": 0.8,
        "human_resources.recruited_by.third_party": 0,
        "human_resources.recruited_by.self": 0.2,
        "human_resources.leadership": "cadre",
        "human_resources.resident_awareness": 1,
        "knowledge.training_provider": "government",
        "knowledge.training_sessions_per_year": 2,
        "knowledge.self_sufficiency": 0,
        "government.reliance_on_force": 3,
        "government.control": 3,
        "government.role": "director",
        "government.acceptance_mechanism": False,
        "government.purchases_services": False,
        "government.party_leadership": 3,
        "agenda.set_by": "government",
        "agenda.pattern": "holiday_campaign",
        "management.decision_participation": 0,
        "management.incentives": "informal",
        "management.records": True,
        "coproduction.planning": 0,
        "coproduction.design": 0,
        "coproduction.delivery": 1,
        "coproduction.evaluation": 0,
        "linkage": "none",
    },
)


def _describe(col: Column, lang: str) -> str:
    if col.kind in ("enum", "bool", "level"):
        return "\n".join(col.choices(lang))
    return TEXT.get(col.kind, TEXT["text"])[lang]


def layout(lang: str) -> list[tuple[str, Column | None]]:
    """The sheet's columns in order: ("field", column) or ("total", None) after a share group."""
    out: list[tuple[str, Column | None]] = []
    cols = columns()
    for i, col in enumerate(cols):
        out.append(("field", col))
        for group, members in SHARE_GROUPS.items():
            nxt = cols[i + 1].path if i + 1 < len(cols) else ""
            if col.path == members[-1] and nxt not in members:
                out.append((group, None))
    return out


def build_template(lang: str = "zh", rows: int = ROWS, examples: bool = True) -> Workbook:
    """The workbook to fill in, in ``lang``; see the module docstring."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected zh or en")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEETS["cases"][lang]
    lists = wb.create_sheet(SHEETS["lists"][lang])
    lists.sheet_state = "hidden"
    docs = wb.create_sheet(SHEETS["fields"][lang])
    last = rows + 1
    lay = layout(lang)
    col_of: dict[str, str] = {}
    for j, (_what, col) in enumerate(lay, start=1):
        if col is not None:
            col_of[col.path] = get_column_letter(j)
    list_col = 0
    for j, (what, col) in enumerate(lay, start=1):
        letter = get_column_letter(j)
        cell = ws.cell(row=1, column=j)
        cell.font = WHITE_BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if col is None:  # a share group's running total
            glabel = group_label(what, lang)
            cell.value = TOTAL_LABEL[lang].format(group=glabel)
            cell.fill = PatternFill("solid", fgColor="2F5597")
            cell.comment = Comment(TEXT["total"][lang].format(group=glabel), "advisor")
            members = [col_of[m] for m in SHARE_GROUPS[what]]
            for r in range(2, last + 1):
                refs = ",".join(f"{m}{r}" for m in members)
                tc = ws.cell(row=r, column=j, value=f'=IF(COUNT({refs})=0,"",SUM({refs}))')
                tc.fill = TOTAL_FILL
                tc.number_format = "0.00"
            ws.conditional_formatting.add(
                f"{letter}2:{letter}{last}",
                FormulaRule(
                    formula=[f'AND({letter}2<>"",ABS({letter}2-1)>0.01)'],
                    fill=BAD_FILL,
                    font=Font(bold=True, color="9C0006"),
                ),
            )
            ws.column_dimensions[letter].width = 14
            continue
        cell.value = col.label(lang)
        cell.fill = OPTIONAL_FILL if col.optional else HEADER_FILL
        need = TEXT["optional" if col.optional else "required"][lang]
        cell.comment = Comment(f"{col.doc.help.get(lang)}\n\n({need}; {col.path})", "advisor")
        cell.comment.width, cell.comment.height = 320, 160
        ws.column_dimensions[letter].width = 22 if col.kind in ("enum", "level") else 14
        rng = f"{letter}2:{letter}{last}"
        choices = col.choices(lang)
        if choices:
            list_col += 1
            lletter = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=col.path)
            for i, choice in enumerate(choices, start=2):
                lists.cell(row=i, column=list_col, value=safe_text(choice))
            ref = f"{quote_sheetname(lists.title)}!${lletter}$2:${lletter}${len(choices) + 1}"
            dv = DataValidation(type="list", formula1=ref, allow_blank=True)
            dv.error, dv.errorTitle = TEXT["bad_choice"][lang], TEXT["invalid"][lang]
        elif col.kind == "share":
            dv = DataValidation(
                type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True
            )
            dv.error, dv.errorTitle = TEXT["bad_share"][lang], TEXT["invalid"][lang]
            for r in range(2, last + 1):
                ws.cell(row=r, column=j).number_format = "0.00"
        elif col.kind == "int":
            dv = DataValidation(
                type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
            )
            dv.error, dv.errorTitle = TEXT["bad_int"][lang], TEXT["invalid"][lang]
        else:
            continue
        dv.showErrorMessage = True
        dv.prompt, dv.promptTitle = col.doc.help.get(lang)[:255], col.label(lang)[:32]
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(rng)
    ws.freeze_panes = "C2"
    ws.row_dimensions[1].height = 48
    if examples:
        for r, example in enumerate(EXAMPLES, start=2):
            for j, (_what, col) in enumerate(lay, start=1):
                if col is not None and col.path in example:
                    ws.cell(row=r, column=j, value=safe_text(col.to_cell(example[col.path], lang)))
    _document(docs, lang)
    return wb


def _document(ws: Any, lang: str) -> None:
    ws.append([TEXT["intro"][lang]])
    ws.merge_cells("A1:E1")
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 60
    head = [TEXT[k][lang] for k in ("field", "name", "fill", "help", "values")]
    ws.append(head)
    for c in ws[2]:
        c.font, c.fill = WHITE_BOLD, HEADER_FILL
    for col in columns():
        need = TEXT["optional" if col.optional else "required"][lang]
        ws.append(
            [
                safe_text(col.label(lang)),
                col.path,
                need,
                safe_text(col.doc.help.get(lang)),
                safe_text(_describe(col, lang)),
            ]
        )
    for group in SHARE_GROUPS:
        glabel = group_label(group, lang)
        ws.append(
            [
                TOTAL_LABEL[lang].format(group=glabel),
                "",
                "",
                TEXT["total"][lang].format(group=glabel),
                "",
            ]
        )
    ws.append([PROBLEMS_LABEL[lang], "", "", "", ""])
    for row in ws.iter_rows(min_row=3):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (26, 34, 16, 60, 48), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"


def write_template(path: str | Path, lang: str = "zh") -> Path:
    """Write the template workbook to ``path`` (an .xlsx file) and return the path."""
    target = Path(path)
    build_template(lang).save(target)
    return target


def data_cells(data: dict[str, Any], lang: str) -> list[Any]:
    """One profile's contract data as the template's row (labels for choices, no totals)."""
    row: list[Any] = []
    for col in columns():
        value: Any = data
        for part in col.path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        row.append(safe_text(col.to_cell(value, lang)))
    return row


def write_cases(path: str | Path, datas: Any, lang: str = "zh") -> int:
    """Write profiles (contract data) as a plain workbook of cases, streaming; return the count.

    The header is the labels in ``lang``; no validation or totals (a data export, not a
    template), so any number of rows is written in constant memory.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEETS["cases"][lang])
    ws.append([col.label(lang) for col in columns()])
    n = 0
    for data in datas:
        ws.append(data_cells(data, lang))
        n += 1
    target = Path(path)
    wb.save(target)
    _add_dimension(target, f"A1:{get_column_letter(len(columns()))}{n + 1}")
    return n


def _add_dimension(path: Path, ref: str) -> None:
    """Give the first sheet a ``<dimension>``, as Excel writes one (openpyxl's write-only mode
    does not): without it every reader that opens the workbook read-only (openpyxl among them)
    parses the whole sheet once just to learn its size. The file is rewritten in place via a
    temporary file; the sheet's XML is streamed, not held in memory."""
    import os
    import shutil
    import tempfile
    import zipfile

    sheet = "xl/worksheets/sheet1.xml"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        with (
            zipfile.ZipFile(path) as src,
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
        ):
            for info in src.infolist():
                with src.open(info) as fin, dst.open(info.filename, "w", force_zip64=True) as fout:
                    if info.filename != sheet:
                        shutil.copyfileobj(fin, fout)
                        continue
                    head = fin.read(1 << 16)
                    if b"<dimension" not in head and b"<sheetViews>" in head:
                        head = head.replace(
                            b"<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>'.encode(), 1
                        )
                    fout.write(head)
                    shutil.copyfileobj(fin, fout, 1 << 20)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
