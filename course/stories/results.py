"""Reading a project's results and written answers, formatting the values, and the facts a story quotes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.errors import CourseError
from course.markdown import headings
from course.solution_markers import ANSWER_PROMPT


class StoriesError(CourseError):
    """A draft cannot be written; the message names the file, the key or the command that fixes it."""


def _fold(text: str) -> str:
    """One paragraph: the line breaks and indentation of a triple-quoted string become single spaces."""
    return " ".join(text.split())


def format_score(value: float) -> str:
    """A metric in [0, 1] as the drafts quote it: three decimals (``0.3796`` -> ``0.380``)."""
    return f"{value:.3f}"


def format_share(value: float) -> str:
    """A fraction as a percentage with at most one decimal (``0.0517`` -> ``5.2 %``, ``0.05`` -> ``5 %``)."""
    return f"{round(value * 100, 1):g} %"


def format_amount(value: float, unit: str = "") -> str:
    """A count or an amount with thousands separators and no decimals (``-2662`` -> ``-2,662``)."""
    return f"{'-' if value < 0 else ''}{unit}{abs(value):,.0f}"


def format_quantity(value: float) -> str:
    """A measured quantity: whole numbers as counts, others with one decimal (``52.1``, ``60``)."""
    return format_amount(value) if float(value).is_integer() else f"{value:,.1f}"


FORMATS: dict[str, Callable[[Any], str]] = {
    "score": format_score,
    "share": format_share,
    "amount": format_amount,
    "usd": lambda value: format_amount(value, "$"),
    "qty": format_quantity,
    "num": lambda value: f"{value:g}",
    "text": str,
}


def _shown(path: Path) -> str:
    """``path`` relative to the current directory when it is below it, for messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Results:
    """One results file of a project, with lookups whose errors name the file and the key."""

    name: str  # e.g. "reports/metrics.json"
    folder: Path
    producer: str  # what writes it, e.g. "run baseline.ipynb top to bottom"
    data: Mapping[str, Any]

    def error(self, problem: str) -> StoriesError:
        """An error about this file that says how to rewrite it."""
        return StoriesError(f"{self.name} in {_shown(self.folder)} {problem}: {self.producer} to rewrite it.")

    def get(self, key: str) -> Any:
        """The value at a dotted ``key`` (``models.boosting.pr_auc``)."""
        value: Any = self.data
        for part in key.split("."):
            if not isinstance(value, Mapping) or part not in value:
                raise self.error(f"has no key {key!r}")
            value = value[part]
        return value

    def listed(self, key: str, kind: type = list) -> Any:
        """The list (or, with ``kind=Mapping``, the object) at ``key``; anything else names the key."""
        value = self.get(key)
        if not isinstance(value, kind):
            raise self.error(
                f"has {value!r} at {key!r} where a {'list' if kind is list else 'JSON object'} belongs"
            )
        return value

    def number(self, key: str) -> float:
        """The number at ``key``; anything else is an error naming the key."""
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(f"has {value!r} at {key!r} where a number belongs")
        return float(value)


def load_results(folder: Path, name: str, producer: str) -> Results:
    """Read the JSON results ``name`` of the project in ``folder``; refuse clearly when they are missing."""
    path = folder / name
    if not path.is_file():
        raise StoriesError(f"{name} not found in {_shown(folder)}: {producer} first.")
    results = Results(name, folder, producer, {})
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise results.error(
            f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    if not isinstance(data, dict):
        raise results.error("should hold a JSON object")
    return Results(name, folder, producer, data)


@dataclass(frozen=True)
class Answer:
    """A written answer a story draws on: the file, the question as shown, a phrase that locates it."""

    file: str
    question: str
    locate: str


_QUESTION = re.compile(r"^\*\*Q\d")  # a bold question line ends an answer like a heading
_COMMENT_LINE = re.compile(r"^\s*<!--.*-->\s*$")


def read_answer(folder: Path, answer: Answer) -> str | None:
    """The learner's answer to a question of a Markdown file, or ``None`` while it is not written.

    The answer is the text after the paragraph that contains ``answer.locate``, up to the next heading (or
    the next ``**Q<n>`` question); prompt lines (``>``), HTML comments and the answer prompt are left out.
    """
    path = folder / answer.file
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    starts = {start for start, *_ in headings(text)}
    index = next((i for i, line in enumerate(lines) if answer.locate in line), len(lines))
    while index < len(lines) and lines[index].strip():
        index += 1
    body: list[str] = []
    for number, line in enumerate(lines[index:], start=index):
        if number in starts or _QUESTION.match(line):
            break
        if not (line.lstrip().startswith(">") or _COMMENT_LINE.match(line) or line.strip() == ANSWER_PROMPT):
            body.append(line.rstrip())
    return "\n".join(body).strip() or None


# ----------------------------------------------------------------------------------------------------------
# Facts: the values a story quotes, read from the results, each with its label and where it comes from.


@dataclass(frozen=True)
class Fact:
    """One value a story quotes, formatted as the draft prints it, with its label and its source."""

    value: str
    label: str = ""
    source: str = ""

    @property
    def in_table(self) -> bool:
        """Whether the fact belongs in the "Numbers to have ready" table (it has a label)."""
        return bool(self.label)


Facts = dict[str, Fact]


def _fill(text: str, facts: Facts) -> str:
    return _fold(text).format_map({name: fact.value for name, fact in facts.items()})
