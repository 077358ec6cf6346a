"""Mutation catalogues: plausible learner mistakes must lose points, valid alternatives must keep them.

A project's catalogue lives in ``tests/mutants/<project>/*.toml`` (an instructor may keep more catalogues
outside the learners' repository and pass them with ``--catalogue``). Each ``[[mutant]]`` is a small,
documented edit of the reference solution with the rubric items that must lose points; each
``[[alternative]]`` is another valid solution that must keep full marks. ``run_catalogue`` applies every
entry to a fresh copy of the reference and grades it through the normal grader.

A mutant is first graded on the ``beside_notebooks`` test files that hold tests of its expected items
alone: those files do not read what the notebooks write (``rubric.toml`` says so, and the two-lane runner
relies on it), so a test of theirs that fails proves the kill without running the notebooks; several
mutants run that phase at once (one test process each). A mutant that survives it, and every
alternative, then gets a full grading, one at a time.
"""

from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from course.errors import CourseError
from course.grading.reports import GradeReport
from course.grading.rubric import Rubric, format_points
from course.grading.runner import Limits, grade_submission
from course.grading.targets import copy_other_results, copy_project
from course.paths import require_solutions

CATALOGUE_KINDS = ("mutant", "alternative")
ENTRY_KEYS = {"name", "description", "edit", "classes", "expect"}
EDIT_KEYS = {"file", "find", "replace"}
CLASSES_FILE = "classes.toml"  # the course's list of mistake classes, in the catalogues' root folder
LOST = ("failed", "crashed", "error", "skipped", "xfailed")  # outcomes of a test that ran and earned nothing


class MutantError(CourseError):
    """A catalogue cannot be read, or one of its entries does not apply to the reference solution."""


@dataclass(frozen=True)
class Edit:
    """Replace the one occurrence of ``find`` in ``file`` (a notebook: in its cells' sources)."""

    file: str
    find: str
    replace: str


@dataclass(frozen=True)
class Entry:
    """A mutant (a plausible mistake) or an alternative (a valid other solution) of one project."""

    kind: str
    name: str
    description: str
    edits: tuple[Edit, ...]
    classes: tuple[str, ...] = ()
    expect: tuple[str, ...] = ()
    source: str = ""


@dataclass
class Outcome:
    """What grading one entry showed."""

    entry: Entry
    lost: dict[str, float]  # rubric item id -> points lost (the reference earns every point)
    failing: list[str]  # the tests and notebooks that earned nothing
    phase: str  # "beside" (the beside_notebooks files proved it), "full", or "partial" (beside, unproven)
    seconds: float
    tests_run: int
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``killed``, ``survived``, ``killed elsewhere`` (no expected item lost), ``kept``, ``penalised``."""
        if self.entry.kind == "alternative":
            return "penalised" if self.lost else "kept"
        if not self.lost:
            return "survived"
        return "killed" if expected_loss(self.lost, self.entry.expect) else "killed elsewhere"

    @property
    def ok(self) -> bool:
        """Did the entry behave as the catalogue says?"""
        return self.verdict in ("killed", "kept")


@dataclass
class CatalogueReport:
    """The outcomes of one project's catalogue, with the reference's full grading as the yardstick."""

    project: str
    outcomes: list[Outcome]
    reference_tests: int
    reference_seconds: float
    seconds: float

    @property
    def mutants(self) -> list[Outcome]:
        """The mutants' outcomes."""
        return [o for o in self.outcomes if o.entry.kind == "mutant"]

    @property
    def kill_rate(self) -> float:
        """Killed mutants (in an expected item or elsewhere) over all mutants."""
        mutants = self.mutants
        return sum(bool(o.lost) for o in mutants) / len(mutants) if mutants else 1.0

    @property
    def ok(self) -> bool:
        """Every mutant killed where expected and every alternative at full marks."""
        return all(o.ok for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "project": self.project,
            "ok": self.ok,
            "kill_rate": self.kill_rate,
            "seconds": round(self.seconds, 1),
            "reference": {"tests": self.reference_tests, "seconds": round(self.reference_seconds, 1)},
            "entries": [
                {
                    "name": o.entry.name,
                    "kind": o.entry.kind,
                    "classes": list(o.entry.classes),
                    "expect": list(o.entry.expect),
                    "lost": o.lost,
                    "failing": o.failing,
                    "verdict": o.verdict,
                    "phase": o.phase,
                    "seconds": round(o.seconds, 1),
                    "tests_run": o.tests_run,
                }
                for o in self.outcomes
            ],
        }


def expected_loss(lost: Iterable[str], expect: Iterable[str]) -> list[str]:
    """The items in ``lost`` that ``expect`` names, each by its id or an id prefix (``p1.split``)."""
    prefixes = tuple(expect)
    return [i for i in lost if any(i == p or i.startswith(p + ".") for p in prefixes)]


def expected_beside_files(rubric: Rubric, expect: Iterable[str]) -> list[str]:
    """The ``beside_notebooks`` files holding a test of an item that ``expect`` names (the files that can
    prove a kill without the notebooks), in the rubric's order."""
    items = [item for item in rubric.items if expected_loss([item.id], expect)]
    files = {test.key.split("::", 1)[0] for item in items for test in item.tests}
    return [name for name in rubric.beside_notebooks if name in files]


def default_catalogue(project: str, root: Path) -> Path:
    """Where a project's catalogue lives in the course repository."""
    return root / "tests" / "mutants" / project


def load_catalogue(folders: Iterable[Path], rubric: Rubric) -> list[Entry]:
    """Every entry of the ``*.toml`` files in ``folders``, checked against the project's rubric."""
    items = {item.id for item in rubric.items}
    entries: list[Entry] = []
    for folder in folders:
        if not folder.is_dir():
            raise MutantError(f"{folder}: there is no catalogue folder here.")
        files = sorted(p for p in folder.glob("*.toml") if p.name != CLASSES_FILE)
        if not files:
            raise MutantError(f"{folder}: no catalogue file (*.toml) in this folder.")
        for path in files:
            entries += _read_file(path, items)
    seen: dict[str, str] = {}
    for entry in entries:
        if entry.name in seen:
            raise MutantError(
                f"{entry.source}: the name {entry.name!r} is used twice (also in {seen[entry.name]})."
            )
        seen[entry.name] = entry.source
    return entries


def _read_file(path: Path, items: set[str]) -> list[Entry]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MutantError(f"{path}: cannot read this catalogue: {exc}") from exc
    unknown = set(data) - set(CATALOGUE_KINDS)
    if unknown:
        raise MutantError(f"{path}: unknown table {sorted(unknown)[0]!r}: use [[mutant]] or [[alternative]].")
    entries = []
    for kind in CATALOGUE_KINDS:
        for number, table in enumerate(data.get(kind, []), start=1):
            entries.append(_read_entry(path, kind, number, table, items))
    return entries


def parse_edits(edits: Any, where: str, kind: str = "mutant") -> tuple[Edit, ...]:
    """The ``[[<kind>.edit]]`` tables of one catalogue entry, checked; errors name ``where``."""
    if not isinstance(edits, list) or not edits:
        raise MutantError(f"{where}: give at least one [[{kind}.edit]] with file, find and replace.")
    parsed = []
    for edit in edits:
        if set(edit) != EDIT_KEYS or not all(isinstance(edit[k], str) for k in EDIT_KEYS):
            raise MutantError(f"{where}: each edit has exactly the strings file, find and replace.")
        if not edit["find"] or edit["find"] == edit["replace"]:
            raise MutantError(
                f"{where}: an edit of {edit['file']} changes nothing (find is empty or equals replace)."
            )
        parsed.append(Edit(edit["file"], edit["find"], edit["replace"]))
    return tuple(parsed)


def _read_entry(path: Path, kind: str, number: int, table: dict[str, Any], items: set[str]) -> Entry:
    where = f"{path.name}: [[{kind}]] number {number} ({table.get('name', 'no name')})"
    allowed = ENTRY_KEYS if kind == "mutant" else ENTRY_KEYS - {"classes", "expect"}
    unknown = set(table) - allowed
    if unknown:
        raise MutantError(
            f"{where}: unknown key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(allowed))})."
        )
    for key in ("name", "description"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise MutantError(f"{where}: {key!r} must be a non-empty string.")
    if kind == "mutant":
        for key in ("classes", "expect"):
            value = table.get(key)
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                raise MutantError(f"{where}: {key!r} must be a non-empty list of strings.")
        missing = [prefix for prefix in table["expect"] if not expected_loss(dict.fromkeys(items), [prefix])]
        if missing:
            raise MutantError(
                f"{where}: expects {missing[0]!r}, which is neither a rubric item of this project nor the "
                "prefix of one (see `course rubric`)."
            )
    parsed = parse_edits(table.get("edit"), where, kind)
    return Entry(
        kind=kind,
        name=table["name"],
        description=table["description"].strip(),
        edits=parsed,
        classes=tuple(table.get("classes", ())),
        expect=tuple(table.get("expect", ())),
        source=path.name,
    )


def apply_entry(entry: Entry, folder: Path) -> None:
    """Apply an entry's edits to the project copy in ``folder``; each ``find`` must occur exactly once."""
    for edit in entry.edits:
        path = folder / edit.file
        if not path.is_file() or folder.resolve() not in path.resolve().parents:
            raise MutantError(f"{entry.name}: {edit.file} is not a file of the project.")
        if path.suffix == ".ipynb":
            _edit_notebook(entry.name, path, edit)
            continue
        text = path.read_text(encoding="utf-8")
        count = text.count(edit.find)
        if count != 1:
            raise MutantError(
                f"{entry.name}: {_count_text(count)} of the find text in {edit.file}; it must occur once."
            )
        path.write_text(text.replace(edit.find, edit.replace), encoding="utf-8")


def _edit_notebook(name: str, path: Path, edit: Edit) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    sources = [
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for cell in notebook["cells"]
    ]
    count = sum(source.count(edit.find) for source in sources)
    if count != 1:
        raise MutantError(
            f"{name}: {_count_text(count)} of the find text in the cells of {edit.file}; it must occur once."
        )
    for cell, source in zip(notebook["cells"], sources, strict=True):
        if edit.find in source:
            cell["source"] = source.replace(edit.find, edit.replace)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _count_text(count: int) -> str:
    return "no occurrence" if count == 0 else f"{count} occurrences"


def select_shard(entries: Sequence[Entry], shard: str) -> list[Entry]:
    """The entries of shard ``"K/N"``: every N-th from the K-th (0-based); N runs cover the catalogue."""
    try:
        index, count = (int(part) for part in shard.split("/"))
    except ValueError:
        raise MutantError(f"--shard {shard!r}: write K/N with whole numbers, e.g. 0/4.") from None
    if count < 1 or not 0 <= index < count:
        raise MutantError(f"--shard {shard!r}: N must be at least 1 and K between 0 and N-1.")
    return [entry for number, entry in enumerate(entries) if number % count == index]


def check_applies(entries: Sequence[Entry], reference: Path, tmp: Path, others: bool = False) -> list[Path]:
    """Apply every entry to its own copy before any grading, so that a stale entry fails at once.

    Returns the copies, in the entries' order, ready to be graded. ``others``: the project reads the other
    projects' results (``reads_other_projects``), so each copy gets them beside it too.
    """
    copies = []
    for number, entry in enumerate(entries):
        copy = tmp / f"entry-{number}" / reference.name
        copy_project(reference, copy)
        if others:
            copy_other_results(reference, copy)
        apply_entry(entry, copy)
        copies.append(copy)
    return copies


def run_catalogue(
    project: str,
    rubric: Rubric,
    entries: Sequence[Entry],
    *,
    root: Path,
    limits: Limits | None = None,
    extra_tests: Path | None = None,
    on_result: Callable[[Outcome], None] | None = None,
    jobs: int = 2,
) -> CatalogueReport:
    """Grade the reference once, then every entry on its own copy; raise ``MutantError`` if one misapplies.

    ``jobs`` mutants are graded at once in the first phase (one test process each); full gradings run one
    at a time.
    """
    started = time.monotonic()
    reference = require_solutions("course mutants", root) / project
    limits = limits or Limits()
    with TemporaryDirectory(prefix="course-mutants-") as tmp_name:
        tmp = Path(tmp_name)
        copies = check_applies(entries, reference, tmp, others=rubric.reads_other_projects)
        clock = time.monotonic()
        baseline = grade_submission(project, reference, root=root, limits=limits, extra_tests=extra_tests)
        reference_seconds = time.monotonic() - clock
        if baseline.score < baseline.max_score:
            short = ", ".join(
                f"{i.id} ({format_points(i.earned)}/{format_points(i.points)})"
                for i in baseline.items
                if i.earned < i.points
            )
            raise MutantError(
                f"the reference solution of {project} does not get full marks ({short}): "
                "every entry would look killed; fix the reference or its tests first."
            )
        # first phase, a single test process per mutant: several at once use the cores
        beside: dict[int, Outcome | None] = {}
        candidates = [n for n, e in enumerate(entries) if e.kind == "mutant" and rubric.beside_notebooks]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {
                pool.submit(grade_beside, project, entries[n], copies[n], rubric, root, limits): n
                for n in candidates
            }
            for future in as_completed(futures):
                beside[futures[future]] = outcome = future.result()
                if outcome is not None and outcome.phase == "beside" and on_result is not None:
                    on_result(outcome)
        # second phase, one full grading at a time: its notebooks and tests already use both cores
        outcomes = []
        for number, entry in enumerate(entries):
            first = beside.get(number)
            if first is not None and first.phase == "beside":
                outcomes.append(first)
                continue
            outcome = grade_full(project, entry, copies[number], root, limits, extra_tests, first)
            outcomes.append(outcome)
            if on_result is not None:
                on_result(outcome)
    return CatalogueReport(
        project=project,
        outcomes=outcomes,
        reference_tests=len(_ran(baseline)),
        reference_seconds=reference_seconds,
        seconds=time.monotonic() - started,
    )


def grade_beside(
    project: str, entry: Entry, copy: Path, rubric: Rubric, root: Path, limits: Limits
) -> Outcome:
    """Grade a mutant on the beside-notebooks files; phase ``beside`` when that proves the kill.

    Otherwise the outcome (phase ``partial``) only carries the time and tests spent, for the full grading.
    """
    clock = time.monotonic()
    select = expected_beside_files(rubric, entry.expect)
    if not select:  # no expected item is graded beside the notebooks: only the full grading can tell
        return Outcome(entry, [], [], "partial", 0.0, 0, [])
    report = grade_submission(project, copy, root=root, limits=limits, select=select)
    lost, failing = _losses(report, rubric)
    phase = "beside" if expected_loss(lost, entry.expect) else "partial"
    return Outcome(entry, lost, failing, phase, time.monotonic() - clock, len(_ran(report)), report.notes)


def grade_full(
    project: str,
    entry: Entry,
    copy: Path,
    root: Path,
    limits: Limits,
    extra_tests: Path | None,
    first: Outcome | None = None,
) -> Outcome:
    """A full grading of an applied entry (after a ``partial`` first phase, its time and tests count too)."""
    clock = time.monotonic()
    report = grade_submission(project, copy, root=root, limits=limits, extra_tests=extra_tests)
    lost, failing = _losses(report)
    seconds = time.monotonic() - clock + (first.seconds if first else 0.0)
    tests_run = len(_ran(report)) + (first.tests_run if first else 0)
    return Outcome(entry, lost, failing, "full", seconds, tests_run, report.notes)


def _ran(report: GradeReport) -> list[str]:
    return [test.name for item in report.items for test in item.tests if test.outcome != "not run"]


def _losses(report: GradeReport, rubric: Rubric | None = None) -> tuple[dict[str, float], list[str]]:
    """Points lost per item and the tests that lost them.

    Without ``rubric`` (a full grading) every point short of the maximum is lost. With it (a run of some
    test files only), only the tests that ran and earned nothing count, each with its rubric points.
    """
    points = {t.key: t.points for item in (rubric.items if rubric else ()) for t in item.tests}
    lost: dict[str, float] = {}
    failing: list[str] = []
    for item in report.items:
        if rubric is None:
            bad = [t.name for t in item.tests if not t.passed]
            if item.earned < item.points:
                lost[item.id] = item.points - item.earned
        else:
            bad = [t.name for t in item.tests if t.outcome in LOST]
            if bad and item.points:  # an item not counted here (scoring.NOT_COUNTED) has no points to lose
                lost[item.id] = min(item.points, sum(points.get(_key(name), 0.0) for name in bad))
        failing += [f"{item.id}: {name}" for name in bad]
    return lost, failing


def _key(name: str) -> str:
    """A test case's rubric key: its node name without the parameter suffix."""
    return name.split("[", 1)[0]
