"""The class gradebook (CSV and JSON) and the shard manifest that lets shards be merged into it.

Both a one-machine run and ``course gradebook merge`` build the gradebook with :func:`write_gradebooks`
from the same inputs, the per-submission ``grade.json`` data and the manifest's facts, so their files
are byte-identical. Rows are sorted by submission name; nothing machine-dependent (paths, durations,
versions) enters a gradebook.

``shard.json``, written into ``--out`` by every class run (``0/1`` without ``--shard``)::

    {format, project, rubric: [{id, points}], shard: {index, count}, class: [every name in the class],
     deadline, submissions: {name: {last_commit}}}
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from course.errors import CourseError
from course.files import atomic_write
from course.grading.lateness import format_time, lateness
from course.grading.rubric import format_points, number
from course.grading.shards import Shard
from course.grading.similarity import SimilarityReport

MANIFEST = "shard.json"
FORMAT = "course-shard/1"
CSV_NAME, JSON_NAME = "grades.csv", "grades.json"


class GradebookError(CourseError):
    """Shards that cannot be merged, or a file in them that cannot be read (named in the message)."""


@dataclass(frozen=True)
class Entry:
    """One gradebook row's inputs: a submission's ``grade.json`` data and its last commit time."""

    name: str
    report: dict[str, Any]
    last_commit: str | None = None  # format_time(...) or None when no deadline was given


def manifest(
    project: str,
    rubric: Sequence[tuple[str, float]],
    shard: Shard,
    names: Sequence[str],
    entries: Sequence[Entry],
    deadline: datetime | None,
) -> dict[str, Any]:
    """The ``shard.json`` of a run that graded ``entries`` out of the class ``names``."""
    return {
        "format": FORMAT,
        "project": project,
        "rubric": [{"id": item_id, "points": number(points)} for item_id, points in rubric],
        "shard": {"index": shard.index, "count": shard.count},
        "class": sorted(names),
        "deadline": format_time(deadline) if deadline else None,
        "submissions": {e.name: {"last_commit": e.last_commit} for e in sorted(entries, key=_name)},
    }


def _name(entry: Entry) -> str:
    return entry.name


def write_gradebooks(
    csv_path: Path,
    project: str,
    rubric: Sequence[tuple[str, float]],
    entries: Sequence[Entry],
    *,
    deadline: datetime | None = None,
    similarity: SimilarityReport | None = None,
) -> tuple[Path, Path]:
    """Write the CSV at ``csv_path`` and the JSON beside it (same name, ``.json``); return both paths.

    CSV columns: ``submission``, ``score``, ``max_score``, one per rubric item (points earned), then
    ``last_commit``, ``late``, ``late_by_hours`` with a deadline, ``similar_to`` with a similarity
    report (``peer (share); ...``), and last ``learner`` (the world graded in) and ``world_flags`` (what
    did not match it, ``; ``-separated; ``course.grading.world_check``).
    """
    ids = [item_id for item_id, _ in rubric]
    peers = similarity.similar_to() if similarity else {}
    rows = [_row(entry, ids, deadline, peers if similarity else None) for entry in sorted(entries, key=_name)]
    header = ["submission", "score", "max_score", *ids]
    if deadline is not None:
        header += ["last_commit", "late", "late_by_hours"]
    if similarity is not None:
        header.append("similar_to")
    header += ["learner", "world_flags"]

    def write_csv(handle: IO[str]) -> None:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            cells = [row["submission"], row["score"], row["max_score"], *row["earned"].values()]
            if deadline is not None:
                cells += [row["last_commit"], row["late"], row["late_by_hours"]]
            if similarity is not None:
                cells.append("; ".join(f"{p['peer']} ({p['share']:.3f})" for p in row["similar_to"]))
            cells += [row["learner"], "; ".join(row["world_flags"])]
            writer.writerow(cells)

    book: dict[str, Any] = {
        "project": project,
        "rubric": [{"id": item_id, "points": number(points)} for item_id, points in rubric],
        "deadline": format_time(deadline) if deadline else None,
        "similarity": (
            {"threshold": similarity.threshold, "min_overlap": similarity.min_overlap} if similarity else None
        ),
        "submissions": rows,
    }
    json_path = csv_path.with_suffix(".json")
    atomic_write(csv_path, write_csv, newline="")
    atomic_write(json_path, json.dumps(book, indent=2) + "\n")
    return csv_path, json_path


def _row(
    entry: Entry,
    ids: Sequence[str],
    deadline: datetime | None,
    peers: dict[str, list[tuple[str, float]]] | None,
) -> dict[str, Any]:
    earned = {item["id"]: item["earned"] for item in entry.report["items"]}
    row: dict[str, Any] = {
        "submission": entry.name,
        "score": format_points(entry.report["score"]),
        "max_score": format_points(entry.report["max_score"]),
        "earned": {item_id: format_points(earned.get(item_id, 0)) for item_id in ids},
    }
    if deadline is not None:
        committed = entry.last_commit or "unknown"
        late, hours = lateness(committed, deadline)
        row.update(last_commit=committed, late=late, late_by_hours=hours)
    if peers is not None:
        row["similar_to"] = [{"peer": peer, "share": share} for peer, share in peers.get(entry.name, [])]
    row["learner"] = entry.report.get("learner", "default")
    row["world_flags"] = list(entry.report.get("world_flags", []))
    return row
