"""Lateness: a submission's last commit time against a deadline. Reported, never penalised.

The time is the committer date of the repository's last commit (``git log -1 --format=%cI``), read only
when the submission folder is itself the root of a git repository (it has a ``.git``); otherwise, or when
git cannot read it, it is unknown. A committer date is written by the learner's machine: it is evidence
for a conversation, not proof (the push time on the hosting service is the authoritative one).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from course.errors import CourseError

UNKNOWN = "unknown"


class DeadlineError(CourseError):
    """A ``--deadline`` that is not an ISO 8601 time with a time zone."""


def parse_deadline(text: str) -> datetime:
    """``2026-12-01T23:59:00+00:00`` (or ``...Z``) -> an aware datetime; raise naming the value otherwise."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DeadlineError(
            f"--deadline {text!r}: not an ISO 8601 time; write e.g. 2026-12-01T23:59:00+00:00."
        ) from None
    if when.tzinfo is None:
        raise DeadlineError(
            f"--deadline {text!r}: give a time and a time zone, e.g. 2026-12-01T23:59:00+00:00 (Z for UTC)."
        )
    return when


def format_time(when: datetime | None) -> str:
    """An aware time in UTC, ISO 8601 to the second; ``unknown`` for None."""
    if when is None:
        return UNKNOWN
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def last_commit(folder: Path) -> datetime | None:
    """The committer date of the last commit of the repository rooted at ``folder``, or None."""
    if not (folder / ".git").exists():
        return None
    command = ["git", "-C", str(folder), "-c", "core.fsmonitor=false", "log", "-1", "--format=%cI"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    try:
        return datetime.fromisoformat(result.stdout.strip()) if result.returncode == 0 else None
    except ValueError:
        return None


def lateness(committed: str, deadline: datetime) -> tuple[str, str]:
    """(``late``, ``late_by_hours``) for a commit time as :func:`format_time` wrote it.

    ``late`` is ``yes``, ``no`` or ``unknown``; ``late_by_hours`` is the delay in hours with two decimals
    when late, else empty.
    """
    if committed == UNKNOWN:
        return UNKNOWN, ""
    delay = datetime.fromisoformat(committed) - deadline
    if delay.total_seconds() <= 0:
        return "no", ""
    return "yes", f"{delay.total_seconds() / 3600:.2f}"
