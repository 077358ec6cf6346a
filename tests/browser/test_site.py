"""The built course site in headless Chromium: pages render cleanly, search works, no internal link is
broken, rendered notebooks show their outputs, and screenshots are saved for a human to look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from playwright.sync_api import Page

from course.paths import repo_root

pytestmark = pytest.mark.timeout(180)

SITE = "http://site.invalid/"  # the base that links of built files are resolved against, without a server
SCREENSHOTS = (("", "home"), ("projects/p1_baseline/", "p1_baseline"))


@dataclass
class Link:
    """An ``<a href>`` of a built page; ``in_nav`` when it sits in the primary navigation."""

    href: str
    in_nav: bool


@dataclass
class ParsedPage:
    """What the link checks need from one built HTML page."""

    ids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)
    is_notebook: bool = False


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = ParsedPage()
        self._nav_depth = 0  # <nav> elements open right now
        self._primary_at: int | None = None  # depth of the open primary <nav>, if any

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        if values.get("id"):
            self.result.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.result.ids.add(values["name"])
        if "jp-Notebook" in classes:
            self.result.is_notebook = True
        if tag == "nav":
            self._nav_depth += 1
            if "md-nav--primary" in classes and self._primary_at is None:
                self._primary_at = self._nav_depth
        elif tag == "a" and "href" in values:
            in_nav = self._primary_at is not None and "md-nav__link" in classes
            self.result.links.append(Link(values["href"], in_nav))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._nav_depth:
            if self._primary_at == self._nav_depth:
                self._primary_at = None
            self._nav_depth -= 1


def parse_page(path: Path) -> ParsedPage:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.result


def page_url(site_dir: Path, html: Path) -> str:
    """The URL of a built file under :data:`SITE`: ``projects/index.html`` -> ``.../projects/``."""
    relative = html.relative_to(site_dir).as_posix()
    return SITE + (relative.removesuffix("index.html") if html.name == "index.html" else relative)


def target_file(site_dir: Path, url: str) -> Path:
    """The built file a same-site URL is served from (``/x/`` and ``/x`` serve ``x/index.html``)."""
    path = site_dir / unquote(urlsplit(url).path).lstrip("/")
    return path / "index.html" if path.is_dir() else path


def nav_urls(site_dir: Path) -> list[str]:
    """The pages listed in the navigation, read from the built home page, as paths relative to the site."""
    urls: list[str] = []
    for link in parse_page(site_dir / "index.html").links:
        url = urljoin(SITE, link.href).split("#", 1)[0]
        if link.in_nav and url.startswith(SITE) and url.removeprefix(SITE) not in urls:
            urls.append(url.removeprefix(SITE))
    return urls


def notebook_pages(site_dir: Path) -> list[str]:
    """The worked-solution pages rendered from notebooks, as paths relative to the site."""
    pages = sorted((site_dir / "worked").rglob("index.html"))
    return [page_url(site_dir, html).removeprefix(SITE) for html in pages if parse_page(html).is_notebook]


def test_every_navigation_page_loads_without_errors(site_dir: Path, site_url: str, page: Page, page_errors):
    urls = nav_urls(site_dir)
    assert len(urls) > 1, f"the navigation of {site_dir / 'index.html'} lists {urls}: expected the whole site"
    problems: list[str] = []
    for url in urls:
        page_errors.clear()
        response = page.goto(site_url + url, wait_until="load")
        page.wait_for_load_state("networkidle")
        where = f"/{url}"
        if response is None or response.status != 200:
            problems.append(f"{where}: HTTP {response.status if response else 'no response'}")
            continue
        if page.locator("article h1").count() == 0:
            problems.append(f"{where}: the page has no <h1> in its article")
        problems.extend(f"{where}: {error}" for error in page_errors)
    assert not problems, "navigation pages that do not load cleanly:\n" + "\n".join(problems)


def test_search_finds_leakage(site_url: str, page: Page):
    page.goto(site_url, wait_until="load")
    query = page.locator("input[data-md-component='search-query']")
    query.click()
    query.press_sequentially("leakage", delay=20)
    result = page.locator("li.md-search-result__item a.md-search-result__link").first
    try:
        result.wait_for(state="visible")
    except Exception:
        meta = page.locator(".md-search-result__meta").text_content() or "no result list at all"
        pytest.fail(f"searching 'leakage' on {site_url} shows no result ({meta.strip()})", pytrace=False)
    href = result.get_attribute("href") or ""
    assert urljoin(site_url, href).startswith(site_url), f"the first result links off the site: {href!r}"
    result.click()
    page.wait_for_load_state("load")
    assert "leakage" in page.locator("article").inner_text().lower(), f"{page.url} does not mention leakage"


def test_no_internal_link_is_broken(site_dir: Path):
    pages = sorted(site_dir.rglob("*.html"))
    parsed = {html: parse_page(html) for html in pages}
    ids = {html.resolve(): page.ids for html, page in parsed.items()}
    broken: list[str] = []
    for html, page in parsed.items():
        base = page_url(site_dir, html)
        for link in page.links:
            url = urljoin(base, link.href)
            if not url.startswith(SITE) or link.href == "#":
                continue  # another site, mailto:, or a bare "#"
            target = target_file(site_dir, url)
            fragment = unquote(urlsplit(url).fragment)
            where = f"{html.relative_to(site_dir)}: <a href={link.href!r}>"
            if not target.is_file():
                broken.append(f"{where} -> {target.relative_to(site_dir)} does not exist")
            elif fragment and target.suffix == ".html" and fragment not in ids.get(target.resolve(), set()):
                broken.append(f"{where} -> no id {fragment!r} in {target.relative_to(site_dir)}")
    assert not broken, f"{len(broken)} broken internal link(s):\n" + "\n".join(sorted(set(broken)))


def test_worked_notebooks_show_their_outputs(site_dir: Path, site_url: str, page: Page):
    pages = notebook_pages(site_dir)
    assert pages, (
        f"no rendered notebook under {site_dir / 'worked'}: the Worked solutions pages "
        "(worked/<project>/<notebook>/, rendered by mkdocs-jupyter) are missing from the site"
    )
    without_output: list[str] = []
    with_image: list[str] = []
    for url in pages:
        page.goto(site_url + url, wait_until="load")
        outputs = page.locator(".jp-OutputArea-output")
        if outputs.count() == 0 or not outputs.first.is_visible():
            without_output.append(f"/{url}")
        images = page.locator(".jp-OutputArea-output img")
        drawn = images.evaluate_all("els => els.filter(e => e.naturalWidth > 0 && e.offsetHeight > 0).length")
        if drawn:
            with_image.append(f"/{url}")
    assert not without_output, f"rendered notebooks that show no output: {without_output}"
    assert with_image, f"no rendered notebook shows an image output (a plot); checked {pages}"


@pytest.mark.parametrize(("url", "name"), SCREENSHOTS, ids=[name for _, name in SCREENSHOTS])
def test_screenshot_of_a_styled_page(site_url: str, page: Page, url: str, name: str):
    response = page.goto(site_url + url, wait_until="load")
    assert response is not None and response.status == 200, f"/{url}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    header = page.locator("header.md-header")
    background = header.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in {"", "transparent", "rgba(0, 0, 0, 0)"}, (
        f"/{url} is unstyled: the material header has no background (stylesheets not loaded?)"
    )
    assert page.locator("article h1").first.is_visible(), f"/{url}: the page title is not visible"
    out = repo_root() / ".cache" / "screenshots" / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out))
    assert out.stat().st_size > 10_000, f"{out} is suspiciously small ({out.stat().st_size} bytes): blank?"
