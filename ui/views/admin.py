"""Administration: the accounts, the deleted cases (to restore) and the audit trail.

Only in the menu of administrators (``ui.auth.PAGE_PERMISSIONS``); every read here is checked
again by the store and ``advisor.accounts``, so reaching the page by its address gives nothing
to anyone else. Accounts are created and changed with ``advisor users`` on the server.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from advisor.accounts import Accounts, org_tree
from advisor.audit import ACTIONS
from advisor.db import StoreError
from advisor.store import current_revision
from ui import services
from ui.components import safe_frame
from ui.i18n import current_lang, t

store = services.store()
who = store.principal
st.title(t("admin.title"))
if not who.can("admin.audit"):
    st.error(t("store.forbidden"))
    st.stop()
acc = Accounts(store)
names = acc.organisation_names()
with store.engine.connect() as conn:
    st.caption(t("admin.database", backend=store.backend, revision=current_revision(conn)))

# ---------------------------------------------------------------- accounts
st.subheader(t("admin.users"))
st.caption(t("admin.users_hint"))
users = acc.users()
if users:
    st.dataframe(
        safe_frame(
            pd.DataFrame(
                [
                    {
                        t("admin.col.user"): u.username,
                        t("admin.col.name"): u.display_name,
                        t("admin.col.org"): names.get(u.org_id, u.org_id),
                        t("admin.col.role"): t(f"auth.role.{u.role}"),
                        t("admin.col.state"): t(
                            "admin.state.disabled"
                            if u.disabled
                            else ("admin.state.locked" if u.locked_until else "admin.state.active")
                        ),
                    }
                    for u in users
                ]
            )
        ),
        hide_index=True,
        width="stretch",
    )

# ---------------------------------------------------------------- organisations (hierarchy)
st.subheader(t("admin.orgs"))
st.caption(t("admin.orgs_hint"))
members: dict[str, int] = {}
for u in users:
    members[u.org_id] = members.get(u.org_id, 0) + 1
st.dataframe(
    safe_frame(
        pd.DataFrame(
            [
                {
                    t("admin.org_col.name"): "\u3000" * depth + o.name,
                    t("admin.org_col.id"): o.id,
                    t("admin.org_col.kind"): t(f"admin.kind.{o.kind}"),
                    t("admin.org_col.parent"): names.get(o.parent_org, o.parent_org)
                    if o.parent_org
                    else "–",
                    t("admin.org_col.users"): members.get(o.id, 0),
                    t("admin.col.state"): t(
                        "admin.state.disabled" if o.disabled else "admin.state.active"
                    ),
                }
                for depth, o in org_tree(acc.organisations())
            ]
        )
    ),
    hide_index=True,
    width="stretch",
)

# ---------------------------------------------------------------- deleted cases
st.subheader(t("admin.deleted"))
gone = store.deleted()
if not gone:
    st.caption(t("admin.no_deleted"))
for d in gone:
    c1, c2 = st.columns([5, 1], vertical_alignment="center")
    org = services.md_text(names.get(d.org_id, d.org_id))
    when = d.deleted_at[:19].replace("T", " ")
    c1.markdown(
        f"**{services.md_text(d.name)}** (`{d.case_id}`, {org}) · "
        f"{t('admin.col.deleted_by')}: {services.md_text(d.deleted_by)} · {when}"
    )
    if c2.button(t("admin.restore"), key=f"restore_{d.key}", icon=":material/restore_from_trash:"):
        try:
            store.restore(d.key)
            services.flash(t("admin.restored", case=d.case_id, org=names.get(d.org_id, d.org_id)))
            st.rerun()
        except StoreError as exc:
            st.error(exc.text(current_lang()))
services.show_flash()

# ---------------------------------------------------------------- audit trail
f1, f2 = st.columns(2)
org_filter = f1.selectbox(
    t("admin.filter_org"), ["", *names], format_func=lambda o: names.get(o, t("admin.all"))
)
action_filter = f2.selectbox(
    t("admin.filter_action"),
    ["", *ACTIONS],
    format_func=lambda a: t(f"admin.action.{a}") if a else t("admin.all"),
)
entries = acc.audit(org_id=org_filter or None, action=action_filter or None, limit=500)
st.subheader(t("admin.audit", n=len(entries)))
if entries:
    st.dataframe(
        safe_frame(
            pd.DataFrame(
                [
                    {
                        t("admin.col.when"): services.beijing_time(e.at),
                        t("admin.col.who"): f"{e.actor} ({e.actor_org or '–'}, {e.via})",
                        t("admin.col.action"): t(f"admin.action.{e.action}"),
                        t("admin.col.case"): f"{e.org_id}/{e.case_id}"
                        if e.case_id
                        else (e.org_id or ""),
                        t("admin.col.versions"): (
                            f"{e.from_version or '–'} → {e.to_version or '–'}"
                            if e.from_version is not None or e.to_version is not None
                            else ""
                        ),
                        t("admin.col.detail"): json.dumps(e.detail, ensure_ascii=False),
                    }
                    for e in entries
                ]
            )
        ),
        hide_index=True,
        width="stretch",
    )
