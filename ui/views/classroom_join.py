"""Live class, the trainee's page: join with the code and a name, rank, then read the feedback.

Before the trainer reveals, this page only ever reads the handout (scenario, question, actions),
never the answer key; after the reveal it shows the trainee's feedback in words and the
debrief. All of it comes from ``advisor.classroom``.
"""

from __future__ import annotations

import streamlit as st

from advisor.classroom import Classroom, ClassroomError, session_debrief
from advisor.errors import AdvisorError, ProfileError
from ui import services
from ui.auth import principal
from ui.i18n import bi, current_lang, in_lang, t
from ui.kbtext import vocab
from ui.services import md_text, problem_text

REFRESH_SECONDS = 3


def room() -> Classroom:
    """The classes in the case library's store, acting for the signed-in user (a class opened
    here belongs to their organisation)."""
    return Classroom(services.store())


def _error(exc: Exception) -> None:
    if isinstance(exc, ClassroomError):
        st.error(exc.text(current_lang()), icon=":material/error:")
    elif isinstance(exc, ProfileError):
        st.error("\n".join(f"- {problem_text(p)}" for p in exc.problems), icon=":material/error:")
    else:
        st.error(md_text(str(exc)), icon=":material/error:")


st.title(t("classroom.join.title"))

seat = services.trainee_seat()
if seat is None:
    st.caption(t("classroom.join.intro"))
    with st.form("cj:join_form"):
        code_in = st.text_input(
            t("classroom.join.code"), value=st.query_params.get("code", ""), key="cj:code_in"
        )
        who = principal()
        if who.user_id is not None:  # a signed-in account joins as itself
            st.caption(
                t("classroom.join.as_account", name=md_text(who.display_name or who.username))
            )
            name_in = ""
        else:
            name_in = st.text_input(t("classroom.join.name"), max_chars=40, key="cj:name_in")
        go = st.form_submit_button(t("classroom.join.join"), type="primary")
    if go:
        try:
            me, key = room().join(code_in, name_in, principal=principal())
            services.set_trainee_seat(services.ClassSeat(room().session(code_in).code, key))
            st.rerun()
        except AdvisorError as exc:
            _error(exc)
    st.stop()

code, key = seat
try:
    me = room().me(key)
    handout = room().handout(code)
except AdvisorError as exc:
    _error(exc)
    services.set_trainee_seat(None)
    st.stop()

st.caption(t("classroom.join.joined_as", name=md_text(me.name), code=code))
st.subheader(md_text(bi(handout.title)))
with st.container(border=True):
    st.markdown(f"**{t('classroom.join.scenario')}**")
    st.markdown(md_text(bi(handout.scenario_intro)))
    st.markdown("\n".join(f"- {md_text(bi(line))}" for line in handout.scenario))
st.markdown(f"**{t('classroom.join.question')}** {md_text(bi(handout.question))}")

if handout.state == "open":
    n = len(handout.actions)
    current = {aid: i + 1 for i, aid in enumerate(me.ranking or ())}
    with st.form("cj:ranking"):
        picks: dict[str, int] = {}
        for i, a in enumerate(handout.actions):
            picks[a.id] = st.selectbox(
                f"{md_text(bi(a.label))} — {vocab('actor', a.actor)}",
                list(range(1, n + 1)),
                index=current.get(a.id, i + 1) - 1,
                format_func=in_lang(lambda r, lang: f"{t('classroom.join.rank_of', lang)} {r}"),
                key=f"cj:rank:{a.id}",
            )
        sent = st.form_submit_button(t("classroom.join.send"), type="primary")
    if sent:
        by_rank: dict[int, list[str]] = {}
        for aid, r in picks.items():
            by_rank.setdefault(r, []).append(aid)
        shared = {r: ids for r, ids in sorted(by_rank.items()) if len(ids) > 1}
        if shared:
            labels = {a.id: bi(a.label) for a in handout.actions}
            lines = "\n".join(
                f"- {t('classroom.join.rank_of')} {r}: "
                + "; ".join(md_text(labels[i]) for i in ids)
                for r, ids in shared.items()
            )
            st.error(t("classroom.join.same_rank") + "\n\n" + lines, icon=":material/error:")
        else:
            try:
                me = room().answer(
                    key, [aid for aid, _ in sorted(picks.items(), key=lambda kv: kv[1])]
                )
            except AdvisorError as exc:
                _error(exc)
    if me.ranking is not None:
        st.success(t("classroom.join.received"))

    answered = me.ranking is not None

    @st.fragment(run_every=REFRESH_SECONDS)
    def wait_for_reveal() -> None:
        """Reload the whole page when the trainer reveals."""
        if room().session(code).state != "open":
            st.rerun(scope="app")
        if answered:
            st.caption(t("classroom.join.waiting"))

    wait_for_reveal()
    st.stop()

# revealed: the trainee's result in words, then the debrief
st.subheader(t("classroom.join.result"))
fb = room().my_feedback(key)
if fb is None:
    st.info(t("classroom.join.no_answer"))
else:
    st.markdown("\n".join(f"- {md_text(bi(line))}" for line in fb.lines))
    st.caption(bi(fb.note))
session = room().session(code)
try:
    d = session_debrief(session)
except AdvisorError as exc:
    _error(exc)
    st.stop()
st.subheader(t("classroom.join.debrief"))
mine = {aid: i + 1 for i, aid in enumerate(me.ranking or ())}
lang = current_lang()
for x in d.actions:
    rank = x.engine_rank if x.engine_rank is not None else t("classroom.trainer.not_recommended")
    head = f"{rank} · {bi(x.label)} · {t('classroom.join.your_rank')} {mine.get(x.id, '–')}"
    with st.expander(head):
        if x.rationale:
            st.markdown(md_text(bi(x.rationale)))
        if x.why_not:
            st.markdown(f"{t('classroom.trainer.why_not')}: {md_text(bi(x.why_not))}")
        for s in x.sources[:2]:
            st.caption(f"[{s.section}] {s.quote_zh}" + ("" if lang == "zh" else f" — {s.quote_en}"))
if st.button(t("classroom.join.leave"), key="cj:leave"):
    services.set_trainee_seat(None)
    st.rerun()
