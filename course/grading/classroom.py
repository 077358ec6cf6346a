"""Grade a class: find the submissions, grade them in parallel, write a CSV gradebook.

Each folder given to ``--submissions`` is one submission when it is a learner's clone (it has
``projects/<project>/``), holds a ``<project>/`` folder, is named ``<project>``, or looks like a project
folder (Python files or notebooks at its top, or a Python package inside). Otherwise it is a class folder:
each of its sub-folders is one submission, named after the sub-folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from course.errors import CourseError
from course.grading.gradebook import Entry, write_gradebooks
from course.grading.lateness import format_time, last_commit
from course.grading.processes import stop_all
from course.grading.reports import GradeReport, ItemResult
from course.grading.rubric import Rubric
from course.grading.runner import GradingError, Limits, grade_submission
from course.grading.similarity import THRESHOLD, SimilarityReport, find_similar
from course.grading.targets import resolve_target
from course.paths import projects_dir


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
    roster: dict[str, str] | None = None,
) -> list[GradeReport]:
    """Grade every submission with ``jobs`` pytest processes at a time; reports in submission order.

    With ``roster`` (``{submission: learner id}``, ``course.grading.world_roster``) each submission on it
    is graded in that learner's world; one missing from it is graded in its own world and flagged.
    """
    if jobs < 1:
        raise GradingError(f"--jobs must be at least 1, got {jobs}.")

    def grade(sub: Submission) -> GradeReport:
        learner = roster.get(sub.name) if roster is not None else None
        try:
            report = grade_submission(
                project, sub.path, root=root, limits=limits, extra_tests=extra_tests, submission=sub.name,
                learner=learner,
            )  # fmt: skip
        except GradingError as exc:
            report = ungraded_report(project, rubric, sub, str(exc))
            report.learner = learner or report.learner
        if roster is not None and learner is None:
            report.world_flags.append(
                f"{sub.name} is not on the roster: graded in the world its own learner.toml names "
                f"({report.learner}), which nobody pinned."
            )
        return report

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


def rubric_points(rubric: Rubric) -> list[tuple[str, float]]:
    """The rubric's (item id, points), in its order: what gradebooks and shard manifests record."""
    return [(item.id, item.points) for item in rubric.items]


def class_entries(
    submissions: Sequence[Submission], reports: Sequence[GradeReport], deadline: datetime | None
) -> list[Entry]:
    """The gradebook's inputs: each report as JSON data, and the last commit time when there is a deadline."""
    return [
        Entry(sub.name, report.to_dict(), format_time(last_commit(sub.path)) if deadline else None)
        for sub, report in zip(submissions, reports, strict=True)
    ]


def class_similarity(
    project: str,
    submissions: Sequence[Submission],
    *,
    root: Path | None = None,
    threshold: float = THRESHOLD,
) -> SimilarityReport:
    """Similarity across ``submissions``, with the course's starter of ``project`` as boilerplate."""
    folders: dict[str, Path | None] = {}
    for sub in submissions:
        try:
            folders[sub.name] = resolve_target(sub.path, project, root)
        except CourseError:
            folders[sub.name] = None
    return find_similar(project, folders, projects_dir(root) / project, root=root, threshold=threshold)


def write_gradebook(path: Path, reports: Sequence[GradeReport], rubric: Rubric) -> Path:
    """CSV (and JSON beside it): submission, score, max_score, one column per rubric item (points earned)."""
    entries = [Entry(report.submission, report.to_dict()) for report in reports]
    return write_gradebooks(path, rubric.project, rubric_points(rubric), entries)[0]
