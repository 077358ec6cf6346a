"""What a project's stories are made of, and which projects tell them.

Each project with ``stories = true`` in its manifest has a module ``course/stories/<id>.py`` that holds
its ``TABLE`` of facts (``name key format label`` lines read from its results file), its ``facts``
function (the table plus what a table cannot say) and its ``STORIES``. The manifest says where the
results file is and which notebook writes it.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from course.stories.results import FORMATS, Answer, Fact, Facts, Results


@dataclass(frozen=True)
class ProjectStory:
    """A template told about one project: the prompt, the STAR text, follow-ups with what to say, answers."""

    story: str
    prompt: str
    star: tuple[str, str, str, str]
    follow_ups: tuple[tuple[str, str], ...]
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class ProjectSpec:
    """Where a project's results are, what writes them, how to read its facts, and its stories."""

    results: str
    producer: str
    facts: Callable[[Results], Facts]
    stories: tuple[ProjectStory, ...]


def readme_answer(question: str, locate: str = "") -> Answer:
    """The learner's answer to ``question`` in the project's README (found by ``locate``)."""
    return Answer("README.md", question, locate or question)


def read_table(r: Results, table: str, **context: str) -> Facts:
    """Facts from ``name key format label`` lines; ``{field}`` in a key comes from ``context``.

    A label ``-`` marks a fact the texts quote but the numbers table leaves out.
    """
    facts: Facts = {}
    for line in filter(str.strip, table.splitlines()):
        name, key, kind, label = line.split(maxsplit=3)
        key = key.format(**context)
        value = r.get(key) if kind == "text" else r.number(key)
        facts[name] = Fact(FORMATS[kind](value), "" if label == "-" else label, f"`{key}`")
    return facts


@functools.cache
def _specs(root: Path | None) -> dict[str, ProjectSpec]:
    from course.projects import load_projects

    specs = {}
    for project in load_projects(root):
        if project.stories:
            module = importlib.import_module(f"course.stories.{project.id}")
            specs[project.folder] = ProjectSpec(
                project.results, project.producer, module.facts, module.STORIES
            )
    return specs


def project_specs(root: Path | None = None) -> dict[str, ProjectSpec]:
    """The projects that tell stories, by folder name, in project order."""
    return _specs(root)
