"""Headless Debian Chromium driven by Playwright (never a downloaded browser).

Also a small command for looking at pages while developing:
``.venv/bin/python -m tests.e2e.browser http://127.0.0.1:8501/ out.png``."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium hammers this machine's closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() and shutil.which(CHROMIUM) is not None


@contextlib.contextmanager
def browser_page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="rcmwatch-chromium-") as profile,
        sync_playwright() as p,
    ):
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORT,
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def wait_for_streamlit(page, timeout_ms: int = 30_000) -> None:
    """Wait until the script run finished: the app view exists and no element is still stale."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && document.querySelector('[data-testid="stMainBlockContainer"]');
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(800)  # let Plotly finish drawing


def screenshot(url: str, out: str) -> None:
    with browser_page() as page:
        page.goto(url)
        wait_for_streamlit(page)
        page.screenshot(path=out, full_page=False)


if __name__ == "__main__":
    screenshot(sys.argv[1], sys.argv[2])
