"""The web UI's entry point: language, navigation and the page list.

Run with ``streamlit run ui/app.py`` (``scripts/run.sh``). Every page is a script under
``ui/views/``; the UI is a thin shell over ``advisor/``, where all logic lives.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from advisor.db import StoreError
from ui import auth, services
from ui.components import technical_toggle
from ui.i18n import current_lang, init_language, language_selector, t
from ui.services import init_kept_draft, note_page

# The pages, in menu order: (script under ui/, title key in ui/locales, icon, url path).
# To add a page, append a tuple here.
PAGES: list[tuple[str, str, str, str]] = [
    ("views/assess.py", "nav.assess", ":material/fact_check:", "assess"),
    ("views/whatif.py", "nav.whatif", ":material/compare_arrows:", "what-if"),
    ("views/cases.py", "nav.cases", ":material/folder_open:", "cases"),
    ("views/district.py", "nav.district", ":material/table_view:", "district"),
    ("views/knowledge.py", "nav.knowledge", ":material/menu_book:", "knowledge"),
    ("views/reports.py", "nav.reports", ":material/description:", "reports"),
    ("views/trainer_sensitivity.py", "trainer.nav.sensitivity", ":material/tune:", "sensitivity"),
    ("views/trainer_smallest_change.py", "trainer.nav.smallest", ":material/route:", "smallest"),
    ("views/trainer_exercises.py", "trainer.nav.exercises", ":material/school:", "exercises"),
    ("views/trainer_roadmap.py", "trainer.nav.roadmap", ":material/timeline:", "roadmap"),
    ("views/classroom_trainer.py", "classroom.nav.trainer", ":material/co_present:", "classroom"),
    ("views/classroom_join.py", "classroom.nav.join", ":material/login:", "classroom-join"),
]

log = logging.getLogger("coproduction_advisor.ui")

# Captions in a grey dark enough to read: Streamlit's own caption grey is 3.8:1 on the sidebar
# (WCAG AA asks 4.5:1); this one is 7:1 on white and 6.4:1 on the sidebar.
# Streamlit's own English "Drag and drop file here / Limit ..." on the uploader is hidden; the
# pages say it in the user's language in a caption (cases.upload_caption).
CSS = (
    "<style>[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] p"
    " {color: #4a4f5c !important; opacity: 1 !important;}"
    " [data-testid='stFileUploaderDropzoneInstructions'] {display: none;}</style>"
)


def run_page(page: Any) -> None:
    """Run a page behind one error boundary: a visitor never sees a traceback or a server path.

    The exception is logged with a short reference that the page shows, so a user can quote it
    and an administrator can find the details in the server's log.
    """
    try:
        page.run()
    except (ScriptControlException, StoreError):  # Streamlit's flow; a store failure below
        raise
    except Exception:
        ref = uuid.uuid4().hex[:8].upper()
        log.exception("page %s failed; error reference %s", getattr(page, "url_path", "?"), ref)
        st.error(t("error.unexpected", ref=ref), icon=":material/error:")


init_language()
init_kept_draft()  # the form survives a reload (ui.services: kept drafts)
# our own icon, served by the app itself: a Material icon name would make the browser fetch the
# icon font from an outside host, which government intranets block (the app works offline)
ICON = str(Path(__file__).resolve().parent / "assets" / "favicon.png")
st.set_page_config(page_title=t("app.title"), page_icon=ICON, layout="wide")
# -- h15: sign-in gate (stops here until signed in; single-user mode when no account exists)
who = auth.gate(services.raw_store)
# Pages are grouped in the menu by the first part of their title key ("nav", "trainer").
groups: dict[str, list[st.Page]] = {}
guest = who.via == "guest"  # not signed in, joining a class: the join page only
pages = [*PAGES, auth.ADMIN_PAGE]  # h15: the administrators' page, shown by role below
for i, (path, key, icon, url) in enumerate(p for p in pages if auth.allowed(p[0], who)):
    group = t(f"nav.group.{key.split('.', 1)[0]}")
    page = st.Page(path, title=t(key), icon=icon, url_path=url, default=i == 0 and not guest)
    groups.setdefault(group, []).append(page)
if guest:  # the join page keeps its address; the default page is the way to sign in
    groups[t("nav.group.classroom")].insert(0, auth.guest_home_page())
nav = st.navigation(groups, expanded=True)  # every page in sight, none behind "View more"
note_page(nav.url_path)  # a page change renews the form's widgets (ui.services.form_key)
with st.sidebar:
    st.markdown(f"**{t('app.title')}**")
    st.caption(t("app.tagline"))
    language_selector()
    # the page's <html lang> follows the chosen language (screen readers, fonts, translation);
    # captions in a grey dark enough to read (Streamlit's own grey is 3.8:1 on the sidebar)
    st.html(
        "<script>document.documentElement.lang = "
        + ('"zh-CN"' if current_lang() == "zh" else '"en"')
        + ";</script>",
        unsafe_allow_javascript=True,
    )
    st.html(CSS)
    technical_toggle()
    auth.sidebar(who, services.store())  # h15
    st.caption(t("app.paper"))
try:  # h15: a database failure on any page is a message in the user's language, not a traceback
    run_page(nav)
except StoreError as exc:
    auth.show_store_failure(exc)
