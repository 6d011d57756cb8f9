"""Exercises: build a pack from a case, rank its actions, reveal the score and the debrief."""

from __future__ import annotations

import streamlit as st

from advisor.errors import AdvisorError, ProfileError
from advisor.models import BiText
from advisor.trainer.exercise import (
    ExercisePack,
    create_pack,
    debrief,
    pack_from_text,
    pack_to_text,
    render_handout,
    score,
)
from advisor.trainer.text import bitext
from ui import services
from ui.i18n import bi, current_lang, in_lang, t
from ui.kbtext import vocab
from ui.services import md_text, problem_text
from ui.views.trainer_common import choose_case, show_case, show_error

st.title(t("trainer.ex.title"))
st.caption(t("trainer.ex.intro"))
tab_create, tab_run = st.tabs([t("trainer.ex.tab_create"), t("trainer.ex.tab_run")])


def _refused(exc: ProfileError, key: str) -> None:
    lines = "\n".join(f"- {problem_text(p)}" for p in exc.problems)
    st.error(t(key, n=len(exc.problems)) + "\n\n" + lines, icon=":material/error:")


with tab_create:
    chosen = choose_case("ex")
    if chosen is not None:
        show_case(chosen)
        c1, c2 = st.columns(2)
        max_actions = c1.number_input(t("trainer.ex.max_actions"), 2, 20, 6, key="ex:max")
        distractors = c2.number_input(t("trainer.ex.distractors"), 0, 10, 3, key="ex:dis")
        default_q = bitext("exercise.question_default")
        q_zh = st.text_area(t("trainer.ex.question_zh"), default_q.zh, key="ex:q_zh")
        q_en = st.text_area(t("trainer.ex.question_en"), default_q.en, key="ex:q_en")
        clicked = st.button(t("trainer.ex.create"), key="ex:create", type="primary")
        if clicked and (not q_zh.strip() or not q_en.strip()):
            st.error(t("trainer.ex.question_both"), icon=":material/error:")
        elif clicked:
            try:
                pack = create_pack(
                    chosen.profile,
                    question=BiText(zh=q_zh.strip(), en=q_en.strip()),
                    max_actions=int(max_actions),
                    distractors=int(distractors),
                )
                services.set_exercise_pack(pack)
            except AdvisorError as exc:
                show_error(exc)
    pack: ExercisePack | None = services.exercise_pack()
    if pack is not None:
        st.success(t("trainer.ex.created", n=len(pack.actions)))
        lang = current_lang()
        d1, d2, d3, d4 = st.columns(4)
        d1.download_button(
            t("trainer.ex.download_json"),
            pack_to_text(pack, "json"),
            file_name=f"{pack.id}.json",
            mime="application/json",
            key="ex:dl_json",
        )
        d2.download_button(
            t("trainer.ex.download_yaml"),
            pack_to_text(pack, "yaml"),
            file_name=f"{pack.id}.yaml",
            mime="application/yaml",
            key="ex:dl_yaml",
        )
        d3.download_button(
            t("trainer.ex.download_html"),
            render_handout(pack, "html", lang),
            file_name=f"{pack.id}.{lang}.html",
            mime="text/html",
            key="ex:dl_html",
        )
        d4.download_button(
            t("trainer.ex.download_md"),
            render_handout(pack, "md", lang),
            file_name=f"{pack.id}.{lang}.md",
            mime="text/markdown",
            key="ex:dl_md",
        )

with tab_run:
    upload = st.file_uploader(t("trainer.ex.upload"), type=["json", "yaml", "yml"], key="ex:up")
    if upload is not None:
        try:
            uploaded = pack_from_text(upload.getvalue(), upload.name)
            if services.exercise_pack() != uploaded:
                services.set_exercise_pack(uploaded)
        except ProfileError as exc:
            _refused(exc, "trainer.ex.pack_refused")
    pack = services.exercise_pack()
    if pack is None:
        st.info(t("trainer.ex.no_pack"))
        st.stop()
    st.subheader(md_text(bi(pack.title)))
    with st.container(border=True):
        st.markdown(f"**{t('trainer.ex.scenario')}**")
        st.markdown(md_text(bi(pack.scenario_intro)))
        st.markdown("\n".join(f"- {md_text(bi(line))}" for line in pack.scenario))
    st.markdown(f"**{t('trainer.ex.question')}** {md_text(bi(pack.question))}")
    n = len(pack.actions)
    with st.form("ex:ranking"):
        picks: dict[str, int] = {}
        for i, a in enumerate(pack.actions):
            picks[a.id] = st.selectbox(
                f"{md_text(bi(a.label))} — {vocab('actor', a.actor)}",
                list(range(1, n + 1)),
                index=i,
                format_func=in_lang(lambda r, lang: f"{t('trainer.ex.rank_of', lang)} {r}"),
                key=f"ex:rank:{a.id}",
            )
        submitted = st.form_submit_button(t("trainer.ex.score"), type="primary")
    if submitted:
        by_rank: dict[int, list[str]] = {}
        for aid, r in picks.items():
            by_rank.setdefault(r, []).append(aid)
        shared = {r: ids for r, ids in sorted(by_rank.items()) if len(ids) > 1}
        if shared:
            services.set_exercise_score(None)
            labels = {a.id: bi(a.label) for a in pack.actions}
            lines = "\n".join(
                f"- {t('trainer.ex.rank_of')} {r}: " + "; ".join(md_text(labels[i]) for i in ids)
                for r, ids in shared.items()
            )
            st.error(t("trainer.ex.same_rank") + "\n\n" + lines, icon=":material/error:")
        else:
            ranking = [aid for aid, _ in sorted(picks.items(), key=lambda kv: kv[1])]
            try:
                services.set_exercise_score(score(pack, ranking))
            except ProfileError as exc:
                services.set_exercise_score(None)
                _refused(exc, "trainer.ex.ranking_refused")
    result = services.exercise_score()
    if result is not None and result.pack_id == pack.id:
        st.divider()
        m1, m2 = st.columns(2)
        m1.metric(
            t("trainer.ex.spearman"), "–" if result.spearman is None else f"{result.spearman:+.2f}"
        )
        m2.metric(
            t("trainer.ex.kendall"),
            "–" if result.kendall_tau is None else f"{result.kendall_tau:+.2f}",
        )
        st.markdown(bi(result.summary))
        st.markdown(f"**{t('trainer.ex.misses')}**")
        if not result.misses:
            st.success(t("trainer.ex.no_misses"))
        for m in result.misses:
            st.warning(f"**{md_text(bi(m.label))}** — {bi(m.explanation)}")
        try:
            d = debrief(pack, result)
        except AdvisorError as exc:
            show_error(exc)
            st.stop()
        st.subheader(t("trainer.ex.debrief"))
        for w in d.warnings:
            st.info(bi(w))
        st.markdown(f"**{t('trainer.ex.diagnoses')}**")
        for dx in d.diagnoses:
            with st.expander(f"{bi(dx.label)} ({dx.severity:.2f})"):
                for b in dx.because:
                    st.markdown(f"- {md_text(bi(b))}")
                for step in dx.trace:
                    facts = ", ".join(f"{k}={v}" for k, v in step.matched.items())
                    st.markdown(f"- `{step.rule}` {md_text(facts)}")
                for s in dx.sources[:2]:
                    st.caption(
                        f"[{s.section}] {s.quote_zh}"
                        + ("" if current_lang() == "zh" else f" — {s.quote_en}")
                    )
        for x in d.actions:
            engine = x.engine_rank if x.engine_rank is not None else t("trainer.ex.not_recommended")
            head = (
                f"{t('trainer.ex.engine_rank')} {engine} · {t('trainer.ex.your_rank')} "
                f"{x.participant_rank} · {bi(x.label)}"
            )
            with st.expander(head):
                if x.priority is not None:
                    st.markdown(f"{t('trainer.ex.priority')}: **{x.priority:.1f}**")
                if x.rationale:
                    st.markdown(md_text(bi(x.rationale)))
                if x.why_not:
                    st.markdown(f"{t('trainer.ex.why_not')}: {md_text(bi(x.why_not))}")
                if x.trace:
                    st.markdown(f"**{t('trainer.ex.rules')}**")
                    for step in x.trace:
                        facts = ", ".join(f"{k}={v}" for k, v in step.matched.items())
                        st.markdown(f"- `{step.rule}` {md_text(facts)}")
                if x.sources:
                    st.markdown(f"**{t('trainer.ex.passages')}**")
                    for s in x.sources[:3]:
                        st.caption(
                            f"[{s.section}] {s.quote_zh}"
                            + ("" if current_lang() == "zh" else f" — {s.quote_en}")
                        )
