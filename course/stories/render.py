"""Rendering: the templates and the filled stories as Markdown, and ``STORIES.md`` written atomically."""

from __future__ import annotations

import string
from pathlib import Path

from course.files import atomic_write
from course.stories.projects import ProjectSpec, ProjectStory, project_specs
from course.stories.results import (
    Answer,
    Fact,
    Facts,
    StoriesError,
    _fill,
    _fold,
    _shown,
    load_results,
    read_answer,
)
from course.stories.templates import STAR, TEMPLATES

STORIES_FILE = "STORIES.md"


def stories_for(project: str) -> tuple[str, ...]:
    """The template keys that fit ``project`` (a folder name such as ``p1_baseline``), in draft order."""
    return tuple(story.story for story in _spec(project).stories)


def _spec(project: str) -> ProjectSpec:
    specs = project_specs()
    if project not in specs:
        raise StoriesError(f"Project {project!r} tells no stories: use one of {', '.join(specs)}.")
    return specs[project]


def _table_facts(texts: list[str], facts: Facts) -> list[Fact]:
    """The labelled facts the texts quote, in order of first use, once each."""
    names = [name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name]
    return [facts[name] for name in dict.fromkeys(names) if facts[name].in_table]


def render_template(story: str, *, level: int = 2) -> str:
    """Markdown: a template's prompt, STAR shape, numbers, follow-ups and weak answers (for the docs)."""
    t, h = TEMPLATES[story], "#" * level
    parts = [f"{h} The prompt", "", f"> “{t.prompt}”", "", "Also asked as:", ""]
    parts += [f"- “{question}”" for question in t.also_asked]
    parts += ["", f"{h} The STAR template", ""]
    parts += [f"**{label}.** {_fold(text)}\n" for label, text in zip(STAR, t.star, strict=True)]
    parts += [f"{h} The numbers a strong answer quotes", ""]
    parts += [f"- {number}" for number in t.numbers]
    parts += ["", f"{h} Follow-up questions interviewers ask", ""]
    parts += [f"- **“{question}”** {_fold(hint)}" for question, hint in t.follow_ups]
    parts += ["", f"{h} Common weak answers", ""]
    parts += [f"- {answer} {why}" for answer, why in t.weak]
    return "\n".join(parts).strip() + "\n"


def _answers(folder: Path, answers: tuple[Answer, ...], h: str, quote: bool) -> list[str]:
    parts = [f"{h} Your written answers to draw on", ""] if answers else []
    for answer in answers:
        where = f"`{answer.file}`, “{answer.question}”"
        text = read_answer(folder, answer)
        if text is None:
            parts += [f"- {where}: not answered yet. Answer it first: it is the long form of this story.", ""]
        elif not quote:
            parts += [f"- {where}: your answer is quoted here, to cut down to two spoken sentences.", ""]
        else:
            parts += [f"{where}, to cut down to two spoken sentences:", ""]
            parts += [f"> {line}".rstrip() for line in text.splitlines()] + [""]
    return parts


def _story(
    folder: Path, spec: ProjectSpec, story: ProjectStory, facts: Facts, level: int, quote: bool
) -> str:
    h = "#" * level
    parts = [f"> **They ask:** “{story.prompt}”", ""]
    for label, text in zip(STAR, story.star, strict=True):
        parts += [f"**{label}.** {_fill(text, facts)}", ""]
    table = _table_facts([*story.star, *(q + a for q, a in story.follow_ups)], facts)
    parts += [f"{h} Numbers to have ready", "", f"From `{spec.results}`:", ""]
    parts += ["| number | value | from |", "|---|---|---|"]
    parts += [f"| {fact.label} | {fact.value} | {fact.source} |" for fact in table]
    parts += ["", f"{h} Follow-up questions to prepare", ""]
    parts += [f"- **“{_fill(q, facts)}”** What to say: {_fill(a, facts)}" for q, a in story.follow_ups]
    parts += ["", *_answers(folder, story.answers, h, quote), f"{h} Avoid", ""]
    parts += [f"- {answer} {why}" for answer, why in TEMPLATES[story.story].weak]
    return "\n".join(parts).strip() + "\n"


def _facts(project_dir: Path, spec: ProjectSpec) -> Facts:
    return spec.facts(load_results(project_dir, spec.results, spec.producer))


def render_story(
    project_dir: Path, project: str, story: str, *, level: int = 3, quote_answers: bool = True
) -> str:
    """Markdown: one story of ``project``, filled from the results in ``project_dir``.

    ``level`` is the heading level of the story's sections; ``quote_answers=False`` names the written answers
    the story draws on without quoting them (on the docs site they would be spoilers).
    """
    spec = _spec(project)
    matches = [s for s in spec.stories if s.story == story]
    if not matches:
        raise StoriesError(f"{project} has no {story!r} story; it tells: {', '.join(stories_for(project))}.")
    return _story(project_dir, spec, matches[0], _facts(project_dir, spec), level, quote_answers)


def draft_stories(project_dir: Path, project: str) -> str:
    """Markdown for ``STORIES.md``: every story that fits ``project``, filled from its results."""
    spec = _spec(project)
    facts = _facts(project_dir, spec)
    short = project.split("_")[0]
    titles = ", ".join(TEMPLATES[s.story].title.lower() for s in spec.stories)
    intro = f"""Drafted by `course stories {short}` from `{spec.results}` and your written answers: {titles}.
    The numbers are yours; the sentences are a starting point. Say each story aloud in about two minutes, in
    your own words, with 'I' for what you did and 'we' for what the team did. After you re-run the project,
    re-draft with `course stories {short} --force` (it replaces this file, your edits included)."""
    parts = [f"# Interview stories: {project}", "", _fold(_world_line(project_dir, spec.results)), ""]
    parts += [_fold(intro), ""]
    for story in spec.stories:
        parts += [f"## {TEMPLATES[story.story].title}", "", _story(project_dir, spec, story, facts, 3, True)]
    return "\n".join(parts).rstrip() + "\n"


def _world_line(project_dir: Path, results: str) -> str:
    """Whose world the numbers come from: the results file's ``world``, checked against ``learner.toml``."""
    import json

    from course.worlds import DEFAULT_ID, learner_of

    mine = learner_of(project_dir).learner
    try:
        recorded = json.loads((project_dir / results).read_text(encoding="utf-8")).get("world")
    except (OSError, ValueError, AttributeError):
        recorded = None
    world = recorded if isinstance(recorded, str) else mine
    if world != mine:
        return (
            f"**Careful**: `{results}` was written in the world of `{world}`, but your `learner.toml` names "
            f"`{mine}`. Re-run the project in your own world before you quote these numbers."
        )
    if world == DEFAULT_ID:
        return (
            "World: the default world, the one of the worked solutions: everyone who has not run "
            "`course init` has these numbers. Run `course init` and re-run the project for a world of "
            "your own."
        )
    return f"World: learner `{world}`. These numbers come from your own world, not the worked solution's."


def write_stories(project_dir: Path, project: str, *, force: bool = False) -> Path:
    """Write ``STORIES.md`` into ``project_dir`` atomically; refuse to replace one unless ``force``."""
    target = project_dir / STORIES_FILE
    if target.exists() and not force:
        raise StoriesError(
            f"{_shown(target)} already exists and may hold your edits: keep it, print a fresh draft with "
            "--stdout, or replace it with --force."
        )
    return atomic_write(target, draft_stories(project_dir, project))


def projects_table() -> str:
    """Markdown: which stories each project tells and which results fill them (for the docs)."""
    rows = ["| project | stories | filled from | written by |", "|---|---|---|---|"]
    for project, spec in project_specs().items():
        links = ", ".join(f"[{TEMPLATES[s.story].title.lower()}]({s.story}.md)" for s in spec.stories)
        rows.append(f"| `{project}` | {links} | `{spec.results}` | {spec.producer.removeprefix('run ')} |")
    return "\n".join(rows) + "\n"
