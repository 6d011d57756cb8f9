"""The web UI's entry point: language, navigation and the page list.

Run with ``streamlit run ui/app.py`` (``scripts/run.sh``). Every page is a script under
``ui/views/``; the UI is a thin shell over ``advisor/``, where all logic lives.
"""

from __future__ import annotations

import streamlit as st

from advisor.db import StoreError
from ui import auth, services
from ui.i18n import init_language, language_selector, t

# The pages, in menu order: (script under ui/, title key in ui/locales, icon, url path).
# To add a page, append a tuple here.
PAGES: list[tuple[str, str, str, str]] = [
    ("views/assess.py", "nav.assess", ":material/fact_check:", "assess"),
    ("views/whatif.py", "nav.whatif", ":material/compare_arrows:", "what-if"),
    ("views/cases.py", "nav.cases", ":material/folder_open:", "cases"),
    ("views/knowledge.py", "nav.knowledge", ":material/menu_book:", "knowledge"),
    ("views/reports.py", "nav.reports", ":material/description:", "reports"),
    ("views/trainer_sensitivity.py", "trainer.nav.sensitivity", ":material/tune:", "sensitivity"),
    ("views/trainer_smallest_change.py", "trainer.nav.smallest", ":material/route:", "smallest"),
    ("views/trainer_exercises.py", "trainer.nav.exercises", ":material/school:", "exercises"),
    ("views/trainer_roadmap.py", "trainer.nav.roadmap", ":material/timeline:", "roadmap"),
    ("views/classroom_trainer.py", "classroom.nav.trainer", ":material/co_present:", "classroom"),
    ("views/classroom_join.py", "classroom.nav.join", ":material/login:", "classroom-join"),
]

init_language()
st.set_page_config(page_title=t("app.title"), page_icon=":material/handshake:", layout="wide")
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
nav = st.navigation(groups)
with st.sidebar:
    st.markdown(f"**{t('app.title')}**")
    st.caption(t("app.tagline"))
    language_selector()
    auth.sidebar(who, services.store())  # h15
    st.caption(t("app.paper"))
try:  # h15: a database failure on any page is a message in the user's language, not a traceback
    nav.run()
except StoreError as exc:
    auth.show_store_failure(exc)
