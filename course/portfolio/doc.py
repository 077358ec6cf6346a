"""``PORTFOLIO.md`` checked against the learner's own results: the role, three job descriptions decomposed
into requirements each backed by a project and a number from that project's results, the "translate your
background" table, and CV bullets that quote the learner's numbers.

Built on the prose linter (``course.grading.doclint``): its sections, placeholders, tables and number
matching (a figure states a value when it is the value rounded to the digits written, or within 1 %). Each
check returns :class:`~course.grading.doclint.Finding` objects whose messages speak to the learner; an
empty list means the part passes. The graded tests of project 8 and ``course portfolio`` both use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from course.grading.doclint import (
    _NUMBER,
    DocSpec,
    Finding,
    SectionSpec,
    _answer,
    _find_section,
    _tables,
    lint,
    mentions_value,
)
from course.markdown import sections as split_sections
from course.portfolio.evidence import EvidenceSet, p_number

#: The roles a portfolio may target, each with the phrases that name it in "Target role".
ROLES: dict[str, tuple[str, ...]] = {
    "ML engineer": ("ml engineer", "machine learning engineer"),
    "MLOps / platform engineer": ("mlops", "ml platform", "platform engineer"),
    "Data scientist": ("data scientist",),
    "AI engineer": ("ai engineer",),
}
JOBS = 3  # job descriptions, exactly
MIN_REQUIREMENTS = 3  # requirement rows per job description, at least
MIN_BULLETS = 3
#: The four rows of the translation table: what a software engineer did -> what it is in ML engineering.
TRANSLATIONS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("api",), ("prediction interface",)),
    (("test",), ("contract",)),
    (("ci/cd", "ci", "continuous"), ("repeatable training", "retrain")),
    (("monitoring",), ("drift",)),
)

SPEC = DocSpec(
    name="PORTFOLIO.md",
    sections=(
        SectionSpec("Target role", 25, guidance="name one role and say why your evidence fits it"),
        SectionSpec("Job descriptions", 0, guidance="paste three job descriptions, each under its own ###"),
        SectionSpec("Translate your background", 20, guidance="map what you did as a software engineer"),
        SectionSpec("CV bullets", 20, guidance="one bullet per achievement, each quoting your own number"),
    ),
)


@dataclass(frozen=True)
class Requirement:
    """One row of a job description's requirements table."""

    job: str
    text: str
    project: str  # the project cell as written
    figure: str  # the number cell as written


def check_sections(markdown: str) -> list[Finding]:
    """The four sections are there with substance, and no template placeholder is left."""
    return lint(markdown, SPEC)


def _body(markdown: str, title: str) -> str | None:
    found = _find_section(split_sections(markdown), SectionSpec(title))
    return None if found is None else "\n".join(found.body)


def check_role(markdown: str) -> list[Finding]:
    """ "Target role" names exactly one role of :data:`ROLES`."""
    body = _body(markdown, "Target role")
    if body is None:
        return [Finding("missing_section", "PORTFOLIO.md has no section '## Target role'.", "Target role")]
    prose = _answer(body).lower()
    named = [role for role, phrases in ROLES.items() if any(p in prose for p in phrases)]
    if len(named) == 1:
        return []
    roles = ", ".join(ROLES)
    what = "names none of them" if not named else f"names {len(named)} ({', '.join(named)})"
    return [
        Finding("missing_term", f"'Target role' must name one role of: {roles}; it {what}.", "Target role")
    ]


def jobs(markdown: str) -> dict[str, str]:
    """The job descriptions: each ``###`` heading under "Job descriptions" and its text."""
    body = _body(markdown, "Job descriptions")
    if body is None:
        return {}
    return {s.title: "\n".join(s.body) for s in split_sections(body)[1:] if s.level >= 3}


def _column(header: list[str], *names: str) -> int | None:
    return next((i for i, cell in enumerate(header) if any(n in cell.lower() for n in names)), None)


def _cell(row: list[str], column: int | None) -> str:
    return row[column] if column is not None and column < len(row) else ""


def requirements(title: str, text: str) -> list[Requirement]:
    """The rows of the job's requirements table (the first table with a "requirement" column)."""
    for table in _tables(_answer(text)):
        header = table[0]
        need, project = _column(header, "requirement"), _column(header, "project")
        figure = _column(header, "number", "figure")
        if need is None:
            continue
        cells = [(_cell(row, need), _cell(row, project), _cell(row, figure)) for row in table[1:]]
        return [Requirement(title, *row) for row in cells]
    return []


def check_jobs(markdown: str) -> list[Finding]:
    """Exactly three job descriptions, each with a requirements table of at least three rows."""
    found = jobs(markdown)
    if len(found) != JOBS:
        titles = ", ".join(f"'{t}'" for t in found) or "none"
        return [
            Finding(
                "missing_section",
                f"'Job descriptions' must hold exactly {JOBS} job descriptions, each under its own '###' "
                f"heading; found {len(found)} ({titles}).",
                "Job descriptions",
            )
        ]
    findings = []
    for title, text in found.items():
        rows = requirements(title, text)
        if len(rows) < MIN_REQUIREMENTS:
            findings.append(
                Finding(
                    "too_short",
                    f"Job description '{title}' has {len(rows)} requirement rows; decompose it into at least "
                    f"{MIN_REQUIREMENTS} (a table with the columns requirement | project | number).",
                    "Job descriptions",
                )
            )
    return findings


def resolve(cell: str, evidence: EvidenceSet) -> str | None:
    """The project folder a cell names (``p2``, ``p2_serving``, ``project 2``) among ``evidence``'s."""
    match = re.search(r"(?<![\w])(?:p|project\s*)(\d+)", cell, re.IGNORECASE)
    if match is None:
        return None
    number = int(match.group(1))
    return next((p for p in evidence.projects if p_number(p) == number), None)


def unsupported(figure: str, project: str, evidence: EvidenceSet) -> list[str]:
    """The numbers written in ``figure`` that no value of ``project``'s results states."""
    values = [item.value for item in evidence.of(project)]
    return [
        m.group().strip()
        for m in _NUMBER.finditer(figure)
        if not any(mentions_value(m.group(), value) for value in values)
    ]


def check_requirements(markdown: str, evidence: EvidenceSet) -> list[Finding]:
    """Every requirement row names a project with results and a number those results hold."""
    findings = []
    for title, text in jobs(markdown).items():
        for row in requirements(title, text):
            where = f"Job '{title}', requirement '{row.text}'"
            project = resolve(row.project, evidence)
            if project is None:
                known = ", ".join(p.split("_")[0] for p in evidence.projects)
                message = f"{where}: the project cell {row.project!r} names no project ({known})."
                findings.append(Finding("missing_term", message, "Job descriptions"))
                continue
            if project in evidence.missing:
                message = f"{where}: {project} has {evidence.missing[project]}."
                findings.append(Finding("mismatch", message, "Job descriptions"))
                continue
            if not list(_NUMBER.finditer(row.figure)):
                message = f"{where}: quote a number from {project}'s {evidence.projects[project]}."
                findings.append(Finding("missing_number", message, "Job descriptions"))
                continue
            for number in unsupported(row.figure, project, evidence):
                message = (
                    f"{where}: {number} is not a number in your {project} results "
                    f"({evidence.projects[project]}); quote a figure your notebook wrote, rounded as you "
                    "like."
                )
                findings.append(Finding("mismatch", message, "Job descriptions"))
    return findings


def check_translations(markdown: str) -> list[Finding]:
    """The translation table has the four rows: APIs, tests, CI/CD and monitoring, each translated."""
    body = _body(markdown, "Translate your background")
    tables = _tables(_answer(body)) if body is not None else []
    rows = [" | ".join(row).lower() for table in tables for row in table[1:]]
    findings = []
    for before, after in TRANSLATIONS:
        if not any(
            any(re.search(rf"(?<![\w]){re.escape(b)}", row) for b in before) and any(a in row for a in after)
            for row in rows
        ):
            message = (
                f"'Translate your background' needs a table row that maps {before[0]!r} to {after[0]!r} "
                "(your experience -> what it is in ML engineering -> where you showed it)."
            )
            findings.append(Finding("missing_term", message, "Translate your background"))
    return findings


def bullets(markdown: str) -> list[str]:
    """The CV bullets: the list items of "CV bullets"."""
    body = _body(markdown, "CV bullets") or ""
    items = re.split(r"\n(?=\s{0,3}[-*+]\s)", "\n" + _answer(body))
    return [" ".join(item.split())[2:] for item in items if re.match(r"\s{0,3}[-*+]\s", item)]


def check_bullets(markdown: str, evidence: EvidenceSet) -> list[Finding]:
    """At least three CV bullets, each quoting a number from the learner's results."""
    found = bullets(markdown)
    if len(found) < MIN_BULLETS:
        message = (
            f"'CV bullets' has {len(found)} bullets; write at least {MIN_BULLETS}, each with your number."
        )
        return [Finding("too_short", message, "CV bullets")]
    values = [item.value for item in evidence.items]
    findings = []
    for text in found:
        numbers = [m.group() for m in _NUMBER.finditer(text)]
        if not any(mentions_value(n, v) for n in numbers for v in values):
            stated = ", ".join(numbers) or "no number"
            message = (
                f"CV bullet '{text[:60]}' quotes {stated}, none of them from your results: "
                "quote the figure your project wrote."
            )
            findings.append(Finding("mismatch", message, "CV bullets"))
    return findings
