"""Similarity across a class: which pairs of submissions share code that the starter did not give them.

Each submission's code is its project package's ``.py`` files and its notebooks' code cells (in path
order). copydetect (the winnowing fingerprints of Stanford's MOSS, on pygments tokens with names and
strings normalised) fingerprints it, with the course's starter of the same project as boilerplate, so
that the untouched starter is similar to nothing. Every k-gram is kept (window 1): the overlap then does
not depend on Python's string hashing, so the report is the same in every process and on every machine.

A pair is flagged when the larger of its two shares (overlapping tokens over each side's tokens) reaches
``threshold`` and the overlap has at least ``min_overlap`` tokens. A flag asks a person to read both
submissions; it proves nothing, and nothing is deducted for it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from course.files import atomic_write
from course.projects import get_project

NOISE_TOKENS = 25  # copydetect's default noise threshold k: shorter matches are ignored
THRESHOLD = 0.5
MIN_OVERLAP = 150  # characters of normalised code (about five lines): a shared idiom is not flagged


@dataclass(frozen=True)
class Pair:
    """Two submissions (``a`` < ``b``), the larger share of either one's code found in the other."""

    a: str
    b: str
    score: float
    overlap: int


@dataclass
class SimilarityReport:
    """The flagged pairs of a class, and what was compared."""

    project: str
    threshold: float
    min_overlap: int
    compared: list[str]
    pairs: list[Pair] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def similar_to(self) -> dict[str, list[tuple[str, float]]]:
        """Each flagged submission's peers with the pair's score, highest first."""
        peers: dict[str, list[tuple[str, float]]] = {}
        for pair in self.pairs:
            peers.setdefault(pair.a, []).append((pair.b, pair.score))
            peers.setdefault(pair.b, []).append((pair.a, pair.score))
        return {name: sorted(found, key=lambda p: (-p[1], p[0])) for name, found in peers.items()}

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``similarity.json``."""
        return {
            "project": self.project,
            "method": f"copydetect fingerprints, k={NOISE_TOKENS} tokens, window 1, starter as boilerplate",
            "threshold": self.threshold,
            "min_overlap": self.min_overlap,
            "compared": self.compared,
            "pairs": [vars(pair) for pair in self.pairs],
            "notes": self.notes,
        }


def project_code(folder: Path, package: str, notebooks: Sequence[str]) -> tuple[str, list[str]]:
    """The package's ``.py`` files and the notebooks' code cells as one text; notes on what was unreadable."""
    parts, notes = [], []
    for path in sorted((folder / package).rglob("*.py")) if (folder / package).is_dir() else []:
        if "__pycache__" not in path.parts:
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    for name in notebooks:
        path = folder / name
        if not path.is_file():
            continue
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            parts += ["".join(c["source"]) for c in cells if c.get("cell_type") == "code"]
        except (ValueError, KeyError, TypeError):
            notes.append(f"{path}: not a readable notebook, its cells were not compared")
    return "\n".join(parts), notes


def fingerprint(code: str, boilerplate: Any = None) -> Any:
    """copydetect's fingerprint of Python ``code``, every k-gram kept, ``boilerplate`` hashes removed."""
    from copydetect import CodeFingerprint

    return CodeFingerprint("code.py", NOISE_TOKENS, 1, boilerplate=boilerplate, fp=io.StringIO(code))


def find_similar(
    project: str,
    folders: dict[str, Path | None],
    starter: Path,
    *,
    root: Path | None = None,
    threshold: float = THRESHOLD,
    min_overlap: int = MIN_OVERLAP,
) -> SimilarityReport:
    """Compare every pair of ``folders`` (name -> project folder, None when it has none)."""
    import numpy as np
    from copydetect import compare_files

    manifest = get_project(project, root)
    starter_code, _ = project_code(starter, manifest.package, manifest.notebooks)
    boilerplate = np.array(sorted(fingerprint(starter_code).hashes), dtype=np.int64)
    report = SimilarityReport(project, threshold, min_overlap, compared=[])
    if not starter.is_dir():
        report.notes.append(f"{starter}: no starter to discount, so the code every learner got counts too")
    prints = {}
    for name in sorted(folders):
        folder = folders[name]
        if folder is None:
            report.notes.append(f"{name}: no project folder, not compared")
            continue
        code, notes = project_code(folder, manifest.package, manifest.notebooks)
        report.notes += notes
        prints[name] = fingerprint(code, boilerplate)
        report.compared.append(name)
    for a, b in combinations(report.compared, 2):
        overlap, (share_a, share_b), _ = compare_files(prints[a], prints[b])
        score = round(float(max(share_a, share_b)), 3)
        if score >= threshold and int(overlap) >= min_overlap:
            report.pairs.append(Pair(a, b, score, int(overlap)))
    report.pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    return report


def write_similarity(report: SimilarityReport, out: Path) -> list[Path]:
    """Write ``similarity.json`` and ``similarity.md`` into ``out``."""
    lines = [
        f"# Similarity: {report.project}",
        "",
        f"{len(report.compared)} submissions compared; pairs whose shared code (beyond the starter) reaches "
        f"{report.threshold:g} of either side and {report.min_overlap} characters of normalised code are "
        "listed. A flag asks you to read both submissions: it is not proof of copying, and no points are "
        "deducted for it.",
        "",
        "| Submission | Submission | Share | Shared (normalised characters) |",
        "|---|---|---:|---:|",
        *(f"| {p.a} | {p.b} | {p.score:.3f} | {p.overlap} |" for p in report.pairs),
    ]
    if not report.pairs:
        lines.append("| (no pair above the threshold) | | | |")
    if report.notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in report.notes)]
    return [
        atomic_write(out / "similarity.json", json.dumps(report.to_dict(), indent=2) + "\n"),
        atomic_write(out / "similarity.md", "\n".join(lines) + "\n"),
    ]
