"""Assessment reports: the contract JSON, and Markdown and HTML an official can print and hand on.

Rendering only. The words come from ``advisor.vocabulary`` (the catalogue
``templates/strings.yaml`` in both languages, the knowledge base's field labels, the engine's
explanations made plain); what works from ``advisor.strengths``. Markdown and HTML come from the
jinja2 templates in ``advisor/templates``; the paper's quotes always show the Chinese original
beside our English translation. Everything that comes from the case profile is escaped: HTML
through jinja2's autoescaping, Markdown through an escaping ``finalize`` hook (so a case name
holding ``<script>`` or ``|`` renders as text and cannot break a table).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from advisor import __version__
from advisor.basis import basis_text, describe, field_basis
from advisor.errors import AdvisorError
from advisor.indices import asymmetry_direction
from advisor.models import ACTORS, DIMENSIONS, Action, Assessment, CaseProfile
from advisor.strengths import Strength, strengths

# The wording lives in advisor.vocabulary; these names stay importable from here for the modules
# that import them from the report module (advisor.batch, advisor.api, advisor.robustness, ui
# views, tests ...); new code imports them from advisor.vocabulary.
from advisor.vocabulary import (  # noqa: F401  (re-exported)
    coproduction_stage_label,
    diagnosis_phrase,
    field_label,
    government_need,
    label,
    plain,
    rule_params,
    strings,
    technical_refs,
    value_label,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
Format = Literal["md", "html", "json"]
Lang = Literal["zh", "en"]
FORMATS: tuple[str, ...] = ("json", "md", "html")
LANGS: tuple[str, ...] = ("zh", "en")

# Markdown escaping keeps raw text readable: a character is escaped only where Markdown or HTML
# could read it as markup. Always: backslash, backtick, asterisk, brackets, pipe (tables), tilde.
_MD_ALWAYS = re.compile(r"([\\`*\[\]|~])")
# Underscore only at a word boundary (intraword ``_`` never makes emphasis in CommonMark).
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# ``<`` only where it could open a tag, comment or autolink; ``&`` only where it makes an entity.
_MD_LT = re.compile(r"<(?=[A-Za-z/!?])")
_MD_AMP = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# A line that starts with these would become a heading, list item or quote.
_MD_LEADING = re.compile(r"^(\d{1,9}(?=[.)](?:\s|$))|)([#+=>.)-])")


#: How many assumed inputs a conclusion names before "and N in all".
ASSUMED_SHOWN = 6


def md_escape(value: str) -> str:
    """Escape text for Markdown: no raw HTML, no emphasis, links or table breaks, one line."""
    text = " ".join(value.split())
    text = _MD_AMP.sub("&amp;", text)
    text = _MD_LT.sub("&lt;", text)
    text = _MD_ALWAYS.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    return _MD_LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_finalize(value: Any) -> Any:
    if isinstance(value, Markup) or value is None:
        return value
    if isinstance(value, str):
        return md_escape(value)
    return value


def _code(value: str) -> Markup:
    """An identifier in a Markdown code span (backticks removed, nothing else to escape)."""
    return Markup("`" + str(value).replace("`", "") + "`")


@lru_cache(maxsize=2)
def environment(fmt: str) -> Environment:
    """The jinja2 environment for ``md`` or ``html`` (HTML autoescapes everything)."""
    if fmt == "html":
        env = Environment(
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    else:
        env = Environment(
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=False,
            finalize=_md_finalize,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters["code"] = _code
    env.filters["num"] = _num
    env.filters["pct"] = lambda v: f"{max(0.0, min(1.0, float(v))) * 100:.1f}"
    env.filters["signed"] = _signed
    return env


def _num(value: float, digits: int = 2) -> Markup:
    """A number with ``digits`` decimals and a true minus sign; markup-free by construction."""
    text = f"{float(value):.{digits}f}"
    if text.startswith("-") and float(text) != 0:
        return Markup("\u2212" + text[1:])
    return Markup(text.lstrip("-"))


def _signed(value: float, digits: int = 2) -> Markup:
    """A delta with its sign (a true minus sign), zero without one; markup-free by construction."""
    v = round(float(value), digits)
    if v == 0:
        return Markup(f"{0:.{digits}f}")
    return Markup(f"+{v:.{digits}f}" if v > 0 else f"\u2212{abs(v):.{digits}f}")


def group_actions(actions: list[Action]) -> list[dict[str, Any]]:
    """Actions grouped by actor (contract order), then by phase, each group in rank order."""
    groups: list[dict[str, Any]] = []
    for actor in ACTORS:
        mine = sorted((a for a in actions if a.actor == actor), key=lambda a: a.rank)
        if not mine:
            continue
        phases = []
        for phase in (1, 2, 3):
            in_phase = [a for a in mine if a.phase == phase]
            if in_phase:
                phases.append({"phase": phase, "actions": in_phase})
        groups.append({"actor": actor, "phases": phases})
    return groups


def _leaf_paths(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.extend(_leaf_paths(value, path + "."))
        else:
            out.append((path, value))
    return out


def basis_rows(profile: CaseProfile, lang: str) -> list[dict[str, Any]]:
    """One row per profile value (schema version and empty optional groups aside): its field
    label, value in words, basis kind (``fact``, ``assumption``, ``none``) and basis in words.
    Empty when the profile carries no basis."""
    if not profile.basis:
        return []
    data = profile.model_dump(mode="json", exclude={"basis"})
    rows = []
    for path, value in _leaf_paths(data):
        if path == "schema_version":
            continue
        entry = field_basis(profile, path, data)
        if value is None and entry is None:
            continue  # an optional field or group left empty, with nothing said about it
        rows.append(
            {
                "path": path,
                "label": field_label(path, lang),
                "value": value_label(path, value, lang),
                "kind": entry.kind if entry is not None else "none",
                "text": plain(describe(entry).get(lang), lang),
            }
        )
    return rows


def _context(
    assessment: Assessment, profile: CaseProfile, fmt: str, lang: str, today: dt.date
) -> dict[str, Any]:
    def t(key: str, **kw: Any) -> str:
        ns, _, name = key.partition("_") if key.startswith("basis_") else ("text", "", key)
        text = label(ns, name, lang)
        text = text.format(**kw) if kw else text
        # Our own strings are trusted Markdown; in HTML they are escaped like everything else.
        return Markup(text) if fmt == "md" else text

    actions = sorted(assessment.actions, key=lambda a: a.rank)
    # a diagnosis is named with the paper's verb where it has one (沦为“行政助手”)
    diag_labels = {d.id: diagnosis_phrase(d.id, d.label, lang) for d in assessment.diagnoses}
    level = label("level", assessment.asymmetry.level, lang)
    direction_id = assessment.asymmetry.direction or asymmetry_direction(assessment.asymmetry.index)
    summary = t(
        "summary_sentence",
        level=level,
        direction=label("direction", direction_id, lang),
        index=str(_num(assessment.asymmetry.index)),
        n_diagnoses=len(assessment.diagnoses),
        n_actions=len(actions),
    )
    dims = [
        {
            "id": d,
            "label": label("dimension", d, lang),
            "government": getattr(assessment.dependence, d),
            "third_party": getattr(assessment.third_party_dependence, d),
        }
        for d in DIMENSIONS
    ]
    diagnoses = sorted(assessment.diagnoses, key=lambda d: (-d.severity, d.id))

    # Government's need of the force counts in the index only as far as the force has
    # alternatives (index = force - need x alternatives^k): show the need as counted, with the
    # raw need and the alternatives beside it, and say in one line why (issue 13, case Y).
    found_need = government_need(assessment.asymmetry)
    need = None
    if found_need is not None:
        counted, note = found_need
        text = note.get(lang)
        need = {"counted": counted, "note": Markup(text) if fmt == "md" else text}
    stage_label = coproduction_stage_label(assessment.coproduction.stage, lang)

    def facts(diagnosis: Any) -> list[str]:
        # ``because_text`` is in plain words at the source (advisor.explain: a threshold of ours
        # reads as ours with its value; the ids go to the technical appendix)
        if diagnosis.because_text:
            return [b.get(lang) for b in diagnosis.because_text]
        return list(diagnosis.because)

    def technical_row(kind: str, item: Any, name: str) -> dict[str, Any]:
        texts = [b.get(lang) for b in getattr(item, "because_text", [])]
        if kind == "not_recommended":
            texts.append(item.reason.get(lang))
        params, rules_named = technical_refs(*texts)
        guards = getattr(item, "overruled_by", [])
        rules = list(dict.fromkeys([*item.rules, *guards, *rules_named]))
        params = list(dict.fromkeys([*params, *rule_params(rules)]))
        return {"kind": kind, "label": name, "rules": rules, "params": params}

    technical = [
        *(technical_row("diagnosis", d, diag_labels[d.id]) for d in diagnoses),
        *(technical_row("action", x, x.label.get(lang)) for x in actions),
        *(
            technical_row("not_recommended", n, n.label.get(lang))
            for n in assessment.not_recommended
        ),
    ]

    def factor_label(factor: Any) -> str:
        if factor.label is not None:
            return factor.label.get(lang)
        return label("factor", factor.factor, lang)

    if profile.third_party is None:
        third_party_text = t("third_party_none")
    else:
        tp = profile.third_party
        colon, semi = label("punct", "colon", lang), label("punct", "semi", lang)
        third_party_text = semi.join(
            f"{field_label(f'third_party.{k}', lang)}{colon}"
            f"{value_label(f'third_party.{k}', v, lang)}"
            for k, v in tp.model_dump().items()
            if v is not None  # an optional detail left empty says nothing
        )

    # ---- basis of the inputs (h11): which values are the paper's facts, which our assumptions
    rows = basis_rows(profile, lang)
    basis_summary = (
        t(
            "basis_summary",
            n_total=len(rows),
            n_fact=sum(r["kind"] == "fact" for r in rows),
            n_assumed=sum(r["kind"] == "assumption" for r in rows),
        )
        if rows
        else ""
    )

    def B(key: str) -> str:
        return label("basis", key, lang)

    def assumed_labels(item: Any) -> str:
        # a long list is cut after six names (the JSON and section 6 have them all)
        sep = label("punct", "sep", lang)
        paths = item["assumed_inputs"] if isinstance(item, dict) else item.assumed_inputs
        names = [field_label(path, lang) for path in paths]
        if len(names) <= ASSUMED_SHOWN + 1:
            return sep.join(names)
        more = label("basis", "and_more", lang).format(n=len(names))
        return sep.join(names[:ASSUMED_SHOWN]) + more

    # ---- what works (issue 11): the strengths the case shows, before its problems
    def strength_row(st: Strength) -> dict[str, Any]:
        return {
            "label": st.label.get(lang),
            "text": st.text.get(lang),
            "because": label("punct", "semi", lang).join(b.get(lang) for b in st.because),
            "source": st.source,
            "assumed_inputs": st.assumed_inputs,
            "only_assumed_inputs": st.only_assumed_inputs,
        }

    strength_rows = [strength_row(st) for st in strengths(profile)]

    basis_context = {
        "basis_rows": rows,
        "basis_summary": basis_summary,
        "B": B,
        "assumed_labels": assumed_labels,
    }
    # ---- end basis

    return {
        **_robustness_context(assessment, fmt, lang),
        **basis_context,
        "lang": lang,
        "facts": facts,
        "factor_label": factor_label,
        "third_party_text": third_party_text,
        "t": t,
        "L": lambda ns, key: label(ns, key, lang),
        "P": lambda key: Markup(label("punct", key, lang)),
        "field_label": lambda path: field_label(path, lang),
        "value_label": lambda path, value: value_label(path, value, lang),
        "bi": lambda text: text.get(lang),
        "technical": technical,
        "strengths": strength_rows,
        # a case with strengths and a low asymmetry: its problems read as what is left to do
        "residual": bool(strength_rows) and assessment.asymmetry.level in ("balanced", "moderate"),
        "need": need,
        "a": assessment,
        "p": profile,
        "today": today.isoformat(),
        "app_version": __version__,
        "summary": summary,
        "level_label": level,
        "top_actions": actions[:3],
        "actions": actions,
        "groups": group_actions(actions),
        "dims": dims,
        "diag_labels": diag_labels,
        "dx": lambda d: diag_labels.get(d.id) or d.label.get(lang),
        "stage_label": stage_label,
        "diagnoses": diagnoses,
        "main_diagnoses": diagnoses[:3],
    }


# ---- robustness (issue 12): shown only when the assessment carries its optional part


def _robustness_context(assessment: Assessment, fmt: str, lang: str) -> dict[str, Any]:
    """``rob`` (the robustness part or None), ``rob_of(kind, id)``, ``rob_text(kind, id)`` (the
    badge text), ``rt(key)`` (strings of the ``robustness`` namespace), ``rob_factor(s)``."""
    rob = assessment.robustness
    by: dict[tuple[str, str], Any] = (
        {} if rob is None else {(c.kind, c.id): c for c in [*rob.diagnoses, *rob.actions]}
    )

    def rt(key: str, **kw: Any) -> str:
        text = label("robustness", key, lang)
        text = text.format(**kw) if kw else text
        return Markup(text) if fmt == "md" else text

    def rob_badge(kind: str, cid: str) -> str:
        c = by.get((kind, cid))
        if c is None:
            return ""
        return rt(
            "badge",
            label=label("robustness_label", c.label, lang),
            pct=math.floor(100 * c.robustness + 1e-9),
        )

    def rob_title(kind: str, cid: str) -> str:
        c = by.get((kind, cid))
        if c is None or rob is None:
            return ""
        return rt("badge_title", worlds=rob.worlds, pct=math.floor(100 * c.robustness + 1e-9))

    def rob_factor(s: Any) -> str:
        head = s.label.get(lang)
        if s.low is None or s.high is None:
            return head
        if s.kind == "input" and "=" in s.source:
            rng = ""
            way = label("robustness", "this_value" if s.strength > 0 else "not_this_value", lang)
        elif s.kind == "input":
            rng = label("robustness", "input_range", lang).format(
                low=f"{s.low:g}", high=f"{s.high:g}"
            )
            way = label("robustness", "higher" if s.strength > 0 else "lower", lang)
        else:
            rng = label("robustness", "range", lang).format(
                value=f"{s.value:g}", low=f"{s.low:g}", high=f"{s.high:g}"
            )
            way = label("robustness", "higher" if s.strength > 0 else "lower", lang)
        semi, opening, closing = (label("punct", k, lang) for k in ("semi", "open", "close"))
        text = f"{head}{opening}{rng}{semi if rng else ''}{way}{closing}"
        return Markup(md_escape(text)) if fmt == "md" else text

    def rob_name(c: Any) -> Any:
        from knowledge_base.loader import load_kb

        item = load_kb().items.get(c.id)
        return item.label if item is not None else {"zh": c.id, "en": c.id}

    def ut(key: str, **kw: Any) -> str:
        text = label("uncertain", key, lang)
        text = text.format(**kw) if kw else text
        return Markup(text) if fmt == "md" else text

    def needs(u: Any) -> str:
        if not u.needs:
            return label("uncertain", "none_needed", lang)
        return label("punct", "sep", lang).join(field_label(p, lang) for p in u.needs)

    return {
        "ut": ut,
        "needs": needs,
        "rob": rob,
        "rob_name": rob_name,
        "rob_of": lambda kind, cid: by.get((kind, cid)),
        "rob_text": rob_badge,
        "rob_title": rob_title,
        "rob_factor": rob_factor,
        "rt": rt,
        "RL": lambda key: label("robustness_label", key, lang),
        "pct": lambda x: f"{math.floor(100 * x + 1e-9)}%",
    }


def render(
    assessment: Assessment,
    profile: CaseProfile,
    fmt: str = "md",
    lang: str = "zh",
    *,
    today: dt.date | None = None,
) -> str:
    """Render an assessment as ``json`` (the contract JSON), ``md`` or ``html`` in ``zh`` or ``en``.

    ``today`` is the report date printed in Markdown and HTML (default: today). JSON carries no
    date and is byte-identical for the same assessment. Raises AdvisorError on an unknown format
    or language.
    """
    if fmt not in FORMATS:
        raise AdvisorError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if lang not in LANGS:
        raise AdvisorError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    if fmt == "json":
        return assessment.model_dump_json(indent=2) + "\n"
    template = environment(fmt).get_template(f"report.{fmt}.j2")
    return template.render(**_context(assessment, profile, fmt, lang, today or dt.date.today()))


def render_comparison(
    comparison: Any,
    fmt: str = "md",
    lang: str = "zh",
    baseline: CaseProfile | None = None,
) -> str:
    """Render a what-if ``Comparison`` (``advisor.whatif``) as ``json`` or ``md`` in ``zh``/``en``.

    With the ``baseline`` profile and its basis, the Markdown shows what each changed value
    rested on (a paper fact being changed is worth knowing). Raises AdvisorError on an unknown
    format or language.
    """
    if fmt not in ("json", "md"):
        raise AdvisorError(f"unknown comparison format {fmt!r}; expected json or md")
    if lang not in LANGS:
        raise AdvisorError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    if fmt == "json":
        return comparison.model_dump_json(indent=2) + "\n"
    from advisor.whatif import LEVERS

    def t(key: str, **kw: Any) -> Markup:
        text = label("text", key, lang)
        return Markup(text.format(**kw) if kw else text)

    def lever_description(name: str) -> str:
        return LEVERS[name].description().get(lang)

    template = environment("md").get_template("whatif.md.j2")
    return template.render(
        c=comparison,
        lang=lang,
        t=t,
        L=lambda ns, key: label(ns, key, lang),
        P=lambda key: Markup(label("punct", key, lang)),
        bi=lambda text: text.get(lang),
        field_label=lambda path: field_label(path, lang),
        value_label=lambda path, value: value_label(path, value, lang),
        stage_label=lambda stage: coproduction_stage_label(stage, lang),
        lever_description=lever_description,
        basis_of=(
            (lambda path: basis_text(baseline, path).get(lang))
            if baseline is not None and baseline.basis
            else None
        ),
    )
