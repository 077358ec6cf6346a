"""The ``course stories`` command: draft STORIES.md, or print it, and exit 2 when nothing was drafted."""

from __future__ import annotations

from typing import Annotated

import typer

from course.stories.render import draft_stories, stories_for, write_stories
from course.stories.results import StoriesError, _shown

EXIT_NOT_DRAFTED = 2


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=EXIT_NOT_DRAFTED)


def stories_command(
    project: Annotated[str, typer.Argument(help="The project: p1..p5 or its folder name (p1_baseline).")],
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

    from course.grading.targets import TargetError, resolve_target
    from course.paths import LayoutError, resolve_project

    try:
        name = resolve_project(project)
        folder = resolve_target(target, name)
        if stdout:
            sys.stdout.write(draft_stories(folder, name))
            return
        written = write_stories(folder, name, force=force)
    except (ValueError, TargetError, LayoutError, StoriesError, OSError) as error:
        raise _fail(str(error)) from None
    stories = ", ".join(stories_for(name))
    typer.echo(f"Wrote {_shown(written)} ({stories}): edit it in your own words.", err=True)
