"""The dashboard's error funnel: typed errors become ``st.error``/``st.info`` with the next step,
anything else a short notice — never a traceback. A failing panel degrades alone."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import streamlit as st

from rcmwatch.errors import PermissionDenied, RcmwatchError, SchemaMissing

log = logging.getLogger("rcmwatch.ui")


def show_error(exc: BaseException, *, where: str | None = None) -> None:
    prefix = f"{where}: " if where else ""
    if isinstance(exc, SchemaMissing):
        st.info(f"{prefix}{exc}. Next step: {exc.next_step}.", icon=":material/info:")
    elif isinstance(exc, PermissionDenied):
        st.warning(f"{prefix}{exc}. {exc.next_step}.", icon=":material/lock:")
    elif isinstance(exc, RcmwatchError):
        step = f" Next step: {exc.next_step}." if exc.next_step else ""
        st.error(f"{prefix}{exc}.{step}", icon=":material/error:")
    else:
        log.exception("panel failed: %s", where)
        st.error(
            f"{prefix}this panel could not be shown ({type(exc).__name__}). The rest of the page "
            "still works; the server log has the details.",
            icon=":material/error:",
        )


@contextlib.contextmanager
def panel(name: str) -> Iterator[None]:
    """Render one panel; if it fails, show why in its place and carry on with the page."""
    try:
        yield
    except Exception as exc:  # st.stop()/st.rerun() raise BaseException and pass through
        show_error(exc, where=name)
