"""Data quality: can we trust the numbers, and which rows must someone fix?"""

import plotly.express as px
import streamlit as st

from rcmwatch.ui import data_quality as dq
from rcmwatch.ui.downloads import csv_download
from rcmwatch.ui.funnel import panel
from rcmwatch.ui.page import page_setup

page = page_setup("data_quality")
latest = dq.latest_table(page.store)
if latest["status"].eq("not run yet").all():
    st.info(
        "No data-quality run yet. Next step: run `rcmwatch check` (the scheduler runs the checks "
        "after each collection and in full nightly).",
        icon=":material/info:",
    )
    st.stop()
cuts = dq.cuts_for(page.store, page.filters, page.user)
period = dq.period_for(page.filters, page.clock.now().date())
st.caption(f"Failing rows and KPI marks for {page.filters.describe()}")

with panel("Latest results"):
    st.subheader("Latest result of each check")
    counts = st.column_config.NumberColumn(format="localized")
    st.dataframe(
        latest,
        hide_index=True,
        key="dq_latest",
        column_config={
            "check": st.column_config.TextColumn(pinned=True),
            "status": st.column_config.TextColumn(width="medium"),
            "failing rows": counts,
            "of rows": counts,
        },
    )
    with st.expander("Evidence"):
        st.markdown("\n".join(f"- {line}" for line in dq.evidence_lines(page.store)))

with panel("KPIs marked"):
    st.subheader("KPIs whose inputs fail a check")
    flagged = dq.flagged_kpis(page.store, cuts, period)
    if flagged.height:
        st.dataframe(flagged, hide_index=True, key="dq_flagged")
    else:
        st.success("No KPI has failing inputs in this cut.", icon=":material/check_circle:")

with panel("Failures over time"):
    st.subheader("Failing rows over time")
    hist = dq.history(page.store)
    if hist.height:
        fig = px.line(hist, x="started_at", y="unexpected_count", color="check_id", markers=True)
        st.plotly_chart(fig, key="dq_history")

with panel("Failing rows"):
    st.subheader("Failing rows")
    failing = latest.filter(latest["failing rows"].fill_null(0) > 0)["check"].to_list()
    if failing:
        chosen = st.selectbox("Check", failing, key="dq_drill_check")
        rows, masked = dq.failing_rows(page.store, chosen, page.user, cuts, period)
        if masked:
            st.caption(f"Masked for your role: {', '.join(masked)}")
        st.dataframe(rows, hide_index=True, key="dq_rows")
        csv_download(page, rows, name=f"dq_{chosen}", key="dq_rows_csv")
    else:
        st.success("No failing rows.", icon=":material/check_circle:")

with panel("Work items"):
    st.subheader("Work items raised by the checks")
    items = dq.work_items(page.store)
    if items.height:
        st.dataframe(items, hide_index=True, key="dq_items")
    else:
        st.caption("None.")
