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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, cast

from advisor import fields
from advisor.models import BASIS_FIELD

FieldKind = Literal["enum", "level", "share", "count", "bool", "text", "date"]
PRESENT = "__present__"  # draft key suffix: does an optional section (third_party) exist?
# Draft key suffixes for what is not known exactly (schema version 2, ``advisor.uncertain``):
# ``<path>.__mode__`` is ``value`` (the default), ``unknown`` (不清楚) or ``range``; the range
# itself is kept apart from the value, ``<path>.__range__``: ``[low, high]`` for a share or a
# count, the list of values that are possible for a level or a choice. The exact value stays in
# the draft meanwhile, so switching back to "value" gives back what was there.
MODE = "__mode__"
RANGE = "__range__"
MODES = ("value", "unknown", "range")
UNCERTAIN_UI = "__uncertain_ui__"  # draft key: the form shows the 不清楚 / range choices
BASIS = "__basis__"  # draft key: the profile's ``basis`` map (JSON), kept as it came


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


def _form_spec(spec: fields.FieldSpec) -> FieldSpec:
    """The catalogue's spec as the form's (choices only for enums; ``optional``: may be empty)."""
    options = spec.values if spec.kind == "enum" else ()
    kind = cast(FieldKind, spec.kind)
    return FieldSpec(spec.path, kind, options, spec.low, spec.high, optional=spec.nullable)


def _form_fields() -> list[FieldSpec]:
    """The catalogue's value fields but ``schema_version`` (the form sets it; the basis map is
    no value field of the catalogue)."""
    return [_form_spec(s) for s in fields.LEAVES if s.kind != "const"]


@functools.lru_cache(maxsize=1)
def sections() -> list[Section]:
    """The form's sections in the contract's order; ``basics`` holds the top-level scalars."""
    groups: dict[str, list[FieldSpec]] = {}
    seen_nested = False
    for spec in _form_fields():
        section = spec.section
        seen_nested = seen_nested or section != "basics"
        if section == "basics" and seen_nested:
            # a top-level choice after the nested groups (linkage) is a section of its own
            section = spec.path
        groups.setdefault(section, []).append(spec)
    out: list[Section] = []
    for sid, specs in groups.items():
        group = fields.FIELDS.get(sid)
        optional = group is not None and group.nullable
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


def choices_of(spec: FieldSpec) -> list[Any]:
    """The values a level or a choice can take, in order."""
    if spec.kind == "level":
        return list(range(int(spec.low or 0), int(spec.high if spec.high is not None else 4) + 1))
    if spec.kind == "bool":
        return [True, False]
    return list(spec.options)


def can_be_unknown(spec: FieldSpec) -> bool:
    """Whether the field may be marked 不清楚 (every field but the id, name, text and dates)."""
    return spec.kind in ("enum", "level", "share", "count", "bool")


def can_be_range(spec: FieldSpec) -> bool:
    """Whether the field may be a range (shares, counts) or a set of values (levels, choices)."""
    return spec.kind in ("enum", "level", "share", "count")


def mode_of(draft: dict[str, Any], path: str) -> str:
    """``value``, ``unknown`` or ``range``: how the field is filled in."""
    mode = draft.get(f"{path}.{MODE}")
    return mode if mode in MODES else "value"


def range_ok(spec: FieldSpec, value: Any) -> bool:
    """Whether ``value`` is a range the field can hold (see ``RANGE``)."""
    if spec.kind in ("share", "count"):
        if not isinstance(value, list | tuple) or len(value) != 2:
            return False
        return all(accepts(spec, v) and v is not None for v in value)
    if spec.kind in ("level", "enum"):
        return isinstance(value, list | tuple) and all(
            v is not None and accepts(spec, v) for v in value
        )
    return False


# --------------------------------------------------------------------------- percentages
#
# Shares are entered as percentages (issue 13): 35 means 35 %, the profile keeps the contract's
# 0.35. The conversion goes through the decimal digits, so 35 -> 0.35 and 0.35 -> 35 exactly
# (0.35 * 100 in binary floating point is 35.00000000000001; 35 / 100 happens to be right, but
# 33.3 / 100 is 0.33299999999999996).


def share_to_percent(share: float | None) -> float | None:
    """A share (0..1) as a percentage (0..100), exact in decimal digits."""
    if share is None:
        return None
    return float(Decimal(repr(float(share))) * 100)


def percent_to_share(percent: float | None) -> float | None:
    """A percentage (0..100) as the share the profile keeps, exact in decimal digits."""
    if percent is None:
        return None
    return float(Decimal(repr(float(percent))) / 100)


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
    """A draft holding a profile's values (anything absent stays blank).

    A version 2 profile's unknowns and ranges (``advisor.uncertain``) become the fields' modes:
    a required field left null is 不清楚, ``{low, high}`` a range, a list a set of values; the
    form then shows its 不清楚 / range choices. The ``basis`` map is kept as it came.
    """
    draft = blank_draft()
    v2 = data.get("schema_version") == 2
    if isinstance(data.get(BASIS_FIELD), dict) and data[BASIS_FIELD]:
        draft[BASIS] = data[BASIS_FIELD]
    for s in sections():
        if s.optional:
            draft[f"{s.id}.{PRESENT}"] = data.get(s.id) is not None
        for f in s.fields:
            value = fields.get(data, f.path)
            if v2 and can_be_unknown(f):
                group = f.path.rsplit(".", 1)[0] if "." in f.path else ""
                if (
                    value is None
                    and not f.optional
                    and not (s.optional and data.get(s.id) is None)
                    and (not group or group.split(".")[0] in data)
                ):
                    draft[f"{f.path}.{MODE}"] = "unknown"
                    draft[UNCERTAIN_UI] = True
                    continue
                rng = _range_from_data(f, value)
                if rng is not None:
                    draft[f"{f.path}.{MODE}"] = "range"
                    draft[f"{f.path}.{RANGE}"] = rng
                    draft[UNCERTAIN_UI] = True
                    continue
            if value is None:
                continue
            if f.kind == "date" and isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    continue
            draft[f.path] = value
    return draft


def _range_from_data(spec: FieldSpec, value: Any) -> list[Any] | None:
    """A version 2 range or set as the draft keeps it (None: not a range)."""
    if isinstance(value, dict) and set(value) == {"low", "high"}:
        lo, hi = value["low"], value["high"]
        if spec.kind in ("share", "count"):
            return [lo, hi]
        if spec.kind == "level" and isinstance(lo, int | float) and isinstance(hi, int | float):
            return list(range(int(lo), int(hi) + 1))
    if isinstance(value, list) and spec.kind in ("level", "enum"):
        return [v for v in choices_of(spec) if v in value]
    return None


def is_uncertain(draft: dict[str, Any]) -> bool:
    """Whether any field of the draft is marked 不清楚 or given as a range (schema version 2)."""
    for s in sections():
        if s.optional and not draft.get(f"{s.id}.{PRESENT}"):
            continue
        for f in s.fields:
            mode = mode_of(draft, f.path)
            if mode == "range" and can_be_range(f):
                return True
            if mode == "unknown" and can_be_unknown(f) and not f.optional:
                return True
    return False


def missing_choices(draft: dict[str, Any]) -> list[str]:
    """Required fields left empty that are not marked 不清楚 (an empty choice is not a guess)."""
    out: list[str] = []
    for s in sections():
        if s.optional and not draft.get(f"{s.id}.{PRESENT}"):
            continue
        for f in s.fields:
            if f.optional or mode_of(draft, f.path) != "value":
                continue
            if draft.get(f.path) is None or (f.kind == "text" and not str(draft[f.path]).strip()):
                out.append(f.path)
    return out


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

    An empty required choice is left out, so the model reports it as missing by its path. When a
    field is marked 不清楚 or given as a range the data is a version 2 profile
    (``advisor.uncertain``): null for 不清楚, ``{low, high}`` for a range of shares or counts, the
    list of possible values for a level or a choice. The basis map, if any, goes along.
    """
    v2 = is_uncertain(draft)
    data: dict[str, Any] = {"schema_version": 2 if v2 else 1}
    for s in sections():
        if s.optional and not draft.get(f"{s.id}.{PRESENT}"):
            data[s.id] = None
            continue
        for f in s.fields:
            value = draft.get(f.path)
            mode = mode_of(draft, f.path)
            if mode == "unknown" and can_be_unknown(f):
                value = None
                if not f.optional:
                    fields.set_path(data, f.path, None)  # version 2: null is 不清楚
                    continue
            elif (
                mode == "range" and can_be_range(f) and range_ok(f, draft.get(f"{f.path}.{RANGE}"))
            ):
                rng = list(draft[f"{f.path}.{RANGE}"])
                if f.kind in ("share", "count"):
                    lo, hi = rng  # never swapped: a low above the high is reported
                    value = {"low": lo, "high": hi} if lo != hi else lo
                else:
                    value = rng[0] if len(rng) == 1 else rng
                fields.set_path(data, f.path, value)
                continue
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
            fields.set_path(data, f.path, value)
    if isinstance(draft.get(BASIS), dict) and draft[BASIS]:
        data[BASIS_FIELD] = draft[BASIS]
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
        out.setdefault(target, []).append(problem_message(p, lang))
    return out


_SUM = re.compile(r"shares sum to (-?[0-9]+(?:\.[0-9]+)?)")


def problem_message(problem: Any, lang: str) -> str:
    """A field problem's message in ``lang`` as the form says it (no path): shares that do not
    add up are said in percent, as they are entered ("合计 185%，应为 100%", not "1.85，应为 1")."""
    path = str(getattr(problem, "path", ""))
    text = getattr(problem, "text", None)
    message = text(lang) if callable(text) else str(problem)
    found = _SUM.search(str(getattr(problem, "message", "")))
    if path in fields.SHARE_GROUPS and found:
        from ui.i18n import t
        from ui.kbtext import field_label

        total = share_to_percent(float(found.group(1)))
        return t("uform.share_sum", lang, what=field_label(path, lang), total=f"{total:g}")
    return message


def problem_line(problem: Any, lang: str) -> str:
    """A field problem as "field name: message" in ``lang``: the field's label, never its path."""
    from ui.i18n import catalogue
    from ui.kbtext import field_label

    path = str(getattr(problem, "path", ""))
    message = problem_message(problem, lang)
    if not path:
        return message
    if path in fields.SHARE_GROUPS:
        return message  # the message names the group itself
    probe, label = path, None
    while probe and label is None:
        if f"section.{probe}" in catalogue():
            label = catalogue()[f"section.{probe}"][lang]
        elif probe in fields.FIELDS:
            label = field_label(probe, lang)
        probe = probe.rsplit(".", 1)[0] if "." in probe else ""
    sep = "：" if lang == "zh" else ": "
    return f"{label}{sep}{message}" if label else message
