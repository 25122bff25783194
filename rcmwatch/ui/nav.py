"""The page registry: one entry per page, in the order the sidebar shows them.

Each page is a script (``app.py`` or ``pages/<file>``) and answers one audience question. A page
needs a permission to be listed *and* to render (the page set-up refuses it too)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageDef:
    id: str
    script: str  # path relative to the repository root, as Streamlit's page_link wants it
    label: str
    icon: str
    question: str
    permission: str = "view_dashboard"


PAGES: tuple[PageDef, ...] = (
    PageDef("overview", "app.py", "Overview", ":material/dashboard:", "What does the store hold?"),
    PageDef(
        "data_quality",
        "pages/data_quality.py",
        "Data quality",
        ":material/fact_check:",
        "Can we trust the numbers, and which rows must someone fix?",
    ),
    PageDef(
        "settings",
        "pages/settings.py",
        "Settings",
        ":material/settings:",
        "How is this rcmwatch configured?",
        permission="manage_users",
    ),
)

BY_ID = {p.id: p for p in PAGES}
