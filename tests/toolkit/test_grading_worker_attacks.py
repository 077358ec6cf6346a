"""Attacks on the verdicts themselves: with ``isolation = "worker"`` each earns nothing.

Each attack is graded twice on the sample course: with the project in worker isolation (it must earn no
point beyond the starter's) and with the submission imported into the test process, where it does earn
points, so that no attack test is vacuous.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from course.grading import confine
from course.grading.runner import Limits, grade_submission

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"
LIMITS = Limits(timeout=10, wall=90, memory_mb=2048)

FORGE_THE_RESULTS = """
import glob as _glob
import json as _json
import os as _os
import sys as _sys

def add(a, b):
    paths = set(_glob.glob("/tmp/course-grade-*/**/results-*.jsonl", recursive=True))
    if "--grading-results" in _sys.argv:
        paths.add(_sys.argv[_sys.argv.index("--grading-results") + 1])
    for path in paths:
        try:
            with open(path) as handle:
                events = [_json.loads(line) for line in handle if line.strip()]
            ids = [i["nodeid"] for e in events if e.get("event") == "collected" for i in e["items"]]
            with open(path, "a") as handle:
                for nodeid in ids:
                    handle.write(_json.dumps({"event": "end", "nodeid": nodeid, "outcome": "passed"}) + "\\n")
        except (OSError, ValueError):
            continue
    _os._exit(0)
"""

PATCH_PYTEST = """
from _pytest import reports as _reports

_original = _reports.TestReport.__init__

def _passed(self, *args, **kwargs):
    _original(self, *args, **kwargs)
    self.outcome = "passed"
    self.longrepr = None

_reports.TestReport.__init__ = _passed

def add(a, b):
    return 0
"""


@pytest.fixture(autouse=True)
def needs_namespaces() -> None:
    prefix, why = confine.namespace_prefix()
    if not prefix:
        pytest.skip(f"no mount namespace on this machine: {why}")


def course_with(tmp_path: Path, isolation: str) -> Path:
    course = Path(shutil.copytree(SAMPLE, tmp_path / f"course-{isolation}"))
    rubric = course / "tests" / "graded" / "p1_baseline" / "rubric.toml"
    rubric.write_text(f'isolation = "{isolation}"\n' + rubric.read_text())
    return course


def graded(course: Path, code: str) -> float:
    folder = Path(
        shutil.copytree(course / "projects" / "p1_baseline", course.parent / f"{course.name}-attack")
    )
    module = folder / "tinypkg" / "mathops.py"
    module.write_text(module.read_text().replace("def add(", "def _starter_add(") + textwrap.dedent(code))
    report = grade_submission("p1", folder, root=course, limits=LIMITS)
    return sum(item.earned for item in report.items if not item.id.startswith("p1.notebook"))


@pytest.mark.parametrize("code", [FORGE_THE_RESULTS, PATCH_PYTEST], ids=["forge-results", "patch-pytest"])
def test_an_attack_on_the_verdicts_earns_nothing_against_a_worker(tmp_path: Path, code: str) -> None:
    assert graded(course_with(tmp_path, "worker"), code) == 0


@pytest.mark.parametrize("code", [FORGE_THE_RESULTS, PATCH_PYTEST], ids=["forge-results", "patch-pytest"])
def test_the_same_attack_earns_points_in_the_test_process(tmp_path: Path, code: str) -> None:
    assert graded(course_with(tmp_path, "process"), code) > 0


LOOK_FOR_THE_JUDGE = """
import glob, os
found = glob.glob("/tmp/course-grade-*/judge/**/results-*.jsonl", recursive=True)
found += glob.glob("/tmp/course-grade-*/tests/**/*.py", recursive=True)
assert not found, f"the kernel sees the judge's files: {found}"
assert os.path.isfile("analysis.ipynb"), "the kernel runs in the submission's folder"
"""


def test_a_notebook_kernel_cannot_see_the_judges_files(tmp_path: Path) -> None:
    import nbformat

    course = course_with(tmp_path, "worker")
    solution = Path(shutil.copytree(course / "solutions" / "p1_baseline", tmp_path / "submission"))
    notebook = nbformat.read(solution / "analysis.ipynb", as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(LOOK_FOR_THE_JUDGE))
    nbformat.write(notebook, solution / "analysis.ipynb")
    report = grade_submission("p1", solution, root=course, limits=LIMITS)
    item = next(item for item in report.items if item.id == "p1.notebook.analysis")
    assert item.earned == item.points, item.message
