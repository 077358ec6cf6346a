"""mkdocs hook: the HTML reports a project ships are copied into the site and embedded where a page asks.

Every ``solutions/<project>/reports/*.html`` (project 5's Evidently drift report) is added to the site as
``assets/reports/<project>/<name>.html``, straight from the solution's folder (no copy in ``docs/``), so the
site always carries the report the notebook last wrote, whatever its name. A line
``<!-- html-report: p5_lifecycle -->`` in a page becomes one ``<iframe>`` per report of that project, with
a link that opens it full-size; a project without any HTML report fails the build.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ASSETS = "assets/reports"
MARKER = re.compile(r"^<!-- html-report: (?P<project>p[0-9]+_[a-z0-9_]+) -->$", re.MULTILINE)
ROOT = Path(__file__).resolve().parents[2]


def project_reports(project: str, root: Path = ROOT) -> list[Path]:
    """The HTML reports of ``solutions/<project>/reports/``, sorted by name."""
    return sorted((root / "solutions" / project / "reports").glob("*.html"))


def site_path(project: str, report: Path) -> str:
    """Where a report is published in the site (relative to the site's root)."""
    return f"{ASSETS}/{project}/{report.name}"


def on_files(files: Files, config, **_) -> Files:
    """Add every project's HTML reports to the site."""
    for report in sorted((ROOT / "solutions").glob("p[0-9]*_*/reports/*.html")):
        project = report.parent.parent.name
        files.append(File.generated(config, site_path(project, report), abs_src_path=str(report)))
    return files


def embed(project: str, page_uri: str, root: Path = ROOT) -> str:
    """The HTML that embeds ``project``'s reports in the page ``page_uri`` (a docs-relative path)."""
    reports = project_reports(project, root)
    if not reports:
        raise PluginError(f"{page_uri}: solutions/{project}/reports/ has no HTML report to embed")
    blocks = []
    for report in reports:
        src = html.escape(posixpath.relpath(site_path(project, report), posixpath.dirname(page_uri) or "."))
        if not page_uri.endswith("index.md"):  # pages are served as <name>/index.html
            src = "../" + src
        title = html.escape(f"{report.name}: the HTML report written by solutions/{project}")
        blocks.append(
            f'<iframe class="html-report" src="{src}" title="{title}" loading="lazy" '
            f'style="width: 100%; height: 720px; border: 1px solid var(--md-default-fg-color--lightest);">'
            f"</iframe>\n\n"
            f'<p><a href="{src}" target="_blank">Open <code>{html.escape(report.name)}</code> '
            f"full-size</a></p>"
        )
    return "\n\n".join(blocks)


def replace_markers(markdown: str, page_uri: str, root: Path = ROOT) -> str:
    """Replace each ``<!-- html-report: <project> -->`` line with the embedded reports."""
    return MARKER.sub(lambda match: embed(match["project"], page_uri, root), markdown)


def on_page_markdown(markdown: str, page, **_) -> str:
    """mkdocs event: embed the reports a page asks for."""
    return replace_markers(markdown, page.file.src_uri)
