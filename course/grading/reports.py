"""Grade reports: the data, and its JSON, Markdown, JUnit XML and terminal-table forms.

JSON (``grade.json``) is exactly::

    {project, target, score, max_score,
     items: [{id, text, points, earned, message, tests: [{name, outcome, message}]}],
     duration_s, versions, notes, learner, world_flags}

``learner`` is the id of the world the submission was graded in (``default`` for the default world);
``world_flags`` lists what does not match it (``course.grading.world_check``): another learner.toml than the
roster's, a results file written in another world, a submission missing from the roster.

A test's ``outcome`` is one of ``passed``, ``failed``, ``error`` (a fixture failed), ``skipped``,
``xfailed``, ``crashed`` (the test process died while running it) or ``not run``.

The ``classroom`` form is the result a GitHub Classroom runner hands to
``classroom-resources/autograding-grading-reporter`` (base64-encoded, as a step output), one test per
rubric item with its partial points::

    {version: 1, status: pass|fail, max_score,
     tests: [{name, status, score, max_score, message, test_code, filename, line_no, duration}]}
"""

from __future__ import annotations

import json
import platform
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from course.files import atomic_write
from course.grading.rubric import format_points, markdown_cell, number

FORMATS = ("table", "md", "json", "junit", "classroom")
REPORT_FILES = {"json": "grade.json", "md": "grade.md", "junit": "grade.xml"}


@dataclass
class TestResult:
    """One graded test case or notebook, as the learner sees it (``details`` only with ``-v``)."""

    __test__ = False  # not a pytest test class

    name: str
    outcome: str
    message: str = ""
    details: str = ""
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        """Did it earn its points?"""
        return self.outcome == "passed"


@dataclass
class ItemResult:
    """One rubric item: points earned out of ``points``, and what to fix."""

    id: str
    text: str
    points: float
    earned: float
    message: str = ""
    tests: list[TestResult] = field(default_factory=list)


@dataclass
class GradeReport:
    """The grade of one submission of one project."""

    project: str
    target: str
    items: list[ItemResult]
    duration_s: float = 0.0
    versions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    submission: str = ""
    learner: str = "default"
    world_flags: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Points earned."""
        return sum(item.earned for item in self.items)

    @property
    def max_score(self) -> float:
        """Points available."""
        return sum(item.points for item in self.items)

    def to_dict(self) -> dict[str, Any]:
        """The JSON schema documented in this module."""
        return {
            "project": self.project,
            "target": self.target,
            "score": number(self.score),
            "max_score": number(self.max_score),
            "items": [
                {
                    "id": item.id,
                    "text": item.text,
                    "points": number(item.points),
                    "earned": number(item.earned),
                    "message": item.message,
                    "tests": [
                        {"name": t.name, "outcome": t.outcome, "message": t.message} for t in item.tests
                    ],
                }
                for item in self.items
            ],
            "duration_s": round(self.duration_s, 2),
            "versions": self.versions,
            "notes": self.notes,
            "learner": self.learner,
            "world_flags": self.world_flags,
        }


def versions() -> dict[str, str]:
    """Versions of what graded the submission, for the record."""
    found = {"python": platform.python_version()}
    for package in ("course", "pytest", "nbval", "pytest-timeout", "ipykernel"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


def to_json(report: GradeReport) -> str:
    """The report as indented JSON."""
    return json.dumps(report.to_dict(), indent=2)


def to_classroom(report: GradeReport) -> str:
    """GitHub Classroom's runner result: one test per rubric item, scored with the points it earned.

    The reporter adds up ``score`` over the tests and ``max_score`` over the runners, so partial credit
    per item reaches the Classroom total; ``status`` is ``pass`` only for an item (or a run) at full marks.
    """
    tests = [_classroom_test(item) for item in report.items]
    result = {
        "version": 1,
        "status": "pass" if report.score >= report.max_score else "fail",
        "max_score": number(report.max_score),
        "tests": tests,
    }
    return json.dumps(result, indent=2)


def _classroom_test(item: ItemResult) -> dict[str, Any]:
    """One rubric item as a Classroom test (``line_no`` 0: the reporter then prints no line number)."""
    points = f"{format_points(item.earned)}/{format_points(item.points)} points"
    return {
        "name": f"{item.id}: {item.text}",
        "status": "pass" if item.earned >= item.points else "fail",
        "score": number(item.earned),
        "max_score": number(item.points),
        "message": f"{points}: {item.message}" if item.message else points,
        "test_code": "",
        "filename": "",
        "line_no": 0,
        "duration": round(sum(t.duration_s for t in item.tests) * 1000),
    }


def to_markdown(report: GradeReport, verbose: bool = False) -> str:
    """A Markdown page: score, one table row per rubric item, notes (and failing details with ``verbose``)."""
    lines = [
        f"# Grade: {report.project}",
        "",
        f"**Score: {format_points(report.score)} / {format_points(report.max_score)}**",
        "",
        f"Target: `{report.target}` · world: `{report.learner}` · graded in {report.duration_s:.1f} s",
        "",
        "| Rubric item | Earned | Points | What earns the points | Message |",
        "|---|---:|---:|---|---|",
    ]
    for item in report.items:
        lines.append(
            f"| `{item.id}` | {format_points(item.earned)} | {format_points(item.points)} | "
            f"{markdown_cell(item.text)} | {markdown_cell(item.message)} |"
        )
    lines.append(
        f"| **Total** | **{format_points(report.score)}** | **{format_points(report.max_score)}** | | |"
    )
    if report.world_flags:
        lines += ["", "## World", "", *[f"- {flag}" for flag in report.world_flags]]
    if report.notes:
        lines += ["", "## Notes", "", *[f"- {note}" for note in report.notes]]
    if verbose:
        failing = [(item, t) for item in report.items for t in item.tests if not t.passed]
        if failing:
            lines += ["", "## Details", ""]
        for item, test in failing:
            lines += [f"### `{test.name}` ({item.id}): {test.outcome}", "", test.message, ""]
            if test.details:
                lines += ["```text", test.details.strip(), "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def to_junit(report: GradeReport) -> str:
    """JUnit XML: one testsuite for the project, one testcase per graded test case or notebook."""
    tests = [(item, t) for item in report.items for t in item.tests]
    failures = sum(1 for _, t in tests if t.outcome in ("failed", "crashed", "xfailed"))
    errors = sum(1 for _, t in tests if t.outcome in ("error", "not run"))
    skipped = sum(1 for _, t in tests if t.outcome == "skipped")
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=report.project,
        tests=str(len(tests)),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
        time=f"{report.duration_s:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("target", report.target),
        ("score", format_points(report.score)),
        ("max_score", format_points(report.max_score)),
        *((f"note.{i}", note) for i, note in enumerate(report.notes, start=1)),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    for item, test in tests:
        case = ET.SubElement(
            suite, "testcase", classname=item.id, name=test.name, time=f"{test.duration_s:.3f}"
        )
        if test.outcome in ("failed", "crashed", "xfailed"):
            ET.SubElement(case, "failure", message=test.message, type=test.outcome).text = (
                test.details or None
            )
        elif test.outcome in ("error", "not run"):
            ET.SubElement(case, "error", message=test.message, type=test.outcome).text = test.details or None
        elif test.outcome == "skipped":
            ET.SubElement(case, "skipped", message=test.message)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def render_table(report: GradeReport, verbose: bool = False) -> Any:
    """A rich renderable: per item earned/points and the message; notes below."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"{report.project}: {format_points(report.score)} / {format_points(report.max_score)} points",
        caption=f"{report.target} · world {report.learner} · {report.duration_s:.1f} s",
        show_lines=False,
        expand=False,
    )
    table.add_column("Rubric item", style="bold", no_wrap=True)
    table.add_column("Points", justify="right", no_wrap=True)
    table.add_column("What earns the points / what to fix")
    for item in report.items:
        full = item.earned >= item.points
        style = "green" if full else ("yellow" if item.earned > 0 else "red")
        body = Text(item.text)
        if item.message:
            body.append("\n" + item.message, style="dim" if full else style)
        if verbose:
            for test in item.tests:
                body.append(f"\n  {test.outcome:>8}  {test.name}", style="dim")
                if test.details and not test.passed:
                    body.append("\n" + test.details.strip(), style="dim")
        table.add_row(
            item.id, Text(f"{format_points(item.earned)}/{format_points(item.points)}", style=style), body
        )
    parts: list[Any] = [table]
    if report.world_flags:
        parts.append(Text("World", style="bold yellow"))
        parts.extend(Text(f"  • {flag}", style="yellow") for flag in report.world_flags)
    if report.notes:
        parts.append(Text("Notes", style="bold"))
        parts.extend(Text(f"  • {note}") for note in report.notes)
    return Group(*parts)


def write_reports(report: GradeReport, out: Path, verbose: bool = False) -> list[Path]:
    """Write ``grade.json``, ``grade.md`` and ``grade.xml`` into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    texts = {"json": to_json(report), "md": to_markdown(report, verbose), "junit": to_junit(report)}
    written = []
    for kind, name in REPORT_FILES.items():
        written.append(atomic_write(out / name, texts[kind]))
    return written
