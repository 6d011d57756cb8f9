"""Reports: download the current assessment as print-ready HTML, Markdown or JSON."""

from __future__ import annotations

import streamlit as st
import streamlit.components.v1 as components

from advisor.errors import AdvisorError
from ui import services
from ui.i18n import LANGS, current_lang, in_lang, t
from ui.services import md_text

st.title(t("reports.title"))
st.caption(t("reports.intro"))

res = services.result()
if res is None:
    st.info(t("reports.none"), icon=":material/info:")
    st.page_link("views/assess.py", label=t("nav.assess"), icon=":material/fact_check:")
    st.stop()

st.markdown(t("reports.for", name=md_text(res.profile.name), id=res.profile.id))
if not services.result_is_current():
    st.warning(t("assess.stale"), icon=":material/update:")
report_lang = st.radio(
    t("reports.language"),
    LANGS,
    index=LANGS.index(current_lang()),
    format_func=in_lang(lambda code, lang: t(f"lang.{code}", lang)),
    horizontal=True,
    key="report_lang",
)
try:
    from advisor import report

    rendered = {
        fmt: report.render(res.assessment, res.profile, fmt, report_lang)
        for fmt in ("html", "md", "json")
    }
except (AdvisorError, ImportError) as exc:
    st.error(md_text(str(exc)))
    st.stop()

stem = f"{res.profile.id}-{report_lang}"
c1, c2, c3 = st.columns(3)
c1.download_button(
    t("reports.html"),
    rendered["html"],
    file_name=f"{stem}.html",
    mime="text/html",
    icon=":material/print:",
    type="primary",
    width="stretch",
    key="dl_html",
)
c2.download_button(
    t("reports.md"),
    rendered["md"],
    file_name=f"{stem}.md",
    mime="text/markdown",
    icon=":material/article:",
    width="stretch",
    key="dl_md",
)
c3.download_button(
    t("reports.json"),
    rendered["json"],
    file_name=f"{res.profile.id}.assessment.json",
    mime="application/json",
    icon=":material/data_object:",
    width="stretch",
    key="dl_json",
)
st.caption(t("reports.print_hint"))
st.subheader(t("reports.preview"))
components.html(rendered["html"], height=720, scrolling=True)
