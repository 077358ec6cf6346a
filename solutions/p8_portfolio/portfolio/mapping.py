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
    # BEGIN SOLUTION
    # HINT: parse the digits written (how many decimals?), then compare with math.isclose and with
    # HINT: half a unit of the last digit written; divide a percentage by 100 (two more decimals).
    match = FIGURE.search(figure)
    if match is None:
        return False
    digits = match["digits"].replace(",", "")
    written = float(digits) * (-1 if match["sign"] in ("-", "−") else 1)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    candidates = [(written, decimals)]
    if match["pct"]:
        candidates = [(written / 100, decimals + 2), *candidates]
    for candidate, places in candidates:
        if math.isclose(candidate, value, rel_tol=REL_TOL, abs_tol=1e-9):
            return True
        significant = math.floor(math.log10(abs(candidate))) + 1 + places if candidate else 1
        if significant >= 2 and abs(candidate - value) <= 0.5 * 10.0 ** (-places) * (1 + 1e-9):
            return True
    return False
    # END SOLUTION


def project_of(cell: str, projects: list[str]) -> str | None:
    """The project folder a table cell names: ``p2``, ``p2_serving`` or ``Project 2`` -> ``p2_serving``."""
    # BEGIN SOLUTION
    # HINT: find the project's number in the cell, then the folder of projects that starts with p<number>_.
    match = re.search(r"(?<!\w)(?:p|project\s*)(\d+)", cell, re.IGNORECASE)
    if match is None:
        return None
    return next((p for p in projects if p.split("_")[0] == f"p{int(match.group(1))}"), None)
    # END SOLUTION


def map_requirements(rows: list[dict[str, str]], evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each requirement row ``{"requirement", "project", "number"}`` with the evidence it quotes.

    Adds ``"evidence"``: the name of the piece of evidence *of the project the row names* that the row's
    number states (see :func:`states`), the closest one when several do (the first in the results file on
    a tie), or ``None`` when the project is unknown or none of its numbers is the one written (a number
    from another project does not count).
    """
    # BEGIN SOLUTION
    # HINT: resolve the project with project_of() over the projects that have evidence; then search only
    # HINT: that project's evidence.
    projects = list(dict.fromkeys(item["project"] for item in evidence))
    mapped = []
    for row in rows:
        project, figure = project_of(row.get("project", ""), projects), row.get("number", "")
        match = FIGURE.search(figure)
        stated = [i for i in evidence if i["project"] == project and states(figure, i["value"])]
        if match is not None and stated:
            written = float(match["digits"].replace(",", "")) * (-1 if match["sign"] in ("-", "−") else 1)
            scale = 100 if match["pct"] else 1
            stated.sort(key=lambda i: min(abs(i["value"] - written), abs(i["value"] * scale - written)))
        mapped.append({**row, "evidence": stated[0]["name"] if stated else None})
    return mapped
    # END SOLUTION


def format_with_interval(item: dict[str, Any], digits: int = 3) -> str:
    """``0.380 [0.339, 0.431]``: the value and, when the evidence has one, its interval, to ``digits``."""
    # BEGIN SOLUTION
    # HINT: f"{value:.{digits}f}"; add the interval in square brackets only when there is one.
    text = f"{item['value']:.{digits}f}"
    if item.get("interval"):
        low, high = item["interval"]
        text += f" [{low:.{digits}f}, {high:.{digits}f}]"
    return text
    # END SOLUTION
