"""The summary report (Markdown and HTML) of a batch, from its running aggregates."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from advisor.batch.aggregate import Summary
from advisor.batch.worker import Digest
from advisor.errors import AdvisorError
from advisor.models import ASYMMETRY_LEVELS, DIMENSIONS
from advisor.textsafe import md_code, md_text
from advisor.vocabulary import label, strings

TOP_DIAGNOSES = 12
TOP_ACTIONS_PER_ACTOR = 5


# The summary's wording is data: the ``batch_summary`` namespace of the one catalogue
# (``advisor/templates/strings.yaml``, loaded by ``advisor.vocabulary``), so a translator edits
# the catalogue, not Python.
UI: dict[str, dict[str, str]] = strings()["batch_summary"]
ATTENTION_RULE: dict[str, str] = UI["attention_rule"]
# Levels, dimensions and actors use the reports' labels (templates/strings.yaml), so a batch
# summary and a single report name things alike; co-production stages use the knowledge base's.
ACTORS_SHOWN = ("government", "third_party", "volunteers", "residents")


def _ui_label(namespace: str, key: str, lang: str) -> str:
    return label(namespace, key, lang)


def _stage_label(stage: str, lang: str) -> str:
    from knowledge_base.loader import load_kb

    try:
        bands = load_kb().param("coproduction.stages")["bands"]
    except Exception:  # the summary must render even if the parameter moved
        return stage
    for band in bands:
        if band.get("stage") == stage:
            return str(band.get("label", {}).get(lang, stage))
    return stage


LEVEL_COLOURS = {
    "balanced": "#4c9a5f",
    "moderate": "#d4a017",
    "high": "#d9702b",
    "severe": "#b83232",
}


def _label(summary: Summary, item_id: str, lang: str) -> str:
    zh_en = summary.labels.get(item_id)
    if not zh_en:  # resumed from compact records, which name items by id: the KB's label
        from advisor.office.results import item_label

        return item_label(item_id, lang)
    return zh_en[0] if lang == "zh" else zh_en[1]


def summary_context(summary: Summary, lang: str, meta: dict[str, Any]) -> dict[str, Any]:
    """Everything the summary templates show, computed once (templates only lay it out)."""
    t = {k: v[lang] for k, v in UI.items()}
    n = summary.assessed
    levels = [
        {
            "id": lv,
            "label": _ui_label("level", lv, lang),
            "count": summary.levels.get(lv, 0),
            "pct": 100 * summary.levels.get(lv, 0) / n if n else 0.0,
            "colour": LEVEL_COLOURS[lv],
        }
        for lv in ASYMMETRY_LEVELS
    ]
    dependence = [
        {
            "label": _ui_label("dimension", d, lang),
            "mean": summary.dependence_sum[i] / n if n else 0.0,
        }
        for i, d in enumerate(DIMENSIONS)
    ]
    stages = [
        {"label": _stage_label(s, lang), "count": c, "pct": 100 * c / n if n else 0.0}
        for s, c in sorted(summary.stages.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    diagnoses = [
        {
            "id": did,
            "label": _label(summary, did, lang),
            "count": c,
            "pct": 100 * c / n if n else 0.0,
            "mean_severity": summary.diagnosis_severity[did] / c,
        }
        for did, c in sorted(summary.diagnosis_count.items(), key=lambda kv: (-kv[1], kv[0]))[
            :TOP_DIAGNOSES
        ]
    ]
    actors = []
    for actor in ACTORS_SHOWN:
        items = sorted(
            ((aid, c) for (act, aid), c in summary.action_count.items() if act == actor),
            key=lambda kv: (-kv[1], kv[0]),
        )[:TOP_ACTIONS_PER_ACTOR]
        actors.append(
            {
                "id": actor,
                "label": _ui_label("actor", actor, lang),
                "actions": [
                    {
                        "id": aid,
                        "label": _label(summary, aid, lang),
                        "count": c,
                        "pct": 100 * c / n if n else 0.0,
                        "first": summary.action_first.get((actor, aid), 0),
                        "mean_priority": summary.action_priority[(actor, aid)] / c,
                    }
                    for aid, c in items
                ],
            }
        )
    attention = []
    for _key, _neg, entry in sorted(summary.attention, reverse=True):
        d: Digest = entry["digest"]
        top = sorted(d.diagnoses, key=lambda x: (-x[1], x[0]))[:3]
        first = min(d.actions, key=lambda a: a[2], default=None)
        attention.append(
            {
                "n": entry["n"],
                "id": d.profile_id,
                "name": d.name or d.profile_id,
                "level": _ui_label("level", d.level, lang),
                "level_id": d.level,
                "index": d.index,
                "diagnoses": [
                    {"label": _label(summary, did, lang), "severity": sev} for did, sev in top
                ],
                "first_action": _label(summary, first[0], lang) if first else "",
            }
        )
    return {
        "lang": lang,
        "t": t,
        "meta": meta,
        "total": summary.total,
        "assessed": summary.assessed,
        "failed": summary.failed,
        "uncertain": summary.uncertain,
        "robustness_checked": summary.robustness_checked,
        "top_fragile": summary.top_fragile,
        "versions": [
            {"engine": e, "knowledge_base": k, "count": c}
            for (e, k), c in sorted(summary.versions.items(), key=lambda kv: -kv[1])
        ],
        "mixed_versions": t["mixed_versions"] if len(summary.versions) > 1 else "",
        "levels": levels,
        "dependence": dependence,
        "stages": stages,
        "diagnoses": diagnoses,
        "actors": actors,
        "attention": attention,
        "attention_rule": ATTENTION_RULE[lang],
        "failed_rows": [r._asdict() for r in summary.failed_rows],
        "more_failed": t["more_failed"].format(n=summary.failed - len(summary.failed_rows))
        if summary.failed > len(summary.failed_rows)
        else "",
    }


def _md_cell(value: Any) -> str:
    """Make text safe inside a Markdown table cell: no HTML, link, image, autolink, emphasis,
    pipe or line break of its own (``advisor.textsafe.md_text``)."""
    return md_text(value)


def _bar(pct: float, width: int = 20) -> str:
    filled = round(pct / 100 * width)
    return "█" * filled + "░" * (width - filled)


def render_summary(summary: Summary, lang: str, meta: dict[str, Any]) -> tuple[str, str]:
    """Render the summary as (Markdown, HTML) from the jinja2 templates (HTML autoescaped)."""
    import jinja2

    if lang not in ("zh", "en"):
        raise AdvisorError(f"unknown summary language {lang!r}; expected zh or en")
    folder = Path(__file__).resolve().parent.parent / "templates"
    loader = jinja2.FileSystemLoader(folder)
    ctx = summary_context(summary, lang, meta)
    html_env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    md_env = jinja2.Environment(
        loader=loader,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    md_env.filters["cell"] = _md_cell
    md_env.filters["code"] = md_code  # a code span no backtick can close early
    md_env.filters["bar"] = _bar
    html_env.filters["fmt"] = md_env.filters["fmt"] = _fmt
    md = md_env.get_template("batch_summary.md.j2").render(**ctx)
    html = html_env.get_template("batch_summary.html.j2").render(**ctx)
    return md, html


def _fmt(value: Any, digits: int = 2) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
