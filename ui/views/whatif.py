"""What-if: a baseline and up to four variants side by side, and what moved between them."""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

st.title(t("whatif.title"))
st.caption(t("whatif.intro"))
