"""Replace whole-line markers such as ``<!-- rubric: p1 -->`` outside fenced code (for the docs hooks).

The site's hooks (``docs/hooks/``) are loaded by mkdocs from their paths, not as a package; they share this
loop by importing it from the installed ``course`` package, as they import the rest of what they render.
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
