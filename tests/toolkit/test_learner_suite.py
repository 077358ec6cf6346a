"""Learner tests graded by mutation (course.grading.learner_suite): strong suites kill, trivial ones not."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from course.grading import learner_suite
from course.grading.learner_suite import (
    DEFERRED,
    Material,
    SuiteCatalogueError,
    grade_suite,
    load_suite_catalogue,
    mutant_message,
    run_suites,
)
from course.grading.rubric import Rubric, RubricItem, RubricTest
from course.grading.scoring import RunRecord, score
from course.paths import repo_root

PROJECTS = ("p2_serving", "p3_pipeline")
CATALOGUE = """
[[mutant]]
name = "add-subtracts"
kind = "add subtracts"
description = "a - b"

[[mutant.edit]]
file = "calc/__init__.py"
find = "return a + b"
replace = "return a - b"

[[mutant]]
name = "clamp-eleven"
kind = "the clamp lets 11 through"
description = "off by one"

[[mutant.edit]]
file = "calc/__init__.py"
find = "min(x, 10)"
replace = "min(x, 11)"
"""
STRONG = """
from calc import add, clamp

def test_add():
    assert add(2, 3) == 5

def test_clamp():
    assert clamp(11) == 10 and clamp(-1) == 0
"""


@pytest.fixture
def calc(tmp_path: Path) -> Material:
    """A tiny reference project (``calc``) with a catalogue of two mutants."""
    reference = tmp_path / "reference"
    (reference / "calc").mkdir(parents=True)
    (reference / "calc" / "__init__.py").write_text(
        "def add(a, b):\n    return a + b\n\n\ndef clamp(x):\n    return max(0, min(x, 10))\n"
    )
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "mutants.toml").write_text(CATALOGUE)
    return Material(reference, load_suite_catalogue(tmp_path / "catalogue"))


def _learner(tmp_path: Path, material: Material, tests: dict[str, str]) -> Path:
    """A learner's project: the reference package and ``tests`` (file name -> source)."""
    folder = tmp_path / "learner"
    learner_suite.copy_reference(material.reference, folder)
    (folder / "tests").mkdir()
    for name, source in tests.items():
        (folder / "tests" / name).write_text(textwrap.dedent(source))
    return folder


def _grade(material: Material, folder: Path) -> learner_suite.SuiteResult:
    return grade_suite(material, folder, run_suites)


def test_a_strong_suite_kills_every_mutant(calc: Material, tmp_path: Path) -> None:
    result = _grade(calc, _learner(tmp_path, calc, {"test_calc.py": STRONG}))
    assert result.problem == "" and result.kill_count == 2


@pytest.mark.parametrize(
    "tests",
    [{}, {"notes.py": "x = 1\n"}, {"test_calc.py": "def test_nothing():\n    assert True\n"}],
    ids=["empty", "no-test-file", "trivial"],
)
def test_an_empty_or_trivial_suite_kills_nothing(calc: Material, tmp_path: Path, tests: dict) -> None:
    result = _grade(calc, _learner(tmp_path, calc, tests))
    assert result.kill_count == 0
    assert all(not result.killed(n) for n in range(len(result.mutants)))


def test_a_suite_failing_on_its_own_code_earns_nothing(calc: Material, tmp_path: Path) -> None:
    """Even a suite that would kill every mutant earns nothing if it fails on the learner's package."""
    folder = _learner(tmp_path, calc, {"test_calc.py": STRONG})
    (folder / "calc" / "__init__.py").write_text(
        "def add(a, b):\n    return 0\n\n\ndef clamp(x):\n    return 0\n"
    )
    result = _grade(calc, folder)
    assert result.own.status == "failed" and result.mutants == []
    assert "fail on your own package" in result.problem and "test_add" in result.problem
    assert all(not result.killed(n) for n in range(2))


def test_a_suite_that_fails_on_the_reference_earns_nothing(calc: Material, tmp_path: Path) -> None:
    """A test tied to the learner's own code (here: a private helper) fails on a correct package."""
    folder = _learner(
        tmp_path, calc, {"test_calc.py": STRONG + "\ndef test_private():\n    import calc._util\n"}
    )
    (folder / "calc" / "_util.py").write_text("X = 1\n")
    result = _grade(calc, folder)
    assert result.own.status == "passed" and result.reference.status == "failed"
    assert "correct implementation" in result.problem and result.kill_count == 0


def test_a_hanging_suite_is_stopped(calc: Material, tmp_path: Path) -> None:
    """A suite that never ends is killed at the run's timeout; runs beyond the budget are not run."""
    folder = _learner(tmp_path, calc, {"test_calc.py": "def test_hang():\n    while True:\n        pass\n"})
    runs = run_suites([str(folder), str(folder)], 1.0, 1.0)
    assert [run["status"] for run in runs] == ["timeout", "not-run"]


def test_the_message_names_the_kind_never_the_code(calc: Material, tmp_path: Path) -> None:
    only_add = "from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    result = _grade(calc, _learner(tmp_path, calc, {"test_calc.py": only_add}))
    assert result.killed(0) and not result.killed(1)
    message = mutant_message(result, 1)
    assert "the clamp lets 11 through" in message and "min(x, 11)" not in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[mutant]]\nname = 'a'\nkind = 'k'\n", "give exactly"),
        ("[[alternative]]\nname = 'a'\n", "only [[mutant]]"),
        ("[[mutant]]\n", "give exactly"),
    ],
)
def test_a_bad_catalogue_is_refused_with_the_entry(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "bad.toml").write_text(text)
    with pytest.raises(SuiteCatalogueError, match=re.escape(problem)):
        load_suite_catalogue(tmp_path)


def test_a_deferred_item_leaves_the_total() -> None:
    """Where the mutants are absent (a learner's repository) the item is neither earned nor counted."""
    rubric = Rubric(
        project="p9_demo",
        items=[
            RubricItem(id="p9.a", text="a", tests=[RubricTest("t.py::a", 3)]),
            RubricItem(id="p9.tests", text="own tests", tests=[RubricTest("t.py::m", 1, cases=2)]),
        ],
    )
    records = {
        n: {"kind": "test", "key": k, "name": n}
        for n, k in (("a", "t.py::a"), ("m0", "t.py::m"), ("m1", "t.py::m"))
    }
    skipped = {"outcome": "skipped", "message": f"{DEFERRED}: not counted here"}
    results = {"a": {"outcome": "passed"}, "m0": skipped, "m1": skipped}
    items = score(RunRecord(rubric=rubric, records=records, results=results))
    assert [(i.id, i.points, i.earned) for i in items] == [("p9.a", 3, 3.0), ("p9.tests", 0.0, 0.0)]
    other = {**results, "m1": {"outcome": "skipped", "message": "some other reason"}}
    items = score(RunRecord(rubric=rubric, records=records, results=other))
    assert items[1].points == 2


@pytest.mark.slow  # ten runs of a real suite per project (about 15 s each); test-graded checks it too
@pytest.mark.parametrize("project", PROJECTS)
def test_the_reference_suite_kills_most_mutants(project: str, tmp_path: Path) -> None:
    """The solution's own tests kill at least 80 % of the project's catalogue (``assert True`` kills none:
    see the trivial suite above; the graded test on solutions/ wants every mutant killed)."""
    root = repo_root()
    material = learner_suite.find_material(project, root / "tests" / "graded" / project)
    assert material is not None and 8 <= len(material.mutants) <= 12
    for mutant in material.mutants:  # every entry applies to the reference
        learner_suite.apply_mutant(mutant, _fresh(material, tmp_path / mutant.name))
    result = _grade(material, root / "solutions" / project)
    assert result.problem == ""
    missed = [m.name for n, (m, _) in enumerate(result.mutants) if not result.killed(n)]
    assert result.kill_count >= 0.8 * len(material.mutants), f"the reference suite misses {missed}"


def _fresh(material: Material, dest: Path) -> Path:
    learner_suite.copy_reference(material.reference, dest)
    return dest


@pytest.mark.parametrize("project", PROJECTS)
def test_the_graded_test_has_one_case_per_mutant(project: str) -> None:
    root = repo_root()
    material = learner_suite.find_material(project, root / "tests" / "graded" / project)
    source = next((root / "tests" / "graded" / project).glob("test_*_own_tests.py")).read_text()
    assert f"range({len(material.mutants)})" in source and f"MUTANTS = {len(material.mutants)}" in source


def test_without_the_material_the_item_is_deferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A learner's repository (no solutions/, no catalogue): nothing is prepared and the cases skip."""
    (tmp_path / "course.toml").write_text('kind = "learner"\n')
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    assert not learner_suite.prepare_material("p2_serving", tmp_path, tmp_path / "prepared")
    assert not (tmp_path / "prepared").exists()
    assert learner_suite.find_material("p2_serving", tmp_path / "tests" / "graded" / "p2_serving") is None
    with pytest.raises(pytest.skip.Exception, match=DEFERRED):
        learner_suite.check_case(None, 0)


@pytest.mark.parametrize("project", PROJECTS)
def test_the_course_catalogue_ignores_the_learner_suite_folder(project: str) -> None:
    """``course mutants`` reads tests/mutants/<project>/*.toml only, never the learner-suite mutants."""
    from course.grading.mutants import load_catalogue
    from course.grading.rubric import load_rubric

    root = repo_root()
    names = {
        e.name for e in load_catalogue([root / "tests" / "mutants" / project], load_rubric(project, root))
    }
    material = learner_suite.find_material(project, root / "tests" / "graded" / project)
    assert names and not names & {m.name for m in material.mutants}


def test_a_message_never_carries_text_a_test_read_from_the_reference(calc: Material, tmp_path: Path) -> None:
    """A test whose parameter id is the package's source, failing on the reference, is named by its function
    only: the reference's code never reaches the report."""
    leaky = """
import pathlib
import pytest
import calc

SOURCE = pathlib.Path(calc.__file__).read_text()[:40]

@pytest.mark.parametrize("text", [SOURCE])
def test_leak(text):
    assert hasattr(calc, "MARK")
"""
    folder = _learner(tmp_path, calc, {"test_calc.py": leaky})
    (folder / "calc" / "__init__.py").write_text("MARK = 1\n" + (folder / "calc" / "__init__.py").read_text())
    result = _grade(calc, folder)
    assert result.own.status == "passed" and result.reference.status == "failed"
    assert "test_leak" in result.problem and "def add" not in result.problem
