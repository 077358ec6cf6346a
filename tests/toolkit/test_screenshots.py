"""The site's screenshots of the real tools: committed, real PNG files, recorded in their provenance, shown.

``make screenshots`` (``tools/screenshots.py``) takes them with Chromium; these checks are cheap and need
no browser: the files ``docs/assets/screenshots/`` holds, ``provenance.json`` beside them, the pages that
show them, and the hook that embeds project 5's Evidently report.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import struct
from pathlib import Path
from types import ModuleType

import pytest
from mkdocs.exceptions import PluginError

from course.paths import repo_root

ROOT = repo_root()
SHOTS = ROOT / "docs" / "assets" / "screenshots"
TOOLS_PAGE = ROOT / "docs" / "tools.md"
EXPECTED = {
    "p2_swagger.png": "/docs",
    "p5_mlflow_registry.png": "/#/models/churn-retention",
    "p5_evidently_report.png": ".html",
}


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path.name} is not a PNG file"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def provenance() -> dict:
    path = SHOTS / "provenance.json"
    assert path.is_file(), f"{path} is missing: run `make screenshots` and commit docs/assets/screenshots/"
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def reports_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hook_reports", ROOT / "docs" / "hooks" / "reports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_screenshot_is_a_real_png_of_readable_size(name: str):
    path = SHOTS / name
    assert path.is_file(), f"{path} is missing: run `make screenshots` and commit it"
    width, height = _png_size(path)
    assert width >= 800 and height >= 400, f"{name} is {width}x{height}: too small to read"
    assert path.stat().st_size > 20_000, f"{name} has {path.stat().st_size} bytes: a blank page?"


def test_provenance_names_every_screenshot_with_its_source(provenance: dict):
    images = {image["file"]: image for image in provenance["images"]}
    assert set(images) == set(EXPECTED), f"provenance.json names {sorted(images)}, not {sorted(EXPECTED)}"
    assert provenance["generated_by"] == "make screenshots"
    for key in ("chromium", "playwright", "fastapi", "mlflow", "evidently"):
        assert provenance["versions"].get(key), f"provenance.json records no {key} version"
    for name, url_path in EXPECTED.items():
        image = images[name]
        assert image["url_path"].endswith(url_path) or image["url_path"].startswith(url_path), image
        data = (SHOTS / name).read_bytes()
        assert image["sha256"] == hashlib.sha256(data).hexdigest(), (
            f"{name} differs from the file provenance.json describes: retake it with `make screenshots`"
        )
        assert (image["width"], image["height"]) == _png_size(SHOTS / name)


def test_the_evidently_report_ships_as_html(reports_hook: ModuleType):
    reports = reports_hook.project_reports("p5_lifecycle")
    assert reports, "solutions/p5_lifecycle/reports/ has no HTML report: run project 5's notebook"
    for report in reports:
        text = report.read_text(errors="replace")
        assert report.stat().st_size > 50_000, f"{report.name} is too small to be Evidently's report"
        assert re.match(r"\s*(<!DOCTYPE html>|<html)", text, re.IGNORECASE), f"{report.name} is not HTML"
        assert "drawDashboard" in text and "root_metric_" in text, (
            f"{report.name} does not look like an Evidently report (no dashboard and no metric in it)"
        )


def test_tools_page_shows_the_screenshots_and_embeds_the_report():
    page = TOOLS_PAGE.read_text()
    for name in EXPECTED:
        assert f"(assets/screenshots/{name})" in page, f"docs/tools.md does not show {name}"
    assert "<!-- html-report: p5_lifecycle -->" in page
    assert "tools.md" in (ROOT / "mkdocs.yml").read_text(), "docs/tools.md is not in mkdocs.yml's nav"
    p2_page = (ROOT / "docs" / "projects" / "p2_serving.md").read_text()
    assert "../assets/screenshots/p2_swagger.png" in p2_page, "project 2's page does not show its Swagger UI"


def test_report_marker_becomes_an_iframe_per_report(reports_hook: ModuleType, tmp_path: Path):
    reports = tmp_path / "solutions" / "p5_lifecycle" / "reports"
    reports.mkdir(parents=True)
    (reports / "drift.html").write_text("<html></html>")
    markdown = "Before\n\n<!-- html-report: p5_lifecycle -->\n\nAfter"
    page = reports_hook.replace_markers(markdown, "tools.md", tmp_path)
    assert '<iframe class="html-report" src="../assets/reports/p5_lifecycle/drift.html"' in page
    assert page.startswith("Before") and page.endswith("After")
    nested = reports_hook.replace_markers("<!-- html-report: p5_lifecycle -->", "projects/p5.md", tmp_path)
    assert 'src="../../assets/reports/p5_lifecycle/drift.html"' in nested
    with pytest.raises(PluginError, match="no HTML report"):
        reports_hook.replace_markers("<!-- html-report: p2_serving -->", "tools.md", tmp_path)
