"""The case-profile form: its fields read off the contract model, and the draft they edit.

The fields, their kinds and their ranges come from :class:`advisor.models.CaseProfile` itself, so
the form follows the contract without a second list to keep in step. What the user typed lives in
a *draft*: a flat mapping from dotted field paths to values, kept in the session so that it
survives page changes and validation errors (widget state alone is dropped by Streamlit when a
page is left). The draft is turned into profile data only when it is assessed or saved, and the
contract model does all the validating.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union

from annotated_types import Ge, Le
from pydantic import BaseModel

from advisor.models import BASIS_FIELD, CaseProfile

FieldKind = Literal["enum", "level", "share", "count", "bool", "text", "date"]
PRESENT = "__present__"  # draft key suffix: does an optional section (third_party) exist?


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: dotted path, kind, choices or range, whether it may be empty."""

    path: str
    kind: FieldKind
    options: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    optional: bool = False

    @property
    def section(self) -> str:
        """The top-level group of a nested field; ``basics`` for a top-level one."""
        return self.path.split(".", 1)[0] if "." in self.path else "basics"


@dataclass(frozen=True)
class Section:
    """A group of fields shown together; ``optional`` sections can be switched off (None)."""

    id: str
    fields: tuple[FieldSpec, ...]
    optional: bool = False


def _unwrap_optional(ann: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(ann)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1 and len(args) < len(typing.get_args(ann)):
            return args[0], True
    return ann, False


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None]:
    low = high = None
    for m in metadata:
        if isinstance(m, Ge):
            low = m.ge
        if isinstance(m, Le):
            high = m.le
    return low, high


def _spec(path: str, ann: Any, metadata: list[Any], optional: bool) -> FieldSpec:
    if typing.get_origin(ann) is typing.Annotated:
        args = typing.get_args(ann)
        ann, metadata = args[0], [*metadata, *args[1:]]
    inner, opt = _unwrap_optional(ann)
    optional = optional or opt
    if typing.get_origin(inner) is typing.Annotated:
        args = typing.get_args(inner)
        inner, metadata = args[0], [*metadata, *args[1:]]
    low, high = _bounds(metadata)
    if typing.get_origin(inner) is Literal:
        return FieldSpec(path, "enum", tuple(typing.get_args(inner)), optional=optional)
    if inner is bool:
        return FieldSpec(path, "bool", optional=optional)
    if inner is int:
        kind: FieldKind = "level" if high is not None and high <= 4 else "count"
        return FieldSpec(path, kind, low=low, high=high, optional=optional)
    if inner is float:
        return FieldSpec(path, "share", low=low, high=high, optional=optional)
    if inner is dt.date:
        return FieldSpec(path, "date", optional=optional)
    return FieldSpec(path, "text", optional=optional)


def _walk(model: type[BaseModel], prefix: str) -> list[FieldSpec]:
    out: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if path in ("schema_version", BASIS_FIELD):
            continue  # the basis map describes the fields; it is not one
        ann, optional = _unwrap_optional(info.annotation)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out += _walk(ann, f"{path}.")
        else:
            out.append(_spec(path, info.annotation, list(info.metadata), optional))
    return out


@functools.lru_cache(maxsize=1)
def sections() -> list[Section]:
    """The form's sections in the contract's order; ``basics`` holds the top-level scalars."""
    groups: dict[str, list[FieldSpec]] = {}
    seen_nested = False
    for spec in _walk(CaseProfile, ""):
        section = spec.section
        seen_nested = seen_nested or section != "basics"
        if section == "basics" and seen_nested:
            # a top-level choice after the nested groups (linkage) is a section of its own
            section = spec.path
        groups.setdefault(section, []).append(spec)
    out: list[Section] = []
    for sid, specs in groups.items():
        info = CaseProfile.model_fields.get(sid)
        optional = bool(info is not None and _unwrap_optional(info.annotation)[1])
        out.append(Section(sid, tuple(specs), optional=optional))
    return out


def all_fields() -> list[FieldSpec]:
    return [f for s in sections() for f in s.fields]


def accepts(spec: FieldSpec, value: Any) -> bool:
    """Whether ``value`` is something the field's widget can hold (not a label, not garbage).

    The form writes a widget's value into the draft only when this holds, so a label that comes
    back from the browser instead of a value can never end up in the profile.
    """
    if value is None:
        return spec.kind in ("enum", "date", "text") or spec.optional
    if spec.kind == "enum":
        return value in spec.options
    if spec.kind in ("level", "count"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return (
            ok
            and (spec.low is None or value >= spec.low)
            and (spec.high is None or value <= spec.high)
        )
    if spec.kind == "share":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok and 0.0 <= float(value) <= 1.0
    if spec.kind == "bool":
        return isinstance(value, bool)
    if spec.kind == "date":
        return isinstance(value, dt.date)
    return isinstance(value, str)


# --------------------------------------------------------------------------- drafts


def blank_draft() -> dict[str, Any]:
    """A draft with nothing chosen: choices empty, numbers 0, switches off, no third party."""
    draft: dict[str, Any] = {}
    for s in sections():
        if s.optional:
            draft[f"{s.id}.{PRESENT}"] = False
        for f in s.fields:
            if f.optional and f.kind in ("level", "share", "count", "bool"):
                draft[f.path] = None  # an optional figure nobody entered stays unknown
                continue
            draft[f.path] = {
                "enum": None,
                "level": 0,
                "share": 0.0,
                "count": 0,
                "bool": False,
                "text": "",
                "date": None,
            }[f.kind]
    return draft


def draft_from_data(data: dict[str, Any]) -> dict[str, Any]:
    """A draft holding a profile's values (anything absent stays blank)."""
    draft = blank_draft()
    for s in sections():
        if s.optional:
            draft[f"{s.id}.{PRESENT}"] = data.get(s.id) is not None
        for f in s.fields:
            value: Any = data
            for part in f.path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is None:
                continue
            if f.kind == "date" and isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    continue
            draft[f.path] = value
    return draft


SLUG = re.compile(r"^[a-z0-9_-]{1,64}$")


def case_id_for(number: str, name: str) -> str | None:
    """The profile id for what a person typed as the case number (``None``: nothing to go on).

    A number that is already a valid id is kept. Anything else (a Chinese 档案编号 such as
    “街道2024-17号”, spaces, capitals) becomes a stable id: its Latin letters and digits, and a
    short fingerprint of the whole number, so the same number always gives the same id. With no
    number the id is made from the name.
    """
    raw = (number or "").strip()
    if SLUG.fullmatch(raw):
        return raw
    source = raw or (name or "").strip()
    if not source:
        return None
    base = re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-")[:40] or "case"
    return f"{base}-{hashlib.sha1(source.encode('utf-8')).hexdigest()[:6]}"


def name_with_number(number: str, name: str) -> str:
    """The name under which a case is kept when its own number is not a valid id: the number
    the person typed stays visible, after the name (unless the name already holds it)."""
    raw, name = (number or "").strip(), (name or "").strip()
    if not raw or SLUG.fullmatch(raw) or raw in name:
        return name
    return f"{name}（{raw}）" if name else raw


def data_from_draft(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft as profile data for the contract model: empty text is None, absent sections None.

    An empty required choice is left out, so the model reports it as missing by its path.
    """
    data: dict[str, Any] = {"schema_version": 1}
    for s in sections():
        if s.optional and not draft.get(f"{s.id}.{PRESENT}"):
            data[s.id] = None
            continue
        for f in s.fields:
            value = draft.get(f.path)
            if f.path == "id":
                value = case_id_for(str(value or ""), str(draft.get("name") or ""))
            elif f.path == "name" and isinstance(value, str) and value.strip():
                value = name_with_number(str(draft.get("id") or ""), value)
            if f.kind == "text" and value == "" and f.optional:
                value = None
            if f.kind == "date" and isinstance(value, dt.date):
                value = value.isoformat()
            if value is None and not f.optional:
                continue
            node = data
            parts = f.path.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
    return data


def problems_by_path(problems: list[Any], lang: str = "en") -> dict[str, list[str]]:
    """Field problems grouped by the nearest form field or section they belong to.

    A problem on a field (``funding.charity``) goes to that field; one on a section as a whole
    (``funding``: shares do not sum to 1) to the section; anything else to ``""`` (the form).
    """
    paths = {f.path for f in all_fields()}
    section_ids = {s.id for s in sections()}
    out: dict[str, list[str]] = {}
    for p in problems:
        path = str(getattr(p, "path", ""))
        target = ""
        probe = path
        while probe:
            if probe in paths or probe in section_ids:
                target = probe
                break
            probe = probe.rsplit(".", 1)[0] if "." in probe else ""
        text = getattr(p, "text", None)
        out.setdefault(target, []).append(text(lang) if callable(text) else str(p))
    return out
