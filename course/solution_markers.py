"""Solution markers: turn reference source into starter source.

Python (``.py`` files and notebook code cells)::

    def make_split(df):
        \"\"\"The docstring and the signature stay.\"\"\"
        # BEGIN SOLUTION
        # HINT: split by customer, not by row
        ...reference code...
        # END SOLUTION

becomes ``# HINT: ...`` comments plus ``raise NotImplementedError("make_split: <hints>")`` at the block's
indentation. Outside a function the block keeps only the hint comments (plus ``...`` where Python needs a
statement, and always in a notebook cell). Markdown (``.md`` files and notebook Markdown cells):
``<!-- BEGIN SOLUTION -->`` ... ``<!-- END SOLUTION -->`` becomes ``_Your answer here._``.
Markers must stand on their own line; nested or unbalanced markers raise :class:`MarkerError`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from course.errors import CourseError

ANSWER_PROMPT = "_Your answer here._"

_PY_BEGIN = re.compile(r"^[ \t]*#[ \t]*BEGIN SOLUTION[ \t]*$")
_PY_END = re.compile(r"^[ \t]*#[ \t]*END SOLUTION[ \t]*$")
_PY_HINT = re.compile(r"^[ \t]*#[ \t]*HINT:[ \t]*(?P<text>.*?)[ \t]*$")
_MD_BEGIN = re.compile(r"^[ \t]*<!--[ \t]*BEGIN SOLUTION[ \t]*-->[ \t]*$")
_MD_END = re.compile(r"^[ \t]*<!--[ \t]*END SOLUTION[ \t]*-->[ \t]*$")
_ANY_MARKER = re.compile(r"\b(BEGIN|END) SOLUTION\b")
_MAGIC = re.compile(r"^([ \t]*)[%!]")


class MarkerError(CourseError):
    """A solution marker is malformed, nested or unbalanced; the message names the file and line."""


@dataclass(frozen=True)
class _Block:
    begin: int  # 0-based index of the BEGIN line
    end: int  # 0-based index of the END line
    indent: str
    hints: tuple[str, ...]


def has_markers(text: str) -> bool:
    """Whether ``text`` mentions a solution marker at all (well-formed or not)."""
    return _ANY_MARKER.search(text) is not None


def _find_blocks(lines: list[str], begin: re.Pattern[str], end: re.Pattern[str], where: str) -> list[_Block]:
    """Locate marker blocks; reject nesting, unbalanced markers and marker-like lines that do not match."""
    blocks: list[_Block] = []
    open_at: int | None = None
    hints: list[str] = []
    for index, line in enumerate(lines):
        text = line.rstrip("\r\n")
        if begin.match(text):
            if open_at is not None:
                raise MarkerError(
                    f"{where}, line {index + 1}: BEGIN SOLUTION inside the block opened at line "
                    f"{open_at + 1} (blocks cannot nest: close the first one with END SOLUTION)."
                )
            open_at, hints = index, []
        elif end.match(text):
            if open_at is None:
                raise MarkerError(
                    f"{where}, line {index + 1}: END SOLUTION without a BEGIN SOLUTION before it."
                )
            indent = lines[open_at][: len(lines[open_at]) - len(lines[open_at].lstrip(" \t"))]
            blocks.append(_Block(open_at, index, indent, tuple(hints)))
            open_at = None
        elif _ANY_MARKER.search(text) and text.lstrip().startswith(("#", "<!--")):
            raise MarkerError(
                f"{where}, line {index + 1}: malformed solution marker {text.strip()!r}: "
                "write it alone on its line as '# BEGIN SOLUTION' / '# END SOLUTION' (Python) or "
                "'<!-- BEGIN SOLUTION -->' / '<!-- END SOLUTION -->' (Markdown)."
            )
        elif open_at is not None and (match := _PY_HINT.match(text)) and match["text"]:
            hints.append(match["text"])
    if open_at is not None:
        raise MarkerError(f"{where}, line {open_at + 1}: BEGIN SOLUTION is never closed by an END SOLUTION.")
    return blocks


def _mask_magics(source: str) -> str:
    """Replace IPython line magics and shell escapes by ``pass`` so that ``ast`` can parse a cell."""
    return "\n".join(_MAGIC.sub(r"\1pass #", line) for line in source.split("\n"))


def _enclosing_functions(source: str, where: str, notebook: bool) -> dict[int, str]:
    """Map each 1-based line inside a function body to the innermost function's qualified name."""
    try:
        tree = ast.parse(_mask_magics(source) if notebook else source)
    except SyntaxError as error:
        raise MarkerError(
            f"{where}, line {error.lineno}: the solution does not parse as Python: {error.msg}."
        ) from None
    owner: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                for line in range(child.lineno + 1, (child.end_lineno or child.lineno) + 1):
                    owner[line] = name
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return owner


def _string_literal(text: str) -> str:
    """A Python string literal for ``text``: double quotes unless the text holds some and no single quote."""
    text = text.replace("\\", "\\\\")
    if '"' in text and "'" not in text:
        return "'" + text + "'"
    return '"' + text.replace('"', '\\"') + '"'


def _python_replacement(block: _Block, function: str | None, notebook: bool, eol: str) -> list[str]:
    hints = [f"{block.indent}# HINT: {hint}{eol}" for hint in block.hints]
    if function is not None:
        hint = " ".join(block.hints) or "implement this (see the docstring)"
        message = _string_literal(f"{function}: {hint}")
        return [*hints, f"{block.indent}raise NotImplementedError({message}){eol}"]
    if not hints:
        hints = [f"{block.indent}# Your code here.{eol}"]
    if notebook or block.indent:
        return [*hints, f"{block.indent}...{eol}"]
    return hints


def _eol(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


def _keep_final_newline(out: list[str], end_line: str) -> None:
    """A block that ends the text without a newline is replaced without a trailing newline."""
    if not end_line.endswith(("\n", "\r")) and out:
        out[-1] = out[-1].rstrip("\r\n")


def strip_python(source: str, where: str, *, notebook: bool = False) -> str:
    """Return the starter version of Python ``source`` (a ``.py`` file or a notebook code cell).

    ``where`` names the source in error messages (``solutions/p1/x.py`` or ``x.ipynb cell 3``).
    """
    lines = source.splitlines(keepends=True)
    blocks = _find_blocks(lines, _PY_BEGIN, _PY_END, where)
    if not blocks:
        return source
    if notebook and source.lstrip().startswith("%%"):
        owners: dict[int, str] = {}
    else:
        owners = _enclosing_functions(source, where, notebook)
    out: list[str] = []
    cursor = 0
    for block in blocks:
        out.extend(lines[cursor : block.begin])
        eol = _eol(lines[block.begin])
        out.extend(_python_replacement(block, owners.get(block.begin + 1), notebook, eol))
        _keep_final_newline(out, lines[block.end])
        cursor = block.end + 1
    out.extend(lines[cursor:])
    starter = "".join(out)
    if not (notebook and source.lstrip().startswith("%%")):
        try:
            ast.parse(_mask_magics(starter) if notebook else starter)
        except SyntaxError as error:
            raise MarkerError(
                f"{where}: the starter would not parse after removing the solution "
                f"(line {error.lineno}: {error.msg}); keep statements that Python needs outside the block."
            ) from None
    return starter


def strip_markdown(source: str, where: str) -> str:
    """The starter version of Markdown ``source``: each answer block becomes ``_Your answer here._``."""
    lines = source.splitlines(keepends=True)
    blocks = _find_blocks(lines, _MD_BEGIN, _MD_END, where)
    out: list[str] = []
    cursor = 0
    for block in blocks:
        out.extend(lines[cursor : block.begin])
        out.append(f"{block.indent}{ANSWER_PROMPT}{_eol(lines[block.begin])}")
        _keep_final_newline(out, lines[block.end])
        cursor = block.end + 1
    out.extend(lines[cursor:])
    return "".join(out)


def solution_lines(source: str, where: str, *, markdown: bool = False) -> list[str]:
    """The lines inside ``source``'s solution blocks (the answer a starter must not carry), stripped of
    surrounding whitespace, without the markers and the ``# HINT:`` lines (which the starter keeps)."""
    lines = source.splitlines()
    begin, end = (_MD_BEGIN, _MD_END) if markdown else (_PY_BEGIN, _PY_END)
    found: list[str] = []
    for block in _find_blocks(lines, begin, end, where):
        for line in lines[block.begin + 1 : block.end]:
            if not _PY_HINT.match(line) and line.strip():
                found.append(line.strip())
    return found
