"""``course gradebook merge``: the shards' ``--out`` folders combined into the class's gradebook.

Every shard folder holds ``shard.json`` (see :mod:`course.grading.gradebook`) and ``<submission>/grade.json``
for each submission it graded. The merge refuses, naming the folders or files: a folder without a
readable manifest, shards of different projects, rubrics, deadlines, classes or shard counts, the same
shard or the same submission twice, a missing shard, and a listed submission without a readable report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from course.grading.gradebook import FORMAT, MANIFEST, Entry, GradebookError
from course.grading.lateness import parse_deadline
from course.grading.shards import Shard


@dataclass
class ShardRun:
    """One shard folder: its manifest's facts and its entries."""

    folder: Path
    project: str
    rubric: list[tuple[str, float]]
    shard: Shard
    names: list[str]
    deadline: str | None
    entries: list[Entry]


@dataclass
class Merged:
    """The class as the shards graded it, ready for :func:`~course.grading.gradebook.write_gradebooks`."""

    project: str
    rubric: list[tuple[str, float]]
    names: list[str]
    deadline: datetime | None
    entries: list[Entry]


def read_json(path: Path) -> Any:
    """The JSON in ``path``; a missing or malformed file raises :class:`GradebookError` naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GradebookError(f"{path}: missing.") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise GradebookError(f"{path}: not valid JSON ({error}).") from None


def read_shard(folder: Path) -> ShardRun:
    """Read a shard folder's manifest and every report it lists."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise GradebookError(f"{folder}: not a folder.")
    if not path.is_file():
        raise GradebookError(f"{folder}: no {MANIFEST}; give the --out folder of a `course grade` class run.")
    data = read_json(path)
    try:
        if data["format"] != FORMAT:
            raise GradebookError(f"{path}: format {data['format']!r}, this course reads {FORMAT!r}.")
        shard = Shard(int(data["shard"]["index"]), int(data["shard"]["count"]))
        rubric = [(str(item["id"]), float(item["points"])) for item in data["rubric"]]
        names = [str(name) for name in data["class"]]
        listed = {str(name): facts["last_commit"] for name, facts in data["submissions"].items()}
        project, deadline = str(data["project"]), data["deadline"]
    except (KeyError, TypeError, ValueError) as error:
        raise GradebookError(f"{path}: malformed shard manifest ({type(error).__name__}: {error}).") from None
    entries = [Entry(name, _report(folder / name / "grade.json", name), listed[name]) for name in listed]
    return ShardRun(folder, project, rubric, shard, names, deadline, entries)


def _report(path: Path, name: str) -> dict[str, Any]:
    data = read_json(path)
    try:
        float(data["score"]), float(data["max_score"])
        for item in data["items"]:
            str(item["id"]), float(item["earned"])
    except (KeyError, TypeError, ValueError) as error:
        raise GradebookError(
            f"{path}: malformed report of submission {name} ({type(error).__name__}: {error})."
        ) from None
    return data


def merge_shards(folders: Sequence[Path]) -> Merged:
    """Check that ``folders`` are all the shards of one class run, once each; return the class."""
    if not folders:
        raise GradebookError("give the --out folders of the shards to merge.")
    runs = [read_shard(Path(folder)) for folder in folders]
    first = runs[0]
    for run in runs[1:]:
        for what, mine, theirs in (
            ("project", run.project, first.project),
            ("rubric (item ids and points)", run.rubric, first.rubric),
            ("number of shards", run.shard.count, first.shard.count),
            ("deadline", run.deadline, first.deadline),
            ("class (the submission names)", run.names, first.names),
        ):
            if mine != theirs:
                raise GradebookError(
                    f"{run.folder} and {first.folder} differ in their {what}: {_brief(mine)} vs "
                    f"{_brief(theirs)}; merge only the shards of one run."
                )
    seen: dict[int, Path] = {}
    owner: dict[str, Path] = {}
    for run in runs:
        if run.shard.index in seen:
            raise GradebookError(f"{seen[run.shard.index]} and {run.folder} are both shard {run.shard}.")
        seen[run.shard.index] = run.folder
        for entry in run.entries:
            if entry.name in owner:
                raise GradebookError(
                    f"submission {entry.name} is in two shards: {owner[entry.name]} and {run.folder}."
                )
            owner[entry.name] = run.folder
    count = first.shard.count
    missing = [f"{index}/{count}" for index in range(count) if index not in seen]
    if missing:
        raise GradebookError(
            f"missing shard {', '.join(missing)} of {count}: give every shard's --out folder."
        )
    ungraded = sorted(set(first.names) - set(owner))
    if ungraded:
        raise GradebookError(
            f"no shard graded {len(ungraded)} submission(s) of the class: {', '.join(ungraded)}."
        )
    strays = sorted(set(owner) - set(first.names))
    if strays:
        raise GradebookError(f"{owner[strays[0]]} graded {strays[0]}, which is not in the class it lists.")
    deadline = parse_deadline(first.deadline) if first.deadline else None
    entries = [entry for run in runs for entry in run.entries]
    return Merged(first.project, first.rubric, first.names, deadline, entries)


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
