"""What the pages share in a session: the case library, the working draft, the last assessment.

The draft (see ``ui.profile_form``) is the profile being edited on the Assess page; the other pages
read the last valid profile and its assessment from here. Nothing is computed here: assessing is
``advisor.pipeline.assess``, validating is ``advisor.io.profile_from_data``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import streamlit as st

from advisor.errors import AdvisorError, ProfileError
from advisor.io import profile_from_data
from advisor.models import Assessment, CaseProfile
from advisor.store import CaseStore, default_target
from ui import profile_form
from ui.i18n import current_lang

DRAFT = "draft"
CASE_REF = "case_ref"
RESULT = "result"
PROBLEMS = "problems"
WIDGET_PREFIX = "w:"


@dataclass
class Result:
    """A profile that validated, and its assessment."""

    data: dict[str, Any]
    profile: CaseProfile
    assessment: Assessment


@st.cache_resource(show_spinner=False)
def _store(path: str) -> CaseStore:
    return CaseStore(path)


def raw_store() -> CaseStore:
    """The case library at ``$ADVISOR_DB`` or the default path (one object per path)."""
    return _store(default_target())


def store() -> CaseStore:
    """The case library as the signed-in user sees it (``ui.auth``: their organisation's cases
    and those shared with it, what their role allows)."""
    from ui.auth import principal

    return raw_store().as_principal(principal())


@st.cache_data(show_spinner=False, max_entries=512)
def _assess_json(profile_json: str) -> Assessment:
    return pipeline().assess(CaseProfile.model_validate_json(profile_json))


def assess_cached(profile: CaseProfile) -> Assessment:
    """``advisor.pipeline.assess``, remembered per distinct profile (for what-if reruns)."""
    return _assess_json(profile.model_dump_json())


def pipeline() -> Any:
    """The assessment pipeline module; raises AdvisorError if the engine is not installed."""
    try:
        from advisor import pipeline as mod
    except ImportError as exc:
        raise AdvisorError(f"the assessment engine is not available ({exc})") from None
    return mod


def problem_text(problem: object) -> str:
    """A field problem as ``path: message`` in the session's language, made inert for markdown."""
    display = getattr(problem, "display", None)
    return md_text(display(current_lang()) if callable(display) else str(problem))


def md_text(value: str) -> str:
    """A user's text made inert for st.markdown: no markup, no HTML, no links; shown verbatim."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~$:])", r"\\\1", value)


# --------------------------------------------------------------------------- draft


def draft() -> dict[str, Any]:
    """The profile being edited in this session (created blank)."""
    if DRAFT not in st.session_state:
        st.session_state[DRAFT] = profile_form.blank_draft()
    return st.session_state[DRAFT]


def load_draft(data: dict[str, Any] | None, case_ref: dict[str, Any] | None = None) -> None:
    """Replace the draft (None: blank) and forget the widgets' old values."""
    st.session_state[DRAFT] = (
        profile_form.draft_from_data(data) if data is not None else profile_form.blank_draft()
    )
    st.session_state[CASE_REF] = case_ref
    st.session_state[PROBLEMS] = {}
    for key in [k for k in st.session_state if str(k).startswith(WIDGET_PREFIX)]:
        del st.session_state[key]


def case_ref() -> dict[str, Any] | None:
    """``{"id", "version"}`` of the saved case the draft came from, or None."""
    return st.session_state.get(CASE_REF)


def validate_draft() -> CaseProfile | None:
    """The draft as a profile, or None with the problems kept by field path for the form."""
    data = profile_form.data_from_draft(draft())
    try:
        profile = profile_from_data(data)
    except ProfileError as exc:
        st.session_state[PROBLEMS] = profile_form.problems_by_path(exc.problems, current_lang())
        return None
    st.session_state[PROBLEMS] = {}
    return profile


def problems() -> dict[str, list[str]]:
    return st.session_state.get(PROBLEMS) or {}


def assess_draft() -> Result | None:
    """Validate and assess the draft; keep and return the result (None when invalid)."""
    profile = validate_draft()
    if profile is None:
        return None
    assessment = pipeline().assess(profile)
    result = Result(profile_form.data_from_draft(draft()), profile, assessment)
    st.session_state[RESULT] = result
    return result


def result() -> Result | None:
    """The last assessment made in this session, if any."""
    return st.session_state.get(RESULT)


def result_is_current() -> bool:
    """Whether the last assessment was made from the draft as it is now."""
    res = result()
    return res is not None and res.data == profile_form.data_from_draft(draft())


def flash(message: str, kind: str = "success") -> None:
    """A message to show once at the top of the next run (it survives st.rerun)."""
    st.session_state["flash"] = (kind, message)


def show_flash() -> None:
    """Show and forget the pending flash message, if any."""
    pending = st.session_state.pop("flash", None)
    if pending:
        kind, message = pending
        getattr(st, kind)(message)
