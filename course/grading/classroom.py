"""Grade a class: find the submissions, grade them in parallel, write a CSV gradebook.

Each folder given to ``--submissions`` is one submission when it is a learner's clone (it has
``projects/<project>/``), holds a ``<project>/`` folder, is named ``<project>``, or looks like a project
folder (Python files or notebooks at its top, or a Python package inside). Otherwise it is a class folder:
each of its sub-folders is one submission, named after the sub-folder.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from course.files import atomic_write
from course.grading.processes import stop_all
from course.grading.reports import GradeReport, ItemResult
from course.grading.rubric import Rubric, format_points
from course.grading.runner import GradingError, Limits, grade_submission


@dataclass(frozen=True)
class Submission:
    """A learner's submission: a display name and the folder given as its target."""

    name: str
    path: Path


def is_submission(path: Path, project: str) -> bool:
    """Does ``path`` hold one learner's work for ``project`` (rather than many learners' folders)?"""
    if path.name == project or (path / "projects" / project).is_dir() or (path / project).is_dir():
        return True
    if any(child.suffix in (".py", ".ipynb") for child in path.iterdir() if child.is_file()):
        return True
    return any((child / "__init__.py").is_file() for child in path.iterdir() if child.is_dir())


def submission_name(path: Path, project: str) -> str:
    """The folder name that identifies the learner (skipping ``projects`` and the project's own name)."""
    for part in (path, *path.parents):
        if part.name not in (project, "projects", ""):
            return part.name
    return path.name or "submission"


def find_submissions(folders: Sequence[Path], project: str) -> list[Submission]:
    """Expand ``--submissions`` folders into submissions with unique names, in the order given."""
    found: list[Submission] = []
    for folder in folders:
        folder = Path(folder).expanduser().resolve()
        if not folder.is_dir():
            raise GradingError(f"--submissions {folder}: not a folder.")
        if is_submission(folder, project):
            found.append(Submission(submission_name(folder, project), folder))
            continue
        children = sorted(c for c in folder.iterdir() if c.is_dir() and not c.name.startswith((".", "_")))
        if not children:
            raise GradingError(f"--submissions {folder}: neither a submission nor a folder of submissions.")
        found.extend(Submission(child.name, child) for child in children)
    seen: dict[str, int] = {}
    unique = []
    for sub in found:
        seen[sub.name] = seen.get(sub.name, 0) + 1
        name = sub.name if seen[sub.name] == 1 else f"{sub.name}-{seen[sub.name]}"
        unique.append(Submission(name, sub.path))
    return unique


def ungraded_report(project: str, rubric: Rubric, sub: Submission, reason: str) -> GradeReport:
    """A zero report for a submission that could not be graded (e.g. its project folder is missing)."""
    items = [ItemResult(item.id, item.text, item.points, 0.0, reason) for item in rubric.items]
    return GradeReport(project, str(sub.path), items, notes=[f"not graded: {reason}"], submission=sub.name)


def grade_class(
    project: str,
    submissions: Sequence[Submission],
    rubric: Rubric,
    *,
    jobs: int = 2,
    limits: Limits | None = None,
    extra_tests: Path | None = None,
    root: Path | None = None,
    on_done: Callable[[Submission, GradeReport], None] | None = None,
) -> list[GradeReport]:
    """Grade every submission with ``jobs`` pytest processes at a time; reports in submission order."""
    if jobs < 1:
        raise GradingError(f"--jobs must be at least 1, got {jobs}.")

    def grade(sub: Submission) -> GradeReport:
        try:
            return grade_submission(
                project, sub.path, root=root, limits=limits, extra_tests=extra_tests, submission=sub.name
            )
        except GradingError as exc:
            return ungraded_report(project, rubric, sub, str(exc))

    reports: dict[Submission, GradeReport] = {}
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = {pool.submit(grade, sub): sub for sub in submissions}
        for future in as_completed(futures):
            sub = futures[future]
            reports[sub] = future.result()
            if on_done is not None:
                on_done(sub, reports[sub])
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        stop_all()  # the test processes run in their own sessions: Ctrl-C does not reach them
        raise
    pool.shutdown()
    return [reports[sub] for sub in submissions]


def write_gradebook(path: Path, reports: Sequence[GradeReport], rubric: Rubric) -> Path:
    """CSV: submission, score, max_score, then one column per rubric item id (points earned)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = [item.id for item in rubric.items]

    def rows(handle: IO[str]) -> None:
        writer = csv.writer(handle)
        writer.writerow(["submission", "score", "max_score", *ids])
        for report in reports:
            earned = {item.id: item.earned for item in report.items}
            writer.writerow(
                [
                    report.submission,
                    format_points(report.score),
                    format_points(report.max_score),
                    *(format_points(earned.get(item_id, 0.0)) for item_id in ids),
                ]
            )

    return atomic_write(path, rows, newline="")
