"""Smallest change: the cheapest feasible changes, by actor, that bring a case to a goal."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from advisor.errors import AdvisorError
from advisor.models import ACTORS, ASYMMETRY_LEVELS
from advisor.report import label
from advisor.trainer._assess import assess_cached
from advisor.trainer.smallest_change import (
    apply_path,
    asymmetry_goal,
    describe_change,
    describe_diagnoses,
    diagnosis_goal,
    search,
)
from ui import services
from ui.i18n import bi, current_lang, in_lang, t
from ui.kbtext import vocab
from ui.services import md_text
from ui.views.trainer_common import choose_case, show_case, show_error

lang = current_lang()
st.title(t("trainer.small.title"))
st.caption(t("trainer.small.intro"))

chosen = choose_case("small")
if chosen is None:
    st.stop()
profile = chosen.profile
show_case(chosen)
sent = services.sent_variant() if chosen.from_whatif else None
sent_name = (sent or {}).get("label")
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
            # the id only for analysts (the sidebar's technical details)
            format_func=(
                (lambda d: f"{labels[d]} ({d})")
                if services.show_technical()
                else (lambda d: labels[d])
            ),
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
            services.set_smallest_change_result(
                search(profile, goal, max_depth=depth, actors=actors or None)
            )
    except AdvisorError as exc:
        show_error(exc)

res = services.smallest_change_result()
if res is not None and res.profile_id == profile.id and res.goal == goal:
    if res.already_met:
        st.success(t("trainer.small.already_met"))
    elif not res.paths:
        st.warning(t("trainer.small.none_found", depth=res.max_depth, nodes=res.max_nodes))
    for n, path in enumerate(p for p in res.paths if p.steps):
        with st.container(border=True):
            title = t("trainer.small.path", n=n + 1, cost=f"{path.cost:g}", steps=len(path.steps))
            st.markdown(f"**{title}**")
            # a static table: every column shown and its text wrapped, nothing cut off
            st.table(
                pd.DataFrame(
                    [
                        {
                            t("trainer.small.step"): i + 1,
                            t("trainer.small.actor"): vocab("actor", s.actor),
                            t("trainer.small.change"): bi(s.label),
                            t("trainer.small.from_to"): describe_change(s, lang),
                            t("trainer.small.cost"): f"{s.cost:g}",
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
            )
            if st.button(
                t("plan.to_whatif"), key=f"small:to_whatif:{n}", icon=":material/compare_arrows:"
            ):
                try:
                    after = apply_path(profile, path).model_dump(mode="json")
                except (AdvisorError, ValueError) as exc:
                    show_error(exc)
                else:
                    name = {
                        lang_: t("plan.from_small", lang_, n=n + 1)
                        + (f" · {sent_name[lang_]}" if sent_name else "")
                        for lang_ in ("zh", "en")
                    }
                    outcome = services.path_to_whatif(profile.model_dump(mode="json"), after, name)
                    if outcome == "full":
                        st.warning(t("plan.sent_full"))
                    else:
                        base = services.whatif_state()["baseline"]["name"]
                        key = "plan.sent_added" if outcome == "added" else "plan.sent_new"
                        services.flash(t(key, name=md_text(name[lang]), base=md_text(base)))
                        st.switch_page("views/whatif.py")
    st.caption(t("trainer.small.assessed", n=res.assessed))
