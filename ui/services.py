"""What the pages share in a session: the case library, the working draft, the last assessment.

The draft (see ``ui.profile_form``) is the profile being edited on the Assess page; the other pages
read the last valid profile and its assessment from here. Nothing is computed here: assessing is
``advisor.pipeline.assess``, validating is ``advisor.io.profile_from_data``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import os
import re
import sys
import tempfile
import threading
import types
import uuid
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

import streamlit as st

from advisor.errors import AdvisorError, ProfileError
from advisor.io import profile_from_data
from advisor.models import Assessment, CaseProfile
from advisor.store import CaseStore, default_target
from ui import profile_form
from ui.i18n import WIDGET_GENERATION, current_lang, renew_widgets

if TYPE_CHECKING:  # the pages' own results, typed here without loading their modules
    from advisor.office.district import DistrictRun
    from advisor.store import CaseRecord
    from advisor.trainer.exercise import ExercisePack, Score
    from advisor.trainer.sensitivity import TornadoBar
    from advisor.trainer.smallest_change import SearchResult

DRAFT = "draft"
DRAFT_TOKEN = "draft_token"
DRAFT_OFFER = "draft_offer"
DRAFT_PARAM = "draft"  # the address's ?draft=..., which a reload keeps
BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
log = logging.getLogger("coproduction_advisor.ui")
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


_ADDRESS = re.compile(r"(?i)\b(?:https?|ftp|mailto|file)(?=:)|\bwww(?=\.)|[\w.+-](?=@\w)")


def md_text(value: str) -> str:
    """A user's text made inert for st.markdown: no markup, no HTML, no links; shown verbatim."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # a web or mail address must not become a live link: a word joiner (U+2060, invisible)
    # before the ":" of "https:", the "." of "www." and the "@" defeats the automatic links
    value = _ADDRESS.sub(lambda m: m.group(0) + "\u2060", value)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~$:])", r"\\\1", value)


# --------------------------------------------------------------------------- draft


def form_key(name: str) -> str:
    """The key of a form widget in this generation (see ``ui.i18n.WIDGET_GENERATION``).

    A new generation after a load, a language switch or a page change means new widgets, which
    take their value from the draft; the browser's memory of the old widgets (a label in the
    other language, the blank value of a field hidden in a closed section) can never come back.
    """
    return f"{WIDGET_PREFIX}{st.session_state.get(WIDGET_GENERATION, 0)}:{name}"


def note_page(page_id: str) -> None:
    """Called by the app with the page about to run: a page change renews the widgets."""
    if st.session_state.get("current_page") != page_id:
        st.session_state["current_page"] = page_id
        renew_widgets()


def draft() -> dict[str, Any]:
    """The profile being edited in this session (created blank)."""
    if DRAFT not in st.session_state:
        st.session_state[DRAFT] = profile_form.blank_draft()
    return st.session_state[DRAFT]


# --------------------------------------------------------------------------- kept drafts
#
# The form is kept on the server after every change, under a random token that the page's
# address carries (?draft=...). A reload starts a new session with the same address, which
# finds the kept form and offers to restore it; nothing is written over it until the person has
# chosen. The token is a random 128-bit value: whoever has the address can restore the form, as
# with the page itself.


def _drafts_dir() -> Path:
    env = os.environ.get("ADVISOR_DRAFTS", "").strip()
    if env:
        return Path(env).expanduser()
    db = str(default_target())
    if "://" in db:  # a database server: keep drafts in the machine's temporary folder
        return Path(tempfile.gettempdir()) / "coproduction-advisor-drafts"
    return Path(db + ".drafts")


def _draft_file(token: str) -> Path:
    return _drafts_dir() / f"{token}.json"


def init_kept_draft() -> None:
    """Once per session: adopt the address's draft token (or make one) and look for a kept form."""
    token = st.session_state.get(DRAFT_TOKEN)
    if token is None:
        asked = st.query_params.get(DRAFT_PARAM, "")
        token = asked if re.fullmatch(r"[0-9a-f]{32}", asked or "") else uuid.uuid4().hex
        st.session_state[DRAFT_TOKEN] = token
        try:
            kept = json.loads(_draft_file(token).read_text(encoding="utf-8"))
            if kept.get("data") != profile_form.data_from_draft(profile_form.blank_draft()):
                st.session_state[DRAFT_OFFER] = kept
        except (OSError, ValueError, AttributeError):
            pass
    if st.query_params.get(DRAFT_PARAM) != token:
        st.query_params[DRAFT_PARAM] = token


def keep_draft() -> None:
    """Write the form as it is now under the session's token (not while a restore is offered)."""
    token = st.session_state.get(DRAFT_TOKEN)
    if token is None or st.session_state.get(DRAFT_OFFER):
        return
    record = {
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": profile_form.data_from_draft(draft()),
        "case_ref": case_ref(),
    }
    path = _draft_file(token)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        log.exception("could not keep the form's draft in %s", path.parent)


def kept_offer() -> dict[str, Any] | None:
    """The kept form found at the start of this session, while the person has not chosen."""
    return st.session_state.get(DRAFT_OFFER)


def restore_kept(accept: bool) -> None:
    """Restore the kept form (True) or leave it (False); either way, keeping resumes."""
    offer = st.session_state.pop(DRAFT_OFFER, None)
    if accept and offer:
        load_draft(offer.get("data"), offer.get("case_ref"))
    keep_draft()


def beijing_time(iso: str | None) -> str:
    """An ISO time (UTC or with an offset) as ``YYYY-MM-DD HH:MM`` Beijing time."""
    if not iso:
        return ""
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso[:16].replace("T", " ")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def load_draft(data: dict[str, Any] | None, case_ref: CaseRef | None = None) -> None:
    """Replace the draft (None: blank) and forget the widgets' old values."""
    st.session_state[DRAFT] = (
        profile_form.draft_from_data(data) if data is not None else profile_form.blank_draft()
    )
    st.session_state[CASE_REF] = case_ref
    st.session_state[PROBLEMS] = {}
    for key in [k for k in st.session_state if str(k).startswith(WIDGET_PREFIX)]:
        del st.session_state[key]
    renew_widgets()
    keep_draft()


class CaseRef(TypedDict):
    """The saved case the draft came from: its reference in the library and the version read."""

    id: str
    version: int


def case_ref() -> CaseRef | None:
    """``{"id", "version"}`` of the saved case the draft came from, or None."""
    return st.session_state.get(CASE_REF)


def ref_of(rec: CaseRecord) -> CaseRef:
    """A library record as the draft's case reference."""
    return {"id": rec.ref, "version": rec.version}


def set_case_ref(ref: CaseRef | None) -> None:
    """The draft is now (a version of) this saved case, or (None) no saved case."""
    st.session_state[CASE_REF] = ref


def forget_result() -> None:
    """Forget the last assessment (another case has been loaded)."""
    st.session_state.pop(RESULT, None)


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
    # always one element in this place, shown or not: a message that came and went would shift
    # every element below it, and Streamlit would then lose the open state of the expanders
    slot = st.empty()
    pending = st.session_state.pop("flash", None)
    if pending:
        kind, message = pending
        getattr(slot, kind)(message)


# --------------------------------------------------------------------------- form (h11, issue 12)
#
# A draft with fields marked 不清楚 or given as ranges is a version 2 profile: it is read by
# ``advisor.uncertain.read_profile`` and assessed by ``advisor.uncertain_assess.assess_profile``
# (what holds in every world; what could not be decided; which questions to ask next). Without
# any, the engine's assessment as before. The robustness of each conclusion
# (``advisor.robustness.analyse``) is cached on the profile's canonical JSON and the seed, so a
# rerun (a language switch, a click elsewhere on the page) never computes it again.


def canonical_json(data: dict[str, Any]) -> str:
    """Profile data as one canonical JSON text (the cache key of its assessments)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


@st.cache_data(show_spinner=False, max_entries=128)
def _assess_uncertain_json(data_json: str) -> Assessment:
    from advisor.uncertain import read_profile
    from advisor.uncertain_assess import assess_profile

    return assess_profile(read_profile(json.loads(data_json), strict=True))


def _missing_problems(draft_: dict[str, Any]) -> list[Any]:
    """Required fields left empty (not marked 不清楚): reported as the contract would."""
    from advisor.errors import FieldProblem
    from ui.i18n import t

    out = []
    specs = {f.path: f for f in profile_form.all_fields()}
    for path in profile_form.missing_choices(draft_):
        text = "missing_text" if specs[path].kind in ("text", "date") else "missing_choice"
        out.append(
            FieldProblem(path=path, message=t(f"uform.{text}", "en"), zh=t(f"uform.{text}", "zh"))
        )
    return out


def assess_form() -> Result | None:
    """Validate and assess the draft, with its unknowns and ranges if it has any (issue 12).

    The result's ``profile`` is then the reference completion (``central()``: the middle of each
    range), which the other pages (What-if, Reports) work on; its assessment is the one that
    lists only what holds in every world."""
    values = draft()
    if not profile_form.is_uncertain(values):
        return assess_draft()
    from advisor.uncertain import read_profile

    data = profile_form.data_from_draft(values)
    missing = _missing_problems(values)
    try:
        if missing:
            raise ProfileError(missing)
        up = read_profile(data, strict=True)
    except ProfileError as exc:
        st.session_state[PROBLEMS] = profile_form.problems_by_path(exc.problems, current_lang())
        return None
    st.session_state[PROBLEMS] = {}
    assessment = _assess_uncertain_json(canonical_json(data))
    result = Result(data, up.central(), assessment)
    st.session_state[RESULT] = result
    return result


@st.cache_data(show_spinner=False, max_entries=128)
def _robustness_json(data_json: str, seed: int, worlds: int) -> Any:
    from advisor import robustness
    from advisor.uncertain import read_profile
    from advisor.uncertain_assess import assess_profile

    up = read_profile(json.loads(data_json), strict=True)
    if up.is_certain():
        profile = up.central()
        assessment = _assess_json(profile.model_dump_json())
        return robustness.analyse(profile, assessment, worlds=worlds, seed=seed)
    return robustness.analyse(up, assess_profile(up), worlds=worlds, seed=seed)


def robustness_of(res: Result) -> Any:
    """The robustness of each conclusion of a result (``advisor.robustness``), cached on the
    profile's canonical JSON and the seed; None when it cannot be computed."""
    from advisor.robustness import Settings

    settings = Settings.load()
    try:
        return _robustness_json(canonical_json(res.data), settings.seed, settings.worlds)
    except (AdvisorError, ValueError):
        log.exception("robustness of %s could not be computed", res.profile.id)
        return None


def profile_data(profile: CaseProfile) -> dict[str, Any]:
    """A profile as the form loads it: its values and, when it has one, its ``basis`` map (which
    ``model_dump`` leaves out), so the Assess page can mark the paper's facts and our
    assumptions (issue 11)."""
    data = profile.model_dump(mode="json")
    if profile.basis:
        data["basis"] = {k: v.model_dump(mode="json") for k, v in profile.basis.items()}
    return data


# --------------------------------------------------------------------------- plan (h13)
#
# The planning flow (issue 13): What-if keeps a baseline and up to four variants; a variant can be
# saved as a case or sent to Smallest change and Roadmap, and a smallest-change path comes back
# to What-if as a variant. Every write of those pages' session state goes through here.

WHATIF = "whatif"
WHATIF_MAX = 4
PLAN_SENT = "plan:sent"  # the variant sent to the trainer pages: {"data", "label", "baseline"}
PLAN_SOURCE = "variant"  # its name among the trainer pages' case sources


def whatif_state() -> dict[str, Any]:
    """What-if's state in this session: ``{"baseline", "variants", "generation"}``; a variant is
    ``{"data", "label", "levers"}`` (``label`` a ``{zh, en}`` mapping or None)."""
    return st.session_state.setdefault(WHATIF, {"baseline": None, "variants": [], "generation": 0})


def whatif_bump() -> None:
    """New widget keys for What-if's editors (after adding, removing or rewriting a variant)."""
    state = whatif_state()
    state["generation"] = state.get("generation", 0) + 1


def whatif_set_baseline(data: dict[str, Any], keep_variants: bool = False) -> None:
    """Compare against ``data`` from now on (the variants are dropped unless kept)."""
    state = whatif_state()
    state["baseline"] = data
    if not keep_variants:
        state["variants"] = []
        whatif_bump()


def whatif_add_variant(
    data: dict[str, Any], label: dict[str, str] | None = None, levers: list[str] | None = None
) -> int | None:
    """Add a variant; its index, or None when What-if already holds four."""
    state = whatif_state()
    if len(state["variants"]) >= WHATIF_MAX:
        return None
    state["variants"].append({"data": data, "label": label, "levers": list(levers or [])})
    state["editing"] = len(state["variants"]) - 1
    whatif_bump()
    return state["editing"]


def whatif_update_variant(i: int, **changes: Any) -> None:
    """Replace parts of variant ``i`` (``data``, ``label``, ``levers``)."""
    variants = whatif_state()["variants"]
    if 0 <= i < len(variants):
        variants[i].update(changes)


def whatif_remove_variant(i: int) -> None:
    state = whatif_state()
    if 0 <= i < len(state["variants"]):
        state["variants"].pop(i)
        state["editing"] = max(0, min(state.get("editing", 0), len(state["variants"]) - 1))
        whatif_bump()


def whatif_edit(i: int) -> None:
    """Which variant the editor shows."""
    whatif_state()["editing"] = i


def send_variant(data: dict[str, Any], label: dict[str, str] | None, page_key: str) -> None:
    """Send a What-if variant to a trainer page (``small`` or ``road``), chosen as its case."""
    st.session_state[PLAN_SENT] = {
        "data": data,
        "label": label,
        "baseline": whatif_state().get("baseline"),
    }
    st.session_state[source_key(page_key)] = PLAN_SOURCE


def sent_variant() -> dict[str, Any] | None:
    """The variant last sent from What-if, if any."""
    return st.session_state.get(PLAN_SENT)


def path_to_whatif(start: dict[str, Any], data: dict[str, Any], label: dict[str, str]) -> str:
    """A smallest-change path's result as a What-if variant.

    The comparison it joins: What-if's, when the path starts from its baseline or from one of
    its variants (the one sent to Smallest change); otherwise a new comparison against the
    path's start. Returns ``added``, ``new`` (a new comparison was started) or ``full``.
    """
    state = whatif_state()
    sent = sent_variant()
    ours = state.get("baseline")
    known = [ours, *(v["data"] for v in state["variants"])]
    if sent is not None and sent.get("data") == start and sent.get("baseline") is not None:
        if ours != sent["baseline"]:
            whatif_set_baseline(sent["baseline"])
            whatif_add_variant(data, label)
            return "new"
    elif start not in known:
        whatif_set_baseline(start)
        whatif_add_variant(data, label)
        return "new"
    return "added" if whatif_add_variant(data, label) is not None else "full"


# Robustness takes ~0.2 s of CPU per profile (1,000 sampled worlds): it runs in one worker
# process, started on first use, so What-if can draw its comparison meanwhile on the other core.
# Results are remembered per profile (the last 256), in this server process.
_ROB_LOCK = threading.Lock()
_ROB_FUTURES: OrderedDict[str, Future[str]] = OrderedDict()
_ROB_POOL: list[ProcessPoolExecutor] = []
_ROB_DONE: OrderedDict[str, Any] = OrderedDict()  # parsed results (read-only to the pages)


def _rob_pool() -> ProcessPoolExecutor:
    if not _ROB_POOL:
        _ROB_POOL.append(
            ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        )
    return _ROB_POOL[0]


def robustness_start(profile: CaseProfile) -> None:
    """Start working out the robustness of the profile's conclusions (if not known already)."""
    from ui.plan_worker import robustness_json

    key = profile.model_dump_json()
    with _ROB_LOCK:
        if key in _ROB_FUTURES:
            _ROB_FUTURES.move_to_end(key)
            return
        # Streamlit runs each page with the page's script as ``__main__``; a spawned worker would
        # run it again on start-up. It is started (within submit) under a blank ``__main__``.
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            future = _rob_pool().submit(robustness_json, key)
        except (BrokenProcessPool, RuntimeError, OSError):
            _ROB_POOL.clear()  # the worker died: work here, and start a new one next time
            future = Future()
            future.set_result(robustness_json(key))
        finally:
            if main is not None:
                sys.modules["__main__"] = main
        _ROB_FUTURES[key] = future
        while len(_ROB_FUTURES) > 256:
            _ROB_FUTURES.popitem(last=False)


def robustness_cached(profile: CaseProfile) -> Any:
    """``advisor.robustness.analyse`` of the profile's assessment, remembered per profile."""
    from advisor.models import Robustness
    from ui.plan_worker import robustness_json

    robustness_start(profile)
    key = profile.model_dump_json()
    with _ROB_LOCK:
        future = _ROB_FUTURES[key]
    done = _ROB_DONE.get(key)
    if done is not None:
        return done
    try:
        raw = future.result(timeout=120)
    except (BrokenProcessPool, TimeoutError):
        with _ROB_LOCK:
            _ROB_POOL.clear()
            _ROB_FUTURES.pop(key, None)
        raw = robustness_json(key)
    parsed = Robustness.model_validate_json(raw)
    with _ROB_LOCK:
        _ROB_DONE[key] = parsed
        while len(_ROB_DONE) > 256:
            _ROB_DONE.popitem(last=False)
    return parsed


@st.cache_data(show_spinner=False, max_entries=64)
def _parameter_review_json(profile_json: str) -> Any:
    from advisor import robustness

    return robustness.review([CaseProfile.model_validate_json(profile_json)])


def parameter_review_cached(profile: CaseProfile) -> Any:
    """``advisor.robustness.review`` over this one case: which of our parameters move it most."""
    return _parameter_review_json(profile.model_dump_json())


def save_variant_as_case(profile: CaseProfile, name: str) -> Any:
    """Save a variant as a new case of the signed-in user's organisation (``store()``, which
    enforces the role); its id is the baseline's with ``-plan-N``, the first one free.
    Raises StoreError (refused, or the library failed) and ProfileError (a bad name)."""
    lib = store()
    base = profile.id[:56]
    n = 1
    while lib.exists(f"{base}-plan-{n}"):
        n += 1
    data = profile.model_dump(mode="json")
    data.update(id=f"{base}-plan-{n}", name=name.strip())
    return lib.save(profile_from_data(data))


def whatif_set_field(i: int, path: str, value: Any) -> None:
    """Set the field at dotted ``path`` of variant ``i`` (a section absent in it is left alone)."""
    variants = whatif_state()["variants"]
    if not 0 <= i < len(variants):
        return
    node = variants[i]["data"]
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(value, float):
        value = round(value, 4)
    node[parts[-1]] = value


@st.cache_data(show_spinner=False, max_entries=64)
def _parameter_flips_json(profile_json: str, names: tuple[str, ...]) -> dict[str, Any]:
    from advisor import robustness
    from knowledge_base.loader import load_kb
    from rules import oracle

    profile = CaseProfile.model_validate_json(profile_json)
    settings = robustness.Settings.load()
    kb = load_kb()
    compiled = oracle.compiled_rules()
    point = robustness._conclusions(*oracle.evaluate_compiled(profile), settings.top_n)
    out: dict[str, Any] = {}
    for leaf in robustness.parameter_leaves():
        if leaf.name not in names:
            continue
        ends = {}
        for side, end in (("low", leaf.low), ("high", leaf.high)):
            new = int(end) if leaf.integer else end
            values = {leaf.param: robustness._replace(kb.param(leaf.param), [(leaf.path, new)])}
            refs = {leaf.ref: new} if leaf.ref else {}
            got = robustness._conclusions(
                *oracle.evaluate_compiled(profile, values, compiled, refs), settings.top_n
            )
            ends[side] = {"gained": sorted(got - point), "lost": sorted(point - got)}
        out[leaf.name] = ends
    return out


def parameter_flips_cached(profile: CaseProfile, names: list[str]) -> dict[str, Any]:
    """For the ranged numbers ``names`` (``RangedLeaf.name``): the conclusions of this case that
    appear (``gained``) or go (``lost``) with the number alone at the low or the high end of its
    plausible range; a conclusion is ``dx:<id>``, ``act:<id>`` or ``top:<id>`` (in the top n)."""
    return _parameter_flips_json(profile.model_dump_json(), tuple(sorted(names)))


def conclusion_names(profile: CaseProfile) -> dict[str, str]:
    """``dx:<id>``, ``act:<id>`` and ``top:<id>`` (see ``parameter_flips_cached``) as a person
    reads them, in the session's language."""
    from knowledge_base.loader import load_kb
    from ui.i18n import bi, t

    out: dict[str, str] = {}
    for item_id, item in load_kb().items.items():
        if item.kind not in ("diagnosis", "action"):
            continue
        name = bi(item.label)
        if item.kind == "diagnosis":
            out[f"dx:{item_id}"] = t("sens_plan.c_dx", name=name)
        else:
            out[f"act:{item_id}"] = t("sens_plan.c_act", name=name)
            out[f"top:{item_id}"] = t("sens_plan.c_top", name=name)
    return out


# --------------------------------------------------------------------------- the pages' own state
#
# Every key a page keeps in the session is named here, once; the pages call these accessors and
# never index ``st.session_state`` themselves (``tests/ui/test_session_state_health.py``). A
# widget's ``key=`` belongs to Streamlit; where a page reads such a value back outside the widget
# (in a callback, or to set its first value), it goes through ``widget_value``/``widget_default``.

TECHNICAL = "show_technical"  # the sidebar's "technical details" toggle (``ui.components``)
DISTRICT_RUN = "district_run"
EXERCISE_PACK = "ex:pack"
EXERCISE_SCORE = "ex:score"
TORNADO = "sens:bars"
SMALLEST_CHANGE = "small:result"
TRAINER_CODE, TRAINER_KEY = "cls:code", "cls:key"  # a live class, the trainer's page
TRAINEE_CODE, TRAINEE_KEY = "cj:code", "cj:key"  # a live class, the trainee's page


def widget_value(key: str, default: Any = None) -> Any:
    """The value of the widget with this ``key=`` as Streamlit keeps it (``default`` before the
    widget has been drawn)."""
    return st.session_state.get(key, default)


def widget_default(key: str, value: Any) -> None:
    """Give the widget with this ``key=`` its first value (kept once it has one)."""
    if key not in st.session_state:
        st.session_state[key] = value


def source_key(page_key: str) -> str:
    """The key of a trainer page's case-source radio (``ui.views.trainer_common.choose_case``)."""
    return f"{page_key}:source"


def keep_source_if(page_key: str, sources: tuple[str, ...]) -> None:
    """Forget the page's chosen case source unless it is still one of ``sources``."""
    key = source_key(page_key)
    if st.session_state.get(key) not in (None, *sources):
        del st.session_state[key]


def show_technical() -> bool:
    """Whether the sidebar's technical details (ids, field paths, rule ids) are switched on."""
    return bool(st.session_state.get(TECHNICAL))


def district_run() -> DistrictRun | None:
    """The District page's background run in this session, if one was started."""
    return st.session_state.get(DISTRICT_RUN)


def _keep(key: str, value: Any) -> None:
    """Keep ``value`` under ``key`` for this session; None forgets it."""
    if value is None:
        st.session_state.pop(key, None)
    else:
        st.session_state[key] = value


def set_district_run(run: DistrictRun | None) -> None:
    _keep(DISTRICT_RUN, run)


def exercise_pack() -> ExercisePack | None:
    """The exercise pack made or uploaded on the Exercises page."""
    return st.session_state.get(EXERCISE_PACK)


def set_exercise_pack(pack: ExercisePack) -> None:
    """A new pack; the score of a ranking of the old one is forgotten."""
    _keep(EXERCISE_PACK, pack)
    _keep(EXERCISE_SCORE, None)


def exercise_score() -> Score | None:
    """The score of the last ranking checked against the pack."""
    return st.session_state.get(EXERCISE_SCORE)


def set_exercise_score(score: Score | None) -> None:
    _keep(EXERCISE_SCORE, score)


def tornado_bars(profile_id: str) -> list[TornadoBar] | None:
    """The Sensitivity page's tornado of this profile, when it was worked out last."""
    saved = st.session_state.get(TORNADO)
    return saved[1] if saved and saved[0] == profile_id else None


def set_tornado_bars(profile_id: str, bars: list[TornadoBar]) -> None:
    st.session_state[TORNADO] = (profile_id, bars)


def smallest_change_result() -> SearchResult | None:
    """The Smallest change page's last search (for whichever profile and goal it was)."""
    return st.session_state.get(SMALLEST_CHANGE)


def set_smallest_change_result(res: SearchResult) -> None:
    st.session_state[SMALLEST_CHANGE] = res


class ClassSeat(NamedTuple):
    """A place in a live class: its join code and the secret key that acts there."""

    code: str
    key: str


def trainer_seat() -> ClassSeat | None:
    """The class the trainer runs in this session (opened or resumed), if any."""
    return _seat(TRAINER_CODE, TRAINER_KEY)


def set_trainer_seat(seat: ClassSeat | None) -> None:
    """Run this class from now on; None: leave it."""
    _set_seat(seat, TRAINER_CODE, TRAINER_KEY)


def trainee_seat() -> ClassSeat | None:
    """The class a trainee joined in this session, if any."""
    return _seat(TRAINEE_CODE, TRAINEE_KEY)


def set_trainee_seat(seat: ClassSeat | None) -> None:
    """The trainee's place from now on; None: leave the class."""
    _set_seat(seat, TRAINEE_CODE, TRAINEE_KEY)


def _seat(code_key: str, secret_key: str) -> ClassSeat | None:
    code, key = st.session_state.get(code_key), st.session_state.get(secret_key)
    return None if code is None or key is None else ClassSeat(code, key)


def _set_seat(seat: ClassSeat | None, code_key: str, secret_key: str) -> None:
    _keep(code_key, seat and seat.code)
    _keep(secret_key, seat and seat.key)
