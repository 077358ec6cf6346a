"""Which of your numbers a written figure states, and a job's requirements mapped onto your evidence."""

from __future__ import annotations

import math
import re
from typing import Any

#: A number as people write it: ``0.380``, ``-2,662``, ``5.2 %``, ``1966``.
FIGURE = re.compile(r"(?P<sign>[-+−])?(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<pct>\s?%)?")
REL_TOL = 0.01


def states(figure: str, value: float) -> bool:
    """Whether the written ``figure`` states ``value``.

    It does when the figure is ``value`` rounded to the digits written (``0.380`` and ``0.38`` state
    0.3796), given at least two significant digits (``0.4`` does not), or when it is within 1 % of
    ``value``. A percentage states the fraction (``5.2 %`` states 0.0517). Thousands separators are
    allowed (``1,966``); a figure with no number in it states nothing.
    """
    # HINT: parse the digits written (how many decimals?), then compare with math.isclose and with
    # HINT: half a unit of the last digit written; divide a percentage by 100 (two more decimals).
    raise NotImplementedError("states: parse the digits written (how many decimals?), then compare with math.isclose and with half a unit of the last digit written; divide a percentage by 100 (two more decimals).")


def project_of(cell: str, projects: list[str]) -> str | None:
    """The project folder a table cell names: ``p2``, ``p2_serving`` or ``Project 2`` -> ``p2_serving``."""
    # HINT: find the project's number in the cell, then the folder of projects that starts with p<number>_.
    raise NotImplementedError("project_of: find the project's number in the cell, then the folder of projects that starts with p<number>_.")


def map_requirements(rows: list[dict[str, str]], evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each requirement row ``{"requirement", "project", "number"}`` with the evidence it quotes.

    Adds ``"evidence"``: the name of the piece of evidence *of the project the row names* that the row's
    number states (see :func:`states`), the closest one when several do (the first in the results file on
    a tie), or ``None`` when the project is unknown or none of its numbers is the one written (a number
    from another project does not count).
    """
    # HINT: resolve the project with project_of() over the projects that have evidence; then search only
    # HINT: that project's evidence.
    raise NotImplementedError("map_requirements: resolve the project with project_of() over the projects that have evidence; then search only that project's evidence.")


def format_with_interval(item: dict[str, Any], digits: int = 3) -> str:
    """``0.380 [0.339, 0.431]``: the value and, when the evidence has one, its interval, to ``digits``."""
    # HINT: f"{value:.{digits}f}"; add the interval in square brackets only when there is one.
    raise NotImplementedError('format_with_interval: f"{value:.{digits}f}"; add the interval in square brackets only when there is one.')
