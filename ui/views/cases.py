"""Cases: the case library (save, rename, duplicate, delete, import, export, history)."""

from __future__ import annotations

import contextlib
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from advisor.errors import AdvisorError, ProfileError
from advisor.store import StoreError
from knowledge_base.loader import load_kb
from ui import auth, profile_form, services
from ui.components import safe_frame
from ui.i18n import bi, current_lang, t
from ui.kbtext import vocab
from ui.parser_text import zh_parser_message
from ui.services import md_text, problem_text

st.title(t("cases.title"))
store = services.store()
# whose library this is (never the server's path): with accounts, the organisation's cases and
# those shared with it; in single-user mode, everyone who can open the page
st.caption(
    t("cases.intro") if store.principal.via == "single_user" else auth.library_caption(store)
)
can_export = store.principal.can("cases.export")  # h15
services.show_flash()


def history_chart(history: list[Any]) -> alt.Chart:
    """The asymmetry index and the force's dependence on government, assessment by assessment."""
    rows = []
    for h in history:
        asym = h.summary["asymmetry"]
        rows.append(
            {
                "when": services.beijing_time(h.at),
                "what": t("results.asymmetry_index"),
                "value": asym["index"],
            }
        )
        rows.append(
            {
                "when": services.beijing_time(h.at),
                "what": t("cases.force_on_government"),
                "value": asym["force_on_government"],
            }
        )
    return (
        alt.Chart(pd.DataFrame(rows), title=t("cases.history_chart"))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "when:T",
                title=t("cases.col.when"),
                axis=alt.Axis(format="%Y-%m-%d %H:%M", labelAngle=0),
            ),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=0)),
            tooltip=[
                alt.Tooltip("when:T", format="%Y-%m-%d %H:%M", title=t("cases.col.when")),
                "what:N",
                alt.Tooltip("value:Q", format=".2f"),
            ],
        )
        .properties(height=260)
    )


def history_rows(history: list[Any]) -> list[dict[str, Any]]:
    """The history as table rows, newest last; a run of identical results is one row with a count.

    Identical means the same case version and the same summary (asymmetry, diagnoses, actions):
    pressing Assess again on an unchanged case adds nothing a reader needs to see twice.
    """
    groups: list[tuple[Any, int]] = []
    for h in history:
        if groups and (groups[-1][0].case_version, groups[-1][0].summary) == (
            h.case_version,
            h.summary,
        ):
            groups[-1] = (h, groups[-1][1] + 1)  # keep the latest time of the run
        else:
            groups.append((h, 1))
    return [
        {
            t("cases.col.when"): services.beijing_time(h.at),
            t("cases.col.version"): h.case_version,
            t("results.asymmetry_level"): vocab("level", h.summary["asymmetry"]["level"]),
            t("results.asymmetry_index"): round(h.summary["asymmetry"]["index"], 2),
            t("cases.col.diagnoses"): len(h.summary["diagnoses"]),
            t("cases.col.top_action"): _action_label((h.summary["actions"] or [""])[0]),
            t("cases.col.times"): n,
        }
        for h, n in groups
    ]


def _action_label(action_id: str) -> str:
    """An action's label from the knowledge base (its id if the knowledge base has no such item)."""
    item = load_kb().items.get(action_id)
    return bi(item.label) if item is not None else action_id


def _store_error(exc: StoreError) -> None:
    st.error(t(f"store.{exc.code}", **exc.params), icon=":material/error:")


def _problem_line(problem: object) -> str:
    """A problem in the user's language; a parser's own English words in Chinese (issue 13)."""
    text = problem_text(problem)
    return zh_parser_message(text) if current_lang() == "zh" else text


def _profile_errors(exc: ProfileError) -> None:
    lines = "\n".join(f"- {_problem_line(p)}" for p in exc.problems)
    st.error(
        t("cases.import_refused", n=len(exc.problems)) + "\n\n" + lines, icon=":material/error:"
    )


# ---------------------------------------------------------------- save the current draft
with st.container(border=True):
    st.subheader(t("cases.save_current"))
    profile = None if profile_form.is_uncertain(services.draft()) else services.validate_draft()
    if profile_form.is_uncertain(services.draft()):
        st.info(t("uform.not_saved_uncertain"))
    elif profile is None:
        st.info(t("cases.draft_invalid"))
    else:
        ref = services.case_ref()
        st.markdown(t("cases.draft_is", name=md_text(profile.name), id=profile.id))
        if st.button(t("cases.save_button"), icon=":material/save:", key="save_draft"):
            try:
                if ref and ref["id"].rpartition("/")[2] == profile.id:  # h15: or a shared case
                    rec = store.save_as(ref["id"], profile, expected_version=ref["version"])
                else:
                    rec = store.save(profile)
                services.set_case_ref(services.ref_of(rec))
                st.success(t("assess.saved", name=md_text(rec.name), version=rec.version))
            except StoreError as exc:
                _store_error(exc)

# ---------------------------------------------------------------- the library
cases = store.list()
st.subheader(t("cases.library", n=len(cases)))
if not cases:
    st.info(t("cases.empty"))
else:
    table = pd.DataFrame(
        [
            {
                t("cases.col.name"): c.name,
                t("cases.col.id"): c.id,
                t("cases.col.version"): c.version,
                t("cases.col.updated"): services.beijing_time(c.updated_at),
                t("cases.col.assessments"): c.assessments,
            }
            for c in cases
        ]
    )
    st.dataframe(safe_frame(table), hide_index=True, width="stretch")

    labels = {c.ref: auth.case_label(c) for c in cases}  # h15: shared cases by owner/id
    chosen = st.selectbox(
        t("cases.choose"),
        [c.ref for c in cases],
        format_func=lambda ref: labels.get(ref, ref),
        key="case_choice",
    )
    rec = None
    if chosen:
        try:
            rec = store.get(chosen)
        except StoreError as exc:
            _store_error(exc)
    if rec is not None:
        with st.container(border=True):
            st.markdown(t("cases.selected", name=md_text(rec.name), id=rec.id, v=rec.version))
            c1, c2, c3 = st.columns(3)
            if c1.button(t("cases.open"), icon=":material/edit:", key="open_case", type="primary"):
                services.load_draft(services.profile_data(rec.profile), services.ref_of(rec))
                services.forget_result()
                # "open and assess" assesses (issue 13): the Assess page opens on the results,
                # kept in the case's history as the Assess button keeps them
                with contextlib.suppress(AdvisorError):
                    res = services.assess_form()
                    if res is not None:
                        store.record_assessment(rec.ref, res.assessment)
                st.switch_page("views/assess.py")
            if c2.button(t("cases.duplicate"), icon=":material/content_copy:", key="dup_case"):
                try:
                    copy = store.duplicate(rec.ref, new_name=t("cases.copy_name", name=rec.name))
                    services.flash(t("cases.duplicated", name=md_text(copy.name), id=copy.id))
                    st.rerun()
                except (StoreError, ProfileError) as exc:
                    if isinstance(exc, StoreError):
                        _store_error(exc)
                    else:
                        _profile_errors(exc)
            with c3.popover(t("cases.delete"), icon=":material/delete:"):
                st.warning(t("cases.delete_confirm", name=md_text(rec.name)))
                if st.button(t("cases.delete_yes"), type="primary", key="delete_yes"):
                    try:
                        store.delete(rec.ref, expected_version=rec.version)
                        ref = services.case_ref()
                        if ref and ref["id"] == rec.ref:
                            services.set_case_ref(None)
                        services.flash(t("cases.deleted", name=md_text(rec.name)))
                        st.rerun()
                    except StoreError as exc:
                        _store_error(exc)

            with st.form("rename_form", border=False):
                new_name = st.text_input(t("cases.new_name"), value=rec.name, max_chars=200)
                if st.form_submit_button(t("cases.rename"), icon=":material/edit_note:"):
                    if not new_name.strip():
                        st.error(t("cases.name_empty"), icon=":material/error:")
                        st.stop()
                    try:
                        done = store.rename(rec.ref, new_name, expected_version=rec.version)
                        services.flash(t("cases.renamed", name=md_text(done.name)))
                        st.rerun()
                    except StoreError as exc:
                        _store_error(exc)
                    except ProfileError as exc:
                        _profile_errors(exc)

            auth.share_panel(store, rec)  # h15
            e1, e2 = st.columns(2)
            # h15: exports are made (and audited) when clicked, and only for roles that export
            e1.download_button(
                t("cases.export_json"),
                lambda ref=rec.ref: store.export(ref, "json"),
                disabled=not can_export,
                file_name=f"{rec.id}.json",
                mime="application/json",
                icon=":material/download:",
                key="export_json",
            )
            e2.download_button(
                t("cases.export_yaml"),
                lambda ref=rec.ref: store.export(ref, "yaml"),
                disabled=not can_export,
                file_name=f"{rec.id}.yaml",
                mime="application/yaml",
                icon=":material/download:",
                key="export_yaml",
            )

            history = store.history(rec.ref)
            st.markdown(f"**{t('cases.history', n=len(history))}**")
            if not history:
                st.caption(t("cases.no_history"))
            else:
                if len(history) >= 2:
                    st.altair_chart(history_chart(history), width="stretch")
                st.dataframe(
                    safe_frame(pd.DataFrame(history_rows(history))),
                    hide_index=True,
                    width="stretch",
                )

# ---------------------------------------------------------------- import
with st.container(border=True):
    st.subheader(t("cases.import"))
    st.caption(t("cases.import_hint"))
    upload = st.file_uploader(
        t("cases.import_file"), type=["json", "yaml", "yml"], key="import_file"
    )
    st.caption(t("cases.upload_caption"))
    replace = st.checkbox(t("cases.import_replace"), key="import_replace")
    if upload is not None and st.button(t("cases.import_button"), icon=":material/upload:"):
        try:
            added = store.import_text(upload.getvalue(), source=upload.name, replace=replace)
            services.flash(t("cases.imported", n=len(added)))
            st.rerun()
        except ProfileError as exc:
            _profile_errors(exc)

if cases and can_export:  # h15: the organisation's own cases, made when clicked
    a1, a2 = st.columns(2)
    a1.download_button(
        t("cases.export_all_json"),
        lambda: store.export_all("json"),
        file_name="cases.json",
        mime="application/json",
        key="export_all_json",
    )
    a2.download_button(
        t("cases.export_all_yaml"),
        lambda: store.export_all("yaml"),
        file_name="cases.yaml",
        mime="application/yaml",
        key="export_all_yaml",
    )
