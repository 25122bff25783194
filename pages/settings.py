"""Settings: how this rcmwatch is configured (from the settings registry) and its store."""

import polars as pl
import streamlit as st

from rcmwatch.ui.funnel import panel
from rcmwatch.ui.page import page_setup

page = page_setup("settings")

with panel("Settings"):
    rows = [
        {
            "environment variable": s.env,
            "value": s.shown(value),
            "from": origin,
            "default": s.default_shown(),
            "meaning": s.help,
        }
        for s, value, origin in page.settings.items()
    ]
    st.dataframe(pl.DataFrame(rows), hide_index=True, key="settings_table")

with panel("Store"):
    st.markdown(
        f"- URL: `{page.store.display_url}`\n"
        f"- backend: **{page.store.backend}**\n"
        f"- schema revision: **{page.store.revision()}**"
    )
