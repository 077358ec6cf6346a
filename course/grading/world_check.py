"""Whose world a submission was graded in, and what in it does not match that world.

Every learner works in a world of their own (``course.worlds``): the grader grades a submission in the
world its ``learner.toml`` names, or in the world an instructor pins (``--learner``, or a class roster,
``course.grading.world_roster``). A submission that copied another learner's work, or the worked solution's
default-world numbers, mostly loses points by itself, because the graded tests compare with the pinned
world's oracle; the flags below say why, so an instructor can see it without reading the code:

- the submission's ``learner.toml`` names another learner than the one it is graded as (or is missing);
- a results file the submission ships records another world (``"world"`` in ``reports/*.json``, written
  by the notebooks);
- a class submission is not on the roster (graded in its own ``learner.toml``'s world, which nobody pinned).

Flags never change a score.
"""

from __future__ import annotations

import json
from pathlib import Path

from course.worlds import DEFAULT_ID, LEARNER_FILE, World, learner_of


def _declared(folder: Path) -> tuple[World, bool]:
    """The world the submission's own ``learner.toml`` names, and whether it has one."""
    world = learner_of(folder)
    if not world.is_default:
        return world, True
    has_file = any((c / LEARNER_FILE).is_file() for c in (folder, folder.parent, folder.parent.parent))
    return world, has_file


def results_worlds(folder: Path) -> dict[str, str]:
    """``{relative path: world}`` for each results file in ``folder/reports`` that records its world."""
    found: dict[str, str] = {}
    reports = folder / "reports"
    if not reports.is_dir():
        return found
    for path in sorted(reports.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue  # an unreadable results file costs points in its own tests
        if isinstance(data, dict) and isinstance(data.get("world"), str):
            found[f"reports/{path.name}"] = data["world"]
    return found


def world_flags(folder: Path, graded_as: World, pinned: bool) -> list[str]:
    """What in the submission at ``folder`` does not match ``graded_as``; ``pinned`` when an instructor
    chose the world (``--learner`` or a roster) rather than the submission's own ``learner.toml``."""
    flags: list[str] = []
    folder = folder.resolve()
    declared, has_file = _declared(folder)
    if pinned and declared.learner != graded_as.learner:
        said = f"names learner {declared.learner!r}" if has_file else "is missing (the default world)"
        flags.append(
            f"{LEARNER_FILE} {said}, but this submission is graded as learner {graded_as.learner!r}: "
            "its numbers should come from that learner's world."
        )
    for path, world in results_worlds(folder).items():
        if world != graded_as.learner:
            whose = "the default world" if world == DEFAULT_ID else f"learner {world!r}'s world"
            flags.append(
                f"{path} was written in {whose}, not in the world graded here ({graded_as.label}): "
                "re-run the notebook in your own world (`course init`, then run it top to bottom)."
            )
    return flags
