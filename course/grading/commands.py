"""``course grade`` and ``course rubric``: typer command functions, registered by ``course/cli.py``.

The grading machinery is imported inside the functions, so that ``course --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from course.errors import CourseError

if TYPE_CHECKING:
    from course.grading.class_options import ClassOptions
    from course.grading.classroom import Submission
    from course.grading.mutants import CatalogueReport
    from course.grading.reports import GradeReport
    from course.grading.runner import Limits


def grade_command(
    project: Annotated[str, typer.Argument(help="The project: p1..p7 or its folder name (p1_baseline).")],
    more_submissions: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[DIR]...", help="More submission folders after --submissions (class mode)."),
    ] = None,
    target: Annotated[
        str,
        typer.Option(
            "--target",
            help="What to grade: projects (your work, the default), solutions, a learner's clone or a "
            "project folder.",
        ),
    ] = "projects",
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="Output: table, md, json, junit or classroom (GitHub Classroom's runner result).",
        ),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Also write grade.json, grade.md, grade.xml here (class mode: a folder each)."
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds per test and per notebook cell.")
    ] = 60.0,
    wall: Annotated[
        float, typer.Option("--wall", help="Seconds for the whole run of one submission.")
    ] = 600.0,
    memory: Annotated[int, typer.Option("--memory", help="Memory limit (address space) in MB.")] = 6144,
    learner: Annotated[
        str | None,
        typer.Option(
            "--learner", help="Grade in this learner's world (default: the submission's learner.toml)."
        ),
    ] = None,
    extra_tests: Annotated[
        Path | None,
        typer.Option("--extra-tests", help="A folder of hidden rubric-marked tests to run as well."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every test and its traceback.")
    ] = False,
    submissions: Annotated[
        list[Path] | None,
        typer.Option(
            "--submissions", help="Class mode: learners' clones or project folders, or folders of them."
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", help="Class mode: submissions graded in parallel.")] = 2,
    gradebook: Annotated[
        Path | None, typer.Option("--gradebook", help="Class mode: the CSV gradebook (default: grades.csv).")
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="Class mode: K/N, grade shard K (from 0) of N: the submissions at sorted-name positions "
            "K, K+N, ...; needs --out. Merge the shards with `course gradebook merge`.",
        ),
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option(
            "--deadline",
            help="Class mode: an ISO 8601 time with a zone (2026-12-01T23:59:00+00:00); the gradebook "
            "adds each submission's last commit time and whether it is late (never penalised).",
        ),
    ] = None,
    similarity: Annotated[
        bool,
        typer.Option(
            "--similarity",
            help="Class mode, whole class only: flag pairs of submissions sharing code beyond the starter "
            "(similarity.json, similarity.md and a gradebook column; never penalised).",
        ),
    ] = False,
    threshold: Annotated[
        float, typer.Option("--similarity-threshold", help="Share of shared code that flags a pair.")
    ] = 0.5,
    roster: Annotated[
        Path | None,
        typer.Option(
            "--roster",
            help="Class mode: a CSV with columns submission,learner; each submission is graded in its "
            "learner's world, and one whose learner.toml or results name another world is flagged.",
        ),
    ] = None,
) -> None:
    """Grade a submission (or a class, with --submissions) in an isolated, time- and memory-limited run.

    Exit status 0 when grading completed, whatever the score; 2 when it could not run.
    """
    from course.grading.reports import FORMATS
    from course.grading.runner import Limits

    if fmt not in FORMATS:
        raise CourseError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}.")
    if fmt == "classroom" and submissions:
        raise CourseError(
            "--format classroom reports one submission to GitHub Classroom: drop --submissions."
        )
    if more_submissions and not submissions:
        raise CourseError(
            f"unexpected argument {more_submissions[0]}: grade a class with --submissions DIR [DIR...]."
        )
    if extra_tests is not None and not extra_tests.is_dir():
        raise CourseError(f"--extra-tests {extra_tests}: not a folder.")
    if learner and submissions:
        raise CourseError("--learner names one submission's world: each class submission has its own.")
    limits = Limits(timeout=timeout, wall=wall, memory_mb=memory)
    if submissions:
        from course.grading.class_options import ClassOptions

        options = ClassOptions.parse(shard, deadline, similarity, threshold, out, roster)
        folders = [*submissions, *(more_submissions or [])]
        _grade_class(project, folders, fmt, out, limits, extra_tests, verbose, jobs, gradebook, options)
    elif shard or deadline or similarity or roster:
        raise CourseError(
            "--shard, --deadline, --similarity and --roster grade a class: add --submissions DIR."
        )
    else:
        _grade_one(project, target, fmt, out, limits, extra_tests, verbose, learner)


def _grade_one(
    project: str,
    target: str,
    fmt: str,
    out: Path | None,
    limits: Limits,
    extra_tests: Path | None,
    verbose: bool,
    learner: str | None = None,
) -> None:
    from rich.console import Console

    from course.grading.reports import write_reports
    from course.grading.runner import grade_submission
    from course.grading.status import record_if_own

    console = Console(stderr=True)
    with console.status(f"Grading {project} ({target})…"):
        report = grade_submission(project, target, limits=limits, extra_tests=extra_tests, learner=learner)
    if extra_tests is None and learner is None:
        record_if_own(report, "grade")
    if out is not None:
        write_reports(report, out, verbose=verbose)
        console.print(f"Wrote grade.json, grade.md and grade.xml in {out}")
    _show(report, fmt, verbose)


def _show(report: GradeReport, fmt: str, verbose: bool) -> None:
    from rich.console import Console

    from course.grading.reports import render_table, to_classroom, to_json, to_junit, to_markdown

    if fmt == "table":
        Console().print(render_table(report, verbose))
    elif fmt == "md":
        sys.stdout.write(to_markdown(report, verbose))
    else:
        render = {"json": to_json, "junit": to_junit, "classroom": to_classroom}[fmt]
        sys.stdout.write(render(report).rstrip("\n") + "\n")


def _grade_class(
    project: str,
    folders: list[Path],
    fmt: str,
    out: Path | None,
    limits: Limits,
    extra_tests: Path | None,
    verbose: bool,
    jobs: int,
    gradebook: Path | None,
    options: ClassOptions,
) -> None:
    import json

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from course.grading.class_options import record_class
    from course.grading.classroom import find_submissions, grade_class
    from course.grading.reports import write_reports
    from course.grading.rubric import load_rubric
    from course.grading.shards import select_shard
    from course.paths import resolve_project

    name = resolve_project(project)
    rubric = load_rubric(name, extra_tests=extra_tests)
    everyone = find_submissions(folders, name)
    subs = select_shard(everyone, [sub.name for sub in everyone], options.shard)
    console = Console(stderr=True)
    if options.shard.count > 1:
        console.print(f"{name}: shard {options.shard}, {len(subs)} of {len(everyone)} submissions")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"Grading {len(subs)} submissions of {name}", total=len(subs))

        def done(sub: Submission, report: GradeReport) -> None:
            if out is not None:
                write_reports(report, out / sub.name, verbose=verbose)
            progress.advance(task)

        reports = grade_class(
            name, subs, rubric, jobs=jobs, limits=limits, extra_tests=extra_tests, on_done=done,
            roster=options.roster,
        )  # fmt: skip
    absent = sorted(set(options.roster or {}) - {sub.name for sub in everyone})
    if absent:
        console.print(f"On the roster, but no submission found: {', '.join(absent)}")
    written = record_class(name, rubric, everyone, subs, reports, options, out, gradebook)
    console.print(
        f"Wrote {', '.join(str(path) for path in written)}"
        + (f" and one report folder per submission in {out}" if out else "")
    )
    if fmt == "json":
        payload = [{"submission": r.submission, **r.to_dict()} for r in reports]
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        _show_class(name, reports)


def _show_class(project: str, reports: list[GradeReport]) -> None:
    from rich.console import Console
    from rich.table import Table

    from course.grading.rubric import format_points

    table = Table(title=f"{project}: {len(reports)} submissions")
    for column in ("Submission", "Score", "World", "Notes"):
        table.add_column(column)
    for report in reports:
        score = f"{format_points(report.score)}/{format_points(report.max_score)}"
        world = report.learner + (" (flagged)" if report.world_flags else "")
        table.add_row(report.submission, score, world, "\n".join([*report.world_flags, *report.notes][:2]))
    Console().print(table)


def rubric_command(
    project: Annotated[str, typer.Argument(help="The project: p1..p7 or its folder name.")],
    fmt: Annotated[str, typer.Option("--format", help="md (a Markdown table) or json.")] = "md",
) -> None:
    """Print a project's rubric, built from the rubric marks of its graded tests and its rubric.toml."""
    from course.grading.rubric import load_rubric

    if fmt not in ("md", "json"):
        raise CourseError(f"--format {fmt!r}: use md or json.")
    rubric = load_rubric(project)
    for warning in rubric.warnings:
        typer.echo(f"warning: {warning}", err=True)
    sys.stdout.write(rubric.to_markdown() if fmt == "md" else rubric.to_json() + "\n")


def mutants_command(
    project: Annotated[str, typer.Argument(help="The project: p1..p7 or its folder name.")],
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Grade only these entries (by name; repeatable).")
    ] = None,
    catalogue: Annotated[
        list[Path] | None,
        typer.Option(
            "--catalogue",
            help="Catalogue folders, repeatable (default: tests/mutants/<project>).",
        ),
    ] = None,
    extra_tests: Annotated[
        Path | None,
        typer.Option("--extra-tests", help="A folder of hidden rubric-marked tests to grade with as well."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds per test and per notebook cell.")
    ] = 60.0,
    jobs: Annotated[
        int, typer.Option("--jobs", help="Mutants graded at once on their beside-notebooks tests.", min=1)
    ] = 2,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="K/N: grade every N-th entry from the K-th (0-based), so N runs cover the catalogue.",
        ),
    ] = None,
) -> None:
    """Grade a project's mutation catalogue: every mutant must lose points, every alternative keep them.

    Exit status 0 when every mutant lost points in an expected item and every alternative kept full
    marks; 1 otherwise; 2 when the catalogue or the grading could not run.
    """
    import json

    from rich.console import Console

    from course.grading.mutants import (
        MutantError,
        default_catalogue,
        load_catalogue,
        run_catalogue,
        select_shard,
    )
    from course.grading.rubric import load_rubric
    from course.grading.runner import Limits
    from course.paths import repo_root, resolve_project

    if fmt not in ("table", "json"):
        raise CourseError(f"--format {fmt!r}: use table or json.")
    console = Console(stderr=True)
    name = resolve_project(project)
    root = repo_root()
    rubric = load_rubric(name, root, extra_tests=extra_tests)
    entries = load_catalogue(catalogue or [default_catalogue(name, root)], rubric)
    if only:
        unknown = sorted(set(only) - {entry.name for entry in entries})
        if unknown:
            raise MutantError(f"--only {unknown[0]}: no entry of that name in the catalogue.")
        entries = [entry for entry in entries if entry.name in only]
    if shard:
        total = len(entries)
        entries = select_shard(entries, shard)
        console.print(f"{name}: shard {shard}, {len(entries)} of {total} catalogue entries")
    with console.status(f"Grading the reference and {len(entries)} catalogue entries of {name}…"):
        report = run_catalogue(
            name,
            rubric,
            entries,
            root=root,
            limits=Limits(timeout=timeout),
            extra_tests=extra_tests,
            on_result=lambda o: console.print(f"  {o.entry.name}: {o.verdict} ({o.seconds:.1f} s)"),
            jobs=jobs,
        )
    if fmt == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        _show_mutants(report)
    raise typer.Exit(code=0 if report.ok else 1)


def _show_mutants(report: CatalogueReport) -> None:
    from rich.console import Console
    from rich.table import Table

    from course.grading.rubric import format_points

    table = Table(title=f"{report.project}: mutation catalogue")
    for column in ("Entry", "Expected to lose", "Lost points", "Phase", "Tests run", "Seconds", "Verdict"):
        table.add_column(column)
    for o in report.outcomes:
        lost = "\n".join(f"{item} -{format_points(points)}" for item, points in o.lost.items()) or "-"
        expected = "\n".join(o.entry.expect) or "(alternative: nothing)"
        share = f"{o.tests_run}/{report.reference_tests} ({o.tests_run / max(report.reference_tests, 1):.0%})"
        verdict = o.verdict if o.ok else f"[bold red]{o.verdict}[/]"
        table.add_row(o.entry.name, expected, lost, o.phase, share, f"{o.seconds:.1f}", verdict)
    console = Console(width=None if sys.stdout.isatty() else 150)  # a CI log: no wrapped cells
    console.print(table)
    mutants = report.mutants
    killed = sum(bool(o.lost) for o in mutants)
    alternatives = [o for o in report.outcomes if o.entry.kind == "alternative"]
    kept = sum(o.ok for o in alternatives)
    console.print(
        f"{report.project}: {killed}/{len(mutants)} mutants killed, "
        f"{kept}/{len(alternatives)} alternatives at full marks; reference graded in "
        f"{report.reference_seconds:.1f} s over {report.reference_tests} "
        f"tests and notebooks; {report.seconds:.0f} s in all."
    )
    console.print(f"kill_rate {report.project}: {report.kill_rate:.3f}", highlight=False)
