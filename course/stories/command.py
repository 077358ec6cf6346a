"""The ``course stories`` command: draft STORIES.md, or print it, and exit 2 when nothing was drafted."""

from __future__ import annotations

from typing import Annotated

import typer

from course.stories.render import draft_stories, stories_for, write_stories
from course.stories.results import _shown


def stories_command(
    project: Annotated[str, typer.Argument(help="The project: p1..p7 or its folder name (p1_baseline).")],
    target: Annotated[
        str,
        typer.Option(
            "--target", help="Whose results: projects, solutions, a learner's clone or a project folder."
        ),
    ] = "projects",
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing STORIES.md, edits included.")
    ] = False,
    stdout: Annotated[
        bool, typer.Option("--stdout", help="Print the draft instead of writing STORIES.md.")
    ] = False,
) -> None:
    """Draft interview stories (STORIES.md) from a project's own results and written answers.

    Exit status 0 when the draft was written (or printed); 2 when nothing was written: the results do not
    exist yet or are malformed, or STORIES.md exists and --force was not given.
    """
    import sys

    from course.grading.targets import resolve_target
    from course.paths import resolve_project

    name = resolve_project(project)
    folder = resolve_target(target, name)
    if stdout:
        sys.stdout.write(draft_stories(folder, name))
        return
    written = write_stories(folder, name, force=force)
    stories = ", ".join(stories_for(name))
    typer.echo(f"Wrote {_shown(written)} ({stories}): edit it in your own words.", err=True)
