"""The basis of a profile's values: which rest on the paper's facts and which on assumptions.

A profile may carry an optional ``basis`` map (field path -> :class:`~advisor.models.FieldBasis`);
the paper's two presets carry one for every field. This module answers three questions:

- ``field_basis(profile, path)``: the basis of one field, or None when it has none (a value the
  user entered, or one changed since the basis was recorded);
- ``basis_text(profile, path)``: the same in words, as a :class:`BiText` the reports and the UI
  show beside the field ("paper fact (4.2, quote)" versus "assumed: reasoning");
- ``annotate(assessment, profile)``: per diagnosis and action, the inputs it rests on (from its
  rules' trace: the facts each rule matched, mapped back to profile fields) that are assumptions.

Derived facts (dependence, asymmetry, co-production score, ...) are mapped to the profile fields
they are computed from (``DERIVED_INPUTS``, kept in step with ``advisor.indices`` and
``rules.dsl.case_fact``); a diagnosis named in an action's trace contributes its own inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from advisor.models import (
    Action,
    Assessment,
    BiText,
    CaseProfile,
    Diagnosis,
    FieldBasis,
)

_GOV_DIMS: dict[str, tuple[str, ...]] = {
    "legitimacy": ("legitimacy.status",),
    "funding": ("funding.government_direct", "funding.government_via_third_party"),
    "human_resources": ("human_resources.recruited_by.government", "human_resources.leadership"),
    "knowledge": ("knowledge.training_provider", "knowledge.self_sufficiency"),
}
_TP_DIMS: dict[str, tuple[str, ...]] = {
    "legitimacy": ("legitimacy.status",),
    "funding": ("funding.government_via_third_party", "funding.third_party_own"),
    "human_resources": (
        "human_resources.recruited_by.third_party",
        "human_resources.leadership",
    ),
    "knowledge": ("knowledge.training_provider", "knowledge.self_sufficiency"),
}
_COPRODUCTION = (
    "coproduction.planning",
    "coproduction.design",
    "coproduction.delivery",
    "coproduction.evaluation",
)
_FORCE_ON_GOV = tuple(p for d in _GOV_DIMS.values() for p in d)
_GOV_ON_FORCE = ("government.reliance_on_force",)

#: A derived fact key -> the profile fields it is computed from.
DERIVED_INPUTS: dict[str, tuple[str, ...]] = {
    "development_mode": ("development_mode", "force_type"),
    "development_mode_inferred": ("development_mode",),
    "funding.government_total": _GOV_DIMS["funding"],
    "funding.non_government": (
        "funding.third_party_own",
        "funding.charity",
        "funding.residents",
        "funding.self_generated",
    ),
    "human_resources.core_share": (
        "human_resources.volunteers",
        "human_resources.core_volunteers",
    ),
    "has_third_party": ("third_party",),
    "coproduction.score": _COPRODUCTION,
    "coproduction.stage": _COPRODUCTION,
    "coproduction.delivery_gap": _COPRODUCTION[:3],
    **{f"dependence.{d}": paths for d, paths in _GOV_DIMS.items()},
    **{f"third_party_dependence.{d}": paths for d, paths in _TP_DIMS.items()},
    "third_party_dependence.mean": tuple(p for d in _TP_DIMS.values() for p in d),
    "asymmetry.force_on_government": _FORCE_ON_GOV,
    "asymmetry.government_on_force": _GOV_ON_FORCE,
    "asymmetry.index": _FORCE_ON_GOV + _GOV_ON_FORCE,
    "asymmetry.level": _FORCE_ON_GOV + _GOV_ON_FORCE,
}

DIAGNOSIS_PREFIX = "diagnosis:"


def _data(profile: CaseProfile) -> dict[str, Any]:
    return profile.model_dump(mode="json", exclude={"basis"})


def _json_value(data: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """(found, value) of a dotted path in a profile's JSON form; a null group ends the walk."""
    node: Any = data
    for part in path.split("."):
        if node is None:
            return True, None
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def field_value(profile: CaseProfile, path: str) -> Any:
    """The JSON value of a profile field (None when it or its group is null or unknown)."""
    return _json_value(_data(profile), path)[1]


def is_profile_path(path: str) -> bool:
    """Whether ``path`` names a field or group of the case profile (not a derived fact)."""
    from pydantic import BaseModel

    model: Any = CaseProfile
    for part in path.split("."):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields or part == "basis":
            return False
        ann = fields[part].annotation
        model = None
        for cand in (ann, *getattr(ann, "__args__", ())):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                model = cand
    return True


def _applies(entry: FieldBasis, data: Mapping[str, Any], path: str) -> bool:
    if not entry.value_recorded:
        return True
    value = _json_value(data, path)[1]
    # 1 and 1.0 are the same value; True and 1 are not
    return value == entry.value and isinstance(value, bool) == isinstance(entry.value, bool)


def field_basis(
    profile: CaseProfile, path: str, data: Mapping[str, Any] | None = None
) -> FieldBasis | None:
    """The basis of field ``path``: its own entry, else that of the nearest group holding it.

    None when the profile has no basis for it, or when the value was changed after the basis was
    recorded (``value_recorded``): such a value is the user's, not the paper's."""
    if not profile.basis:
        return None
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        entry = profile.basis.get(key)
        if entry is not None:
            if data is None:
                data = _data(profile)
            return entry if _applies(entry, data, key) else None
    return None


def describe(entry: FieldBasis | None) -> BiText:
    """A basis in words: ``论文事实（第 4.2 节：「…」）`` / ``假设：…`` and their English forms."""
    if entry is None:
        return BiText(zh="未注明依据（用户填写）", en="no basis given (entered by the user)")
    if entry.kind == "fact":
        qz = entry.quote_zh or entry.quote_en or ""
        qe = entry.quote_en or entry.quote_zh or ""
        code_zh = f"，访谈 {entry.interview_code}" if entry.interview_code else ""
        code_en = f", interview {entry.interview_code}" if entry.interview_code else ""
        if entry.section:
            sec_zh = "摘要" if entry.section == "abstract" else f"第 {entry.section} 节"
            sec_en = "abstract" if entry.section == "abstract" else entry.section
            zh = f"论文事实（{sec_zh}{code_zh}：「{qz}」）"
            # the English names the original beside our translation, as the reports' quotes do
            orig = f" 「{entry.quote_zh}」" if entry.quote_zh and entry.quote_en else ""
            en = f"paper fact ({sec_en}{code_en}: “{qe}”{orig})"
        else:
            src = entry.source or ""
            zh = f"事实（{src}：「{qz}」）" if src else f"事实（「{qz}」）"
            en = f"fact ({src}: “{qe}”)" if src else f"fact (“{qe}”)"
        if entry.reasoning is not None:
            zh += f"；{entry.reasoning.zh}"
            en += f"; {entry.reasoning.en}"
        return BiText(zh=zh, en=en)
    reasoning = entry.reasoning or BiText(zh="", en="")
    return BiText(zh=f"假设：{reasoning.zh}", en=f"assumed: {reasoning.en}")


def basis_text(profile: CaseProfile, path: str) -> BiText:
    """The basis of field ``path`` of ``profile`` in words, for a mark beside the field.

    For the UI (Assess page, What-if) and the reports; see ``describe`` for the wording."""
    return describe(field_basis(profile, path))


def basis_kind(profile: CaseProfile, path: str, data: Mapping[str, Any] | None = None) -> str:
    """``fact``, ``assumption`` or ``none`` (no basis, or the value was changed)."""
    entry = field_basis(profile, path, data)
    return entry.kind if entry is not None else "none"


def from_preset(raw: Mapping[str, Any], profile: CaseProfile) -> dict[str, FieldBasis]:
    """A preset's ``basis`` section as FieldBasis entries bound to the preset's values."""
    known = set(FieldBasis.model_fields)
    data_of_profile = _data(profile)
    out: dict[str, FieldBasis] = {}
    for path, entry in raw.items():
        data = {k: v for k, v in dict(entry).items() if k in known}
        found, value = _json_value(data_of_profile, path)
        if found and not isinstance(value, (dict, list)):
            data.update(value=value, value_recorded=True)
        out[str(path)] = FieldBasis.model_validate(data)
    return out


def inputs_of_key(key: str) -> tuple[str, ...]:
    """The profile fields a fact key rests on (itself when it is a profile field)."""
    if key in DERIVED_INPUTS:
        return DERIVED_INPUTS[key]
    if is_profile_path(key):
        return (key,)
    return ()


def _trace_inputs(steps: Iterable[Any], dx_inputs: Mapping[str, tuple[str, ...]]) -> list[str]:
    out: list[str] = []
    for step in steps:
        for key in step.matched:
            if key.startswith(DIAGNOSIS_PREFIX):
                paths: tuple[str, ...] = dx_inputs.get(key[len(DIAGNOSIS_PREFIX) :], ())
            else:
                paths = inputs_of_key(key)
            for p in paths:
                if p not in out:
                    out.append(p)
    return out


def _assumed(
    profile: CaseProfile, inputs: list[str], data: Mapping[str, Any]
) -> tuple[list[str], bool]:
    assumed = [p for p in inputs if basis_kind(profile, p, data) == "assumption"]
    return assumed, bool(inputs) and len(assumed) == len(inputs)


def conclusion_inputs(assessment: Assessment) -> dict[str, list[str]]:
    """Per diagnosis id and action id, the profile fields it rests on (through its trace)."""
    dx_inputs: dict[str, tuple[str, ...]] = {}
    out: dict[str, list[str]] = {}
    for d in assessment.diagnoses:
        ins = _trace_inputs(d.trace, {})
        dx_inputs[d.id] = tuple(ins)
        out[d.id] = ins
    for a in assessment.actions:
        out[a.id] = _trace_inputs(a.trace, dx_inputs)
    return out


def annotate(assessment: Assessment, profile: CaseProfile) -> Assessment:
    """The assessment with each conclusion's assumed inputs and the profile's applying basis.

    Unchanged (the fields keep their empty defaults) when the profile carries no basis."""
    if not profile.basis:
        return assessment
    ins = conclusion_inputs(assessment)
    data = _data(profile)

    def mark(item: Diagnosis | Action) -> Any:
        assumed, only = _assumed(profile, ins.get(item.id, []), data)
        return item.model_copy(update={"assumed_inputs": assumed, "only_assumed_inputs": only})

    applying = {
        path: entry
        for path, entry in profile.basis.items()
        if field_basis(profile, path, data) is entry
    }
    return assessment.model_copy(
        update={
            "diagnoses": [mark(d) for d in assessment.diagnoses],
            "actions": [mark(a) for a in assessment.actions],
            "basis": applying,
        }
    )


_COMMENT_WIDTH = 96


def _comment_lines(text: str, indent: str) -> list[str]:
    import textwrap

    width = max(40, _COMMENT_WIDTH - len(indent))
    return [f"{indent}# {line}" for line in textwrap.wrap(text, width) or [""]]


def annotated_yaml(profile: CaseProfile, lang: str = "zh") -> str:
    """The profile as YAML with the basis of each value as a comment above it, in ``lang``.

    The text stays a valid profile: it ends with the ``basis`` map itself, so a copy saved and
    assessed keeps the same display (a value edited in the copy loses its basis)."""
    import yaml

    data = _data(profile)
    heading = {
        "zh": [
            "每项取值上方的注释说明其依据：“论文事实”给出论文章节和原文，“假设”给出本工具的理由。",
            "文末的 basis 是同样的依据（机器可读）；改动某项取值后，该项不再沿用原依据。",
        ],
        "en": [
            "The comment above each value gives its basis: a paper fact with its section and",
            "quote, or an assumption of this tool with its reasoning. The basis map at the end is",
            "the same, machine-readable; a value you change no longer carries its basis.",
        ],
    }[lang if lang in ("zh", "en") else "en"]
    out = [f"# {line}" for line in heading]

    def emit(node: Mapping[str, Any], prefix: str, depth: int) -> None:
        indent = "  " * depth
        for key, value in node.items():
            path = f"{prefix}{key}"
            if path != "schema_version" and profile.basis:
                entry = field_basis(profile, path, data)
                own = profile.basis.get(path) if profile.basis else None
                # a group's comment once, above the group; its fields repeat it only if their own
                if entry is not None and (own is not None or not isinstance(value, dict)):
                    parent = path.rpartition(".")[0]
                    if own is not None or field_basis(profile, parent, data) is not entry:
                        out.extend(_comment_lines(describe(entry).get(lang), indent))
            if isinstance(value, dict):
                out.append(f"{indent}{key}:")
                emit(value, path + ".", depth + 1)
            else:
                line = yaml.safe_dump(
                    {key: value}, allow_unicode=True, sort_keys=False, width=10_000
                ).rstrip("\n")
                out.append(indent + line)

    emit(data, "", 0)
    if profile.basis:
        basis = {
            k: v.model_dump(mode="json", exclude_defaults=True) for k, v in profile.basis.items()
        }
        out.append(
            yaml.safe_dump({"basis": basis}, allow_unicode=True, sort_keys=False, width=100).rstrip(
                "\n"
            )
        )
    return "\n".join(out) + "\n"
