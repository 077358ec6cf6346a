"""Headless Chromium for the site's browser tests and its screenshots: one place for the launch options.

The browser is Debian's ``chromium`` package, driven through Playwright's Python API with
``executable_path``: no browser is ever downloaded (never run ``playwright install``).
"""

from __future__ import annotations

import os
import shutil

INSTALL_HINT = (
    "install Debian's chromium: `apt-get install -y --no-install-recommends chromium` as root, or "
    "`sudo apt-get install -y --no-install-recommends chromium` (never `playwright install`)"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
LAUNCH_TIMEOUT_MS = 60_000


def find_chromium() -> str | None:
    """Debian's chromium: ``/usr/bin/chromium``, else ``chromium`` on PATH, else None."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def launch_chromium(playwright, executable_path: str):
    """Launch headless ``executable_path`` with the course's options; return Playwright's ``Browser``."""
    return playwright.chromium.launch(
        executable_path=executable_path, headless=True, args=CHROMIUM_ARGS, timeout=LAUNCH_TIMEOUT_MS
    )
