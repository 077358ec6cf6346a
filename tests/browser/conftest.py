"""Fixtures of the browser test: the built site, the site served on 127.0.0.1, headless Chromium, a page.

The site is the one ``make docs-build`` writes to ``.cache/site``; when it is missing the site is built into
a temporary folder first, so that ``pytest tests/browser`` also runs alone. Chromium is Debian's package,
driven through Playwright's Python API with ``executable_path``: no browser is ever downloaded. Its launch
options live in ``course.browser``, shared with ``tools/screenshots.py`` (``make screenshots``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

from course.browser import INSTALL_HINT, VIEWPORT, find_chromium, launch_chromium
from course.paths import repo_root
from course.servers import free_port, serve

PAGE_TIMEOUT_MS = 15_000


def in_ci() -> bool:
    """True when the CI environment variable says so (GitHub Actions and most CI services set CI=true)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site: ``COURSE_SITE_DIR`` if set, else ``.cache/site`` from ``make docs-build``, else a
    fresh strict build into a temporary folder."""
    root = repo_root()
    built = Path(os.environ.get("COURSE_SITE_DIR") or root / ".cache" / "site")
    if (built / "index.html").is_file():
        return built
    out = tmp_path_factory.mktemp("site") / "site"
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml", "--site-dir", str(out)],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(
            f"{built} is missing and `mkdocs build --strict` into {out} failed "
            f"(exit {completed.returncode}):\n{(completed.stdout + completed.stderr)[-3000:]}",
            pytrace=False,
        )
    return out


@pytest.fixture(scope="session")
def site_url(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built site served by ``python -m http.server`` on 127.0.0.1 (stopped by its pid at the end)."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    command += ["--directory", str(site_dir)]
    log = tmp_path_factory.mktemp("server") / "http_server.log"
    with serve(command, "/index.html", port, timeout_s=30, log_path=log) as server:
        yield server.url + "/"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The chromium executable; a missing one skips the browser tests, except in CI where it fails them."""
    path = find_chromium()
    if path:
        return path
    message = f"chromium is not installed, so the browser tests cannot run: {INSTALL_HINT}."
    if in_ci():
        pytest.fail(f"{message} In CI (CI=true) a missing browser fails instead of skipping.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """Headless Debian Chromium, launched once for the session with a fresh temporary profile."""
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright, chromium_path)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page_errors() -> list[str]:
    """Console errors and uncaught page errors of ``page``, one readable line each (a test may clear it)."""
    return []


@pytest.fixture
def page(browser: Browser, page_errors: list[str]) -> Iterator[Page]:
    """A new page in its own browser context; its console errors and page errors go to ``page_errors``."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    opened = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            line = message.location.get("lineNumber")
            page_errors.append(f"console error: {message.text}" + (f" (at {where}:{line})" if where else ""))

    def on_page_error(error: Error) -> None:
        page_errors.append(f"uncaught {error.name}: {error.message}")

    opened.on("console", on_console)
    opened.on("pageerror", on_page_error)
    try:
        yield opened
    finally:
        context.close()
