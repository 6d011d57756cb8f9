"""Loading the knowledge base: every ``data/**/<id>.yaml`` file is one item.

``load_kb()`` is cached per process; it raises ``KnowledgeBaseError`` listing every problem when
the data do not validate (``advisor kb validate`` gives the full report with file and field).
Besides the items it loads the two special files: ``fields.yaml`` (``kb.fields``, the
documentation of every case-profile field) and ``coverage.yaml`` (``kb.not_encoded``, the
paragraphs of the paper deliberately not encoded).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from advisor.errors import KnowledgeBaseError
from knowledge_base.fields import FieldDoc, parse_fields
from knowledge_base.schema import Item, NotEncoded, error_list

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / "data"
PAPER_PATH = ROOT / "paper" / "paper.zh.txt"
# Files under data/ that are not items (they have their own models).
SPECIAL_FILES = {"coverage.yaml", "fields.yaml"}
# Folders under data/ whose files are not items (the glossary: knowledge_base/glossary.py).
SPECIAL_DIRS = {"glossary"}

try:  # the C loader is several times faster; fall back where libyaml is absent
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class LoadProblem:
    """A problem found while loading: the file, the item id (if known), the field, the message."""

    file: str
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        parts = [self.file] if self.file else []
        if self.item:
            parts.append(self.item)
        if self.field:
            parts.append(self.field)
        return f"{': '.join(parts)}: {self.message}"


@dataclass
class KnowledgeBase:
    """The validated items, by id, with the files they came from."""

    items: dict[str, Item]
    files: dict[str, str]  # item id -> path relative to data/
    version: str
    raw: dict[str, Any] = field(default_factory=dict)  # special files by name
    fields: dict[str, FieldDoc] = field(default_factory=dict)  # profile field docs by dotted path
    not_encoded: dict[str, NotEncoded] = field(default_factory=dict)  # by paragraph id

    def get(self, item_id: str) -> Item:
        try:
            return self.items[item_id]
        except KeyError:
            raise KnowledgeBaseError(f"no knowledge item {item_id!r}") from None

    def by_kind(self, kind: str) -> list[Item]:
        return [it for it in self.items.values() if it.kind == kind]

    def param(self, param_id: str) -> Any:
        """The value of a parameter item (our operationalisation), by id; inside
        ``parameter_values(...)`` the value given there."""
        reads = _PARAM_READS.get()
        if reads is not None:
            reads.add(param_id)
        overrides = _PARAM_OVERRIDES.get()
        if overrides is not None and param_id in overrides:
            return overrides[param_id]
        item = self.get(param_id)
        if item.kind != "parameter":
            raise KnowledgeBaseError(f"{param_id!r} is a {item.kind}, not a parameter")
        return item.value


# Parameter values other than the shipped ones, for one block of code (the robustness analysis
# evaluates the same profile under parameters sampled within their plausible ranges). A context
# variable, so threads and Streamlit reruns never see another's values.
_PARAM_OVERRIDES: ContextVar[Mapping[str, Any] | None] = ContextVar(
    "kb_param_overrides", default=None
)
_PARAM_READS: ContextVar[set[str] | None] = ContextVar("kb_param_reads", default=None)


@contextmanager
def parameter_values(values: Mapping[str, Any]) -> Iterator[None]:
    """Within the block, ``kb.param(id)`` returns ``values[id]`` for the ids given (the shipped
    value for the others). Code that caches values derived from parameters must check
    ``parameters_overridden()``."""
    token = _PARAM_OVERRIDES.set(values)
    try:
        yield
    finally:
        _PARAM_OVERRIDES.reset(token)


def parameters_overridden() -> bool:
    """Whether some parameter values are overridden (or their reads recorded) in this context:
    caches of values derived from parameters must then be bypassed."""
    return bool(_PARAM_OVERRIDES.get()) or _PARAM_READS.get() is not None


def current_parameter_values() -> Mapping[str, Any] | None:
    """The mapping given to the innermost ``parameter_values`` block, if any."""
    return _PARAM_OVERRIDES.get()


@contextmanager
def recording_parameter_reads() -> Iterator[set[str]]:
    """Within the block, collect the ids of every parameter read through ``kb.param``."""
    reads: set[str] = set()
    token = _PARAM_READS.set(reads)
    try:
        yield reads
    finally:
        _PARAM_READS.reset(token)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def read_items(
    data_dir: Path = DATA_DIR,
) -> tuple[dict[str, Item], dict[str, str], list[LoadProblem]]:
    """Parse and validate every item file; return items, their files, and every problem found."""
    items: dict[str, Item] = {}
    files: dict[str, str] = {}
    problems: list[LoadProblem] = []
    for path in sorted(p for p in data_dir.rglob("*.yaml") if p.is_file()):
        rel = str(path.relative_to(data_dir))
        if path.name in SPECIAL_FILES or path.relative_to(data_dir).parts[0] in SPECIAL_DIRS:
            continue
        try:
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except yaml.YAMLError as exc:
            problems.append(LoadProblem(rel, "", "", f"malformed YAML: {_one_line(exc)}"))
            continue
        if not isinstance(doc, dict):
            problems.append(LoadProblem(rel, "", "", "expected one item (a mapping)"))
            continue
        item_id = str(doc.get("id", ""))
        try:
            item = Item.model_validate(doc)
        except ValidationError as exc:
            problems += [LoadProblem(rel, item_id, loc, msg) for loc, msg in error_list(exc)]
            continue
        if item.id in items:
            problems.append(
                LoadProblem(rel, item.id, "id", f"duplicate id (also in {files[item.id]})")
            )
            continue
        if path.stem != item.id:
            problems.append(LoadProblem(rel, item.id, "id", "the file must be named after the id"))
        items[item.id] = item
        files[item.id] = rel
    return items, files, problems


def data_version(data_dir: Path = DATA_DIR) -> str:
    """A short content hash of every data file: the knowledge base's version."""
    h = hashlib.sha256()
    for path in sorted(p for p in data_dir.rglob("*.yaml") if p.is_file()):
        h.update(str(path.relative_to(data_dir)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def read_special(
    data_dir: Path = DATA_DIR,
) -> tuple[dict[str, Any], dict[str, FieldDoc], dict[str, NotEncoded], list[LoadProblem]]:
    """Parse fields.yaml and coverage.yaml; return raw data, field docs, not-encoded paragraphs
    and every problem found (a missing file is a problem)."""
    raw: dict[str, Any] = {}
    problems: list[LoadProblem] = []
    for name in sorted(SPECIAL_FILES):
        path = data_dir / name
        if not path.exists():
            problems.append(LoadProblem(name, "", "", "missing file"))
            continue
        try:
            raw[name] = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except yaml.YAMLError as exc:
            problems.append(LoadProblem(name, "", "", f"malformed YAML: {_one_line(exc)}"))
    fields: dict[str, FieldDoc] = {}
    if "fields.yaml" in raw:
        fields, fprobs = parse_fields(raw["fields.yaml"])
        problems += [LoadProblem("fields.yaml", "", loc, msg) for loc, msg in fprobs]
    not_encoded: dict[str, NotEncoded] = {}
    if "coverage.yaml" in raw:
        doc = raw["coverage.yaml"]
        entries = doc.get("not_encoded") if isinstance(doc, dict) else None
        if not isinstance(entries, list):
            problems.append(LoadProblem("coverage.yaml", "", "not_encoded", "expected a list"))
            entries = []
        if isinstance(doc, dict):
            for key in sorted(set(doc) - {"not_encoded"}):
                problems.append(LoadProblem("coverage.yaml", "", key, "unknown key"))
        for i, entry in enumerate(entries):
            pid = str(entry.get("paragraph", "")) if isinstance(entry, dict) else ""
            try:
                ne = NotEncoded.model_validate(entry)
            except ValidationError as exc:
                problems += [
                    LoadProblem("coverage.yaml", pid, f"not_encoded[{i}].{loc}", msg)
                    for loc, msg in error_list(exc)
                ]
                continue
            if ne.paragraph in not_encoded:
                problems.append(
                    LoadProblem("coverage.yaml", pid, f"not_encoded[{i}]", "paragraph listed twice")
                )
            not_encoded[ne.paragraph] = ne
    return raw, fields, not_encoded, problems


@lru_cache(maxsize=1)
def load_kb() -> KnowledgeBase:
    """Load and validate the shipped knowledge base once per process."""
    items, files, problems = read_items()
    raw, fields, not_encoded, special_problems = read_special()
    problems += special_problems
    if problems:
        raise KnowledgeBaseError(
            "the knowledge base does not validate (run `advisor kb validate`):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    return KnowledgeBase(
        items=items,
        files=files,
        version=data_version(),
        raw=raw,
        fields=fields,
        not_encoded=not_encoded,
    )


def paper_text() -> str:
    """The paper's text as shipped."""
    return PAPER_PATH.read_text(encoding="utf-8")
