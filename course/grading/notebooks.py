"""What the grader does to a submission's notebooks before running them: every code cell must run.

nbval skips a cell tagged ``nbval-skip`` (or commented ``# NBVAL_SKIP``) and passes a cell tagged
``raises-exception`` (or ``# NBVAL_RAISES_EXCEPTION``) when it fails: a learner's notebook could earn its
points without running. The grader removes those tags and comments from the sandbox copy (the reference
notebooks use none), and says so in the report's notes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SKIP_TAGS = frozenset({"nbval-skip", "raises-exception", "nbval-raises-exception"})
SKIP_COMMENT = re.compile(r"^\s*#\s*(NBVAL_SKIP|NBVAL_RAISES_EXCEPTION)\s*$")


def run_every_cell(path: Path, shown: str) -> list[str]:
    """Remove skip and expected-exception controls from the notebook at ``path``; return notes."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # nbval reports an unreadable notebook itself
    changed: list[int] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        touched = False
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if isinstance(tags, list) and SKIP_TAGS & set(map(str, tags)):
            metadata["tags"] = [tag for tag in tags if tag not in SKIP_TAGS]
            touched = True
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        lines = text.splitlines(keepends=True)
        kept = [line for line in lines if not SKIP_COMMENT.match(line)]
        if len(kept) != len(lines):
            cell["source"] = "".join(kept)
            touched = True
        if touched:
            changed.append(number)
    if not changed:
        return []
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    cells_text = ", ".join(map(str, changed))
    return [
        f"{shown}: cell(s) {cells_text} were marked to be skipped or to raise (nbval-skip, raises-exception, "
        "NBVAL_SKIP, NBVAL_RAISES_EXCEPTION); the grader ignores those marks and runs every cell"
    ]
