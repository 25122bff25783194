"""The interim Overview: on an empty store, what to do next; on a populated one, what it holds.
(The KPI dashboard replaces this page in a later wave of work.)"""

from __future__ import annotations

import plotly.express as px
import polars as pl
import streamlit as st

from rcmwatch.queries import inventory
from rcmwatch.ui.downloads import csv_download
from rcmwatch.ui.funnel import panel


def render(page) -> None:
    _demo_progress(page)
    _simulation(page)
    inv = inventory.store_inventory(page.store)
    if not inventory.holds_source_data(inv):
        _empty_store(page)
        return
    # This interim page counts the whole store; the KPI pages apply the global filters.
    st.caption(
        f"Store: `{page.store.display_url}` · counts cover the whole store "
        f"(filters {page.filters.describe()} apply to KPI pages)"
    )

    with panel("What the store holds"):
        held = inv.filter(pl.col("count") > 0)
        cols = st.columns(4)
        for i, row in enumerate(held.iter_rows(named=True)):
            cols[i % 4].metric(row["records"], f"{row['count']:,}")
        fig = px.bar(
            held.to_pandas(),
            x="count",
            y="records",
            color="area",
            orientation="h",
            labels={"count": "records", "records": ""},
            color_discrete_sequence=px.colors.qualitative.Safe,
        )
        fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10})
        fig.update_yaxes(categoryorder="total ascending")
        # Counts are whole numbers: no 0.5 ticks on small stores.
        small = int(held["count"].max()) <= 10
        fig.update_xaxes(tickformat=",d", rangemode="tozero", dtick=1 if small else None)
        st.plotly_chart(fig, key="overview_inventory_chart")
        csv_download(page, inv, name="store_inventory", key="overview_inventory_csv")

    with panel("Dates covered"):
        spans = inventory.date_span(page.store)
        lines = [
            f"- **{kind}**: {first} → {last}" if first else f"- **{kind}**: none yet"
            for kind, (first, last) in spans.items()
        ]
        st.markdown("\n".join(lines))

    with panel("Latest files"):
        files = inventory.recent_files(page.store)
        if files.is_empty():
            st.info("No files landed yet.")
        else:
            st.dataframe(files, hide_index=True, key="overview_files")


def _simulation(page) -> None:
    """The live simulator, when one runs on this store: its clock is the app's as-of."""
    from rcmwatch.simulator.state import read_state

    state = read_state(page.store)
    if state is None:
        return
    icon = ":material/hub:" if state.broker.startswith("connected") else ":material/link_off:"
    st.caption(
        f"Live simulation · simulated clock {state.at:%Y-%m-%d %H:%M} UTC "
        f"({state.speed:g}× real time, scenario {state.scenario}) · "
        f"broker {state.broker or 'not connected'} {icon}"
    )


def _demo_progress(page) -> None:
    from rcmwatch.demo_loader import read_progress

    progress = read_progress(page.store)
    if progress is None or progress.phase == "done":
        return
    if progress.phase == "failed":
        st.error(
            f"Building the demo health system failed: {progress.error}. The data loaded so far "
            "is shown; restart `make run` to continue.",
            icon=":material/error:",
        )
        return
    steps = {
        "starting": "starting",
        "generating": "generating the synthetic health system",
        "reference": "loading facilities, payers and fee schedules",
        "ingesting": f"ingesting clearinghouse files ({progress.files_done:,} of "
        f"{progress.files_total:,})",
        "collecting": "collecting the ERP, work-queue and integration-engine tables",
    }
    done = progress.files_done / progress.files_total if progress.files_total else 0.0
    st.progress(
        done if progress.phase == "ingesting" else (1.0 if progress.phase == "collecting" else 0.0),
        text=f"Building the demo health system ({progress.claims:,} claims as of "
        f"{progress.as_of}): {steps.get(progress.phase, progress.phase)}. Refresh to follow.",
    )


def _empty_store(page) -> None:
    st.info(
        "The store is empty: no claims, remits, acknowledgments, work items or messages yet.",
        icon=":material/inbox:",
    )
    st.markdown(
        "**Next step** — load data into the store:\n\n"
        "- `make run` builds the demo health system and starts everything;\n"
        "- `rcmwatch ingest PATH...` lands X12 files (837, 999, 277CA, 835) from a folder;\n"
        "- see the README, *Pointing rcmwatch at real sources*.\n\n"
        f"Store in use: `{page.store.display_url}`."
    )
