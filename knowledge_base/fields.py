"""The documentation of the case profile's fields: what each field means, in both languages.

``data/fields.yaml`` gives, for every dotted field path of the case profile (``funding.charity``,
``coproduction.planning``), a label, help in an official's words, a label for every level of an
ordinal scale and every value of an enum, the paper sections it rests on, and its provenance (the
scales are our operationalisation). The UI's form help and the reports read it through
``field_doc(path)`` and ``enum_label(path, value, lang)``.

``check_fields`` compares the file with ``advisor.models.CaseProfile`` so that a field added to
the profile without documentation, or an enum value without a label, is a validation problem.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from advisor.errors import KnowledgeBaseError
from advisor.fields import FIELDS
from knowledge_base.schema import Provenance, Strict, Text, error_list

FIELDS_PATH = Path(__file__).resolve().parent / "data" / "fields.yaml"

FieldType = Literal["group", "enum", "level", "share", "int", "bool", "text", "slug", "date"]


class FieldDoc(Strict):
    """One field of the case profile: label, help, level/value labels, sections, provenance."""

    type: FieldType
    label: Text
    help: Text
    sections: list[Annotated[str, Field(pattern=r"^(abstract|[1-6](\.[1-3])?)$")]]
    provenance: Provenance
    levels: dict[int, Text] | None = None
    values: dict[str, Text] | None = None
    null_label: Text | None = None
    path: str = ""  # filled in from the key

    @model_validator(mode="after")
    def _labels_for_type(self) -> FieldDoc:
        if self.type == "level" and not self.levels:
            raise ValueError("levels: an ordinal scale needs a label for every level")
        if self.type in ("enum", "bool") and not self.values:
            raise ValueError(f"values: a field of type {self.type} needs a label for every value")
        if self.type not in ("level",) and self.levels:
            raise ValueError("levels: only ordinal scales (type: level) have levels")
        if self.type not in ("enum", "bool") and self.values:
            raise ValueError("values: only enums and booleans have values")
        return self

    def value_label(self, value: Any, lang: str = "zh") -> str:
        """The label of one value (enum value, level, boolean or None) in ``lang``."""
        if value is None:
            return self.null_label.get(lang) if self.null_label else "—"
        if self.type == "level" and self.levels is not None:
            text = self.levels.get(int(value))
            if text is not None:
                return text.get(lang)
        if self.values is not None:
            key = str(value).lower() if isinstance(value, bool) else str(value)
            text = self.values.get(key)
            if text is not None:
                return text.get(lang)
        return str(value)


class FieldsFile(Strict):
    """The whole of ``fields.yaml``."""

    schema_version: Literal[1]
    defaults: dict[str, Any] | None = None  # YAML anchors live here; not read by the code
    fields: dict[str, FieldDoc]


def parse_fields(doc: Any) -> tuple[dict[str, FieldDoc], list[tuple[str, str]]]:
    """Validate the parsed YAML; return the docs by path and every (field path, message) problem."""
    problems: list[tuple[str, str]] = []
    try:
        parsed = FieldsFile.model_validate(doc)
    except ValidationError as exc:
        return {}, error_list(exc)
    docs = {}
    for path, fd in parsed.fields.items():
        docs[path] = fd.model_copy(update={"path": path})
    return docs, problems


# --------------------------------------------------------------------------- the profile model


_KB_KIND = {"const": "int", "count": "int", "text": "other", "date": "other", "map": "other"}


def profile_fields() -> dict[str, dict[str, Any]]:
    """Every field path of the profile (the catalogue ``advisor.fields``): its kind as
    ``fields.yaml`` names it, enum values or level range, nullability.

    Nested models appear as ``group`` entries and their fields below them.
    """
    out: dict[str, dict[str, Any]] = {}
    for spec in FIELDS.values():
        entry: dict[str, Any] = {
            "nullable": spec.nullable,
            "kind": _KB_KIND.get(spec.kind, spec.kind),
        }
        if spec.kind == "enum":
            entry["values"] = [str(v) for v in spec.values]
        elif spec.kind == "bool":
            entry["values"] = ["true", "false"]
        elif spec.kind == "level":
            entry["levels"] = list(spec.levels)
        out[spec.path] = entry
    return out


def check_fields(docs: dict[str, FieldDoc]) -> list[tuple[str, str]]:
    """Compare the docs with the profile model; return every (field path, problem)."""
    problems: list[tuple[str, str]] = []
    model = profile_fields()
    for path, spec in model.items():
        fd = docs.get(path)
        if fd is None:
            problems.append((path, "the profile field has no entry in fields.yaml"))
            continue
        kind = spec["kind"]
        if kind in ("group", "enum", "level", "bool", "share") and fd.type != kind:
            problems.append((path, f"type is {fd.type!r}, but the profile field is a {kind}"))
        if kind in ("enum", "bool"):
            labelled = set((fd.values or {}).keys())
            for v in spec["values"]:
                if v not in labelled:
                    problems.append((f"{path}.values.{v}", "value has no label"))
            for v in sorted(labelled - set(spec["values"])):
                problems.append((f"{path}.values.{v}", "not a value of the profile field"))
        if kind == "level":
            labelled_levels = set((fd.levels or {}).keys())
            for lv in spec["levels"]:
                if lv not in labelled_levels:
                    problems.append((f"{path}.levels.{lv}", "level has no label"))
            for lv in sorted(labelled_levels - set(spec["levels"])):
                problems.append((f"{path}.levels.{lv}", "not a level of the profile field"))
        if spec["nullable"] and kind in ("enum", "group") and fd.null_label is None:
            problems.append((f"{path}.null_label", "the field may be empty; label that case"))
    for path in sorted(set(docs) - set(model)):
        problems.append((path, "not a field of the case profile"))
    return problems


# --------------------------------------------------------------------------- public access


@lru_cache(maxsize=1)
def load_fields(path: Path = FIELDS_PATH) -> dict[str, FieldDoc]:
    """The shipped field docs by dotted path (cached); KnowledgeBaseError when they are unsound."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError(f"{path.name}: cannot read: {exc}") from None
    docs, problems = parse_fields(doc)
    # completeness against CaseProfile is checked by `advisor kb validate` and tests/kb, not here:
    # a profile field added without documentation must not break the documented ones
    if problems:
        raise KnowledgeBaseError(
            "fields.yaml does not validate:\n" + "\n".join(f"  - {p}: {m}" for p, m in problems)
        )
    return docs


def field_doc(path: str) -> FieldDoc:
    """The documentation of one profile field by dotted path; KnowledgeBaseError if unknown."""
    docs = load_fields()
    try:
        return docs[path]
    except KeyError:
        raise KnowledgeBaseError(f"no documentation for profile field {path!r}") from None


def enum_label(path: str, value: Any, lang: str = "zh") -> str:
    """The label of ``value`` of field ``path`` (enum value, level, boolean, None) in ``lang``."""
    return field_doc(path).value_label(value, lang)
