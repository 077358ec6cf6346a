"""Markdown structure: headings from a CommonMark parse, fences in the site's dialect, marker lines."""

from __future__ import annotations

import re

from course.markdown import outside_fences, replace_marker_lines, sections

DOC = """Intro line.

# Title

Setext section
--------------

Body with a number 3.

```python
# a comment, not a heading
```

<div>
# inside an HTML block
</div>

> # a heading in a prompt is not a section

## Last
tail
"""


def test_sections_follow_atx_and_setext_headings_only_at_the_top_level() -> None:
    found = [(s.title, s.level) for s in sections(DOC)]
    assert found == [("", 0), ("Title", 1), ("Setext section", 2), ("Last", 2)]


def test_a_section_runs_to_the_next_heading_of_its_level_or_above() -> None:
    by_title = {s.title: s for s in sections(DOC)}
    assert by_title["Setext section"].line == 5
    assert "Body with a number 3." in by_title["Setext section"].body
    assert "--------------" not in by_title["Setext section"].body
    assert by_title["Title"].body[-1] == "tail", "a level-1 section includes its subsections"


def test_fences_may_be_indented_and_close_only_on_a_bare_run_as_long() -> None:
    lines = ["a", "    ````md", "    ```python", "    x", "    ```", "    ````", "b"]
    assert outside_fences(lines) == [True, False, False, False, False, False, True]


def test_marker_lines_are_replaced_outside_fences_only() -> None:
    text = "<!-- m: 1 -->\n```\n<!-- m: 2 -->\n```\n"
    out = replace_marker_lines(text, re.compile(r"<!-- m: (\d) -->"), lambda m: f"[{m.group(1)}]")
    assert out == "[1]\n```\n<!-- m: 2 -->\n```\n"
