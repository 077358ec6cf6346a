"""Learner tests graded by mutation: the course's mutants of a correct package grade the learner's tests.

A project whose learner writes tests of their own package (``<project>/tests/test_*.py``) keeps, with the
instructor-only material, a catalogue of mutants of the REFERENCE package:
``tests/mutants/<project>/learner-suite/*.toml``, each ``[[mutant]]`` with a ``name``, a learner-facing
``kind`` (the class of mistake, which the report may show), a ``description`` for instructors and
``[[mutant.edit]]`` tables in the format of :mod:`course.grading.mutants`. The learner never sees the
mutants' code: the export leaves ``tests/mutants/`` out.

The graded test (:func:`grade_suite`) runs the learner's suite in a worker process (the judge never
imports the submission or its tests), three times over: on the learner's own package (it must pass), on
the unmodified reference (it must pass too: a test that fails on a correct package tests an
implementation detail, or detects the reference instead of a mistake), then on each mutant, where a
failing suite kills it. The worker imports pytest and the heavy libraries once, then forks one child per
run, each with a fresh import of the package and a time limit (:func:`run_suites`).

Where the material is absent (a learner's repository has neither ``solutions/`` nor the catalogue), the
test skips with :data:`DEFERRED`: the scoring leaves such an item out of the total, since only the
instructor's grader can grade it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.errors import CourseError
from course.grading.scoring import DEFERRED

SUITE_DIR = "tests"  # the learner's tests, in their project folder
CATALOGUE_DIR = "learner-suite"  # tests/mutants/<project>/learner-suite/*.toml
PREPARED_DIR = "learner_suite"  # in a grading sandbox: tests/learner_suite/<project>/{reference,catalogue}
MUTANT_KEYS = {"name", "kind", "description", "edit"}
RUN_TIMEOUT = 20.0  # seconds for one run of the learner's suite (one package)
SUITE_BUDGET = 50.0  # seconds for every run of one grading, so the graded test stays within its timeout
PRELOAD = ("pytest", "numpy", "pandas", "pydantic", "sklearn.ensemble", "fastapi", "fastapi.testclient")
"""Imported once in the worker before the runs fork (what a suite of projects 2 and 3 spends its start on)."""
DISABLED_PLUGINS = ("xdist", "xdist.looponfail", "nbval")  # never needed by a learner's suite
PYTEST_INI = "[pytest]\naddopts =\n"


class SuiteCatalogueError(CourseError):
    """A learner-suite catalogue cannot be read or applied; the message names the file and the entry."""


@dataclass(frozen=True)
class SuiteMutant:
    """One mistake in the reference package; ``kind`` is what the learner may read about it."""

    name: str
    kind: str
    description: str
    edits: tuple[Any, ...]
    source: str = ""


@dataclass(frozen=True)
class Material:
    """What grading a learner's suite needs: the reference project folder and its mutants."""

    reference: Path
    mutants: tuple[SuiteMutant, ...]


@dataclass
class RunResult:
    """One run of the learner's suite on one package: pytest's exit status and the failing tests."""

    status: str  # passed, failed, no-tests, error, timeout, not-run (out of budget)
    failing: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        """The result as the worker sent it (plain JSON values)."""
        return cls(str(data["status"]), [str(n) for n in data.get("failing", [])], float(data["seconds"]))


@dataclass
class SuiteResult:
    """The learner's suite on their package, on the reference and on every mutant (in catalogue order)."""

    own: RunResult
    reference: RunResult | None = None
    mutants: list[tuple[SuiteMutant, RunResult]] = field(default_factory=list)

    @property
    def problem(self) -> str:
        """Why the suite earns nothing (empty when its runs on the mutants count)."""
        if self.own.status == "no-tests":
            return (
                f"no test found in {SUITE_DIR}/ of your project (files test_*.py with functions test_*): "
                "write tests of your package there"
            )
        if self.own.status != "passed":
            return (
                f"your tests fail on your own package ({_describe(self.own)}): a suite that fails on its "
                "own code earns nothing; fix the tests or the code"
            )
        if self.reference is None or self.reference.status != "passed":
            run = self.reference or RunResult("error")
            return (
                f"your tests fail on a correct implementation of the project ({_describe(run)}): test the "
                "behaviour the brief asks for (inputs, outputs, errors), not details of your own code"
            )
        return ""

    def killed(self, number: int) -> bool:
        """Did the suite fail on mutant ``number`` (and pass on the learner's package and the reference)?"""
        return not self.problem and self.mutants[number][1].status == "failed"

    @property
    def kill_count(self) -> int:
        """How many mutants the suite killed."""
        return sum(self.killed(number) for number in range(len(self.mutants)))


def _describe(run: RunResult) -> str:
    if run.status == "timeout":
        return f"they did not finish within {RUN_TIMEOUT:g} s"
    if run.failing:
        more = f" and {len(run.failing) - 3} more" if len(run.failing) > 3 else ""
        return "failing: " + ", ".join(run.failing[:3]) + more
    if run.status == "failed":
        return "some of them fail"
    return "pytest could not run them: a syntax error or an import that fails?"


# -- the catalogue -------------------------------------------------------------------------------------------
def load_suite_catalogue(folder: Path) -> tuple[SuiteMutant, ...]:
    """Every ``[[mutant]]`` of the ``*.toml`` files in ``folder``, in file then entry order."""
    from course.grading.mutants import MutantError, parse_edits

    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not files:
        raise SuiteCatalogueError(f"{folder}: no learner-suite catalogue (*.toml) here.")
    mutants: list[SuiteMutant] = []
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SuiteCatalogueError(f"{path}: cannot read this catalogue: {exc}") from exc
        if set(data) - {"mutant"}:
            raise SuiteCatalogueError(f"{path}: only [[mutant]] tables belong in a learner-suite catalogue.")
        for number, table in enumerate(data.get("mutant", []), start=1):
            where = f"{path.name}: [[mutant]] number {number} ({table.get('name', 'no name')})"
            if set(table) != MUTANT_KEYS:
                raise SuiteCatalogueError(f"{where}: give exactly {', '.join(sorted(MUTANT_KEYS))}.")
            for key in ("name", "kind", "description"):
                if not isinstance(table[key], str) or not table[key].strip():
                    raise SuiteCatalogueError(f"{where}: {key!r} must be a non-empty string.")
            try:
                edits = parse_edits(table["edit"], where)  # the course catalogue's edit format and checks
            except MutantError as exc:
                raise SuiteCatalogueError(str(exc)) from None
            mutants.append(
                SuiteMutant(
                    table["name"],
                    table["kind"].strip(),
                    table["description"].strip(),
                    edits,
                    path.name,
                )
            )
    names = [m.name for m in mutants]
    if len(set(names)) != len(names):
        raise SuiteCatalogueError(f"{folder}: a mutant name is used twice.")
    return tuple(mutants)


def apply_mutant(mutant: SuiteMutant, folder: Path) -> None:
    """Apply ``mutant``'s edits to the project copy in ``folder`` (each ``find`` must occur once)."""
    from course.grading.mutants import Entry, MutantError, apply_entry

    try:
        apply_entry(Entry("mutant", mutant.name, mutant.description, mutant.edits), folder)
    except MutantError as exc:
        raise SuiteCatalogueError(f"learner-suite mutant {exc}") from exc


def copy_reference(source: Path, dest: Path) -> None:
    """A project folder (the reference or a learner's) without its tests and generated files, and without
    the files that would configure pytest or Python (``conftest.py``, ``pytest.ini``, ``*.pth``, links)."""
    from course.grading.targets import copy_project

    copy_project(source, dest, untrusted=True)
    shutil.rmtree(dest / SUITE_DIR, ignore_errors=True)


def prepare_material(project: str, root: Path, dest: Path) -> bool:
    """Copy the reference and the catalogue of ``project`` into ``dest`` (a sandbox's judge-only folder).

    Returns False, copying nothing, when the course has no such material (a learner's repository).
    """
    source = root / "solutions" / project
    catalogue = root / "tests" / "mutants" / project / CATALOGUE_DIR
    if not (source.is_dir() and catalogue.is_dir()):
        return False
    copy_reference(source, dest / "reference")
    shutil.copytree(catalogue, dest / "catalogue")
    return True


def find_material(project: str, tests_folder: Path) -> Material | None:
    """The material for ``project``: prepared in the grading sandbox, else in the course repository."""
    from course.paths import repo_root

    prepared = tests_folder.parent.parent / PREPARED_DIR / project  # <sandbox>/tests/learner_suite/<p>
    if (prepared / "catalogue").is_dir():
        return Material(prepared / "reference", load_suite_catalogue(prepared / "catalogue"))
    try:
        root = repo_root()
    except CourseError:
        return None
    source = root / "solutions" / project
    catalogue = root / "tests" / "mutants" / project / CATALOGUE_DIR
    if not (source.is_dir() and catalogue.is_dir()):
        return None
    return Material(source, load_suite_catalogue(catalogue))


# -- the worker's side ---------------------------------------------------------------------------------------
def run_suites(folders: list[str], timeout: float, budget: float) -> list[dict[str, Any]]:
    """Run ``tests/`` of each folder with that folder's package first on ``sys.path`` (in the worker).

    Each run is a forked child (a fresh import of the package, its own process group), killed after
    ``timeout`` seconds; once ``budget`` seconds are spent the remaining runs are reported as ``timeout``.
    """
    import importlib
    from importlib.metadata import entry_points

    plugins = [ep for ep in entry_points(group="pytest11") if ep.name not in DISABLED_PLUGINS]
    for load in [
        *(lambda n=name: importlib.import_module(n) for name in PRELOAD),
        *(ep.load for ep in plugins),
    ]:
        try:
            load()
        except Exception:  # a library a suite may not need
            continue
    start = time.monotonic()
    results = []
    for folder in folders:
        left = budget - (time.monotonic() - start)
        if left <= 0:
            results.append({"status": "not-run", "failing": [], "seconds": 0.0})
            continue
        results.append(_run_forked(Path(folder), min(timeout, left)))
    return results


def _run_forked(folder: Path, timeout: float) -> dict[str, Any]:
    report = folder.parent / f"{folder.name}.result.json"
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 3
        try:
            os.setpgid(0, 0)
            code = _child(folder, report)
        finally:
            os._exit(code)
    status = _wait(pid, timeout)
    seconds = round(time.monotonic() - started, 2)
    if status is None:
        return {"status": "timeout", "failing": [], "seconds": seconds}
    failing: list[str] = []
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        failing = [str(n) for n in json.loads(report.read_text(encoding="utf-8"))["failing"]][:50]
    names = {0: "passed", 1: "failed", 5: "no-tests"}
    return {"status": names.get(status, "error"), "failing": failing, "seconds": seconds}


def _wait(pid: int, timeout: float) -> int | None:
    """The child's exit status, or None after killing its process group at ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(OSError):
            target()
    os.waitpid(pid, 0)
    return None


def _child(folder: Path, report: Path) -> int:
    import pytest

    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.chdir(folder)
    sys.path.insert(0, str(folder))
    (folder / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")

    class Failures:
        def __init__(self) -> None:
            self.failing: list[str] = []

        def pytest_runtest_logreport(self, report: Any) -> None:
            if report.failed:
                self.failing.append(report.nodeid)

        def pytest_collectreport(self, report: Any) -> None:
            if report.failed:
                self.failing.append(f"{report.nodeid} (could not be collected)")

    collector = Failures()
    args = ["-q", "-p", "no:cacheprovider", "-c", "pytest.ini"]
    for name in DISABLED_PLUGINS:
        args += ["-p", f"no:{name}"]
    args += ["--rootdir", str(folder), "--import-mode=importlib", SUITE_DIR]
    code = int(pytest.main(args, plugins=[collector]))
    report.write_text(json.dumps({"failing": collector.failing}), encoding="utf-8")
    return code


# -- the judge's side ----------------------------------------------------------------------------------------
def _stage(package: Path, tests: Path, dest: Path, mutant: SuiteMutant | None = None) -> Path:
    copy_reference(package, dest)
    if mutant is not None:
        apply_mutant(mutant, dest)
    if tests.is_dir():
        shutil.copytree(tests, dest / SUITE_DIR, ignore=shutil.ignore_patterns("__pycache__", "conftest.py"))
    return dest


def grade_suite(material: Material, project_dir: Path, runner: Any) -> SuiteResult:
    """Run the learner's suite (``project_dir/tests``) on their package, the reference and every mutant.

    ``runner(folders, timeout, budget)`` runs the suites where the submission may run (the worker's
    :func:`run_suites`) and returns their results as plain values.
    """
    tests = project_dir / SUITE_DIR
    with tempfile.TemporaryDirectory(prefix="course-suite-") as tmp:
        scratch = Path(tmp)
        if not (tests.is_dir() and any(tests.rglob("test_*.py"))):
            return SuiteResult(RunResult("no-tests"))
        own = _stage(project_dir, tests, scratch / "own")
        [first] = runner([str(own)], RUN_TIMEOUT, SUITE_BUDGET)
        result = SuiteResult(RunResult.from_dict(first))
        if result.own.status != "passed":
            return result
        folders = [_stage(material.reference, tests, scratch / "reference")]
        for number, mutant in enumerate(material.mutants):
            folders.append(_stage(material.reference, tests, scratch / f"mutant-{number}", mutant))
        runs = [RunResult.from_dict(r) for r in runner([str(f) for f in folders], RUN_TIMEOUT, SUITE_BUDGET)]
        for run in runs:  # only names the learner wrote: never text their tests made from the reference
            run.failing = written_names(run.failing, tests)
        result.reference = runs[0]
        result.mutants = list(zip(material.mutants, runs[1:], strict=True))
        return result


def written_names(nodeids: list[str], tests: Path) -> list[str]:
    """The test functions of ``nodeids`` that the learner's files define literally (``def test_x``).

    A run on the reference or a mutant reports node ids, which a test can build from what it reads (its
    parameters' ids): only the function names written in the learner's files are shown back.
    """
    import re

    written: set[str] = set()
    for path in tests.rglob("test_*.py"):
        written |= set(
            re.findall(r"^\s*(?:async\s+)?def\s+(test_\w{1,80})\s*\(", path.read_text(errors="replace"), re.M)
        )
    names = [nodeid.split("::")[-1].split("[")[0] for nodeid in nodeids]
    return list(dict.fromkeys(name for name in names if name in written))


def mutant_message(result: SuiteResult, number: int) -> str:
    """Why case ``number`` earned nothing, in the learner's words (never the mutant's code)."""
    if result.problem:
        return result.problem
    mutant, run = result.mutants[number]
    if run.status == "error":
        return f"your tests could not run on a changed package ({mutant.kind}): do they import private names?"
    if run.status in ("timeout", "not-run"):
        return f"your tests ran out of time before deciding on this mistake ({mutant.kind}): keep them fast"
    return f"your tests missed this kind of mistake: {mutant.kind}. Add a test that fails when it happens."


def worker_runner(config: Any) -> tuple[Any, Any]:
    """``(runner, worker)``: :func:`run_suites` called in a worker confined like ``project_module``'s.

    Stop the worker (``worker.stop()``) when done.
    """
    from course.grading.fixtures import cover_of
    from course.grading.remote import RemoteWorker
    from course.grading.session import grading

    session = grading(config)
    hide = [config.rootpath / "tests", *map(Path, session.state.get("private", []))]
    hide += [Path(p) for p in (config.getoption(o, None) for o in ("grading_results", "grading_state")) if p]
    worker = RemoteWorker([], hide=hide, cover=cover_of(session.state))

    def runner(folders: list[str], timeout: float, budget: float) -> list[dict[str, Any]]:
        return list(worker.module(__name__).run_suites(folders, timeout, budget))

    return runner, worker


def check_case(result: SuiteResult | None, number: int) -> None:
    """Case ``number`` of a project's mutation item: pass when the suite killed mutant ``number``.

    ``result`` None (the material is absent) skips with :data:`DEFERRED`, which leaves the item out of the
    total.
    """
    import pytest

    if result is None:
        pytest.skip(
            f"{DEFERRED}: it runs your tests against the course's mutants of a correct package, which are "
            "not in your repository; not counted here. Run `pytest tests` in the project folder meanwhile",
        )
    if not result.killed(number):
        pytest.fail(mutant_message(result, number), pytrace=False)


def suite_for(request: Any, project: str, project_dir: Path, cases: int) -> SuiteResult | None:
    """The learner's suite graded on ``project``'s material (None when absent); ``cases`` must equal the
    number of mutants (the graded test's parametrization, which the rubric counts without importing)."""
    import pytest

    material = find_material(project, Path(str(request.path)).parent)
    if material is None:
        return None
    if len(material.mutants) != cases:
        pytest.fail(
            f"the course's learner-suite catalogue of {project} has {len(material.mutants)} mutants but the "
            f"graded test has {cases} cases: tell your instructor",
            pytrace=False,
        )
    runner, worker = worker_runner(request.config)
    try:
        return grade_suite(material, project_dir, runner)
    finally:
        worker.stop()
