"""Smallest change: the cheapest feasible changes, by actor, that bring a case to a goal."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from advisor.errors import AdvisorError
from advisor.models import ACTORS, ASYMMETRY_LEVELS
from advisor.report import label
from advisor.trainer._assess import assess_cached
from advisor.trainer.smallest_change import (
    asymmetry_goal,
    describe_change,
    describe_diagnoses,
    diagnosis_goal,
    search,
)
from ui.i18n import bi, current_lang, in_lang, t
from ui.kbtext import vocab
from ui.views.trainer_common import choose_case, show_case, show_error

lang = current_lang()
st.title(t("trainer.small.title"))
st.caption(t("trainer.small.intro"))

chosen = choose_case("small")
if chosen is None:
    st.stop()
profile = chosen.profile
show_case(chosen)
try:
    base = assess_cached(profile)
except AdvisorError as exc:
    show_error(exc)
    st.stop()
st.markdown(
    t(
        "trainer.small.start",
        level=vocab("level", base.asymmetry.level),
        index=f"{base.asymmetry.index:+.2f}",
        n=len(base.diagnoses),
    )
)

kind = st.radio(
    t("trainer.small.goal_kind"),
    ("level", "diagnosis"),
    format_func=in_lang(lambda k, lang: t(f"trainer.small.goal_{k}", lang)),
    key="small:kind",
    horizontal=True,
)
goal = None
if kind == "level":
    level = st.select_slider(
        t("trainer.small.level_at_most"),
        list(ASYMMETRY_LEVELS[:-1]),
        value="moderate",
        format_func=in_lang(lambda v, lang: label("level", v, lang)),
        key="small:level",
    )
    goal = asymmetry_goal(level)
else:
    labels = {d.id: bi(d.label) for d in base.diagnoses}
    if not labels:
        st.info(t("trainer.small.no_diagnoses"))
    else:
        dx = st.selectbox(
            t("trainer.small.diagnosis"),
            list(labels),
            format_func=lambda d: f"{labels[d]} ({d})",
            key="small:dx",
        )
        goal = diagnosis_goal(dx)
actors = st.multiselect(
    t("trainer.small.actors"),
    list(ACTORS),
    default=list(ACTORS),
    format_func=in_lang(lambda a, lang: label("actor", a, lang)),
    key="small:actors",
)
depth = st.slider(t("trainer.small.max_depth"), 1, 8, 6, key="small:depth")

if goal is not None and st.button(t("trainer.small.search"), key="small:go", type="primary"):
    try:
        with st.spinner():
            st.session_state["small:result"] = search(
                profile, goal, max_depth=depth, actors=actors or None
            )
    except AdvisorError as exc:
        show_error(exc)

res = st.session_state.get("small:result")
if res is not None and res.profile_id == profile.id and res.goal == goal:
    if res.already_met:
        st.success(t("trainer.small.already_met"))
    elif not res.paths:
        st.warning(t("trainer.small.none_found", depth=res.max_depth, nodes=res.max_nodes))
    for n, path in enumerate(p for p in res.paths if p.steps):
        with st.container(border=True):
            title = t("trainer.small.path", n=n + 1, cost=f"{path.cost:g}", steps=len(path.steps))
            st.markdown(f"**{title}**")
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            t("trainer.small.step"): i + 1,
                            t("trainer.small.actor"): vocab("actor", s.actor),
                            t("trainer.small.change"): bi(s.label),
                            t("trainer.small.from_to"): describe_change(s, lang),
                            t("trainer.small.cost"): s.cost,
                            t("trainer.small.after"): (
                                f"{vocab('level', s.outcome.asymmetry_level)}"
                                f" ({s.outcome.asymmetry_index:+.2f})"
                            ),
                            t("trainer.small.diagnoses_after"): describe_diagnoses(s, lang),
                        }
                        for i, s in enumerate(path.steps)
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
    st.caption(t("trainer.small.assessed", n=res.assessed))
