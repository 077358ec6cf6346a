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
    paths = set(_glob.glob({everywhere}, recursive=True))
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


def graded(course: Path, code: str, isolation: str) -> float:
    # every grading sandbox on the machine only against the worker: in the test process the forgery would
    # reach other gradings running at the same time (a concurrent test's report once gained 5 points)
    everywhere = '"/tmp/course-grade-*/**/results-*.jsonl"' if isolation == "worker" else '"/nowhere/*"'
    code = code.replace("{everywhere}", everywhere)
    folder = Path(
        shutil.copytree(course / "projects" / "p1_baseline", course.parent / f"{course.name}-attack")
    )
    module = folder / "tinypkg" / "mathops.py"
    module.write_text(module.read_text().replace("def add(", "def _starter_add(") + textwrap.dedent(code))
    report = grade_submission("p1", folder, root=course, limits=LIMITS)
    return sum(item.earned for item in report.items if not item.id.startswith("p1.notebook"))


@pytest.mark.parametrize("code", [FORGE_THE_RESULTS, PATCH_PYTEST], ids=["forge-results", "patch-pytest"])
def test_an_attack_on_the_verdicts_earns_nothing_against_a_worker(tmp_path: Path, code: str) -> None:
    assert graded(course_with(tmp_path, "worker"), code, "worker") == 0


@pytest.mark.parametrize("code", [FORGE_THE_RESULTS, PATCH_PYTEST], ids=["forge-results", "patch-pytest"])
def test_the_same_attack_earns_points_in_the_test_process(tmp_path: Path, code: str) -> None:
    assert graded(course_with(tmp_path, "process"), code, "process") > 0


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


HOSTILE_PEER = """
import glob as _glob
import hashlib as _hashlib
import os as _os
import time as _time

_TARGETS = ({sandboxes}, "{victim}/**/*", "{course}/**/*")


_OWN = tuple(_os.path.realpath(p) for p in (_os.getcwd(), _os.environ.get("TMPDIR", _os.getcwd())))


def _strike():
    damaged = set()
    for pattern in _TARGETS:
        for path in _glob.glob(pattern, recursive=True):
            if not _os.path.isfile(path) or _os.path.realpath(path).startswith(_OWN):
                continue  # its own folders are fair game, and not what this attack is about
            try:
                with open(path, "w") as handle:
                    handle.write("overwritten by a peer")
                damaged.add(path)
            except OSError:
                pass
            try:
                _os.remove(path)
                damaged.add(path)
            except OSError:
                pass
    return damaged


def add(a, b):
    seen = set()
    for _ in range(20):  # keep striking while the peer is graded
        seen |= _strike()
        _time.sleep(0.25)
    if seen:
        raise RuntimeError(f"damaged {sorted(seen)[:5]}")
    return a + b
"""


def _digest(folder: Path) -> dict[str, str]:
    import hashlib

    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _class_run(tmp_path: Path, isolation: str, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, bool, bool]:
    """Grade a victim and a hostile peer at once; the reports, and whether victim and course are intact.

    As root the test processes would run as ``nobody``, which cannot write the victim's files either: the
    drop is switched off, so that this shows what the worker's view alone does (test_grading_confine.py
    checks the drop)."""
    from course.grading import runner
    from course.grading.classroom import find_submissions, grade_class
    from course.grading.rubric import load_rubric

    kept_root = lambda root: (None, "switched off by the test")  # noqa: E731
    monkeypatch.setattr(confine, "grading_user", kept_root)
    monkeypatch.setattr(runner, "grading_user", kept_root)

    course = course_with(tmp_path, isolation)
    klass = tmp_path / f"class-{isolation}"
    victim = Path(shutil.copytree(course / "solutions" / "p1_baseline", klass / "victim" / "p1_baseline"))
    hostile = Path(shutil.copytree(course / "solutions" / "p1_baseline", klass / "hostile" / "p1_baseline"))
    module = hostile / "tinypkg" / "mathops.py"
    # every grading sandbox on the machine only against the worker: in the test process the code would
    # reach (and break) other gradings running at the same time, not only this class run's victim
    sandboxes = '"/tmp/course-grade-*/**/*"' if isolation == "worker" else '"{victim}/**/*"'
    code = HOSTILE_PEER.replace("{sandboxes}", sandboxes)
    code = code.replace("{course}", str(course)).replace("{victim}", str(victim))
    module.write_text(module.read_text().replace("def add(", "def _solution_add(") + textwrap.dedent(code))
    before_victim, before_course = _digest(victim), _digest(course)
    subs = find_submissions([klass], "p1_baseline")
    limits = Limits(timeout=60, wall=240, memory_mb=2048)  # two gradings at once on a busy machine
    graded = grade_class("p1", subs, load_rubric("p1", course), jobs=2, limits=limits, root=course)
    return (
        {r.submission: r for r in graded},
        _digest(victim) == before_victim,
        _digest(course) == before_course,
    )


@pytest.mark.slow
def test_a_hostile_peer_in_a_class_run_sees_and_damages_nothing(tmp_path: Path, monkeypatch) -> None:
    """Two submissions graded at once: one tries to overwrite and delete every file it can find outside its
    own folders (the other run's sandbox, the victim's folder, the course, which it may read). The victim
    keeps full marks, the victim's folder and the course are byte-identical afterwards, and no write or
    delete of the hostile code succeeded (its add() raises if one did)."""
    reports, victim_intact, course_intact = _class_run(tmp_path, "worker", monkeypatch)
    assert victim_intact, "the hostile peer changed the victim's submission"
    assert course_intact, "the hostile peer changed the course"
    lost = {i.id: i.message for i in reports["victim"].items if i.earned < i.points}
    assert not lost, f"the victim lost points beside the hostile peer: {lost}"
    add = next(i for i in reports["hostile"].items if i.id == "p1.mathops.add")
    assert add.earned == add.points, f"the hostile code damaged files outside its sandbox: {add.message}"


@pytest.mark.slow
def test_the_same_peer_damages_the_other_run_in_the_test_process(tmp_path: Path, monkeypatch) -> None:
    """Without the worker the same code reaches the victim (so the test above is not vacuous)."""
    reports, victim_intact, _ = _class_run(tmp_path, "process", monkeypatch)
    add = next(i for i in reports["hostile"].items if i.id == "p1.mathops.add")
    assert not victim_intact and add.earned == 0, add.message
