"""``course check-starter``: no graded test and no notebook item earns points on the untouched starter.

A test that passes on the starter in ``projects/`` checks nothing the learner writes (it is vacuous).
Two ways to look:

- by default each project's starter is graded as a learner's submission (sandbox, worker, notebooks), and
  nothing may earn points: the whole check (CI also grades every starter in the learner repository, and in
  a learner's world);
- ``--in-process`` runs every graded test of the projects in one pytest session against ``projects/``
  (no sandbox and no notebooks, two pytest workers), and no test may pass: what ``make test`` runs, about
  half the time.

``make test-graded`` checks the other half, that the same tests pass on ``solutions/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from course.grading.runner import Limits


def passing_on_starter(
    project: str, root: Path | None = None, limits: Limits | None = None, learner: str | None = None
) -> list[str]:
    """The graded tests and notebooks of ``project`` that pass on its starter in ``projects/`` (graded in
    ``learner``'s world when given, else the default one)."""
    from course.grading.runner import Limits, grade_submission

    limits = limits or Limits(wall=1800.0)
    report = grade_submission(project, "projects", root=root, limits=limits, learner=learner)
    return [f"{item.id}: {test.name}" for item in report.items for test in item.tests if test.passed]


def passing_in_process(projects: list[str], root: Path | None = None, jobs: int = 2) -> dict[str, list[str]]:
    """``{project folder: graded tests that pass on its starter}``, from one pytest session that runs the
    projects' graded tests against ``projects/`` (``jobs`` pytest workers)."""
    import subprocess
    import sys
    import tempfile
    import xml.etree.ElementTree as ET

    from course.errors import CourseError
    from course.paths import graded_tests_dir, repo_root, resolve_project

    root = root or repo_root()
    folders = [resolve_project(name, root) for name in projects]
    tests = graded_tests_dir(root)
    with tempfile.TemporaryDirectory(prefix="course-starter-") as scratch:
        junit = Path(scratch) / "junit.xml"
        command = [sys.executable, "-m", "pytest", *(str(tests / f) for f in folders), "--target", "projects"]
        command += ["-q", "-p", "no:cacheprovider", f"--junitxml={junit}", "-o", "junit_family=xunit2"]
        if jobs > 1:
            command += ["-n", str(jobs), "--dist", "loadfile"]
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if done.returncode not in (0, 1) or not junit.is_file():
            tail = (done.stdout + done.stderr)[-2000:]
            raise CourseError(
                f"the graded tests could not run on the starters (pytest exit {done.returncode}):\n{tail}"
            )
        cases = ET.parse(junit).getroot().iter("testcase")
        passing: dict[str, list[str]] = {folder: [] for folder in folders}
        for case in cases:
            if any(child.tag in ("failure", "error", "skipped") for child in case):
                continue
            module = case.get("classname", "")  # tests.graded.p1_baseline.test_p1_split
            parts = module.split(".")
            folder = next((f for f in folders if f in parts), None)
            if folder is not None:
                where = ".".join(parts[parts.index(folder) + 1 :])
                passing[folder].append(f"{where}::{case.get('name')}")
    return passing


def check_starter_command(
    projects: Annotated[list[str], typer.Argument(help="Projects to check: p1..p7 or folder names.")],
    jobs: Annotated[
        int,
        typer.Option("--jobs", help="Projects graded at once (with --in-process: pytest workers).", min=1),
    ] = 2,
    learner: Annotated[
        str | None, typer.Option("--learner", help="Grade the starters in this learner's world.")
    ] = None,
    in_process: Annotated[
        bool,
        typer.Option(
            "--in-process",
            help="Run the graded tests only, in one pytest session against projects/ (what make test runs).",
        ),
    ] = False,
) -> None:
    """Check that every graded test and notebook item fails on the untouched starter (course authors).

    Exit status 0 when nothing passes on the starters, 1 when something does (it is named), 2 when grading
    could not run.
    """
    from concurrent.futures import ThreadPoolExecutor

    vacuous = False
    if in_process:
        if learner is not None:
            raise typer.BadParameter(
                "--learner grades submissions: leave out --in-process", param_hint="--learner"
            )
        found = passing_in_process(projects, jobs=jobs)
        results = list(found.values())
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(lambda p: passing_on_starter(p, learner=learner), projects))  # in order
    for project, passing in zip(projects, results, strict=True):
        if passing:
            vacuous = True
            typer.echo(f"{project}: these pass on the untouched starter in projects/ (they check nothing):")
            for name in passing:
                typer.echo(f"  - {name}")
        else:
            what = "graded test" if in_process else "graded test and notebook item"
            typer.echo(f"{project}: every {what} fails on the starter")
    if vacuous:
        raise typer.Exit(1)
