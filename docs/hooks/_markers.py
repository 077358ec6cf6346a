"""Shared by the docs hooks: replace whole-line markers such as ``<!-- rubric: p1 -->`` outside fenced code.

mkdocs loads hooks by path, not as a package, and a hook's folder is on ``sys.path`` only while mkdocs loads
it: a hook therefore loads this file by path too (``importlib.util.spec_from_file_location``), which also
works when a test loads the hook on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def replace_marker_lines(
    markdown: str, marker: re.Pattern[str], render: Callable[[re.Match[str]], str]
) -> str:
    """Replace each line that ``marker`` matches, outside fenced code, with ``render(match)``.

    A fence closes only with the same character, at least as many times as it opened, so a fence of four
    backticks can show a marker inside an example of three.
    """
    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        fence_match = FENCE.match(line)
        if fence_match:
            opened = fence_match.group(1)
            if fence is None:
                fence = opened
            elif opened[0] == fence[0] and len(opened) >= len(fence):
                fence = None
        match = marker.match(line) if fence is None else None
        out.append(line if match is None else render(match))
    return "\n".join(out)
