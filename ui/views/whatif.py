"""What-if: a baseline and up to four variants side by side, and what moved between them.

The baseline is the profile of the Assess page. A variant starts as a copy of it or as one of the
paper's levers applied to it (``advisor.whatif.LEVERS``); any field of a variant can then be
changed, and ``advisor.whatif.compare`` reports what moved.
"""

from __future__ import annotations

import copy
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from advisor.errors import AdvisorError, ProfileError
from advisor.io import profile_from_data
from advisor.models import DIMENSIONS, BiText, CaseProfile
from ui import profile_form, services
from ui.components import field_widget
from ui.i18n import bi, in_lang, t
from ui.kbtext import field_label, value_label, vocab
from ui.services import md_text, problem_text

STATE = "whatif"
MAX_VARIANTS = 4

st.title(t("whatif.title"))
st.caption(t("whatif.intro"))

try:
    from advisor import whatif
except ImportError as exc:  # the what-if module is part of the advisor; say so plainly
    st.error(md_text(str(exc)))
    st.stop()

# ---------------------------------------------------------------- the baseline
current = services.validate_draft()
res = services.result()
if current is None and res is not None:
    current = res.profile
if current is None:
    st.info(t("whatif.no_baseline"), icon=":material/info:")
    st.page_link("views/assess.py", label=t("nav.assess"), icon=":material/fact_check:")
    st.stop()

state: dict[str, Any] = st.session_state.setdefault(STATE, {"baseline": None, "variants": []})
current_data = current.model_dump(mode="json")
if state["baseline"] is None:
    state["baseline"] = current_data
elif state["baseline"] != current_data:
    c1, c2 = st.columns([4, 1], vertical_alignment="center")
    c1.warning(t("whatif.baseline_differs"), icon=":material/sync_problem:")
    if c2.button(t("whatif.use_current"), icon=":material/sync:", width="stretch"):
        state["baseline"] = current_data
        state["variants"] = []
        st.rerun()
baseline = CaseProfile.model_validate(state["baseline"])
variants: list[dict[str, Any]] = state["variants"]


def _bump() -> None:
    state["generation"] = state.get("generation", 0) + 1  # new widget keys after add/remove


def add_variant(data: dict[str, Any], label: Any = None, lever: str | None = None) -> None:
    variants.append({"data": data, "label": label, "lever": lever})
    _bump()


# ---------------------------------------------------------------- one-click variants
st.markdown(f"**{t('whatif.add')}**")
full = len(variants) >= MAX_VARIANTS
choices = [*whatif.LEVERS.items(), ("copy", None)]
cols = st.columns(3)
for n, (name, lever) in enumerate(choices):
    col = cols[n % 3]
    if lever is None:
        clicked = col.button(
            t("whatif.add_copy"),
            key="add_copy",
            icon=":material/add:",
            disabled=full,
            width="stretch",
        )
        if clicked:
            add_variant(copy.deepcopy(state["baseline"]))
            st.rerun()
        continue
    if col.button(
        bi(lever.label),
        key=f"lever_{name}",
        icon=":material/bolt:",
        disabled=full,
        width="stretch",
        help=bi(lever.description()),
    ):
        try:
            made = whatif.apply_lever(baseline, name)
            add_variant(made.model_dump(mode="json"), lever.label.model_dump(), name)
            st.rerun()
        except ProfileError as exc:
            st.error("; ".join(problem_text(p) for p in exc.problems))
if full:
    st.caption(t("whatif.full", n=MAX_VARIANTS))

if not variants:
    st.info(t("whatif.no_variants"), icon=":material/info:")
    st.stop()

# ---------------------------------------------------------------- edit variants
specs = {f.path: f for f in profile_form.all_fields() if f.path not in ("id",)}
gen = state.get("generation", 0)


def _set_field(i: int, path: str, key: str) -> None:
    if key != services.form_key(f"val_{state.get('generation', 0)}_{i}_{path}"):
        return  # a widget of an earlier generation (see ui.services.form_key)
    value = st.session_state.get(key)
    if i >= len(variants) or not profile_form.accepts(specs[path], value):
        return
    node = variants[i]["data"]
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    if isinstance(value, float):
        value = round(value, 4)
    node[parts[-1]] = value


def _variant_label(i: int, v: dict[str, Any]) -> str:
    if v.get("label"):
        return bi(v["label"])
    return t("whatif.variant_n", n=i + 1)


valid: list[tuple[int, CaseProfile]] = []
edit_cols = st.columns(len(variants))
for i, (col, v) in enumerate(zip(edit_cols, variants, strict=True)):
    with col, st.container(border=True):
        head, rm = st.columns([4, 1], vertical_alignment="center")
        head.markdown(f"**{md_text(_variant_label(i, v))}**")
        if rm.button("", key=f"rm_{gen}_{i}", icon=":material/close:", help=t("whatif.remove")):
            variants.pop(i)
            _bump()
            st.rerun()
        path = st.selectbox(
            t("whatif.field"),
            list(specs),
            index=None,
            format_func=in_lang(
                lambda p, lang: f"{t('section.' + specs[p].section, lang)} · {field_label(p, lang)}"
            ),
            key=services.form_key(f"field_{gen}_{i}"),
            placeholder=t("whatif.field_hint"),
        )
        if path:
            parts = path.split(".")
            node: Any = v["data"]
            for part in parts[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                st.info(t("whatif.no_section", section=t(f"section.{parts[0]}")))
            else:
                key = services.form_key(f"val_{gen}_{i}_{path}")
                field_widget(
                    specs[path],
                    key,
                    node.get(parts[-1]),
                    label=t("whatif.value"),
                    on_change=_set_field,
                    args=(i, path, key),
                )
        try:
            profile = profile_from_data(v["data"])
            valid.append((i, profile))
        except ProfileError as exc:
            st.error(
                t("whatif.invalid")
                + "\n\n"
                + "\n".join(f"- {problem_text(p)}" for p in exc.problems),
                icon=":material/error:",
            )

if not valid:
    st.stop()

# ---------------------------------------------------------------- compare
try:
    comparison = whatif.compare(
        baseline,
        [p for _, p in valid],
        labels=[
            BiText(**variants[i]["label"]) if variants[i].get("label") else None for i, _ in valid
        ],
        levers=[variants[i].get("lever") for i, _ in valid],
        assess=services.assess_cached,
    )
    base_assessment = services.assess_cached(baseline)
except AdvisorError as exc:
    st.error(md_text(str(exc)))
    st.stop()

st.divider()
st.subheader(t("whatif.results"))

# the government-dependence profile of every scenario in one chart
rows = []
scenario_names = [t("whatif.baseline")] + [bi(d.label) for d in comparison.variants]
for d in DIMENSIONS:
    rows.append(
        {
            "scenario": scenario_names[0],
            "dimension": vocab("dimension", d),
            "value": getattr(base_assessment.dependence, d),
        }
    )
for name, vd in zip(scenario_names[1:], comparison.variants, strict=True):
    for dd in vd.dependence:
        rows.append(
            {
                "scenario": name,
                "dimension": vocab("dimension", dd.dimension),
                "value": dd.government_after,
            }
        )
chart = (
    alt.Chart(pd.DataFrame(rows), title=t("whatif.chart_title"))
    .mark_bar()
    .encode(
        x=alt.X("value:Q", title=t("results.dependence_axis"), scale=alt.Scale(domain=[0, 1])),
        y=alt.Y(
            "dimension:N",
            title=None,
            sort=[vocab("dimension", d) for d in DIMENSIONS],
            axis=alt.Axis(labelLimit=0),
        ),
        yOffset=alt.YOffset("scenario:N", sort=scenario_names),
        color=alt.Color(
            "scenario:N",
            title=None,
            sort=scenario_names,
            legend=alt.Legend(orient="bottom", labelLimit=0, columns=1),
        ),
        tooltip=["scenario:N", "dimension:N", alt.Tooltip("value:Q", format=".2f")],
    )
    # one fixed step per bar: Streamlit does not honour a plain height for offset bars
    .properties(height=alt.Step(14))
)
st.altair_chart(chart, width="stretch")

cols = st.columns(len(comparison.variants) + 1)
with cols[0], st.container(border=True):
    st.markdown(f"**{t('whatif.baseline')}**")
    st.caption(md_text(baseline.name))
    st.metric(t("results.asymmetry_level"), vocab("level", base_assessment.asymmetry.level))
    st.metric(t("results.asymmetry_index"), f"{base_assessment.asymmetry.index:+.2f}")
    st.metric(t("results.coproduction"), f"{base_assessment.coproduction.score}/16")
    top = min(base_assessment.actions, key=lambda a: a.rank) if base_assessment.actions else None
    st.markdown(t("whatif.top_action", label=md_text(bi(top.label)) if top else "—"))

for col, vd in zip(cols[1:], comparison.variants, strict=True):
    with col, st.container(border=True):
        st.markdown(f"**{md_text(bi(vd.label))}**")
        if vd.fields_changed:
            st.caption(
                t("whatif.changed")
                + " "
                + "; ".join(
                    f"{field_label(fc.path)}: {value_label(fc.path, fc.old)} → "
                    f"{value_label(fc.path, fc.new)}"
                    for fc in vd.fields_changed
                )
            )
        else:
            st.caption(t("whatif.unchanged"))
        a = vd.asymmetry
        level_delta = (
            None
            if a.level_before == a.level_after
            else f"{vocab('level', a.level_before)} → {vocab('level', a.level_after)}"
        )
        st.metric(
            t("results.asymmetry_level"),
            vocab("level", a.level_after),
            level_delta,
            delta_color="off",
        )
        # no arrow for no change; a fall of the asymmetry is an improvement (green, "inverse")
        st.metric(
            t("results.asymmetry_index"),
            f"{a.index_after:+.2f}",
            f"{a.index_delta:+.2f}" if abs(a.index_delta) >= 0.005 else None,
            delta_color="inverse",
        )
        c = vd.coproduction
        st.metric(
            t("results.coproduction"),
            f"{c.score_after}/16",
            f"{c.score_delta:+d}" if c.score_delta else None,
        )
        moved = [
            t(
                "whatif.dependence_moved",
                dimension=vocab("dimension", dd.dimension),
                gov=f"{dd.government_before:.2f} → {dd.government_after:.2f}",
                tp=f"{dd.third_party_before:.2f} → {dd.third_party_after:.2f}",
            )
            for dd in vd.dependence
            if abs(dd.government_delta) > 0.005 or abs(dd.third_party_delta) > 0.005
        ]
        st.markdown(f"**{t('whatif.dependence')}**")
        if moved:
            st.markdown("\n".join(f"- {m}" for m in moved))
        else:
            st.caption(t("whatif.dependence_same"))
        top_after = vd.top_action_after
        st.markdown(
            t("whatif.top_action", label=md_text(bi(top_after.label)) if top_after else "—")
        )

        def _list(title: str, items: list[str]) -> None:
            st.markdown(f"**{title}**")
            if items:
                st.markdown("\n".join(f"- {x}" for x in items))
            else:
                st.caption(t("whatif.none"))

        _list(
            t("whatif.actions_added", n=len(vd.actions_added)),
            [f"#{x.rank} {md_text(bi(x.label))}" for x in vd.actions_added],
        )
        _list(
            t("whatif.actions_dropped", n=len(vd.actions_dropped)),
            [md_text(bi(x.label)) for x in vd.actions_dropped],
        )
        _list(
            t(
                "whatif.actions_reranked",
                n=sum(1 for x in vd.actions_reranked if x.old_rank != x.new_rank),
            ),
            [
                f"{md_text(bi(x.label))}: #{x.old_rank} → #{x.new_rank}"
                + (f" ({x.priority_delta:+.0f})" if abs(x.priority_delta) >= 0.5 else "")
                for x in vd.actions_reranked
                if x.old_rank != x.new_rank
            ],
        )
        if vd.diagnoses_added or vd.diagnoses_removed:
            _list(
                t("whatif.diagnoses_moved"),
                [f"+ {md_text(bi(x.label))}" for x in vd.diagnoses_added]
                + [f"− {md_text(bi(x.label))}" for x in vd.diagnoses_removed],
            )
