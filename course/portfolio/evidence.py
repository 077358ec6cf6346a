"""Evidence: every number of every project's results file, flat, with its interval and its world.

A learner's portfolio quotes numbers; this module says which numbers are theirs. It reads the results file
that each project's manifest names (``reports/metrics.json`` for project 1, ...) from one folder of
projects (the learner's ``projects/`` or ``solutions/``) and flattens it into :class:`Evidence`: the
project, the dotted key (``headline.value``, ``gates.0.difference``), the value, the interval where the
results give one, and the world the numbers come from (``"world"`` in the file, ``"default"`` without).

Intervals are read from the shapes the results files use: ``ci_low``/``ci_high`` or ``low``/``high``
beside a point value (``value``, ``estimate``, ``difference``, ``usd``, ``recall_gap``), ``<name>_low``/
``<name>_high`` beside ``<name>``, and ``<prefix>_intervals: {<name>: [low, high]}`` for ``<prefix>_<name>``.
A project without results yet is listed in :attr:`EvidenceSet.missing` with what to run, never an error.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.errors import CourseError

DEFAULT_WORLD = "default"
MANIFEST = "project.toml"
#: The keys that hold the point estimate in a results object that also has ``ci_low``/``ci_high`` or
#: ``low``/``high``, in order of preference.
POINT_KEYS = ("value", "estimate", "difference", "usd", "recall_gap")
BOUNDS = (("ci_low", "ci_high"), ("low", "high"))


class PortfolioError(CourseError):
    """The portfolio cannot be built: the message names the folder or the file and what to do."""


@dataclass(frozen=True)
class Evidence:
    """One number from a project's results file."""

    project: str  # the project folder: p1_baseline
    name: str  # the dotted key in the results file: headline.value
    value: float
    interval: tuple[float, float] | None = None
    world: str = DEFAULT_WORLD


@dataclass
class EvidenceSet:
    """The evidence of a folder of projects, and the projects that have none yet (with why)."""

    root: Path
    projects: dict[str, str] = field(default_factory=dict)  # folder -> results file (reports/...)
    items: list[Evidence] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)  # folder -> what is wrong and what to run

    def of(self, project: str) -> list[Evidence]:
        """The evidence of one project (folder name)."""
        return [item for item in self.items if item.project == project]

    def get(self, project: str, name: str) -> Evidence | None:
        """The evidence at ``name`` in ``project``'s results, if there is one."""
        return next((e for e in self.items if e.project == project and e.name == name), None)

    def worlds(self) -> dict[str, str]:
        """The world each project's results come from."""
        return {item.project: item.world for item in self.items}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _interval(node: Mapping[str, Any], key: str) -> tuple[float, float] | None:
    pairs = [(f"{key}_low", f"{key}_high")]
    if key in POINT_KEYS and next((k for k in POINT_KEYS if k in node), None) == key:
        pairs += list(BOUNDS)
    for low_key, high_key in pairs:
        low, high = _number(node.get(low_key)), _number(node.get(high_key))
        if low is not None and high is not None:
            return (low, high)
    return None


def _listed_intervals(node: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """``{"auc_point_in_time": (0.793, 0.882)}`` from ``{"auc_intervals": {"point_in_time": [...]}}``."""
    found: dict[str, tuple[float, float]] = {}
    for key, value in node.items():
        if key.endswith("_intervals") and isinstance(value, Mapping):
            prefix = key.removesuffix("_intervals")
            for name, bounds in value.items():
                if isinstance(bounds, list) and len(bounds) == 2:
                    low, high = _number(bounds[0]), _number(bounds[1])
                    if low is not None and high is not None:
                        found[f"{prefix}_{name}"] = (low, high)
    return found


def _walk(node: Any, prefix: str) -> Iterator[tuple[str, float, tuple[float, float] | None]]:
    if isinstance(node, Mapping):
        listed = _listed_intervals(node)
        for key, value in node.items():
            name = f"{prefix}{key}"
            number = _number(value)
            if number is not None:
                yield name, number, _interval(node, str(key)) or listed.get(str(key))
            else:
                yield from _walk(value, f"{name}.")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            number = _number(value)
            if number is not None:
                yield f"{prefix}{index}", number, None
            else:
                yield from _walk(value, f"{prefix}{index}.")


def flatten_results(data: Mapping[str, Any], project: str) -> list[Evidence]:
    """Every number of one results file as evidence of ``project`` (booleans and text are left out)."""
    world = data.get("world")
    world = world if isinstance(world, str) and world else DEFAULT_WORLD
    return [Evidence(project, name, value, interval, world) for name, value, interval in _walk(data, "")]


def _results_name(folder: Path) -> str | None:
    try:
        manifest = tomllib.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    results = manifest.get("results")
    return results if isinstance(results, str) else None


def project_folders(root: Path, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """The project folders of ``root`` (``p<n>_<name>`` with a manifest naming a results file), in order."""
    if not root.is_dir():
        raise PortfolioError(
            f"{root} is not a folder of projects: give the projects/ (or solutions/) folder."
        )
    folders: dict[str, str] = {}
    candidates = [p for p in root.iterdir() if p.is_dir() and p_number(p.name) is not None]
    for folder in sorted(candidates, key=lambda p: (p_number(p.name), p.name)):
        if folder.name in exclude:
            continue
        results = _results_name(folder)
        if results is not None:
            folders[folder.name] = results
    return folders


def p_number(folder: str) -> int | None:
    """``7`` for ``p7_online``; ``None`` for a folder that is not named like a project."""
    head, _, rest = folder.partition("_")
    return int(head[1:]) if head[:1] == "p" and head[1:].isdigit() and rest else None


def collect_evidence(root: Path, exclude: tuple[str, ...] = ()) -> EvidenceSet:
    """The evidence of every project under ``root`` except ``exclude``; missing results are listed."""
    found = EvidenceSet(root=root, projects=project_folders(root, exclude))
    for project, results in found.projects.items():
        path = root / project / results
        if not path.is_file():
            found.missing[project] = f"no results yet: {results} does not exist (run the project's notebook)"
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            found.missing[project] = f"{results} cannot be read ({error}): re-run the project's notebook"
            continue
        if not isinstance(data, dict):
            found.missing[project] = f"{results} does not hold a JSON object: re-run the project's notebook"
            continue
        found.items += flatten_results(data, project)
    return found
