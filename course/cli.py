"""The ``course`` command line: one typer app; each command lives in the module it belongs to.

This is the toolkit's one error boundary: a :class:`~course.errors.CourseError` (or an ``OSError`` naming
a file) raised by any command becomes ``Error: <message>`` on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer

from course.assign import assign_command
from course.data.commands import data_command
from course.doctor import doctor_command
from course.errors import EXIT_ERROR, CourseError
from course.export import export_command
from course.grading.check import check_command
from course.grading.commands import grade_command, mutants_command, rubric_command
from course.grading.gradebook_commands import clone_command, gradebook_app, merge_command
from course.grading.starter_check import check_starter_command
from course.grading.status import status_command
from course.portfolio.command import portfolio_command
from course.stories import stories_command
from course.worlds import init_command

app = typer.Typer(
    name="course",
    help="The ML engineering course toolkit: check your setup, generate data, build starters, grade.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def reported(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command`` with its ``CourseError`` and ``OSError`` turned into a message and exit status 2."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (CourseError, OSError) as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(EXIT_ERROR) from None

    return run


for name, command in (
    ("doctor", doctor_command),
    ("init", init_command),
    ("data", data_command),
    ("assign", assign_command),
    ("grade", grade_command),
    ("check", check_command),
    ("status", status_command),
    ("rubric", rubric_command),
    ("mutants", mutants_command),
    ("check-starter", check_starter_command),
    ("stories", stories_command),
    ("export", export_command),
    ("portfolio", portfolio_command),
):
    app.command(name)(reported(command))
gradebook_app.command("merge")(reported(merge_command))
gradebook_app.command("clone")(reported(clone_command))
app.add_typer(gradebook_app, name="gradebook")


def _version(show: bool) -> None:
    if show:
        from course import __version__

        typer.echo(f"course {__version__}")
        raise typer.Exit()


@app.callback()
def options(
    version: bool = typer.Option(
        False, "--version", help="Show the toolkit's version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """The ML engineering course toolkit: check your setup, generate data, build starters, grade."""


def main() -> None:
    """Entry point for ``python -m course``."""
    app()
