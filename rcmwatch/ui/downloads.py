"""Download buttons; every one goes through :func:`rcmwatch.export.export_csv`."""

from __future__ import annotations

import polars as pl
import streamlit as st

from rcmwatch.export import deferred_export


def csv_download(page, frame: pl.DataFrame, *, name: str, key: str) -> None:
    if not page.user.can("export_data"):
        return
    st.download_button(
        "Download CSV",
        data=deferred_export(frame, name=name, store=page.store, clock=page.clock, user=page.user),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )
