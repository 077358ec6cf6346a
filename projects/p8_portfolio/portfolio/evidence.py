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
    # HINT: look for <key>_low/<key>_high first; then, if key is the first of POINT_KEYS present in node,
    # HINT: for ci_low/ci_high and low/high. Both bounds must be numbers.
    raise NotImplementedError("find_interval: look for <key>_low/<key>_high first; then, if key is the first of POINT_KEYS present in node, for ci_low/ci_high and low/high. Both bounds must be numbers.")


def flatten_results(data: dict[str, Any], project: str) -> list[dict[str, Any]]:
    """Every number of one results file as evidence of ``project``, in the file's order.

    ``name`` is the dotted path of the number: ``headline.value``; list positions count from 0
    (``gates.0.difference``). Booleans and text are not evidence. ``interval`` comes from
    :func:`find_interval` (``None`` without one); ``world`` is the file's ``"world"``, ``"default"`` when
    the file has none.
    """
    # HINT: walk dictionaries and lists recursively, building the dotted name as you go.
    raise NotImplementedError("flatten_results: walk dictionaries and lists recursively, building the dotted name as you go.")


def results_files(root: Path, exclude: str = "") -> dict[str, str]:
    """The results file each project folder under ``root`` names in its ``project.toml``.

    Folders named like ``p1_baseline`` with a manifest, in project order, ``exclude`` left out:
    ``{"p1_baseline": "reports/metrics.json", ...}``.
    """
    # HINT: read project.toml with tomllib and keep its "results" key; sort by the number after "p".
    raise NotImplementedError('results_files: read project.toml with tomllib and keep its "results" key; sort by the number after "p".')


def collect_evidence(root: Path, exclude: str = "p8_portfolio") -> dict[str, Any]:
    """The evidence of every project under ``root`` (the folder holding your projects), ``exclude`` aside.

    Returns ``{"evidence": [...], "missing": {project: reason}}``. A project whose results file does not
    exist yet, is not valid JSON or does not hold a JSON object is not an error: it goes to ``missing``
    with a reason that names its results file, so the portfolio can say which project has no results yet.
    """
    # HINT: results_files() says where each project's results are; flatten_results() reads one.
    raise NotImplementedError("collect_evidence: results_files() says where each project's results are; flatten_results() reads one.")
