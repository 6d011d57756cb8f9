"""Assess: enter a case profile in sections and read its prioritised, explained action framework."""

from __future__ import annotations

import contextlib
from typing import Any

import streamlit as st

from advisor.errors import AdvisorError
from advisor.store import StoreError
from ui import profile_form, services
from ui.components import assessment_view
from ui.form_view import profile_form_sections
from ui.i18n import bi, current_lang, in_lang, t
from ui.kbtext import field_label
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
START = "start"  # the start-point selectbox, read back by the Load button's callback
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
    choice = services.widget_value(START) or "blank"
    try:
        if choice == "blank":
            services.load_draft(None)
        elif choice.startswith("saved:"):
            rec = services.store().get(choice[6:])
            services.load_draft(services.profile_data(rec.profile), services.ref_of(rec))
        else:
            services.load_draft(
                services.profile_data(services.pipeline().preset(choice, with_basis=True))
            )
        services.forget_result()
        what = md_text(_choice_label(choice, current_lang()))
        services.flash(t("assess.start.loaded", what=what))
    except StoreError as exc:
        services.flash(md_text(exc.text(current_lang())), "error")
    except AdvisorError as exc:
        services.flash(md_text(str(exc)), "error")


services.show_flash()
with st.container(border=True):
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    c1.selectbox(t("assess.start.label"), choices, format_func=in_lang(_choice_label), key=START)
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
        res = services.assess_form()
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

if save_clicked and profile_form.is_uncertain(services.draft()):
    st.warning(t("uform.not_saved_uncertain"), icon=":material/info:")
    save_clicked = False
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
        services.set_case_ref(services.ref_of(rec))
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


def _fields(paths: list[str]) -> str:
    return (
        "、".join(field_label(p) for p in paths)
        if current_lang() == "zh"
        else ", ".join(field_label(p) for p in paths)
    )


def uncertain_block(a: Any) -> None:
    """Above the results of a profile with unknowns or ranges: the three questions to ask next
    and the conclusions that could not be decided, with the information each needs (issue 12)."""
    ask = list(getattr(a, "ask_next", None) or [])
    undecided = list(getattr(a, "undecided", None) or [])
    if not ask and not undecided:
        return
    with st.container(border=True):
        st.subheader(t("uform.ask.title"), anchor=False)
        useful = [x for x in ask if x.score > 0][:3]
        if useful:
            lines = []
            for i, x in enumerate(useful, 1):
                label = md_text(field_label(x.field))
                if x.resolves > 0:
                    text = t("uform.ask.item", label=label, resolves=f"{x.resolves:g}")
                elif x.top_change > 0:
                    text = t("uform.ask.item_top", label=label)
                else:
                    text = t("uform.ask.item_plain", label=label)
                lines.append(f"{i}. {text}")
            st.markdown(t("uform.ask.intro") + "\n\n" + "\n".join(lines))
        else:
            st.markdown(t("uform.ask.none"))
        if undecided:
            st.markdown(f"**{t('uform.undecided.title', n=len(undecided))}**")
            st.caption(t("uform.undecided.intro"))
            rows = []
            for u in undecided:
                needs = (
                    t("uform.undecided.needs", fields=md_text(_fields(list(u.needs))))
                    if u.needs
                    else t("uform.undecided.needs_nothing")
                )
                kind = t(f"uform.undecided.{u.kind}")
                sep = "：" if current_lang() == "zh" else ": "
                rows.append(f"- {kind}{sep}**{md_text(bi(u.label))}** · {needs}")
            st.markdown("\n".join(rows))


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def fill_robustness(rob: Any, slots: dict[tuple[str, str], Any], note: Any) -> None:
    """A badge beside each diagnosis and action: robust / fairly robust / fragile (issue 12)."""
    if rob is None:
        return
    colours = {"robust": "green", "fairly_robust": "blue", "fragile": "orange"}
    icons = {
        "robust": ":material/verified:",
        "fairly_robust": ":material/check_circle:",
        "fragile": ":material/warning:",
    }
    inputs = t("uform.robust.inputs") if rob.inputs_varied else ""
    for c in [*rob.diagnoses, *rob.actions]:
        slot = slots.get((c.kind, c.id))
        if slot is None:
            continue
        sens = ""
        if c.sensitive_to:
            sens = t("uform.robust.sensitive", what=_sens_names(c.sensitive_to))
        help_key = "uform.robust.help_dx" if c.kind == "diagnosis" else "uform.robust.help_act"
        tip = t(
            help_key,
            worlds=rob.worlds,
            share=_percent(c.robustness),
            top=rob.top_n,
            inputs=inputs,
            sens=sens,
        )
        slot.badge(
            f"{t(f'uform.robust.{c.label}')} · {_percent(c.robustness)}",
            icon=icons[c.label],
            color=colours[c.label],  # type: ignore[arg-type]
            help=tip,
        )
    with note.container():
        cut = rob.cutoffs
        st.caption(
            t(
                "uform.robust.legend",
                robust=_percent(cut.get("robust", 0.9)),
                fairly=_percent(cut.get("fairly_robust", 0.6)),
            )
        )
        if rob.top_fragile and rob.summary is not None:
            st.warning(bi(rob.summary), icon=":material/balance:")


def _sens_names(items: list[Any]) -> str:
    names = []
    for s in items[:2]:
        label = getattr(s, "label", None)
        names.append(bi(label) if label is not None else str(getattr(s, "name", s)))
    return "、".join(names) if current_lang() == "zh" else "; ".join(names)


res = services.result()
if res is not None:
    st.divider()
    st.header(t("assess.results_for", name=md_text(res.profile.name)), anchor=False)
    if not services.result_is_current():
        st.warning(t("assess.stale"), icon=":material/update:")
    uncertain_block(res.assessment)
    robust_note = st.empty()
    slots: dict[tuple[str, str], Any] = {}
    assessment_view(res.assessment, slots)
    # the results are on screen; the robustness badges follow (cached per profile and seed)
    fill_robustness(services.robustness_of(res), slots, robust_note)
