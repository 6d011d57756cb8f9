"""What the planning pages draw (What-if; issue 13): not a page itself.

The headline table, the per-variant details, the robustness badges and the actions that take a
variant further (save it as a case; send it to Smallest change or Roadmap). Changes are coloured
by whether they are better or worse, never by their sign: a lower asymmetry or dependence on
government is better, a higher co-production score is better; each coloured change also says
"better" or "worse" in words.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from advisor.basis import basis_text, field_basis
from advisor.db import StoreError
from advisor.errors import ProfileError
from advisor.models import ASYMMETRY_LEVELS, DIMENSIONS, Assessment, CaseProfile
from advisor.report import label as report_label
from ui import services
from ui.components import safe_frame
from ui.i18n import bi, current_lang, t
from ui.kbtext import field_label, value_label, vocab
from ui.services import md_text, problem_text

EPS = 0.005


@st.cache_resource(show_spinner=False)
def _preset_bases() -> dict[str, Any]:
    from advisor.pipeline import preset

    return {name: preset(name, with_basis=True).basis for name in ("case-y", "case-h")}


def basis_of(profile: CaseProfile, path: str) -> str | None:
    """The basis of a field's value in words (issue 11), when the case records its bases.

    A paper case loaded into the form (case number ``case-y`` or ``case-h``) without its basis
    map takes the preset's: each entry is bound to the preset's value, so a value changed since
    has none (``advisor.basis``)."""
    if not profile.basis:
        basis = _preset_bases().get(profile.id)
        if not basis:
            return None
        profile = profile.model_copy(update={"basis": basis})
    if field_basis(profile, path) is None:
        return None  # no recorded basis for this value: nothing to say beside it
    return bi(basis_text(profile, path))


def change(delta: float, lower_is_better: bool, text: str) -> str:
    """A change as markdown: an arrow for its direction, green/red and a word for better/worse;
    nothing at all for no change."""
    if abs(delta) < EPS:
        return ""
    arrow = "↓" if delta < 0 else "↑"
    good = (delta < 0) == lower_is_better
    word = t("plan.better") if good else t("plan.worse")
    return f":{'green' if good else 'red'}[{arrow} {text}{word}]"


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


def headline_table(base: Assessment, comparison: Any, names: list[str]) -> None:
    """The headline figures of every scenario in one table (text wraps: nothing is cut off)."""
    head = [t("plan.measure"), *(md_text(n) for n in names)]
    level = [vocab("level", base.asymmetry.level)]
    index = [f"{base.asymmetry.index:+.2f}"]
    score = [f"{base.coproduction.score}/16"]
    top_b = min(base.actions, key=lambda a: a.rank) if base.actions else None
    top = [md_text(bi(top_b.label)) if top_b else "—"]
    ndx = [str(len(base.diagnoses))]
    for vd in comparison.variants:
        a, c = vd.asymmetry, vd.coproduction
        order = ASYMMETRY_LEVELS.index
        moved = order(a.level_after) - order(a.level_before)
        before_after = f"{vocab('level', a.level_before)} → {vocab('level', a.level_after)}"
        level.append(change(moved, True, before_after) if moved else vocab("level", a.level_after))
        index.append(
            f"{a.index_after:+.2f} " + change(a.index_delta, True, f"{abs(a.index_delta):.2f}")
        )
        score.append(f"{c.score_after}/16 " + change(c.score_delta, False, f"{abs(c.score_delta)}"))
        after = vd.top_action_after
        same = vd.top_action_before is not None and after is not None
        same = same and vd.top_action_before.id == after.id
        top.append((md_text(bi(after.label)) if after else "—") + (t("plan.same") if same else ""))
        n_after = len(base.diagnoses) + len(vd.diagnoses_added) - len(vd.diagnoses_removed)
        ndx.append(
            f"{n_after} "
            + change(n_after - len(base.diagnoses), True, str(abs(n_after - len(base.diagnoses))))
        )
    rows = [
        (t("results.asymmetry_level"), level),
        (t("results.asymmetry_index"), index),
        (t("results.coproduction"), score),
        (t("plan.diagnoses_n"), ndx),
        (t("plan.top_action"), top),
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += [
        "| " + " | ".join([f"**{name}**", *(_cell(x) for x in cells)]) + " |"
        for name, cells in rows
    ]
    st.markdown("\n".join(lines))
    st.caption(t("plan.colour_note"))


def dependence_rows(base: Assessment, comparison: Any, names: list[str]) -> list[dict[str, Any]]:
    """Dependence on government per dimension and scenario, for the chart and its table."""
    rows = [
        {
            "scenario": names[0],
            "dimension": vocab("dimension", d),
            "value": getattr(base.dependence, d),
        }
        for d in DIMENSIONS
    ]
    for name, vd in zip(names[1:], comparison.variants, strict=True):
        rows += [
            {
                "scenario": name,
                "dimension": vocab("dimension", dd.dimension),
                "value": dd.government_after,
            }
            for dd in vd.dependence
        ]
    return rows


PALETTE = ["#5b6170", "#1f6fb4", "#e08a00", "#7b4fa6", "#0f8b8d"]


def dependence_spec(rows: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    """Grouped bars, dependence on government per dimension and scenario, as a Vega-Lite spec.

    The baseline is grey and no scenario is red or green (the tables use those for worse and
    better); the legend shows every name whole, one a line; one fixed step per bar (Streamlit
    does not honour a plain height for offset bars)."""
    order = [vocab("dimension", d) for d in DIMENSIONS]
    return {
        "title": t("whatif.chart_title"),
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "height": {"step": 14},
        "encoding": {
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": t("results.dependence_axis"),
                "scale": {"domain": [0, 1]},
            },
            "y": {
                "field": "dimension",
                "type": "nominal",
                "title": None,
                "sort": order,
                "axis": {"labelLimit": 0},
            },
            "yOffset": {"field": "scenario", "type": "nominal", "sort": names},
            "color": {
                "field": "scenario",
                "type": "nominal",
                "title": None,
                "sort": names,
                "scale": {"domain": names, "range": PALETTE[: len(names)]},
                "legend": {"orient": "bottom", "labelLimit": 0, "columns": 1},
            },
            "tooltip": [
                {"field": "scenario", "type": "nominal", "title": t("plan.scenario")},
                {"field": "dimension", "type": "nominal", "title": t("results.dimension")},
                {"field": "value", "type": "quantitative", "format": ".2f"},
            ],
        },
    }


def dependence_table(rows: list[dict[str, Any]], names: list[str]) -> None:
    """The chart's figures as a table (screen readers, checking): dimension by scenario."""
    by = {(r["dimension"], r["scenario"]): r["value"] for r in rows}
    frame = pd.DataFrame(
        [
            {
                t("results.dimension"): vocab("dimension", d),
                **{n: round(by.get((vocab("dimension", d), n), float("nan")), 2) for n in names},
            }
            for d in DIMENSIONS
        ]
    )
    with st.expander(t("results.chart_data"), icon=":material/table:"):
        st.dataframe(safe_frame(frame), hide_index=True, width="stretch")


def variant_details(vd: Any, baseline: CaseProfile, profile: CaseProfile) -> None:
    """What moved in one variant: fields changed (and the basis of the values they replace),
    dependence, diagnoses, and the actions added, dropped and re-ranked (changed ranks only)."""
    st.markdown(f"**{md_text(bi(vd.label))}**")
    if vd.fields_changed:
        st.markdown(f"**{t('whatif.changed')}**")
        st.markdown(
            "\n".join(
                "- "
                + t(
                    "plan.field_change",
                    field=md_text(field_label(fc.path)),
                    old=md_text(value_label(fc.path, fc.old)),
                    new=md_text(value_label(fc.path, fc.new)),
                )
                for fc in vd.fields_changed
            )
        )
        bases = [(fc.path, basis_of(baseline, fc.path)) for fc in vd.fields_changed]
        bases = [(p, b) for p, b in bases if b]
        if bases:
            with st.expander(t("plan.basis_title")):
                st.markdown(
                    "\n".join(
                        "- " + t("plan.basis_line", field=md_text(field_label(p)), basis=md_text(b))
                        for p, b in bases
                    )
                )
    else:
        st.caption(t("whatif.unchanged"))

    moved = []
    for dd in vd.dependence:
        if abs(dd.government_delta) < EPS and abs(dd.third_party_delta) < EPS:
            continue
        gov = f"{dd.government_before:.2f} → {dd.government_after:.2f}"
        gov += " " + change(dd.government_delta, True, f"{abs(dd.government_delta):.2f}")
        tp = f"{dd.third_party_before:.2f} → {dd.third_party_after:.2f}"
        moved.append(
            t("whatif.dependence_moved", dimension=vocab("dimension", dd.dimension), gov=gov, tp=tp)
        )
    st.markdown(f"**{t('whatif.dependence')}**")
    if moved:
        st.markdown("\n".join(f"- {m}" for m in moved))
    else:
        st.caption(t("whatif.dependence_same"))

    if vd.diagnoses_added or vd.diagnoses_removed:
        st.markdown(f"**{t('whatif.diagnoses_moved')}**")
        st.markdown(
            "\n".join(
                [
                    f"- :red[+ {md_text(bi(x.label))}{t('plan.new_problem')}]"
                    for x in vd.diagnoses_added
                ]
                + [
                    f"- :green[− {md_text(bi(x.label))}{t('plan.resolved')}]"
                    for x in vd.diagnoses_removed
                ]
            )
        )

    def _list(title: str, items: list[str]) -> None:
        if items:
            st.markdown(f"**{title}**")
            st.markdown("\n".join(f"- {x}" for x in items))

    reranked = [x for x in vd.actions_reranked if x.old_rank != x.new_rank]
    _list(
        t("whatif.actions_added", n=len(vd.actions_added)),
        [f"#{x.rank} {md_text(bi(x.label))}" for x in vd.actions_added],
    )
    _list(
        t("whatif.actions_dropped", n=len(vd.actions_dropped)),
        [md_text(bi(x.label)) for x in vd.actions_dropped],
    )
    _list(
        t("whatif.actions_reranked", n=len(reranked)),
        [
            t("plan.rerank", label=md_text(bi(x.label)), old=x.old_rank, new=x.new_rank)
            for x in reranked
        ],
    )
    if not (vd.actions_added or vd.actions_dropped or reranked):
        st.caption(t("plan.actions_same"))


def _badge(c: Any) -> str:
    word = report_label("robustness_label", c.label, current_lang())
    text = f"{word} {round(c.robustness * 100)}%"
    return f"**{text}**" if c.label == "fragile" else text


def robustness_tables(
    assessments: list[Assessment], robs: list[Any], names: list[str], technical: bool
) -> None:
    """A robustness badge beside each diagnosis and each of the first actions of every scenario."""
    by_dx = [{c.id: c for c in r.diagnoses if c.in_point_estimate} for r in robs]
    by_act = [{c.id: c for c in r.actions if c.in_point_estimate} for r in robs]
    top_n = robs[0].top_n if robs else 5
    dx_labels: dict[str, str] = {}
    for a in assessments:
        for d in a.diagnoses:
            dx_labels.setdefault(d.id, bi(d.label))
    act_labels: dict[str, str] = {}
    ranks: list[dict[str, int]] = []
    for a in assessments:
        ranks.append({x.id: x.rank for x in a.actions})
        for x in sorted(a.actions, key=lambda x: x.rank)[:top_n]:
            act_labels.setdefault(x.id, bi(x.label))
    head = "| | " + " | ".join(md_text(n) for n in names) + " |"
    sep = "|" + "---|" * (len(names) + 1)

    def table(title: str, labels: dict[str, str], cell: Any) -> None:
        st.markdown(f"**{title}**")
        if not labels:
            st.caption(t("whatif.none"))
            return
        lines = [head, sep]
        for cid, text in labels.items():
            cells = [_cell(cell(k, cid)) for k in range(len(names))]
            lines.append(f"| {md_text(text)} | " + " | ".join(cells) + " |")
        st.markdown("\n".join(lines))

    table(
        t("plan.rob.diagnoses"),
        dx_labels,
        lambda k, cid: _badge(by_dx[k][cid]) if cid in by_dx[k] else t("plan.rob.not_drawn"),
    )
    table(
        t("plan.rob.actions", n=top_n),
        act_labels,
        lambda k, cid: (
            f"#{ranks[k][cid]} · {_badge(by_act[k][cid])}"
            if cid in by_act[k]
            else t("plan.rob.not_recommended")
        ),
    )
    for name, r in zip(names, robs, strict=True):
        if r.top_fragile:
            share = r.first_action_share
            st.caption(
                t(
                    "plan.rob_note.top_fragile",
                    name=md_text(name),
                    pct=round((share or 0) * 100),
                )
            )
    if technical:
        st.caption(t("plan.rob.technical"))
        st.markdown(
            "\n".join(
                f"- `{c.id}`: "
                + ", ".join(f"`{s.source}` ({s.strength:+.2f})" for s in c.sensitive_to)
                for c in [*robs[0].diagnoses, *robs[0].actions]
                if c.in_point_estimate and c.sensitive_to
            )
        )


def variant_actions(
    i: int, profile: CaseProfile, v: dict[str, Any], name: str, baseline: CaseProfile
) -> None:
    """Take the variant further: save it as a case, or plan from it (Smallest change, Roadmap)."""
    data = profile.model_dump(mode="json")
    label = v.get("label") or {"zh": name, "en": name}
    with st.container(border=True):
        st.markdown(f"**{t('plan.use_title', name=md_text(name))}**")
        c_save, c_small, c_road = st.columns([2, 1, 1], vertical_alignment="bottom")
        with c_save:
            key = services.form_key(f"savename_{services.whatif_state().get('generation', 0)}_{i}")
            services.widget_default(
                key, t("plan.case_name", base=baseline.name, variant=name)[:200]
            )
            case_name = st.text_input(t("plan.save_name"), key=key, max_chars=200)
            if st.button(t("plan.save"), key=f"plan_save_{i}", icon=":material/save:"):
                if not (case_name or "").strip():
                    st.error(t("plan.save_no_name"), icon=":material/error:")
                else:
                    try:
                        rec = services.save_variant_as_case(profile, case_name)
                        st.success(t("plan.saved", name=md_text(rec.name), id=rec.id))
                    except StoreError as exc:
                        st.error(t(f"store.{exc.code}", **exc.params), icon=":material/error:")
                    except ProfileError as exc:
                        st.error(
                            "\n".join(problem_text(p) for p in exc.problems),
                            icon=":material/error:",
                        )
        if c_small.button(
            t("plan.to_small"), key=f"plan_small_{i}", icon=":material/route:", width="stretch"
        ):
            services.send_variant(data, label, "small")
            st.switch_page("views/trainer_smallest_change.py")
        if c_road.button(
            t("plan.to_road"), key=f"plan_road_{i}", icon=":material/timeline:", width="stretch"
        ):
            services.send_variant(data, label, "road")
            st.switch_page("views/trainer_roadmap.py")
