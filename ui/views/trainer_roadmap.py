"""Roadmap: the action framework as now / next / later per actor; a case's movement over time."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from advisor.errors import AdvisorError
from advisor.trainer._assess import assess_cached
from advisor.trainer.roadmap import build_roadmap, render_roadmap, trajectory
from ui import services
from ui.i18n import bi, current_lang, t
from ui.kbtext import vocab
from ui.views.trainer_common import choose_case, show_case, show_error

st.title(t("trainer.road.title"))
st.caption(t("trainer.road.intro"))

chosen = choose_case("road")
if chosen is None:
    st.stop()
show_case(chosen)
try:
    roadmap = build_roadmap(assess_cached(chosen.profile))
except AdvisorError as exc:
    show_error(exc)
    st.stop()

labels = {i.id: bi(i.label) for i in roadmap.items}
# the social organisation's column is always shown: the planner's own organisation is what the
# plan is for, even when the case has none yet (issue 13)
actors = [
    a
    for a in ("government", "third_party", "volunteers", "residents")
    if a in ("government", "third_party") or any(i.actor == a for i in roadmap.items)
]
for actor in actors:
    st.subheader(vocab("actor", actor))
    if actor == "third_party" and chosen.profile.third_party is None:
        st.info(t("plan.road_no_third_party"), icon=":material/diversity_3:")
    cols = st.columns(3)
    for col, phase in zip(cols, (1, 2, 3), strict=True):
        with col:
            st.markdown(f"**{vocab('phase', phase)}**")
            items = roadmap.phase(actor, phase)
            if not items:
                st.caption(t("trainer.road.empty"))
            for item in items:
                with st.container(border=True):
                    text = f"{item.order}. {labels[item.id]}"
                    if item.deferred:
                        text += f"  \n:orange[{t('trainer.road.deferred')}]"
                    st.markdown(text)
                    if item.after:
                        st.caption(
                            t("trainer.road.after")
                            + t("trainer.road.sep").join(labels[p] for p in item.after)
                        )

technical = services.show_technical()
with st.expander(t("trainer.road.preconditions")):
    for e in roadmap.preconditions:
        st.markdown(
            f"- {labels[e.before]} → {labels[e.after]}" + (f" (`{e.rule}`)" if technical else "")
        )
    st.markdown(f"**{t('trainer.road.rules')}**")
    for key, text in roadmap.rules.items():
        st.markdown(f"- `{key}`: {bi(text)}" if technical else f"- {bi(text)}")

st.subheader(t("trainer.road.trajectory"))
points = []
if chosen.case_id:
    try:
        points = trajectory(services.store().history(chosen.case_id))
    except AdvisorError as exc:
        show_error(exc)
if len(points) < 2:
    st.info(t("trainer.road.trajectory_needs"))
else:
    measure, value, when = (
        t("trainer.road.measure"),
        t("trainer.road.value"),
        t("trainer.road.when"),
    )
    frame = pd.DataFrame(
        [
            {
                when: services.beijing_time(p.at),
                measure: t("trainer.road.asymmetry"),
                value: p.asymmetry_index,
            }
            for p in points
        ]
        + [
            {
                when: services.beijing_time(p.at),
                measure: t("trainer.road.coproduction"),
                value: p.coproduction_score / 16,
            }
            for p in points
        ]
    )
    st.altair_chart(
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{when}:T"),
            y=alt.Y(f"{value}:Q", scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color(f"{measure}:N", legend=alt.Legend(orient="bottom")),
            tooltip=list(frame.columns),
        )
        .properties(height=280),
        width="stretch",
    )

lang = current_lang()
c1, c2 = st.columns(2)
c1.download_button(
    t("trainer.road.download_md"),
    render_roadmap(roadmap, "md", lang, points),
    file_name=f"roadmap-{roadmap.profile_id}.{lang}.md",
    mime="text/markdown",
    key="road:md",
)
c2.download_button(
    t("trainer.road.download_html"),
    render_roadmap(roadmap, "html", lang, points),
    file_name=f"roadmap-{roadmap.profile_id}.{lang}.html",
    mime="text/html",
    key="road:html",
)
