"""District: upload a workbook of cases, watch the progress, see the summary, filter, download.

A thin shell over ``advisor.office`` (template, reading the workbook, the batch run, the results
workbook, the marked copy, the Word summary) and ``advisor.batch.summary_context`` (the
summary's figures); no rule, score or sentence is computed here.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from advisor.batch import summary_context
from advisor.errors import AdvisorError
from advisor.office.district import DistrictRun
from advisor.office.results import HEAD
from advisor.office.xlsx_template import build_template, write_cases
from ui import services
from ui.components import safe_frame
from ui.i18n import current_lang, t

SAMPLE_SIZE = 60

lang = current_lang()
st.title(t("district.title"))
st.caption(t("district.intro"))


@st.cache_data(show_spinner=False)
def _template(lang: str) -> bytes:
    import io

    buf = io.BytesIO()
    build_template(lang).save(buf)
    return buf.getvalue()


st.download_button(
    t("district.template"),
    data=_template(lang),
    file_name=f"district-template-{lang}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
)

upload = st.file_uploader(t("district.upload"), type=["xlsx", "csv", "jsonl"])
left, right = st.columns(2)
start_upload = left.button(t("district.run"), type="primary", disabled=upload is None)
start_sample = right.button(t("district.sample", n=SAMPLE_SIZE))


def _start(path: Path, folder: Path) -> None:
    try:
        services.set_district_run(DistrictRun.start(path, folder, lang))
    except AdvisorError as exc:
        services.set_district_run(None)
        st.error(t("district.unusable", reason=str(exc)))


if start_upload and upload is not None:
    folder = Path(tempfile.mkdtemp(prefix="advisor-district-"))
    name = Path(upload.name).name or "upload.xlsx"
    target = folder / name
    target.write_bytes(upload.getvalue())
    _start(target, folder)
elif start_sample:
    from advisor.synth import generate_data

    folder = Path(tempfile.mkdtemp(prefix="advisor-district-"))
    target = folder / f"sample-{lang}.xlsx"
    write_cases(target, generate_data(SAMPLE_SIZE, seed=2024), lang)
    _start(target, folder)

run = services.district_run()
if run is None:
    st.stop()

if not run.done:
    bar = st.progress(0.0, text=t("district.running", done=0, total=run.total))
    while not run.done:
        done, total = run.progress()
        bar.progress(
            min(1.0, done / total) if total else 0.0,
            text=t("district.running", done=done, total=total),
        )
        time.sleep(0.25)
    bar.empty()
if run.error:
    st.error(t("district.unusable", reason=run.error))
    st.stop()
result = run.result
assert result is not None
summary = result.summary
st.success(t("district.done", total=result.total, assessed=result.assessed, failed=result.failed))
c1, c2, c3 = st.columns(3)
c1.metric(t("district.total"), f"{result.total:,}")
c2.metric(t("district.assessed"), f"{result.assessed:,}")
c3.metric(t("district.failed"), f"{result.failed:,}")

ctx = summary_context(summary, lang, {})
levels = pd.DataFrame(ctx["levels"])
dependence = pd.DataFrame(ctx["dependence"])
diagnoses = pd.DataFrame(ctx["diagnoses"])
g1, g2 = st.columns(2)
with g1:
    st.altair_chart(
        alt.Chart(levels, title=t("district.levels"))
        .mark_bar()
        .encode(
            x=alt.X(
                "label:N",
                sort=list(levels["label"]),
                title=t("district.level"),
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("count:Q", title=t("district.count")),
            color=alt.Color("colour:N", scale=None, legend=None),
            tooltip=["label:N", "count:Q", alt.Tooltip("pct:Q", format=".1f")],
        ),
        width="stretch",
    )
with g2:
    st.altair_chart(
        alt.Chart(dependence, title=t("district.dependence"))
        .mark_bar()
        .encode(
            x=alt.X("mean:Q", scale=alt.Scale(domain=[0, 1]), title=t("district.mean")),
            y=alt.Y(
                "label:N", sort=None, title=t("district.dimension"), axis=alt.Axis(labelLimit=320)
            ),
            tooltip=["label:N", alt.Tooltip("mean:Q", format=".2f")],
        ),
        width="stretch",
    )
if not diagnoses.empty:
    st.altair_chart(
        alt.Chart(diagnoses, title=t("district.diagnoses"))
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title=t("district.count")),
            y=alt.Y(
                "label:N", sort="-x", title=t("district.diagnosis"), axis=alt.Axis(labelLimit=320)
            ),
            tooltip=["label:N", "count:Q", alt.Tooltip("mean_severity:Q", format=".2f")],
        ),
        width="stretch",
    )

st.subheader(t("district.cases"))
table = pd.DataFrame(run.rows())
f1, f2, f3 = st.columns([2, 2, 1])
level_labels = [lv["label"] for lv in ctx["levels"]]
chosen = f1.multiselect(
    t("district.filter_level"), level_labels, default=[], placeholder=t("district.all_levels")
)
text = f2.text_input(t("district.filter_text"), "")
only_failed = f3.checkbox(t("district.only_failed"), value=False)
shown = table
if chosen:
    shown = shown[shown["level"].isin(chosen)]
if text.strip():
    needle = text.strip().casefold()
    shown = shown[
        shown["name"].fillna("").str.casefold().str.contains(needle, regex=False)
        | shown["profile_id"].fillna("").str.casefold().str.contains(needle, regex=False)
    ]
if only_failed:
    shown = shown[shown["problems"].notna()]
st.caption(t("district.shown", n=len(shown), total=len(table)))
if "direction" in shown and shown["direction"].isna().all():
    shown = shown.drop(columns=["direction"])  # the assessments name no direction
st.dataframe(
    safe_frame(shown.rename(columns={k: HEAD[k][lang] for k in HEAD})),
    hide_index=True,
    width="stretch",
)

d1, d2, d3 = st.columns(3)
d1.download_button(
    t("district.download_results"),
    data=run.results_xlsx(),
    file_name=f"district-results-{lang}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:",
)
marked = run.marked_copy()
if marked is not None:
    d2.download_button(
        t("district.download_marked"),
        data=marked,
        file_name=f"{run.input.stem}-problems.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/error:",
    )
d3.download_button(
    t("district.download_summary"),
    data=run.summary_docx(),
    file_name=f"district-summary-{lang}.docx",
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    icon=":material/description:",
)
