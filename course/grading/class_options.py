"""What a class run records besides the reports: its options, checked before grading, and its files.

A class run with ``--out`` writes ``shard.json`` (the shard, the class, the rubric, the commit times),
the gradebook (``grades.csv`` and ``grades.json``) and, with ``--similarity``, ``similarity.json`` and
``similarity.md``. Without ``--shard`` it is shard ``0/1``, so one machine's folder merges like any other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from course.errors import CourseError
from course.files import atomic_write
from course.grading.classroom import Submission, class_entries, class_similarity, rubric_points
from course.grading.gradebook import CSV_NAME, MANIFEST, manifest, write_gradebooks
from course.grading.lateness import parse_deadline
from course.grading.reports import GradeReport
from course.grading.rubric import Rubric
from course.grading.shards import WHOLE, Shard, parse_shard
from course.grading.similarity import write_similarity
from course.grading.world_roster import read_world_roster


@dataclass(frozen=True)
class ClassOptions:
    """``--shard``, ``--deadline``, ``--similarity`` and ``--roster`` of a class run, parsed."""

    shard: Shard = WHOLE
    deadline: datetime | None = None
    similarity: bool = False
    threshold: float = 0.5
    roster: dict[str, str] | None = None  # --roster: {submission: learner id}

    @classmethod
    def parse(
        cls,
        shard: str | None,
        deadline: str | None,
        similarity: bool,
        threshold: float,
        out: Path | None,
        roster: Path | None = None,
    ) -> ClassOptions:
        """Check the options before any grading starts; errors name the option and the value."""
        parsed = parse_shard(shard) if shard is not None else WHOLE
        if shard is not None and out is None:
            raise CourseError(f"--shard {shard}: add --out DIR, the folder `course gradebook merge` reads.")
        if similarity and parsed.count > 1:
            raise CourseError(
                f"--similarity with --shard {shard}: a shard sees part of the class; compare the whole "
                "class when merging (`course gradebook merge ... --submissions DIR`)."
            )
        if not 0 < threshold <= 1:
            raise CourseError(f"--similarity-threshold {threshold}: give a share between 0 and 1.")
        when = parse_deadline(deadline) if deadline is not None else None
        pinned = read_world_roster(roster) if roster is not None else None
        return cls(parsed, when, similarity, threshold, pinned)


def record_class(
    project: str,
    rubric: Rubric,
    everyone: Sequence[Submission],
    graded: Sequence[Submission],
    reports: Sequence[GradeReport],
    options: ClassOptions,
    out: Path | None,
    gradebook: Path | None,
) -> list[Path]:
    """Write the gradebook, and with ``out`` the shard manifest and the similarity report; return paths."""
    entries = class_entries(graded, reports, options.deadline)
    similar = class_similarity(project, everyone, threshold=options.threshold) if options.similarity else None
    points = rubric_points(rubric)
    written = list(
        write_gradebooks(
            gradebook or (out or Path.cwd()) / CSV_NAME,
            project,
            points,
            entries,
            deadline=options.deadline,
            similarity=similar,
        )
    )
    if out is not None:
        names = [sub.name for sub in everyone]
        data = manifest(project, points, options.shard, names, entries, options.deadline)
        written.append(atomic_write(out / MANIFEST, json.dumps(data, indent=2) + "\n"))
        if similar is not None:
            written += write_similarity(similar, out)
    return written
