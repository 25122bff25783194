"""Settings: how this rcmwatch is configured (from the settings registry) and its store."""

import polars as pl
import streamlit as st

from rcmwatch.settings import SETTINGS
from rcmwatch.ui.funnel import panel
from rcmwatch.ui.page import page_setup

page = page_setup("settings")

with panel("Settings"):
    values = {s.name: (v, origin) for s, v, origin in page.settings.items()}
    rows = [
        {
            "environment variable": s.env,
            "value": "(hidden)"
            if s.secret and values[s.name][0]
            else str(values[s.name][0] or "—"),
            "from": values[s.name][1],
            "default": s.default or "(unset)",
            "meaning": s.help,
        }
        for s in SETTINGS
    ]
    st.dataframe(pl.DataFrame(rows), hide_index=True, key="settings_table")

with panel("Store"):
    st.markdown(
        f"- URL: `{page.store.display_url}`\n"
        f"- backend: **{page.store.backend}**\n"
        f"- schema revision: **{page.store.revision()}**"
    )
