"""Assess: enter a case profile in sections and read its prioritised, explained action framework."""

from __future__ import annotations

import contextlib

import streamlit as st

from advisor.errors import AdvisorError
from advisor.store import StoreError
from ui import services
from ui.components import assessment_view, profile_form_sections
from ui.i18n import current_lang, in_lang, t
from ui.services import md_text

st.title(t("assess.title"))
st.caption(t("assess.intro"))

# ---------------------------------------------------------------- a form kept from before a reload
offer = services.kept_offer()
offer_slot = st.empty()  # one element whether or not there is an offer (see show_flash)
if offer is not None:
    with offer_slot.container(border=True):
        name = (offer.get("data") or {}).get("name") or t("assess.kept.unnamed")
        st.info(
            t(
                "assess.kept.found",
                name=md_text(str(name)),
                when=services.beijing_time(offer.get("saved_at")),
            ),
            icon=":material/restore:",
        )
        k1, k2, _ = st.columns([1, 1, 3])
        k1.button(
            t("assess.kept.restore"),
            type="primary",
            icon=":material/restore:",
            key="kept_restore",
            on_click=services.restore_kept,
            args=(True,),
        )
        k2.button(
            t("assess.kept.discard"),
            icon=":material/close:",
            key="kept_discard",
            on_click=services.restore_kept,
            args=(False,),
        )

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


def _load_start() -> None:
    """The Load button's callback: the chosen start point replaces the form before the page runs.

    A callback, not code after the button: it runs before the page is drawn, all at once, so a
    rerun that the browser asks for at the same moment cannot leave the form half replaced.
    """
    choice = st.session_state.get("start") or "blank"
    try:
        if choice == "blank":
            services.load_draft(None)
        elif choice.startswith("saved:"):
            rec = services.store().get(choice[6:])
            services.load_draft(
                rec.profile.model_dump(mode="json"), {"id": rec.ref, "version": rec.version}
            )
        else:
            services.load_draft(services.pipeline().preset(choice).model_dump(mode="json"))
        st.session_state.pop(services.RESULT, None)
        what = md_text(_choice_label(choice, current_lang()))
        services.flash(t("assess.start.loaded", what=what))
    except StoreError as exc:
        services.flash(md_text(exc.text(current_lang())), "error")
    except AdvisorError as exc:
        services.flash(md_text(str(exc)), "error")


services.show_flash()
with st.container(border=True):
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    c1.selectbox(t("assess.start.label"), choices, format_func=in_lang(_choice_label), key="start")
    c2.button(
        t("assess.start.load"),
        icon=":material/upload_file:",
        width="stretch",
        on_click=_load_start,
    )
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
    st.header(t("assess.results_for", name=md_text(res.profile.name)), anchor=False)
    if not services.result_is_current():
        st.warning(t("assess.stale"), icon=":material/update:")
    assessment_view(res.assessment)
