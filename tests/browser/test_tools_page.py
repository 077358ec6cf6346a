"""The *tools at work* page in headless Chromium: its three screenshots are drawn and the Evidently report
embedded in it loads inside its frame."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.timeout(120)

TOOLS = "tools/"
SHOTS = ("p2_swagger.png", "p5_mlflow_registry.png", "p5_evidently_report.png")


def test_tools_page_draws_its_screenshots(site_url: str, page: Page, page_errors: list[str]):
    response = page.goto(site_url + TOOLS, wait_until="load")
    assert response is not None and response.status == 200, f"/{TOOLS}: HTTP {response and response.status}"
    images = page.locator("article img[src*='assets/screenshots/']")
    sources = images.evaluate_all("els => els.map(e => e.getAttribute('src'))")
    missing = [name for name in SHOTS if not any(src.endswith(name) for src in sources)]
    assert not missing, f"/{TOOLS} does not show {missing}; its screenshots: {sources}"
    for index in range(images.count()):
        images.nth(index).scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    widths = images.evaluate_all("els => els.map(e => [e.getAttribute('src'), e.naturalWidth])")
    blank = [src for src, width in widths if width < 800]
    assert not blank, f"screenshots that did not load (naturalWidth < 800) on /{TOOLS}: {widths}"
    assert not page_errors, f"/{TOOLS} logged errors: {page_errors}"


def test_tools_page_embeds_the_evidently_report(site_url: str, page: Page):
    page.goto(site_url + TOOLS, wait_until="load")
    frame_element = page.locator("article iframe.html-report").first
    frame_element.scroll_into_view_if_needed()  # the frame loads lazily
    src = frame_element.get_attribute("src") or ""
    assert src.endswith(".html") and "assets/reports/p5_lifecycle/" in src, f"unexpected iframe src {src!r}"
    frame = frame_element.element_handle().content_frame()
    assert frame is not None, "the report's <iframe> has no frame"
    frame.wait_for_load_state("load")
    frame.wait_for_function("document.body && document.body.innerText.includes('Drift')", timeout=30_000)
    assert frame.url.endswith(src.rsplit("/", 1)[-1]), f"the frame shows {frame.url}, not {src}"
