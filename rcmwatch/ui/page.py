"""What every page calls first: page config, the identity gate, navigation, the store and the
global filters. A page that cannot run (no store yet, no permission) says why and what to do,
then stops — it never shows a traceback."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from rcmwatch.clock import Clock, clock_from_settings
from rcmwatch.errors import PermissionDenied, RcmwatchError
from rcmwatch.identity import PERMISSIONS, User, current_user
from rcmwatch.settings import Settings, load_settings
from rcmwatch.store.engine import Store, open_store_url, parse_database_url
from rcmwatch.ui.filters import GlobalFilters, render_global_filters
from rcmwatch.ui.funnel import show_error
from rcmwatch.ui.nav import BY_ID, PAGES, PageDef

USER_KEY = "rcmwatch_user"


@dataclass
class PageContext:
    page: PageDef
    user: User
    settings: Settings
    clock: Clock
    store: Store
    filters: GlobalFilters


@st.cache_resource(show_spinner=False)
def _open_store(url: str, busy_timeout_ms: int) -> Store:
    # Pages only read: never migrate from the dashboard (the CLI and the demo do).
    return open_store_url(url, create=False, busy_timeout_ms=busy_timeout_ms)


def session_user() -> User:
    """The signed-in user of this browser session (until sign-in exists: the demo admin)."""
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, User) else current_user()


def _navigation(user: User, active: PageDef) -> None:
    with st.sidebar:
        st.markdown("### rcmwatch")
        for page in PAGES:
            if user.can(page.permission):
                st.page_link(page.script, label=page.label, icon=page.icon)
        role_names = ", ".join(sorted(user.roles))
        st.caption(f"Signed in as **{user.display_name}** ({role_names})")
        st.divider()


def page_setup(page_id: str) -> PageContext:
    page = BY_ID[page_id]
    st.set_page_config(page_title=f"{page.label} · rcmwatch", page_icon="🩺", layout="wide")
    try:
        settings = load_settings()
    except RcmwatchError as exc:
        show_error(exc)
        st.stop()
    user = session_user()
    _navigation(user, page)
    st.title(page.label)
    if not user.can(page.permission):
        show_error(
            PermissionDenied(
                f"{user.display_name} may not open {page.label}: it needs permission to "
                f"{PERMISSIONS[page.permission]}"
            )
        )
        st.stop()
    try:
        url = parse_database_url(settings.effective_database_url)
        store = _open_store(
            url.render_as_string(hide_password=False), settings.sqlite_busy_timeout_ms
        )
        filters = render_global_filters(store, user)
    except RcmwatchError as exc:
        show_error(exc)
        st.stop()
    return PageContext(
        page=page,
        user=user,
        settings=settings,
        clock=clock_from_settings(settings, store_of=lambda: store),
        store=store,
        filters=filters,
    )
