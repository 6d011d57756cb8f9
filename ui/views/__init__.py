"""The pages of the web UI, one script each (run by st.navigation, not imported)."""
