"""mkdocs hook: interview-story markers become the templates and the examples rendered by ``course.stories``.

- ``<!-- story-template: baseline -->``: the template's prompt, STAR shape, numbers, follow-ups, weak answers.
- ``<!-- story-example: p1 baseline -->``: that story drafted from ``solutions/p1_baseline``'s own results,
  exactly as ``course stories p1`` drafts it (the written answers are named, not quoted: they are spoilers).
- ``<!-- story-projects -->``: the table of which stories each project tells, and from which results.

Nothing is typed by hand, so the site's numbers are the reference solutions' numbers. A marker that cannot be
rendered (an unknown project or story, missing or malformed results) fails the build, naming the page.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

from course.markdown import replace_marker_lines

MARKER = re.compile(
    r"^<!--\s*story-(?P<kind>template|example|projects)\b:?\s*(?P<args>[\w\s-]*?)\s*-->[ \t]*$"
)
TEMPLATE_LEVEL, EXAMPLE_LEVEL = 2, 3
LEARNER_EXAMPLE = (
    '!!! tip "Your {story} story from {project}"\n'
    "    The course's example is drafted from the reference solution, which this repository does not "
    "have.\n    `course stories {project}` drafts yours from your own results once you have graded "
    "the project."
)  # a template page: "# Title", the template's "## ...", "## Example: ..."


def render_marker(kind: str, args: list[str]) -> str:
    """The Markdown for one marker; raises ``ValueError`` or ``StoriesError`` with the reason."""
    from course import stories
    from course.paths import resolve_project, solutions_dir

    if kind == "projects" and not args:
        return stories.projects_table()
    if kind == "template" and len(args) == 1:
        if args[0] not in stories.TEMPLATES:
            raise ValueError(f"unknown template {args[0]!r}: use one of {', '.join(stories.TEMPLATES)}")
        return stories.render_template(args[0], level=TEMPLATE_LEVEL)
    if kind == "example" and len(args) == 2:
        project = resolve_project(args[0])
        folder = solutions_dir() / project
        if not folder.parent.is_dir():  # a learner repository: the example would quote the answer key
            return LEARNER_EXAMPLE.format(project=args[0], story=args[1])
        return stories.render_story(folder, project, args[1], level=EXAMPLE_LEVEL, quote_answers=False)
    usage = {
        "projects": "story-projects",
        "template": "story-template: KEY",
        "example": "story-example: pN KEY",
    }
    raise ValueError(f"write the marker as <!-- {usage[kind]} -->")


def replace_markers(markdown: str, where: str) -> str:
    """Replace every story marker outside fenced code in ``markdown`` (``where`` names the page)."""

    def render(match: re.Match[str]) -> str:
        try:
            return render_marker(match["kind"], match["args"].split()).rstrip("\n")
        except Exception as error:
            reason = str(error).rstrip(".")
            raise PluginError(f"{where}: cannot render {match.group(0).strip()}: {reason}.") from None

    return replace_marker_lines(markdown, MARKER, render)


def on_page_markdown(markdown: str, *, page, config, files) -> str:
    """mkdocs event: fill the story markers of one page."""
    if "story-" not in markdown:
        return markdown
    return replace_markers(markdown, f"docs/{page.file.src_uri}")
