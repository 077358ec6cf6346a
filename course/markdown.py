"""Markdown structure shared by the prose linter, the docs hooks and the stories: fences and sections.

Headings come from markdown-it-py's CommonMark parse, so setext headings (``Title`` over ``=====``) count
and a ``#`` line inside fenced code, an HTML block or a block quote does not. Fences are tracked line by
line with the site's dialect in mind: a fence may be indented (pymdownx.superfences nests them in
admonitions and tabs), and it closes only with a bare run of the same character at least as long.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt

FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")


@dataclass(frozen=True)
class Section:
    """A heading and the lines under it, up to the next heading of its level or above.

    ``line`` is the 1-based line of the heading (0 for the text before the first heading); ``body`` holds
    the lines after the heading (after a setext heading's underline), subsections included.
    """

    title: str
    level: int
    line: int
    body: tuple[str, ...]


def outside_fences(lines: Sequence[str]) -> list[bool]:
    """For each line, whether it is outside fenced code (the fence lines themselves count as inside)."""
    flags: list[bool] = []
    fence: str | None = None
    for line in lines:
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            flags.append(False)
        elif fence is not None and match and _closes(match, fence):
            fence = None
            flags.append(False)
        else:
            flags.append(fence is None)
    return flags


def _closes(match: re.Match[str], fence: str) -> bool:
    run = match.group(1)
    return run[0] == fence[0] and len(run) >= len(fence) and not match.group(2).strip()


def replace_marker_lines(
    markdown: str, marker: re.Pattern[str], render: Callable[[re.Match[str]], str]
) -> str:
    """Replace each line that ``marker`` matches, outside fenced code, with ``render(match)``.

    A fence closes only with the same character, at least as many times as it opened, so a fence of four
    backticks can show a marker inside an example of three.
    """
    lines = markdown.split("\n")
    out = []
    for line, outside in zip(lines, outside_fences(lines), strict=True):
        match = marker.match(line) if outside else None
        out.append(line if match is None else render(match))
    return "\n".join(out)


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def headings(markdown: str) -> list[tuple[int, int, int, str]]:
    """``(first line, line after the heading, level, title)`` of each top-level heading (0-based lines)."""
    tokens = _parser().parse(markdown)
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map is not None:
            title = tokens[index + 1].content if index + 1 < len(tokens) else ""
            found.append((token.map[0], token.map[1], int(token.tag[1]), title))
    return found


def sections(markdown: str) -> list[Section]:
    """The text before the first heading (title ``""``, level 0), then every top-level heading's section."""
    lines = markdown.splitlines()
    found = headings(markdown)
    first = found[0][0] if found else len(lines)
    result = [Section("", 0, 0, tuple(lines[:first]))]
    for position, (start, body_start, level, title) in enumerate(found):
        end = next((other for other, _, lvl, _ in found[position + 1 :] if lvl <= level), len(lines))
        result.append(Section(title, level, start + 1, tuple(lines[body_start:end])))
    return result
