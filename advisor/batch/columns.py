"""CSV columns: the contract's dotted field names, and rows to and from profile data."""

from __future__ import annotations

from typing import Any

from advisor import fields
from advisor.batch.common import BatchInputError
from advisor.errors import FieldProblem, ProfileError, excerpt
from advisor.textsafe import csv_uncell

# The catalogue's value fields in the contract's order (the basis map is not a column).
CSV_COLUMNS: list[str] = [s.path for s in fields.LEAVES]
# Columns that may be absent from a CSV, or empty in a row, meaning null: the top-level fields
# with a default (``schema_version``, ``region``, ``as_of``, ``development_mode``).
NULLABLE_COLUMNS = frozenset(s.path for s in fields.LEAVES if "." not in s.path and not s.required)
THIRD_PARTY_PREFIX = "third_party."
# Optional groups: null when all their cells are empty; their columns may be absent.
OPTIONAL_GROUPS = fields.OPTIONAL_GROUPS


def data_to_row(data: dict[str, Any]) -> list[str]:
    """Flatten contract data to CSV cells in ``CSV_COLUMNS`` order (null is an empty cell)."""
    cells: list[str] = []
    for col in CSV_COLUMNS:
        value = fields.get(data, col)
        if value is None:
            cells.append("")
        elif isinstance(value, bool):
            cells.append("true" if value else "false")
        else:
            cells.append(str(value))
    return cells


def check_csv_header(header: list[str]) -> None:
    """Refuse a CSV header that cannot describe profiles; raise BatchInputError naming columns."""
    if not header or all(not h.strip() for h in header):
        raise BatchInputError("the CSV file has no header row naming the contract's fields")
    names = [h.strip() for h in header]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        shown = ", ".join(excerpt(d, quote=False) for d in dupes[:10])
        raise BatchInputError(f"the CSV header repeats columns: {shown}")
    known = set(CSV_COLUMNS)
    unknown = [n for n in names if n not in known]
    if unknown:
        more = f" and {len(unknown) - 10:,} more" if len(unknown) > 10 else ""
        raise BatchInputError(
            "the CSV header has columns that are not fields of schema_version 1: "
            + ", ".join(excerpt(u) for u in unknown[:10])
            + more
            + " (columns are dotted field names such as funding.government_direct)"
        )
    required = [
        c
        for c in CSV_COLUMNS
        if c not in NULLABLE_COLUMNS and c.split(".", 1)[0] not in OPTIONAL_GROUPS
    ]
    missing = [c for c in required if c not in names]
    if missing:
        raise BatchInputError("the CSV header lacks required columns: " + ", ".join(missing))


def row_to_data(header: list[str], cells: list[str]) -> dict[str, Any]:
    """Unflatten one CSV row; raise ProfileError for a row whose shape is wrong.

    Empty cells are null for nullable fields and missing otherwise; the ``third_party`` group is
    null when all its cells are empty. Types are converted by validation (pydantic's lax mode
    reads ``"0.25"``, ``"12"``, ``true``/``false``/``1``/``0``).
    """
    if len(cells) != len(header):
        raise ProfileError(
            [FieldProblem("", f"the row has {len(cells)} cells; the header has {len(header)}")]
        )
    data: dict[str, Any] = {}
    groups: dict[str, dict[str, str]] = {g: {} for g in OPTIONAL_GROUPS}
    for name, raw in zip(header, cells, strict=True):
        col = name.strip()
        cell = csv_uncell(raw.strip())  # '=x written by csv_cell reads back as =x
        if any("\udc80" <= ch <= "\udcff" for ch in cell):
            raise ProfileError([FieldProblem(col, "the cell is not UTF-8 text")])
        group, _, rest = col.partition(".")
        if rest and group in OPTIONAL_GROUPS:
            if cell:
                groups[group][rest] = cell
            continue
        if not cell:
            if col in NULLABLE_COLUMNS and col != "schema_version":
                data[col] = None
            continue
        if col == "schema_version":
            data[col] = int(cell) if cell.isdigit() else cell
            continue
        node = data
        *parents, leaf = col.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = cell
    for group, values in groups.items():
        data[group] = values or None
    return data
