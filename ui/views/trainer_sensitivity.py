"""Sensitivity: sweep one field of a case and chart the asymmetry and top actions; tornado."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from advisor.errors import AdvisorError
from advisor.trainer.sensitivity import sweep, tornado
from advisor.trainer.space import applicable_fields
from knowledge_base.loader import load_kb
from ui.i18n import bi, in_lang, t
from ui.kbtext import field_label, value_label, vocab
from ui.services import md_text
from ui.views.trainer_common import choose_case, show_case, show_error

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
    format_func=in_lang(lambda p, lang: f"{field_label(p, lang)} ({p})"),
    key="sens:field",
)

try:
    result = sweep(profile, path)
except AdvisorError as exc:
    show_error(exc)
    st.stop()

if result.note:
    st.info(bi(result.note), icon=":material/balance:")
points = result.valid_points()
value_col, index_col = t("trainer.sens.value"), t("trainer.sens.index")


def short(value: object) -> str:
    """The axis tick: the raw value (the full label is in the tooltip and the table)."""
    return "–" if value is None else str(value)


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
            color=alt.Color(f"{t('trainer.sens.action')}:N", legend=alt.Legend(orient="bottom")),
            tooltip=[c for c in prio.columns if c != "x"],
        )
        .properties(height=320, title=t("trainer.sens.chart_priority")),
        width="stretch",
    )
st.dataframe(frame.drop(columns=["x"]), hide_index=True, width="stretch")
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
        st.session_state["sens:bars"] = (profile.id, tornado(profile))
    except AdvisorError as exc:
        show_error(exc)
saved = st.session_state.get("sens:bars")
if saved and saved[0] == profile.id:
    bars = [b for b in saved[1] if b.swing > 0]
    tf = pd.DataFrame(
        {
            t("trainer.sens.field_col"): [field_label(b.path) for b in bars],
            t("trainer.sens.low"): [b.low for b in bars],
            t("trainer.sens.high"): [b.high for b in bars],
            t("trainer.sens.swing"): [b.swing for b in bars],
        }
    )
    field_col = t("trainer.sens.field_col")
    st.altair_chart(
        alt.Chart(tf)
        .mark_bar()
        .encode(
            y=alt.Y(f"{field_col}:N", sort=list(tf[field_col]), title=None),
            x=alt.X(f"{t('trainer.sens.low')}:Q", title=t("trainer.sens.chart_asymmetry")),
            x2=f"{t('trainer.sens.high')}:Q",
            tooltip=list(tf.columns),
        )
        .properties(height=max(120, 22 * len(tf))),
        width="stretch",
    )
    st.dataframe(tf, hide_index=True, width="stretch")
