"""The ``course`` command line: one typer app; each command lives in the module it belongs to."""

from __future__ import annotations

import typer

from course.assign import assign_command
from course.data.commands import data_command
from course.doctor import doctor_command
from course.grading.commands import grade_command, mutants_command, rubric_command
from course.stories import stories_command

app = typer.Typer(
    name="course",
    help="The ML engineering course toolkit: check your setup, generate data, build starters, grade.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("doctor")(doctor_command)
app.command("data")(data_command)
app.command("assign")(assign_command)
app.command("grade")(grade_command)
app.command("rubric")(rubric_command)
app.command("mutants")(mutants_command)
app.command("stories")(stories_command)


def main() -> None:
    """Entry point for ``python -m course``."""
    app()
