"""mkdocs hook: a line ``<!-- rubric: p1_baseline -->`` becomes that project's rubric table.

The table comes from the rubric marks of the graded tests (``course.grading.rubric``), so the docs and the
tests never drift. A page that asks for a rubric must get one: a project without graded tests, or a
rubric that cannot be loaded, fails the build with a message naming the page.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

from course.markdown import replace_marker_lines

MARKER = re.compile(r"^<!--\s*rubric:\s*(?P<project>[\w-]+)\s*-->[ \t]*$")


def render_rubric(project: str) -> str:
    """The Markdown rubric table of ``project`` (``p1`` or ``p1_baseline``); raises ``PluginError``."""
    from course.grading.rubric import load_rubric
    from course.paths import resolve_project

    try:
        rubric = load_rubric(resolve_project(project))
    except Exception as error:
        reason = f"{type(error).__name__}: {str(error).rstrip('.')}"
        raise PluginError(f"cannot build the rubric of {project!r}: {reason}") from None
    items = getattr(rubric, "items", None)
    if items is not None and not callable(items) and len(items) == 0:
        raise PluginError(f"the rubric of {project!r} is empty: the project has no graded tests yet")
    table = rubric.to_markdown().strip()
    if not table:
        raise PluginError(f"the rubric of {project!r} rendered as an empty table")
    return table


def replace_markers(markdown: str, where: str) -> str:
    """Replace every rubric marker outside fenced code in ``markdown`` (``where`` names the page)."""

    def render(match: re.Match[str]) -> str:
        try:
            return render_rubric(match["project"])
        except PluginError as error:
            raise PluginError(f"{where} asks for a rubric, but {error}.") from None

    return replace_marker_lines(markdown, MARKER, render)


def on_page_markdown(markdown: str, *, page, config, files) -> str:
    """mkdocs event: fill the rubric markers of one page."""
    if "rubric:" not in markdown:
        return markdown
    return replace_markers(markdown, f"docs/{page.file.src_uri}")
