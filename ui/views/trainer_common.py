"""What the trainer pages share: choosing the case to work on, and showing refusals.

Not a page itself. The case comes from one of the paper's two presets, the Assess page's last
assessment, or the case library (which also gives the case's history for the roadmap).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from advisor.errors import AdvisorError, ProfileError
from advisor.io import profile_from_data
from advisor.models import CaseProfile
from ui import services
from ui.i18n import current_lang, in_lang, t
from ui.services import md_text

SOURCES = ("preset_y", "preset_h", "current", "saved")
PRESET_IDS = {"preset_h": "case-h", "preset_y": "case-y"}


@dataclass
class Chosen:
    """The case a trainer page works on; ``case_id`` is set for a case from the library."""

    profile: CaseProfile
    case_id: str | None = None
    from_whatif: bool = False  # a variant sent from What-if (issue 13's planning flow)


def choose_case(key: str) -> Chosen | None:
    """The case picker; None (with a message shown) when nothing usable is chosen."""
    sent = services.sent_variant()
    sources = (*SOURCES, services.PLAN_SOURCE) if sent else SOURCES
    services.keep_source_if(key, sources)

    def _source(s: str, lang: str) -> str:
        if s == services.PLAN_SOURCE and sent:
            name = (sent.get("label") or {}).get(lang) or ""
            return t("plan.source_variant", lang, name=md_text(name))
        return t(f"trainer.case.{s}", lang)

    source = st.radio(
        t("trainer.case.source"),
        sources,
        format_func=in_lang(_source),
        key=services.source_key(key),
        horizontal=True,
    )
    try:
        if source == services.PLAN_SOURCE and sent:
            return Chosen(profile_from_data(sent["data"]), from_whatif=True)
        if source in PRESET_IDS:
            return Chosen(services.pipeline().preset(PRESET_IDS[source]))
        if source == "current":
            res = services.result()
            if res is None:
                st.info(t("trainer.case.no_current"))
                return None
            return Chosen(res.profile)
        cases = services.store().list()
        if not cases:
            st.info(t("trainer.case.no_saved"))
            return None
        names = {c.id: c.name for c in cases}
        cid = st.selectbox(
            t("trainer.case.choose_saved"),
            [c.id for c in cases],
            format_func=lambda c: f"{names.get(c, c)} ({c})",
            key=f"{key}:saved",
        )
        if cid is None:
            return None
        return Chosen(services.store().get(cid).profile, case_id=cid)
    except AdvisorError as exc:
        show_error(exc)
        return None


def show_case(chosen: Chosen) -> None:
    """One line naming the case (its name is user text, shown inert), and the What-if variant
    when the case is one."""
    line = t("trainer.case.showing", name=md_text(chosen.profile.name), id=chosen.profile.id)
    sent = services.sent_variant() if chosen.from_whatif else None
    if sent and sent.get("label"):
        name = sent["label"].get(current_lang()) or ""
        line += " · " + t("plan.source_variant", name=md_text(name))
    st.caption(line)


def show_error(exc: Exception) -> None:
    """A refusal or failure as a message, never a traceback."""
    key = "trainer.error.invalid" if isinstance(exc, ProfileError) else "trainer.error.engine"
    st.error(t(key, message=md_text(str(exc))), icon=":material/error:")
