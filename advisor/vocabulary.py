"""The project's vocabulary: every string catalogue of ours and the look-ups that name things.

One place for wording. The catalogue ``advisor/templates/strings.yaml`` holds every heading,
label and sentence of ours in both languages (``namespace -> key -> {zh, en}``); a translator
edits it, not Python. Profile fields and their values are named by the knowledge base
(``knowledge_base/data/fields.yaml``), co-production stages by the glossary. The reports, the
what-if output, the trainer tools, the office documents and the UI all name things through the
functions here, so every screen and report says the same thing.

This module also turns the engine's explanations into sentences an official reads
(:func:`plain`): the explanations name the threshold they compare with by its parameter id
(``thresholds.sole_dependence:government_funding_min``) and a rule by its id, for reviewers;
a report meant for officials says instead that the threshold is this tool's choice, with its
value and scale, and keeps the ids in its technical appendix (:func:`technical_refs`).

Nothing here imports a renderer: ``advisor.report`` (rendering) and ``advisor.whatif`` both
import this module, never each other for words.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import AdvisorError
from advisor.models import BiText

CATALOGUE_PATH = Path(__file__).resolve().parent / "templates" / "strings.yaml"

#: Namespaces whose keys are values of a profile field: named by the knowledge base.
PROFILE_FIELD_NAMESPACES = frozenset({"development_mode"})


@lru_cache(maxsize=1)
def strings() -> dict[str, dict[str, dict[str, str]]]:
    """Every label of ours in both languages, by namespace and key (``templates/strings.yaml``)."""
    with CATALOGUE_PATH.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return {ns: {str(k): v for k, v in table.items()} for ns, table in data.items()}


def label(namespace: str, key: object, lang: str) -> str:
    """The label of ``key`` in ``namespace`` in ``lang``; the key itself when none is defined.

    Values of profile fields (``development_mode``) take the knowledge base's field labels, so
    the form, the warnings and the reports name them alike."""
    if namespace in PROFILE_FIELD_NAMESPACES:
        from knowledge_base.fields import enum_label

        return enum_label(namespace, key, lang)
    entry = strings().get(namespace, {}).get(str(key))
    return entry[lang] if entry else str(key)


def text(namespace: str, key: str, lang: str, **params: Any) -> str:
    """A sentence of the catalogue in ``lang``, its ``{placeholders}`` filled with ``params``."""
    entry = strings()[namespace][key]
    return entry[lang].format(**params) if params else entry[lang]


def bitext(namespace: str, key: str, **params: Any) -> BiText:
    """A sentence of the catalogue in both languages, formatted alike."""
    return BiText(zh=text(namespace, key, "zh", **params), en=text(namespace, key, "en", **params))


# --------------------------------------------------------------------------- profile fields


def _field_doc(path: str) -> Any:
    """The knowledge base's documentation of a profile field, or None when it has none."""
    from knowledge_base.fields import field_doc

    try:
        return field_doc(path)
    except AdvisorError:  # an undocumented path falls back to the path itself
        return None


def field_label(path: str, lang: str) -> str:
    """The readable label of a profile field (dotted path) in ``lang``; the path when unknown."""
    doc = _field_doc(path)
    return doc.label.get(lang) if doc is not None else path


def value_label(path: str, value: Any, lang: str) -> str:
    """The readable form of a profile field's value: enum and level labels, yes/no, shares."""
    doc = _field_doc(path)
    if value is None:
        return doc.value_label(None, lang) if doc is not None else label("text", "empty", lang)
    if doc is None:
        return f"{value:.2f}" if isinstance(value, float) else str(value)
    if doc.type == "level":
        words = doc.value_label(value, lang)
        open_, close = label("punct", "open", lang), label("punct", "close", lang)
        return f"{value}{open_}{words}{close}" if words != str(value) else str(value)
    if doc.type in ("enum", "bool"):
        return doc.value_label(value, lang)
    if doc.type == "share":
        return f"{float(value):.2f}"
    return str(value)


def level_max(path: str) -> int | None:
    """The top of a level field's scale (``management.decision_participation`` -> 3), else None."""
    doc = _field_doc(path)
    if doc is None or doc.type != "level" or not doc.levels:
        return None
    return max(doc.levels)


# --------------------------------------------------------------------------- domain terms


def diagnosis_phrase(dx_id: str, fallback: Any, lang: str) -> str:
    """How a report names a diagnosis: its phrase (``diagnosis_phrase`` in the catalogue), else
    ``fallback`` (a BiText, the knowledge base's label)."""
    entry = strings().get("diagnosis_phrase", {}).get(dx_id)
    return entry[lang] if entry else fallback.get(lang)


def coproduction_stage_label(stage: str, lang: str) -> str:
    """The label of a co-production stage: the glossary's settled name, else the knowledge
    base's stage band label, else the catalogue's own."""
    try:
        from knowledge_base.glossary import label_of

        settled = label_of(f"coproduction.stage:{stage}", lang)
    except Exception:  # an unsound glossary must not stop a report; kb validate reports it
        settled = None
    if settled is not None:
        return settled
    try:
        from knowledge_base.loader import load_kb

        bands = load_kb().param("coproduction.stages")["bands"]
    except Exception:  # no knowledge base at hand: fall back to the catalogue's own labels
        bands = []
    for band in bands:
        if band.get("stage") == stage and isinstance(band.get("label"), dict):
            return str(band["label"][lang])
    return label("stage", stage, lang)


# --------------------------------------------------------------------------- plain sentences

# The engine's explanations (advisor/explain.py) name a threshold of ours by its parameter id:
#   zh  "每年培训次数：2（低于 6，本工具设定的阈值 thresholds.x:sessions_min）"
#       "共同提供为 3，需不高于 1，本工具设定的阈值 thresholds.actions:coproduction_step_low"
#   en  "... (below 6; a threshold set by this tool, thresholds.x:sessions_min)"
#       "... needs at most 1; a threshold set by this tool, thresholds.actions:..."
# and a rule by its id in brackets: "（act_gov_co_delivery）", "（act_x，guard_y）".
_PARAM = r"(?P<param>[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?::[a-z0-9_]+)?)"
_ZH_THRESHOLD = re.compile(
    r"(?P<op>需不高于|需不低于|需低于|需高于|不高于|不低于|低于|高于) (?P<value>[^，；（）\s]+)"
    r"，本工具设定的阈值 " + _PARAM
)
_EN_THRESHOLD = re.compile(
    r"(?P<op>needs at most|needs at least|needs below|needs above|at most|at least|below|above)"
    r" (?P<value>[^;,()\s]+); a threshold set by this tool, " + _PARAM
)
_ID = r"(?:dx|act|guard)_[a-z0-9_]+"
_ZH_RULE_IDS = re.compile(r"（" + _ID + r"(?:[，、,]\s*" + _ID + r")*）")
_EN_RULE_IDS = re.compile(r" ?\(" + _ID + r"(?:,\s*" + _ID + r")*\)")
_FIELD_PATH = re.compile(
    r" ?(?<![A-Za-z0-9_.])(?P<path>[a-z][a-z_]*(?:\.[a-z][a-z_]*)+)(?![A-Za-z0-9_]) ?"
)

# How each comparison reads once its threshold is named as ours.
_ZH_OPS = {
    "低于": "低于本工具设定的阈值 {v}",
    "不高于": "不高于本工具设定的上限 {v}",
    "高于": "高于本工具设定的阈值 {v}",
    "不低于": "达到本工具设定的下限 {v}",
    "需低于": "需低于本工具设定的阈值 {v}",
    "需不高于": "需不高于本工具设定的上限 {v}",
    "需高于": "需高于本工具设定的阈值 {v}",
    "需不低于": "需达到本工具设定的下限 {v}",
}
_EN_OPS = {
    "below": "below this tool's threshold of {v}",
    "at most": "at most this tool's upper limit of {v}",
    "above": "above this tool's threshold of {v}",
    "at least": "at least this tool's lower limit of {v}",
    "needs below": "needs below this tool's threshold of {v}",
    "needs at most": "needs at most this tool's upper limit of {v}",
    "needs above": "needs above this tool's threshold of {v}",
    "needs at least": "needs at least this tool's lower limit of {v}",
}


@lru_cache(maxsize=1)
def _param_facts() -> dict[str, str]:
    """Which fact each threshold parameter is compared with (from the rule set)."""
    try:
        from rules.dsl import Compare, load_rules, walk

        out: dict[str, str] = {}
        for rule in load_rules():
            for cond in walk(rule.when):
                if isinstance(cond, Compare) and cond.param:
                    out.setdefault(cond.param, cond.fact)
        return out
    except Exception:  # no rule set at hand: the sentence simply goes without its scale
        return {}


@lru_cache(maxsize=1)
def _rule_params() -> dict[str, tuple[str, ...]]:
    try:
        from rules.dsl import Compare, load_rules, walk

        return {
            rule.id: tuple(
                dict.fromkeys(
                    c.param for c in walk(rule.when) if isinstance(c, Compare) and c.param
                )
            )
            for rule in load_rules()
        }
    except Exception:  # no rule set at hand: the appendix lists the rules only
        return {}


def rule_params(rule_ids: list[str]) -> list[str]:
    """The threshold parameters (knowledge-base ids) the conditions of these rules compare
    with, each once, in order."""
    out: list[str] = []
    table = _rule_params()
    for rid in rule_ids:
        for p in table.get(rid, ()):
            if p not in out:
                out.append(p)
    return out


@lru_cache(maxsize=1)
def _known_paths() -> frozenset[str]:
    try:
        from knowledge_base.fields import load_fields

        return frozenset(load_fields())
    except Exception:  # no knowledge base: no path is replaced
        return frozenset()


#: The top of the scale of derived values a threshold may be compared with.
DERIVED_SCALE_MAX: dict[str, int] = {"coproduction.score": 16}


def _scale(param: str, lang: str) -> str:
    fact = _param_facts().get(param, "")
    top = DERIVED_SCALE_MAX.get(fact, level_max(fact))
    if top is None:
        return ""
    return f"；取值 0–{top}" if lang == "zh" else f"; scale 0–{top}"


def threshold_phrase(op: str, value: str, param: str, lang: str) -> str:
    """A comparison with a threshold of ours, named as ours with its value and the scale of the
    level it bounds: ``低于本工具设定的阈值 6；取值 0–4``. ``op`` is the comparison's words
    before the value (``低于``, ``需不高于``; ``below``, ``needs at most``); the parameter id
    stays out of the sentence (the report's technical appendix names it)."""
    ops = _ZH_OPS if lang == "zh" else _EN_OPS
    return ops[op].format(v=value) + _scale(param, lang)


def plain(sentence: str, lang: str) -> str:
    """A sentence of the engine's explanations as an official reads it: a threshold of ours
    named as ours with its value (and the scale of a level), no parameter or rule id, a field
    path replaced by the field's label. Text without such ids comes back unchanged."""
    if lang == "zh":

        def zh(m: re.Match[str]) -> str:
            return _ZH_OPS[m["op"]].format(v=m["value"]) + _scale(m["param"], "zh")

        out = _ZH_THRESHOLD.sub(zh, sentence)
        out = _ZH_RULE_IDS.sub("", out)
    else:

        def en(m: re.Match[str]) -> str:
            return _EN_OPS[m["op"]].format(v=m["value"]) + _scale(m["param"], "en")

        out = _EN_THRESHOLD.sub(en, sentence)
        out = _EN_RULE_IDS.sub("", out)
    known = _known_paths()
    if known:

        def path(m: re.Match[str]) -> str:
            if m["path"] not in known:
                return m[0]
            name = "“" + field_label(m["path"], lang) + "”"
            if lang == "zh":  # no spaces around a Chinese quotation
                return name
            return m[0].replace(m["path"], name)

        out = _FIELD_PATH.sub(path, out)
    return out


def plain_bi(value: BiText, lang: str) -> str:
    """:func:`plain` of one language of a BiText."""
    return plain(value.get(lang), lang)


def technical_refs(*sentences: str) -> tuple[list[str], list[str]]:
    """The parameter ids and rule ids named in the engine's sentences, each once, in order:
    the technical trace a report keeps in its appendix."""
    params: list[str] = []
    rules: list[str] = []
    for s in sentences:
        for m in (*_ZH_THRESHOLD.finditer(s), *_EN_THRESHOLD.finditer(s)):
            if m["param"] not in params:
                params.append(m["param"])
        for m in re.finditer(_ID, s):
            if m[0] not in rules:
                rules.append(m[0])
    return params, rules


# --------------------------------------------------------------------------- figures in words


def _two(x: float) -> str:
    text = f"{float(x):.2f}"
    return "\u2212" + text[1:] if text.startswith("-") and float(text) != 0 else text.lstrip("-")


def government_need(asymmetry: Any) -> tuple[float, BiText] | None:
    """Government's need of the force as counted in the asymmetry index (after the force's
    alternatives: ``index = force_on_government - counted``), and the one line that explains
    it, in both languages; None for an assessment without ``alternatives`` (before 0.2).

    Case Y's "0.70 / 0.75" puzzles a reader: government needs the force (0.75), but a force with
    no alternatives cannot turn that need into leverage, so only about 0.02 counts. Every screen
    and report that shows the two dependences should show this figure and this line."""
    if getattr(asymmetry, "alternatives", None) is None:
        return None
    counted = max(0.0, float(asymmetry.force_on_government) - float(asymmetry.index))
    note = bitext(
        "text",
        "government_need_note",
        raw=_two(asymmetry.government_on_force),
        alt=_two(asymmetry.alternatives),
        counted=_two(counted),
    )
    return counted, note
