"""``course status``: where each project stands, from the learner's last gradings of their own work.

``course grade`` (a whole project) and ``course check`` (a few items) of ``projects/<project>`` record each
item's outcome in ``.cache/status/<project>.json``; a grade replaces the project's record, a check updates
the items it ran. ``course status`` reads the records against the rubrics: every item is *earned* (full
points), *partial*, *missing* (graded, no points) or *never run*. Gradings of another target (``solutions``,
a classmate's folder) are not recorded: the status is the learner's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from course.files import atomic_write
from course.grading.reports import GradeReport
from course.grading.rubric import format_points

STATUS_DIR = Path(".cache") / "status"
STATES = ("earned", "partial", "missing", "never run")


def record_path(project: str, root: Path) -> Path:
    """Where the last gradings of ``projects/<project>`` are recorded."""
    return root / STATUS_DIR / f"{project}.json"


def read_record(project: str, root: Path) -> dict[str, Any]:
    """The record of ``project`` (empty when never graded, or unreadable: the status is advisory)."""
    try:
        data = json.loads(record_path(project, root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"items": {}}
    return data if isinstance(data, dict) and isinstance(data.get("items"), dict) else {"items": {}}


def record_grading(report: GradeReport, root: Path, *, how: str, now: datetime | None = None) -> Path:
    """Record ``report`` (of ``projects/<report.project>``); ``how`` is ``grade`` (replaces the record)
    or ``check`` (updates the items it ran)."""
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    record = {"items": {}} if how == "grade" else read_record(report.project, root)
    for item in report.items:
        record["items"][item.id] = {"earned": item.earned, "points": item.points, "when": when, "how": how}
    record["project"] = report.project
    record[f"last_{how}"] = when
    path = record_path(report.project, root)
    atomic_write(path, json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def item_state(entry: dict[str, Any] | None) -> str:
    """One of :data:`STATES` for an item's recorded entry (``None``: never run)."""
    if not entry:
        return "never run"
    earned, points = float(entry.get("earned", 0)), float(entry.get("points", 0))
    if points and earned >= points:
        return "earned"
    return "partial" if earned > 0 else "missing"


@dataclass(frozen=True)
class ProjectStatus:
    """One project's standing: points earned out of the rubric's, and its items by state."""

    project: str
    earned: float
    points: float
    items: dict[str, str]  # item id -> state
    last: str  # the last grading or check, "" if never

    def count(self, state: str) -> int:
        """How many items are in ``state``."""
        return sum(1 for value in self.items.values() if value == state)


def project_status(project: str, root: Path) -> ProjectStatus:
    """``project``'s standing from its rubric and its record (items the rubric no longer has are ignored)."""
    from course.grading.rubric import load_rubric

    rubric = load_rubric(project, root)
    record = read_record(project, root)
    states: dict[str, str] = {}
    earned = 0.0
    for item in rubric.items:
        entry = record["items"].get(item.id)
        states[item.id] = item_state(entry)
        if entry:
            earned += min(float(entry.get("earned", 0)), item.points)
    last = max((record.get("last_grade", ""), record.get("last_check", "")))
    return ProjectStatus(project, earned, sum(i.points for i in rubric.items), states, last)


def status_command(
    project: Annotated[
        str | None, typer.Argument(help="One project (p1..p7) to list item by item; all projects if absent.")
    ] = None,
) -> None:
    """Where each project stands: items earned, partial, missing and never run, from your last gradings.

    `course grade pN` and `course check pN ...` of your own work (projects/) keep the record.
    """
    from rich.console import Console
    from rich.table import Table

    from course.paths import repo_root, resolve_project
    from course.projects import project_names

    root = repo_root()
    console = Console()
    if project is not None:
        name = resolve_project(project, root)
        status = project_status(name, root)
        table = Table(title=f"{name}: {format_points(status.earned)}/{format_points(status.points)}")
        table.add_column("Item")
        table.add_column("State")
        for item_id, state in status.items.items():
            table.add_row(item_id, state)
        console.print(table)
        return
    table = Table(title="Your projects (from your last `course grade` and `course check` runs)")
    for column in ("Project", "Points", *(s.capitalize() for s in STATES), "Last graded (UTC)"):
        table.add_column(column)
    for name in project_names(root):
        status = project_status(name, root)
        table.add_row(
            name,
            f"{format_points(status.earned)}/{format_points(status.points)}",
            *(str(status.count(state)) for state in STATES),
            status.last[5:16].replace("T", " ") or "never",  # 12-03 06:13 (UTC)
        )
    console.print(table)


def record_if_own(report: GradeReport, how: str, root: Path | None = None) -> bool:
    """Record ``report`` when it graded the repository's own ``projects/<project>``; whether it did.

    The record is advisory: a folder that cannot be written (a read-only checkout) is skipped silently.
    """
    from course.errors import CourseError
    from course.paths import projects_dir, repo_root

    try:
        root = root or repo_root()
        if Path(report.target).resolve() != (projects_dir(root) / report.project).resolve():
            return False
        record_grading(report, root, how=how)
    except (CourseError, OSError):
        return False
    return True
