"""``--roster roster.csv``: which learner's world each class submission is graded in.

The file is CSV with a header naming at least the columns ``submission`` (the submission's name, as the
gradebook shows it: the clone's folder name) and ``learner`` (the learner id, as in their ``learner.toml``);
other columns (a name, an email) are ignored. With a roster, every submission on it is graded in the
learner's world whatever its own ``learner.toml`` says, so a submission that swapped in another learner's
seed or the default world is graded against the right oracle and flagged (``course.grading.world_check``).
"""

from __future__ import annotations

import csv
from pathlib import Path

from course.errors import CourseError
from course.worlds import WorldError, check_id

COLUMNS = ("submission", "learner")


class WorldRosterError(CourseError):
    """A roster that cannot be read or is ambiguous; the message names the file, the line and the value."""


def read_world_roster(path: Path) -> dict[str, str]:
    """``{submission: learner id}`` from the CSV at ``path``; every problem names its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WorldRosterError(f"--roster {path}: no such file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WorldRosterError(f"--roster {path}: cannot read it ({exc}).") from None
    reader = csv.DictReader(text.splitlines())
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise WorldRosterError(
            f"--roster {path}: the header must name the columns {', '.join(COLUMNS)}; "
            f"missing {', '.join(missing)} (header: {', '.join(header) or 'none'})."
        )
    reader.fieldnames = header
    roster: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        name = (row.get("submission") or "").strip()
        learner = (row.get("learner") or "").strip()
        if not name and not learner:
            continue
        if not name:
            raise WorldRosterError(f"--roster {path}, line {line}: the submission is empty.")
        if name in roster:
            raise WorldRosterError(f"--roster {path}, line {line}: submission {name!r} is listed twice.")
        try:
            roster[name] = check_id(learner, f"--roster {path}, line {line}")
        except WorldError as exc:
            raise WorldRosterError(str(exc)) from None
    if not roster:
        raise WorldRosterError(f"--roster {path}: it lists no submission.")
    return roster
