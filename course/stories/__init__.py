"""Interview stories: five STAR templates, and drafts filled from a project's own results.

``course stories p1`` reads the project's results (``reports/metrics.json`` for project 1, and so on) and its
written answers (``README.md``, the design doc, the operating note) and drafts ``STORIES.md`` in the project
folder: each story that fits the project, in STAR form, with the numbers filled in from the results, the
follow-up questions interviewers ask with what to say, and the weak answers to avoid. The docs site renders
the templates and the examples with the same functions (``docs/hooks/stories.py``), so they never drift.

Texts are data: triple-quoted strings whose line breaks are folded into spaces, with ``{fact}`` fields that
name the facts each project reads from its results.

The package: ``templates`` (the five templates), ``results`` (reading results files and written answers,
formatting, ``Fact``), ``projects`` (what a project's stories are made of, and which projects tell them),
one module per project (``p1`` ... ``p5``: the facts it quotes and the stories it tells), ``render``
(Markdown drafts and docs pages) and ``command`` (``course stories``).
"""

from __future__ import annotations

from course.stories.command import stories_command
from course.stories.projects import project_specs
from course.stories.render import draft_stories, projects_table, render_story, render_template, stories_for
from course.stories.results import StoriesError, format_amount, format_score, format_share
from course.stories.templates import TEMPLATES

__all__ = [
    "TEMPLATES",
    "StoriesError",
    "draft_stories",
    "format_amount",
    "format_score",
    "format_share",
    "project_specs",
    "projects_table",
    "render_story",
    "render_template",
    "stories_command",
    "stories_for",
]
