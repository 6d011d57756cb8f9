"""Live class, the trainer's page: open a session from a pack, watch answers live, reveal, export.

A thin shell over ``advisor.classroom``: the join code, the live counts and spread, the shared
misses and the debrief all come from there; this page only lays them out.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from advisor.classroom import Classroom, ClassroomError, Session, session_debrief
from advisor.errors import AdvisorError, ProfileError
from advisor.trainer.exercise import create_pack, pack_from_text
from ui import services
from ui.i18n import bi, current_lang, in_lang, t
from ui.kbtext import vocab
from ui.services import md_text, pipeline, problem_text

SOURCES = ("preset_y", "preset_h", "upload")
PRESET = {"preset_y": "case-y", "preset_h": "case-h"}
REFRESH_SECONDS = 2


def room() -> Classroom:
    """The classes in the case library's store, acting for the signed-in user (a class opened
    here belongs to their organisation)."""
    return Classroom(services.store())


def _error(exc: Exception) -> None:
    if isinstance(exc, ClassroomError):
        st.error(exc.text(current_lang()), icon=":material/error:")
    elif isinstance(exc, ProfileError):
        lines = "\n".join(f"- {problem_text(p)}" for p in exc.problems)
        st.error(lines, icon=":material/error:")
    else:
        st.error(md_text(str(exc)), icon=":material/error:")


def _join_link(code: str) -> str:
    """The join page's full address on this server (relative when the browser's is unknown)."""
    try:
        here = st.context.url or ""
    except Exception:  # no browser context (AppTest)
        here = ""
    base = here.split("?", 1)[0].rsplit("/", 1)[0] if here.startswith("http") else ""
    return f"{base}/classroom-join?code={code}" if base else f"classroom-join?code={code}"


st.title(t("classroom.trainer.title"))
st.caption(t("classroom.trainer.intro"))

seat = services.trainer_seat()
if seat is None:
    tab_new, tab_resume = st.tabs(
        [t("classroom.trainer.tab_new"), t("classroom.trainer.tab_resume")]
    )
    with tab_new:
        source = st.radio(
            t("classroom.trainer.source"),
            SOURCES,
            format_func=in_lang(lambda s, lang: t(f"classroom.trainer.source_{s}", lang)),
            key="cls:source",
            horizontal=True,
        )
        upload = None
        if source == "upload":
            upload = st.file_uploader(
                t("classroom.trainer.upload"), type=["json", "yaml", "yml"], key="cls:upload"
            )
        else:
            max_actions = st.number_input(t("classroom.trainer.max_actions"), 2, 12, 6, key="cls:n")
        guests = st.checkbox(t("classroom.trainer.allow_guests"), value=True, key="cls:guests")
        roster_text = ""
        if not guests:
            roster_text = st.text_area(
                t("classroom.trainer.roster"), help=t("classroom.trainer.roster_help"), key="cls:r"
            )
        if st.button(t("classroom.trainer.open"), type="primary", key="cls:open"):
            try:
                if source == "upload":
                    if upload is None:
                        raise ClassroomError("no_pack", "upload a pack first", "请先上传演练包")
                    pack = pack_from_text(upload.getvalue(), upload.name)
                else:
                    pack = create_pack(
                        pipeline().preset(PRESET[source]), max_actions=int(max_actions)
                    )
                session, key = room().open_session(
                    pack, allow_guests=guests, roster=roster_text.splitlines()
                )
                services.set_trainer_seat(services.ClassSeat(session.code, key))
                st.rerun()
            except AdvisorError as exc:
                _error(exc)
    with tab_resume:
        with st.form("cls:resume_form"):
            code_in = st.text_input(t("classroom.trainer.resume_code"), key="cls:resume_code")
            key_in = st.text_input(
                t("classroom.trainer.resume_key"), type="password", key="cls:resume_key"
            )
            go = st.form_submit_button(t("classroom.trainer.resume"))
        if go:
            try:
                session = room().check_trainer(code_in, key_in)
                services.set_trainer_seat(services.ClassSeat(session.code, key_in.strip()))
                st.rerun()
            except AdvisorError as exc:
                _error(exc)
    st.stop()

code, trainer_key = seat
try:
    session: Session = room().check_trainer(code, trainer_key)
except AdvisorError as exc:
    _error(exc)
    services.set_trainer_seat(None)
    st.stop()

pack = session.pack
st.subheader(md_text(bi(pack.title)))
c1, c2 = st.columns([1, 2])
with c1:
    st.markdown(f"{t('classroom.trainer.code_label')}")
    st.markdown(f"<div style='font-size:3rem;font-weight:700;letter-spacing:0.3rem'>{code}</div>",
                unsafe_allow_html=True)  # fmt: skip
    st.caption(t("classroom.trainer.code_help"))
with c2:
    st.markdown(t("classroom.trainer.link"))
    st.code(_join_link(code), language=None)
    st.markdown(t("classroom.trainer.key_label"))
    st.code(trainer_key, language=None)


def _spread_table(live: object, lang: str) -> pd.DataFrame:
    n = len(pack.actions)
    rows = []
    for s in live.spread:  # type: ignore[attr-defined]
        engine = (
            s.engine_rank if s.engine_rank is not None else t("classroom.trainer.not_recommended")
        )
        row = {
            t("classroom.trainer.col_action"): bi(s.label),
            t("classroom.trainer.col_actor"): vocab("actor", s.actor),
            t("classroom.trainer.col_engine"): str(engine),
            t("classroom.trainer.col_mean"): "–" if s.mean is None else f"{s.mean:.1f}",
        }
        for i in range(n):
            row[t("classroom.trainer.col_pos", n=i + 1)] = s.counts[i]
        rows.append(row)
    return pd.DataFrame(rows)


@st.fragment(run_every=REFRESH_SECONDS)
def live_panel() -> None:
    """The live counts, the spread and the shared misses, refreshed every few seconds."""
    current = room().session(code)
    live = room().live(current)
    m1, m2 = st.columns(2)
    m1.metric(t("classroom.trainer.joined"), live.joined)
    m2.metric(t("classroom.trainer.answered"), live.answered)
    if not live.joined:
        st.info(t("classroom.trainer.nobody"))
        return
    if live.names_waiting:
        st.caption(
            t(
                "classroom.trainer.waiting",
                names=("、" if current_lang() == "zh" else ", ").join(
                    md_text(n) for n in live.names_waiting
                ),
            )
        )
    st.markdown(f"**{t('classroom.trainer.spread')}**")
    st.caption(t("classroom.trainer.spread_help"))
    st.dataframe(_spread_table(live, current_lang()), hide_index=True, width="stretch")
    st.markdown(f"**{t('classroom.trainer.misses')}**")
    if not live.misses:
        st.success(t("classroom.trainer.no_misses"))
    for m in live.misses[:6]:
        key = "miss_low" if m.kind == "engine_top_ranked_low" else "miss_top"
        st.warning(t(f"classroom.trainer.{key}", count=m.count, n=live.answered, label=bi(m.label)))
    if live.answered:
        k = max(live.top_right)
        st.markdown(f"**{t('classroom.trainer.top_right', k=k)}**")
        st.markdown(
            "\n".join(
                "- " + t("classroom.trainer.top_right_row", right=r, k=k, count=c)
                for r, c in sorted(live.top_right.items(), reverse=True)
            )
        )
    if current.state != session.state:
        st.rerun(scope="app")


live_panel()

if session.state == "open":
    if st.button(t("classroom.trainer.reveal"), type="primary", key="cls:reveal"):
        try:
            room().reveal(code, trainer_key)
            st.rerun()
        except AdvisorError as exc:
            _error(exc)
else:
    st.success(t("classroom.trainer.revealed"))
    lang = current_lang()
    c_csv, c_xlsx = st.columns(2)
    c_csv.download_button(
        t("classroom.trainer.export"),
        room().export_csv(code, trainer_key, lang),
        file_name=f"class-{code}-{pack.id}.csv",
        mime="text/csv",
        key="cls:csv",
    )
    c_xlsx.download_button(
        t("classroom.trainer.export_xlsx"),
        room().export_xlsx(code, trainer_key, lang),
        file_name=f"class-{code}-{pack.id}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="cls:xlsx",
    )
    st.subheader(t("classroom.trainer.debrief"))
    try:
        d = session_debrief(session)
    except AdvisorError as exc:
        _error(exc)
        st.stop()
    for w in d.warnings:
        st.info(bi(w))
    for x in d.actions:
        rank = (
            x.engine_rank if x.engine_rank is not None else t("classroom.trainer.not_recommended")
        )
        with st.expander(f"{rank} · {bi(x.label)}"):
            if x.priority is not None:
                st.markdown(f"{t('classroom.trainer.priority')}: **{x.priority:.1f}**")
            if x.rationale:
                st.markdown(md_text(bi(x.rationale)))
            if x.why_not:
                st.markdown(f"{t('classroom.trainer.why_not')}: {md_text(bi(x.why_not))}")
            for s in x.sources[:2]:
                st.caption(
                    f"[{s.section}] {s.quote_zh}" + ("" if lang == "zh" else f" — {s.quote_en}")
                )

if st.button(t("classroom.trainer.leave"), key="cls:leave"):
    services.set_trainer_seat(None)
    st.rerun()
