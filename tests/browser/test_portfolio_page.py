"""``course portfolio``'s page in headless Chromium: it renders, every link and image resolves inside the
output folder, and each project's headline number is shown.

The page is built from the solutions' results into a temporary folder and opened from disk (``file://``):
it is a static page that must work without a server or a network.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from playwright.sync_api import Page

from course.paths import solutions_dir
from course.portfolio.evidence import collect_evidence
from course.portfolio.page import HEADLINES, PORTFOLIO_PROJECT, build_page, format_value

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def portfolio_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("portfolio") / "site"
    build_page(solutions_dir(), out)
    return out


def _local_targets(page: Page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('a[href], img[src]')]
            .map(e => e.href || e.src).filter(u => u.startsWith('file:'))"""
    )


def test_every_page_renders_and_every_link_resolves(portfolio_site: Path, page: Page, page_errors: list[str]):
    seen: set[Path] = set()
    queue = [portfolio_site / "index.html"]
    broken: list[str] = []
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        response = page.goto(current.as_uri(), wait_until="load")
        assert response is None or response.ok, f"{current} did not load"
        assert page.locator("h1").count() >= 1, f"{current.name} has no title"
        for url in _local_targets(page):
            target = Path(unquote(urlparse(url).path))
            if not target.is_file() or not target.resolve().is_relative_to(portfolio_site.resolve()):
                broken.append(f"{current.relative_to(portfolio_site)} -> {url}")
            elif target.suffix == ".html":
                queue.append(target)
        sizes = page.evaluate("() => [...document.images].map(i => [i.getAttribute('src'), i.naturalWidth])")
        broken += [f"{current.name}: image {src} did not load" for src, width in sizes if width == 0]
    assert not broken, "broken links or images:\n" + "\n".join(broken)
    assert len(seen) >= 2 + len(HEADLINES), f"pages visited: {sorted(p.name for p in seen)}"
    assert not page_errors, page_errors


def test_each_project_shows_its_headline_number(portfolio_site: Path, page: Page):
    page.goto((portfolio_site / "index.html").as_uri(), wait_until="load")
    evidence = collect_evidence(solutions_dir(), exclude=(PORTFOLIO_PROJECT,))
    for project, keys in HEADLINES.items():
        key = keys[0][0]
        shown = page.locator(f'#{project} .headline[data-key="{key}"]')
        assert shown.is_visible(), f"{project}'s headline {key} is not shown"
        assert shown.inner_text() == format_value(evidence.get(project, key).value)
    page.screenshot(path=str(portfolio_site.parent / "portfolio.png"))
