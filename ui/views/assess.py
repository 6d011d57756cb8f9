"""Assess: enter a case profile in sections and read its prioritised, explained action framework."""

from __future__ import annotations

import contextlib

import streamlit as st

from advisor.errors import AdvisorError
from advisor.store import StoreError
from ui import services
from ui.components import assessment_view, profile_form_sections
from ui.i18n import in_lang, t
from ui.services import md_text

st.title(t("assess.title"))
st.caption(t("assess.intro"))

# ---------------------------------------------------------------- where to start from
PRESET_IDS = ("case-h", "case-y")
try:
    saved = services.store().list()
except AdvisorError as exc:
    saved = []
    st.error(str(exc))
choices = ["blank", *PRESET_IDS, *(f"saved:{c.ref}" for c in saved)]  # h15: ref = owner/id
names = {f"saved:{c.ref}": c.name for c in saved}


def _choice_label(choice: str, lang: str) -> str:
    if choice.startswith("saved:"):
        return t("assess.start.saved", lang, name=names.get(choice, choice[6:]))
    return t(f"assess.start.{choice}", lang)


with st.container(border=True):
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    start = c1.selectbox(
        t("assess.start.label"), choices, format_func=in_lang(_choice_label), key="start"
    )
    if c2.button(t("assess.start.load"), icon=":material/upload_file:", width="stretch"):
        try:
            if start == "blank":
                services.load_draft(None)
            elif start.startswith("saved:"):
                rec = services.store().get(start[6:])
                services.load_draft(
                    rec.profile.model_dump(mode="json"), {"id": rec.ref, "version": rec.version}
                )
            else:
                services.load_draft(services.pipeline().preset(start).model_dump(mode="json"))
            st.session_state.pop(services.RESULT, None)
            st.rerun()
        except (AdvisorError, StoreError) as exc:
            st.error(md_text(str(exc)))
    ref = services.case_ref()
    if ref:
        st.caption(t("assess.editing_saved", id=ref["id"], version=ref["version"]))
    else:
        st.caption(t("assess.editing_unsaved"))

# ---------------------------------------------------------------- the form
profile_form_sections()

b1, b2, _ = st.columns([1, 1, 3])
assess_clicked = b1.button(
    t("assess.run"), type="primary", icon=":material/play_arrow:", width="stretch"
)
save_clicked = b2.button(t("assess.save"), icon=":material/save:", width="stretch")

if assess_clicked:
    try:
        res = services.assess_draft()
    except AdvisorError as exc:
        res = None
        st.error(md_text(str(exc)))
    if res is None and services.problems():
        n = sum(len(v) for v in services.problems().values())
        st.error(t("assess.invalid", n=n), icon=":material/error:")
        st.rerun()  # redraw the form with the messages next to the fields
    ref = services.case_ref()
    if res is not None and ref:
        # a case deleted in another session has no history to add to: the result still shows
        with contextlib.suppress(StoreError):
            services.store().record_assessment(ref["id"], res.assessment)

if save_clicked:
    profile = services.validate_draft()
    if profile is None:
        st.rerun()
    ref = services.case_ref()
    try:
        if ref and ref["id"].rpartition("/")[2] == profile.id:  # h15: or a shared case
            rec = services.store().save_as(ref["id"], profile, expected_version=ref["version"])
        else:
            rec = services.store().save(profile)
        st.session_state[services.CASE_REF] = {"id": rec.ref, "version": rec.version}
        st.toast(
            t("assess.saved", name=md_text(rec.name), version=rec.version), icon=":material/check:"
        )
        st.success(t("assess.saved", name=md_text(rec.name), version=rec.version))
    except StoreError as exc:
        st.error(t(f"store.{exc.code}", **exc.params), icon=":material/error:")

if services.problems():
    n = sum(len(v) for v in services.problems().values())
    st.error(t("assess.invalid", n=n), icon=":material/error:")

# ---------------------------------------------------------------- results
res = services.result()
if res is not None:
    st.divider()
    st.header(t("assess.results_for", name=md_text(res.profile.name)))
    if not services.result_is_current():
        st.warning(t("assess.stale"), icon=":material/update:")
    assessment_view(res.assessment)
