"""Batch results for people and for analysts: the compact record, and one row per case.

The compact record (``advisor batch --detail compact``, the default of the command) keeps what
a district needs from each assessment and names everything else by id: the figures, the
asymmetry (with its direction when the assessment has one), diagnosis ids with severities,
action ids with rank, priority, actor, phase and stage, warning codes, and the knowledge base
and engine versions under which every id resolves to its text and sources
(``advisor kb show ID``). About 1 kB a case instead of ~50 kB. ``--detail full`` keeps the
whole assessment. An error record is the same in both.

``write_results`` turns a batch's JSONL (compact or full records) into one row per case with
the key figures and the top three actions in words: XLSX (headers in the user's language,
the asymmetry level coloured), CSV (UTF-8 with BOM for Excel) or Parquet (snake_case columns,
for pandas and DuckDB). Every text cell of the XLSX and CSV is neutralised against formula
injection (``safe_text``); Parquet is data for analysts, not a sheet, and keeps texts exact.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic_core import to_json

from advisor.models import ASYMMETRY_LEVELS, DIMENSIONS
from advisor.office.columns import safe_text

DETAILS = ("compact", "full")
RESULT_FORMATS = ("xlsx", "csv", "parquet")
TOP_ACTIONS = 3


def compact_data(assessment: Any) -> dict[str, Any]:
    """The compact record of an assessment as plain data (see the module docstring)."""
    a = assessment
    asym = a.asymmetry
    asymmetry: dict[str, Any] = {
        "force_on_government": asym.force_on_government,
        "government_on_force": asym.government_on_force,
        "index": asym.index,
        "level": asym.level,
    }
    direction = getattr(asym, "direction", None)  # added by another change; optional here
    if direction is not None:
        asymmetry["direction"] = direction
    rec: dict[str, Any] = {
        "schema_version": a.schema_version,
        "detail": "compact",
        "profile_id": a.profile_id,
        "profile_name": a.profile_name,
        "engine_version": a.engine_version,
        "knowledge_base_version": a.knowledge_base_version,
    }
    if a.development_mode is not None:
        rec["development_mode"] = {
            "value": a.development_mode.value,
            "inferred": a.development_mode.inferred,
        }
    dep, tpd = a.dependence, a.third_party_dependence
    rec["dependence"] = {d: getattr(dep, d) for d in DIMENSIONS}
    rec["third_party_dependence"] = {d: getattr(tpd, d) for d in DIMENSIONS}
    rec["asymmetry"] = asymmetry
    rec["coproduction"] = {"score": a.coproduction.score, "stage": a.coproduction.stage}
    rec["diagnoses"] = [{"id": d.id, "severity": d.severity} for d in a.diagnoses]
    rec["actions"] = [
        {
            "id": x.id,
            "rank": x.rank,
            "priority": x.priority,
            "actor": x.actor,
            "phase": x.phase,
            "stage": x.stage,
        }
        for x in a.actions
    ]
    rec["warnings"] = [w.code for w in a.warnings]
    # issue 12, only when there is something to say (a plain version 1 record is unchanged):
    # what the profile left open, what could not be decided, and how robust the advice is
    uncertain = getattr(a, "uncertain_inputs", None)
    if uncertain:
        rec["uncertain_inputs"] = list(uncertain)
    undecided = getattr(a, "undecided", None)
    if undecided:
        rec["undecided"] = [{"id": u.id, "kind": u.kind, "needs": list(u.needs)} for u in undecided]
    rob = getattr(a, "robustness", None)
    if rob is not None:  # the labels that are not "robust", by id (every other one is robust)
        checked = (*rob.diagnoses, *rob.actions)
        rec["robustness"] = {
            "worlds": rob.worlds,
            "seed": rob.seed,
            "top_n": rob.top_n,
            "first_action_share": rob.first_action_share,
            "top_fragile": rob.top_fragile,
            "fragile": [c.id for c in checked if c.label == "fragile"],
            "fairly_robust": [c.id for c in checked if c.label == "fairly_robust"],
        }
    return rec


def compact_record(assessment: Any) -> bytes:
    """The compact record as one JSON line (UTF-8 bytes, no newline); same input, same bytes."""
    return to_json(compact_data(assessment))


# --------------------------------------------------------------------------- labels


@lru_cache(maxsize=1)
def _kb_labels() -> dict[str, tuple[str, str]]:
    from knowledge_base.loader import load_kb

    out: dict[str, tuple[str, str]] = {}
    for item_id, item in load_kb().items.items():
        label = getattr(item, "label", None)
        if label is not None:
            out[item_id] = (label.zh, label.en)
    return out


def item_label(item_id: str, lang: str) -> str:
    """A diagnosis's or action's label from the knowledge base (its id when unknown)."""
    pair = _kb_labels().get(item_id)
    if pair is None:
        return item_id
    return pair[0] if lang == "zh" else pair[1]


def _ui(namespace: str, key: str, lang: str) -> str:
    from advisor.report import label

    try:
        return label(namespace, key, lang)
    except Exception:
        return key


# --------------------------------------------------------------------------- one row per case


def _term(key: str) -> dict[str, str]:
    """A column heading that names one of the product's terms, from the vocabulary catalogue
    (``advisor/templates/strings.yaml``, namespace ``text``), so the workbook says what the
    reports and the pages say."""
    from advisor.vocabulary import strings

    return dict(strings()["text"][key])


HEAD: dict[str, dict[str, str]] = {
    "line": {"zh": "记录序号", "en": "Record"},
    "profile_id": {"zh": "档案编号", "en": "Profile id"},
    "name": {"zh": "名称", "en": "Name"},
    "status": {"zh": "状态", "en": "Status"},
    "level": _term("asymmetry_level"),
    "direction": {"zh": "依赖方向", "en": "Direction"},
    "index": _term("asymmetry_index"),
    "force_on_government": {"zh": "队伍对政府的依赖", "en": "Force's dependence on government"},
    "government_on_force": {"zh": "政府对队伍的依赖", "en": "Government's dependence on force"},
    "dep_legitimacy": {"zh": "依赖度：合法性", "en": "Dependence: legitimacy"},
    "dep_funding": {"zh": "依赖度：资金", "en": "Dependence: funding"},
    "dep_human_resources": {"zh": "依赖度：人力", "en": "Dependence: people"},
    "dep_knowledge": {"zh": "依赖度：知识", "en": "Dependence: know-how"},
    "coproduction_score": {"zh": "合作生产得分（0–16）", "en": "Co-production score (0-16)"},
    "coproduction_stage": {"zh": "合作生产阶段", "en": "Co-production stage"},
    "diagnoses": {"zh": "诊断（按严重度）", "en": "Diagnoses (most severe first)"},
    "action_1": {"zh": "首要行动", "en": "Action 1"},
    "action_2": {"zh": "第二行动", "en": "Action 2"},
    "action_3": {"zh": "第三行动", "en": "Action 3"},
    "problems": {"zh": "问题", "en": "Problems"},
    "knowledge_base_version": {"zh": "知识库版本", "en": "Knowledge base version"},
    "engine_version": {"zh": "引擎版本", "en": "Engine version"},
}
KEYS = tuple(HEAD)
STATUS = {
    "ok": {"zh": "已评估", "en": "assessed"},
    "failed": {"zh": "未评估（有问题）", "en": "not assessed (problems)"},
}
NUMERIC = frozenset(
    {
        "line",
        "index",
        "force_on_government",
        "government_on_force",
        "dep_legitimacy",
        "dep_funding",
        "dep_human_resources",
        "dep_knowledge",
        "coproduction_score",
    }
)


def _stage_label(stage: str, lang: str) -> str:
    from advisor.batch import _stage_label as batch_stage

    return batch_stage(stage, lang)


def result_row(n: int, rec: dict[str, Any], lang: str) -> dict[str, Any]:
    """One record (compact, full or error) as a row of the results table, by ``KEYS``."""
    row: dict[str, Any] = dict.fromkeys(KEYS)
    row["line"] = n
    row["profile_id"] = rec.get("profile_id")
    if "errors" in rec:
        row["status"] = STATUS["failed"][lang]
        sep = "；" if lang == "zh" else "; "
        where = rec.get("line")
        prefix = ""
        if where:
            prefix = f"第 {where} 行：" if lang == "zh" else f"line {where}: "
        row["problems"] = prefix + sep.join(
            f"{e.get('path')}: {e.get('message')}" if e.get("path") else str(e.get("message"))
            for e in rec.get("errors") or []
        )
        return row
    asym = rec["asymmetry"]
    dep = rec["dependence"]
    row.update(
        name=rec.get("profile_name"),
        status=STATUS["ok"][lang],
        level=_ui("level", asym["level"], lang),
        direction=_direction_text(asym.get("direction"), lang),
        index=asym["index"],
        force_on_government=asym["force_on_government"],
        government_on_force=asym["government_on_force"],
        coproduction_score=rec["coproduction"]["score"],
        coproduction_stage=_stage_label(rec["coproduction"]["stage"], lang),
        knowledge_base_version=rec.get("knowledge_base_version"),
        engine_version=rec.get("engine_version"),
    )
    for d in DIMENSIONS:
        row[f"dep_{d}"] = dep[d]
    diags = sorted(rec.get("diagnoses") or [], key=lambda d: (-d["severity"], d["id"]))
    sep = "、" if lang == "zh" else "; "
    row["diagnoses"] = sep.join(f"{item_label(d['id'], lang)} ({d['severity']:.2f})" for d in diags)
    actions = sorted(rec.get("actions") or [], key=lambda a: a["rank"])[:TOP_ACTIONS]
    for i, act in enumerate(actions, start=1):
        actor = _ui("actor", act["actor"], lang)
        colon = "：" if lang == "zh" else ": "
        row[f"action_{i}"] = f"{actor}{colon}{item_label(act['id'], lang)}"
    return row


def _direction_text(direction: Any, lang: str) -> str | None:
    if direction is None:
        return None
    if isinstance(direction, dict):  # {"zh", "en"} or {"id", "label"}: read defensively
        label = direction.get("label", direction)
        if isinstance(label, dict):
            return str(label.get(lang) or label.get("en") or "")
        return str(direction.get("id", ""))
    return _ui("direction", str(direction), lang)


def read_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Stream the records of a batch's JSONL output."""
    with Path(path).open("rb") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def rows(path: str | Path, lang: str) -> Iterator[dict[str, Any]]:
    """The results table's rows, streamed from a batch's JSONL output."""
    for n, rec in enumerate(read_records(path), start=1):
        yield result_row(n, rec, lang)


def headers(lang: str) -> list[str]:
    """The results table's column headers in ``lang``."""
    return [HEAD[k][lang] for k in KEYS]


LEVEL_FILL = {"balanced": "C6EFCE", "moderate": "FFEB9C", "high": "F8CBAD", "severe": "FF9999"}


def write_xlsx(path: str | Path, out: str | Path, lang: str) -> int:
    """Write the results workbook; return the number of rows. Streams in constant memory."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("结果" if lang == "zh" else "Results")
    ws.freeze_panes = "D2"
    widths = {"name": 28, "diagnoses": 48, "action_1": 40, "action_2": 40, "action_3": 40}
    for j, key in enumerate(KEYS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(key, 14)
    from openpyxl.cell import WriteOnlyCell

    head = []
    for text in headers(lang):
        c = WriteOnlyCell(ws, value=text)
        c.font = Font(bold=True)
        head.append(c)
    ws.append(head)
    n = 0
    for row in rows(path, lang):
        ws.append([_xlsx_value(k, row[k]) for k in KEYS])
        n += 1
    # conditional formatting on the level column: one rule per level, by its label
    letter = get_column_letter(KEYS.index("level") + 1)
    last = max(2, n + 1)
    for level in ASYMMETRY_LEVELS:
        text = _ui("level", level, lang).replace('"', '""')
        ws.conditional_formatting.add(
            f"{letter}2:{letter}{last}",
            FormulaRule(
                formula=[f'{letter}2="{text}"'],
                fill=PatternFill("solid", fgColor=LEVEL_FILL[level]),
            ),
        )
    ws.auto_filter.ref = f"A1:{get_column_letter(len(KEYS))}{last}"
    wb.save(Path(out))
    return n


def _xlsx_value(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in NUMERIC:
        return value
    return safe_text(str(value))


def write_csv(path: str | Path, out: str | Path, lang: str) -> int:
    """Write the results as CSV (UTF-8 with BOM, so Excel reads Chinese); return the rows."""
    n = 0
    with Path(out).open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers(lang))
        for row in rows(path, lang):
            w.writerow(["" if row[k] is None else safe_text(row[k]) for k in KEYS])
            n += 1
    return n


PARQUET_BATCH = 10_000


def write_parquet(path: str | Path, out: str | Path, lang: str) -> int:
    """Write the results as Parquet (snake_case columns, typed numbers); return the rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [
        pa.field(k, pa.float64() if k in NUMERIC and k != "line" else pa.string()) for k in KEYS
    ]
    fields[KEYS.index("line")] = pa.field("line", pa.int64())
    fields[KEYS.index("coproduction_score")] = pa.field("coproduction_score", pa.int64())
    schema = pa.schema(fields, metadata={"lang": lang})
    n = 0
    with pq.ParquetWriter(str(out), schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows(path, lang):
            batch.append(row)
            n += 1
            if len(batch) >= PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return n


WRITERS = {"xlsx": write_xlsx, "csv": write_csv, "parquet": write_parquet}


def write_results(path: str | Path, out: str | Path, fmt: str, lang: str = "zh") -> int:
    """Write a batch's JSONL output as a results table in ``fmt``; return the rows written."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown results format {fmt!r}; expected one of {RESULT_FORMATS}")
    return WRITERS[fmt](path, out, lang)
