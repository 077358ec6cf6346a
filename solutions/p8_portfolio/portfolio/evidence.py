"""Evidence: every number of every other project's results file, flat, with its interval and its world.

One piece of evidence is a plain dictionary (it travels as JSON, into ``reports/portfolio.json``)::

    {"project": "p1_baseline", "name": "headline.value", "value": 0.3796,
     "interval": [0.3393, 0.4308], "world": "default"}
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

DEFAULT_WORLD = "default"
#: Keys that hold the point estimate when the same object has ``ci_low``/``ci_high`` or ``low``/``high``.
POINT_KEYS = ("value", "estimate", "difference", "usd", "recall_gap")


def _number(value: Any) -> float | None:
    """``value`` as a float when it is a finite number (a boolean is not), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def find_interval(node: dict[str, Any], key: str) -> list[float] | None:
    """The interval ``[low, high]`` of the number at ``key`` in the results object ``node``, if it has one.

    Four shapes count: ``<key>_low``/``<key>_high`` beside ``<key>``; when ``key`` is the object's point
    estimate (the first of :data:`POINT_KEYS` it holds), ``ci_low``/``ci_high`` or ``low``/``high``; and
    ``<prefix>_intervals: {<rest>: [low, high]}`` beside ``<prefix>_<rest>`` (``auc_intervals`` holds the
    interval of ``auc_point_in_time`` under ``point_in_time``).
    """
    # BEGIN SOLUTION
    # HINT: look for <key>_low/<key>_high first; then, if key is the first of POINT_KEYS present in node,
    # HINT: for ci_low/ci_high and low/high. Both bounds must be numbers.
    pairs = [(f"{key}_low", f"{key}_high")]
    if next((k for k in POINT_KEYS if k in node), None) == key:
        pairs += [("ci_low", "ci_high"), ("low", "high")]
    for low_key, high_key in pairs:
        low, high = _number(node.get(low_key)), _number(node.get(high_key))
        if low is not None and high is not None:
            return [low, high]
    for other, listed in node.items():
        prefix = f"{str(other).removesuffix('_intervals')}_"
        if str(other).endswith("_intervals") and isinstance(listed, dict) and key.startswith(prefix):
            bounds = listed.get(key.removeprefix(prefix))
            if isinstance(bounds, list) and len(bounds) == 2:
                low, high = _number(bounds[0]), _number(bounds[1])
                if low is not None and high is not None:
                    return [low, high]
    return None
    # END SOLUTION


def flatten_results(data: dict[str, Any], project: str) -> list[dict[str, Any]]:
    """Every number of one results file as evidence of ``project``, in the file's order.

    ``name`` is the dotted path of the number: ``headline.value``; list positions count from 0
    (``gates.0.difference``). Booleans and text are not evidence. ``interval`` comes from
    :func:`find_interval` (``None`` without one); ``world`` is the file's ``"world"``, ``"default"`` when
    the file has none.
    """
    # BEGIN SOLUTION
    # HINT: walk dictionaries and lists recursively, building the dotted name as you go.
    world = data.get("world")
    world = world if isinstance(world, str) and world else DEFAULT_WORLD
    found: list[dict[str, Any]] = []

    def walk(node: Any, prefix: str) -> None:
        entries = (
            node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        )
        for key, value in entries:
            name = f"{prefix}{key}"
            number = _number(value)
            if number is None:
                walk(value, f"{name}.")
                continue
            interval = find_interval(node, str(key)) if isinstance(node, dict) else None
            found.append(
                {"project": project, "name": name, "value": number, "interval": interval, "world": world}
            )

    walk(data, "")
    return found
    # END SOLUTION


def results_files(root: Path, exclude: str = "") -> dict[str, str]:
    """The results file each project folder under ``root`` names in its ``project.toml``.

    Folders named like ``p1_baseline`` with a manifest, in project order, ``exclude`` left out:
    ``{"p1_baseline": "reports/metrics.json", ...}``.
    """
    # BEGIN SOLUTION
    # HINT: read project.toml with tomllib and keep its "results" key; sort by the number after "p".
    found: dict[str, tuple[int, str]] = {}
    for folder in Path(root).iterdir():
        head, _, rest = folder.name.partition("_")
        if (
            not (folder.is_dir() and head[:1] == "p" and head[1:].isdigit() and rest)
            or folder.name == exclude
        ):
            continue
        manifest = folder / "project.toml"
        if manifest.is_file():
            results = tomllib.loads(manifest.read_text(encoding="utf-8")).get("results")
            if isinstance(results, str):
                found[folder.name] = (int(head[1:]), results)
    return {name: results for name, (_, results) in sorted(found.items(), key=lambda kv: kv[1][0])}
    # END SOLUTION


def collect_evidence(root: Path, exclude: str = "p8_portfolio") -> dict[str, Any]:
    """The evidence of every project under ``root`` (the folder holding your projects), ``exclude`` aside.

    Returns ``{"evidence": [...], "missing": {project: reason}}``. A project whose results file does not
    exist yet, is not valid JSON or does not hold a JSON object is not an error: it goes to ``missing``
    with a reason that names its results file, so the portfolio can say which project has no results yet.
    """
    # BEGIN SOLUTION
    # HINT: results_files() says where each project's results are; flatten_results() reads one.
    evidence: list[dict[str, Any]] = []
    missing: dict[str, str] = {}
    for project, results in results_files(root, exclude).items():
        path = Path(root) / project / results
        if not path.is_file():
            missing[project] = f"no results yet: {results} does not exist"
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            missing[project] = f"{results} is not valid JSON ({error})"
            continue
        if not isinstance(data, dict):
            missing[project] = f"{results} does not hold a JSON object"
            continue
        evidence += flatten_results(data, project)
    return {"evidence": evidence, "missing": missing}
    # END SOLUTION
