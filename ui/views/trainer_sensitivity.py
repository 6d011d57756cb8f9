"""Sensitivity: sweep one field of a case and chart the asymmetry and top actions; tornado."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from advisor.errors import AdvisorError
from advisor.trainer.sensitivity import sweep, tornado
from advisor.trainer.space import applicable_fields
from knowledge_base.loader import load_kb
from ui import services
from ui.components import safe_frame
from ui.i18n import bi, current_lang, in_lang, t
from ui.kbtext import field_label, is_share, value_label, vocab
from ui.services import md_text
from ui.views.trainer_common import choose_case, show_case, show_error


def figures(frame: pd.DataFrame) -> None:
    """A chart's figures as a table under a toggle (screen readers, checking)."""
    with st.expander(t("results.chart_data"), icon=":material/table:"):
        st.dataframe(safe_frame(frame), hide_index=True, width="stretch")


st.title(t("trainer.sens.title"))
st.caption(t("trainer.sens.intro"))

chosen = choose_case("sens")
if chosen is None:
    st.stop()
profile = chosen.profile
show_case(chosen)
if profile.third_party is None:
    st.caption(t("trainer.sens.no_third_party"))

paths = [s.path for s in applicable_fields(profile)]
# start on a field that enters the asymmetry, so the first chart shows movement
start = "funding.government_direct"
default = paths.index(start) if start in paths else 0
path = st.selectbox(
    t("trainer.sens.field"),
    paths,
    index=default,
    # the field's path only for analysts (the sidebar's technical details)
    format_func=in_lang(
        (lambda p, lang: f"{field_label(p, lang)} ({p})")
        if services.show_technical()
        else (lambda p, lang: field_label(p, lang))
    ),
    key="sens:field",
)

try:
    result = sweep(profile, path)
except AdvisorError as exc:
    show_error(exc)
    st.stop()

if result.note:  # said with the field's name, not its path
    st.info(
        t(
            "sens_plan.rebalance_funding"
            if result.rebalanced_group == "funding"
            else "sens_plan.rebalance_other",
            field=field_label(path),
        ),
        icon=":material/balance:",
    )
points = result.valid_points()
value_col, index_col = t("trainer.sens.value"), t("trainer.sens.index")


def short(value: object) -> str:
    """The axis tick: the raw value, a share in % as everywhere (the full label is in the
    tooltip and the table)."""
    if value is None:
        return "–"
    return value_label(path, value) if is_share(path) else str(value)


ticks = [short(p.value) for p in points]
frame = pd.DataFrame(
    {
        value_col: [value_label(path, p.value) for p in points],
        "x": ticks,
        index_col: [p.asymmetry_index for p in points],
        t("trainer.sens.level"): [vocab("level", p.asymmetry_level) for p in points],
        t("trainer.sens.coproduction"): [p.coproduction_score for p in points],
        t("trainer.sens.baseline"): ["●" if p.is_baseline else "" for p in points],
    }
)
x_axis = alt.X("x:N", sort=ticks, title=field_label(path), axis=alt.Axis(labelAngle=0))
cuts = load_kb().param("asymmetry.levels")  # the level bands, drawn as guides
guides = pd.DataFrame(
    {
        "y": [cuts[k] for k in ("moderate", "high", "severe")],
        t("trainer.sens.level"): [vocab("level", k) for k in ("moderate", "high", "severe")],
    }
)
line = (
    alt.Chart(frame)
    .mark_line(point=True)
    .encode(
        x=x_axis,
        y=alt.Y(f"{index_col}:Q", scale=alt.Scale(domain=[-1, 1]), title=index_col),
        tooltip=[c for c in frame.columns if c != "x"],
    )
)
rules = (
    alt.Chart(guides)
    .mark_rule(strokeDash=[4, 4], color="#999")
    .encode(y="y:Q", tooltip=[t("trainer.sens.level")])
)
st.altair_chart(
    (rules + line).properties(height=300, title=t("trainer.sens.chart_asymmetry")),
    width="stretch",
)
scored = [p for p in points if p.asymmetry_index is not None]
if scored:  # the chart in one sentence (its figures are in the table below)
    lo = min(scored, key=lambda p: p.asymmetry_index)
    hi = max(scored, key=lambda p: p.asymmetry_index)
    st.caption(
        t(
            "sens_plan.sweep_summary",
            field=field_label(path),
            low=f"{lo.asymmetry_index:+.2f}",
            low_at=md_text(value_label(path, lo.value)),
            high=f"{hi.asymmetry_index:+.2f}",
            high_at=md_text(value_label(path, hi.value)),
        )
    )

rows = [
    {
        t("trainer.sens.value"): value_label(path, p.value),
        "x": short(p.value),
        t("trainer.sens.action"): bi(result.action_labels[a]),
        t("trainer.sens.priority"): p.priorities.get(a, 0.0),
    }
    for p in points
    for a in result.tracked_actions
]
if rows:
    prio = pd.DataFrame(rows)
    st.altair_chart(
        alt.Chart(prio)
        .mark_line(point=True)
        .encode(
            x=x_axis,
            y=alt.Y(f"{t('trainer.sens.priority')}:Q", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                f"{t('trainer.sens.action')}:N",
                # the whole of every action's name, one a line
                legend=alt.Legend(orient="bottom", labelLimit=0, columns=1, title=None),
            ),
            tooltip=[c for c in prio.columns if c != "x"],
        )
        .properties(height=320, title=t("trainer.sens.chart_priority")),
        width="stretch",
    )
    figures(
        prio.drop(columns=["x"])
        .pivot_table(
            index=t("trainer.sens.value"),
            columns=t("trainer.sens.action"),
            values=t("trainer.sens.priority"),
            sort=False,
        )
        .reset_index()
    )
st.dataframe(
    frame.drop(columns=["x"]),
    hide_index=True,
    width="stretch",
    # the index as everywhere else (two decimals, signed); the chart keeps the exact values
    column_config={index_col: st.column_config.NumberColumn(format="%+.2f")},
)
bad = [p for p in result.points if not p.valid]
if bad:
    st.caption(
        t(
            "trainer.sens.invalid_points",
            values=", ".join(md_text(value_label(path, p.value)) for p in bad),
        )
    )

st.divider()
st.subheader(t("trainer.sens.tornado_title"))
if st.button(t("trainer.sens.tornado_button"), key="sens:tornado", icon=":material/tornado:"):
    try:
        services.set_tornado_bars(profile.id, tornado(profile))
    except AdvisorError as exc:
        show_error(exc)
saved = services.tornado_bars(profile.id)
if saved is not None:
    bars = [b for b in saved if b.swing > 0]
    tf = pd.DataFrame(
        {
            t("trainer.sens.field_col"): [field_label(b.path) for b in bars],
            t("trainer.sens.low"): [round(b.low, 2) for b in bars],
            t("trainer.sens.high"): [round(b.high, 2) for b in bars],
            t("trainer.sens.swing"): [round(b.swing, 2) for b in bars],
        }
    )
    field_col = t("trainer.sens.field_col")
    low_col, high_col = t("trainer.sens.low"), t("trainer.sens.high")
    tf["text"] = [f"{b.low:+.2f} … {b.high:+.2f}" for b in bars]
    base = alt.Chart(tf).encode(
        y=alt.Y(
            f"{field_col}:N",
            sort=list(tf[field_col]),
            title=None,
            # every bar named in full: no label dropped for overlap, none cut short
            axis=alt.Axis(labelLimit=0, labelOverlap=False, labelFontSize=12),
        )
    )
    bars_chart = base.mark_bar().encode(
        x=alt.X(
            f"{low_col}:Q", title=t("trainer.sens.chart_asymmetry"), scale=alt.Scale(domain=[-1, 1])
        ),
        x2=f"{high_col}:Q",
        tooltip=[c for c in tf.columns if c != "text"],
    )
    labels_chart = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.X(f"{high_col}:Q"), text="text:N"
    )
    st.altair_chart(
        (bars_chart + labels_chart).properties(height=alt.Step(24)),
        width="stretch",
    )
    tf = tf.drop(columns=["text"])
    if len(tf):
        top3 = "、".join if current_lang() == "zh" else ", ".join
        st.caption(
            t(
                "sens_plan.tornado_summary",
                n=len(tf),
                fields=top3(md_text(x) for x in tf[field_col][:3]),
            )
        )
    st.dataframe(tf, hide_index=True, width="stretch")

# ---------------------------------------------------------------- our own choices (issue 12)
st.divider()
st.subheader(t("sens_plan.params_title"))
st.caption(t("sens_plan.params_intro"))
try:
    review = services.parameter_review_cached(profile)
except AdvisorError as exc:
    show_error(exc)
    st.stop()
moving = [f for f in review if f.flips > 0][:8]
if not moving:
    st.success(t("sens_plan.params_none"))
    st.stop()
flips = services.parameter_flips_cached(profile, [f.leaf.name for f in moving])
names = services.conclusion_names(profile)


def _said(items: list[str]) -> str:
    return t("sens_plan.sep").join(md_text(names.get(x, x)) for x in items) or "—"


kb = load_kb()
technical = services.show_technical()


def leaf_label(leaf: object) -> str:
    """The parameter's name, and the item a part of it is about (an action's own leverage)."""
    item = kb.get(leaf.param)  # type: ignore[attr-defined]
    head = str(leaf.path[0]) if leaf.path else ""  # type: ignore[attr-defined]
    about = kb.items.get(head)
    return bi(item.label) + (f" · {bi(about.label)}" if about is not None else "")


explained: set[str] = set()
rows = []
for f in moving:
    rows.append(
        {
            t("sens_plan.col_param"): leaf_label(f.leaf),
            t("sens_plan.col_ours"): f"{f.leaf.value:g}",
            t("sens_plan.col_range"): f"{f.leaf.low:g}–{f.leaf.high:g}",
            t("sens_plan.col_low"): f.flips_low,
            t("sens_plan.col_high"): f.flips_high,
        }
    )
st.table(pd.DataFrame(rows), hide_index=True)
for f in moving:
    item = kb.get(f.leaf.param)
    ends = flips.get(f.leaf.name, {})
    title = t(
        "sens_plan.param_title",
        label=leaf_label(f.leaf),
        value=f"{f.leaf.value:g}",
        low=f"{f.leaf.low:g}",
        high=f"{f.leaf.high:g}",
    )
    with st.expander(title):
        for side, end in (("low", f.leaf.low), ("high", f.leaf.high)):
            got = ends.get(side, {})
            if not (got.get("gained") or got.get("lost")):
                st.markdown(t("sens_plan.end_same", end=f"{end:g}"))
                continue
            st.markdown(
                t(
                    "sens_plan.end_moves",
                    end=f"{end:g}",
                    gained=_said(got.get("gained", [])),
                    lost=_said(got.get("lost", [])),
                )
            )
        if f.leaf.param in explained:
            st.caption(t("sens_plan.explained_above"))
        elif item.provenance is not None and item.provenance.reasoning is not None:
            st.markdown(f"**{t('sens_plan.why_ours')}** {md_text(bi(item.provenance.reasoning))}")
        pr = getattr(item, "plausible_range", None)
        if f.leaf.param in explained:
            pass
        elif pr is not None and getattr(pr, "reasoning", None) is not None:
            st.markdown(f"**{t('sens_plan.why_range')}** {md_text(bi(pr.reasoning))}")
        explained.add(f.leaf.param)
        if technical:
            st.caption(f"`{f.leaf.name}`")
