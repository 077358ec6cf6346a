"""The runner grades the sample course's submissions, hostile ones included, to completion within limits."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from course.grading.runner import Limits, grade_submission

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"
LIMITS = Limits(timeout=5, wall=60, memory_mb=2048)
TEST_ITEMS = ("p1.mathops.add", "p1.mathops.mean", "p1.reports.summary")


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A private copy of the sample course."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "course"))


def submission(
    course: Path, name: str, append: str = "", replace: tuple[str, str] | None = None, notebook: bool = True
) -> Path:
    """A learner's project folder: the solution with code appended to (or replaced in) mathops.py.

    ``notebook=False`` deletes the notebook, which saves a kernel start where the case is about tests only.
    """
    folder = Path(shutil.copytree(course / "solutions" / "p1_baseline", course.parent / name))
    if not notebook:
        (folder / "analysis.ipynb").unlink()
    module = folder / "tinypkg" / "mathops.py"
    text = module.read_text()
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    module.write_text(text + textwrap.dedent(append))
    return folder


def by_id(report) -> dict:
    return {item.id: item for item in report.items}


def test_the_solution_gets_full_marks_and_its_notes(course: Path) -> None:
    report = grade_submission("p1", "solutions", root=course, limits=LIMITS)
    assert (report.score, report.max_score) == (10, 10), json.dumps(report.to_dict(), indent=1)
    assert "p1.reports.summary: your summary has 2 lines" in report.notes


def test_the_starter_gets_zero_and_every_test_fails(course: Path) -> None:
    report = grade_submission("p1", "projects", root=course, limits=LIMITS)
    assert report.score == 0
    outcomes = {test.outcome for item in report.items for test in item.tests}
    assert outcomes == {"failed"}
    assert "NotImplementedError: add:" in by_id(report)["p1.mathops.add"].message


def test_a_syntax_error_zeroes_every_item_with_its_location(course: Path) -> None:
    target = submission(course, "syntax", append="\ndef broken(:\n    pass\n")
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    assert report.score == 0
    assert by_id(report)["p1.mathops.add"].message.startswith(
        "Could not import tinypkg.mathops: SyntaxError at tinypkg/mathops.py line"
    )
    assert "SyntaxError" in by_id(report)["p1.notebook.analysis"].message


@pytest.mark.slow
def test_a_hanging_import_costs_one_timeout_in_all(course: Path) -> None:
    """The notebook's cell spends the timeout on the import; the tests that import the same module fail
    at once (the benchmark's hang at import: 21.9 s with a 10 s timeout before, 12.0 s after)."""
    target = submission(course, "hang", append="\nwhile True:\n    pass\n")
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    assert report.score == 0
    tests = [t for item in report.items if item.id in TEST_ITEMS for t in item.tests]
    slow = [t for t in tests if t.duration_s >= LIMITS.timeout * 0.8]
    assert slow == [], [(t.name, t.duration_s) for t in tests]
    assert all("did not finish within 5 s in analysis.ipynb, code cell 1" in t.message for t in tests)
    assert "did not finish within 5 s" in by_id(report)["p1.notebook.analysis"].message
    assert report.duration_s < 2 * LIMITS.timeout


def test_sys_exit_at_import_is_a_failure_not_an_exit(course: Path) -> None:
    target = submission(course, "sysexit", append="\nimport sys\n\nsys.exit(0)\n")
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    assert report.score == 0
    assert "calls sys.exit(0) when imported" in by_id(report)["p1.mathops.mean"].message


@pytest.mark.slow
def test_os_exit_at_import_is_survived_and_explained(course: Path) -> None:
    target = submission(course, "osexit", append="\nimport os\n\nos._exit(3)\n")
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    assert report.score == 0, json.dumps(report.to_dict(), indent=1)
    outcomes = [t.outcome for item in report.items if item.id in TEST_ITEMS for t in item.tests]
    assert outcomes.count("crashed") == 1 and outcomes.count("not run") == 0, outcomes
    message = by_id(report)["p1.reports.summary"].message
    assert "exited abruptly (exit code 3)" in message and "os._exit or sys.exit" in message
    assert "kernel exited abruptly (exit code 3)" in by_id(report)["p1.notebook.analysis"].message


def test_a_memory_bomb_fails_its_item_only(course: Path) -> None:
    """The bomb zero-fills a gigabyte before the second one fails: a 15 s timeout keeps a busy machine's
    page faults from turning the memory error this test is about into a timeout."""
    bomb = "    hoard = [bytearray(1024**3) for _ in range(100)]  # 100 GB\n    return a + b + len(hoard)"
    target = submission(course, "bomb", replace=("    return a + b", bomb), notebook=False)
    report = grade_submission("p1", target, root=course, limits=Limits(timeout=15, wall=60, memory_mb=2048))
    items = by_id(report)
    assert items["p1.mathops.add"].earned == 0
    assert (
        "MemoryError: your code ran out of memory (the grader allows 2048 MB)"
        in items["p1.mathops.add"].message
    )
    assert items["p1.mathops.mean"].earned == items["p1.mathops.mean"].points


def test_a_deleted_notebook_zeroes_its_item_only(course: Path) -> None:
    target = submission(course, "nonb", notebook=False)
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    assert by_id(report)["p1.notebook.analysis"].message.startswith("analysis.ipynb is missing")
    assert report.score == report.max_score - 3


def test_a_conftest_that_forces_passes_is_ignored_and_reported(course: Path) -> None:
    target = submission(course, "cheat", replace=("    return a + b", "    return a - b"), notebook=False)
    (target / "conftest.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.hookimpl(hookwrapper=True)
            def pytest_runtest_makereport(item, call):
                outcome = yield
                outcome.get_result().outcome = "passed"
            """
        )
    )
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    assert by_id(report)["p1.mathops.add"].earned == 0
    assert "ignored conftest.py in your submission: the grader's tests run as shipped" in report.notes


def test_a_failing_notebook_cell_is_named_with_its_error(course: Path) -> None:
    target = submission(course, "nbfail")
    notebook = nbformat.read(target / "analysis.ipynb", as_version=4)
    notebook.cells[2].source = "print(undefined_name)"
    nbformat.write(notebook, target / "analysis.ipynb")
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    message = by_id(report)["p1.notebook.analysis"].message
    assert message == (
        "analysis.ipynb, code cell 2 (`print(undefined_name)`) failed: "
        "NameError: name 'undefined_name' is not defined"
    )


@pytest.mark.parametrize(
    ("source", "tags"),
    [
        ("print(undefined_name)", ["nbval-skip"]),
        ("print(undefined_name)", ["raises-exception"]),
        ("# NBVAL_SKIP\nprint(undefined_name)", []),
        ("# NBVAL_RAISES_EXCEPTION\nprint(undefined_name)", []),
    ],
)
def test_a_cell_marked_to_be_skipped_or_to_raise_still_has_to_run(course: Path, source, tags) -> None:
    target = submission(course, "marked")
    notebook = nbformat.read(target / "analysis.ipynb", as_version=4)
    notebook.cells[2].source = source
    notebook.cells[2].metadata["tags"] = tags
    nbformat.write(notebook, target / "analysis.ipynb")
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    assert by_id(report)["p1.notebook.analysis"].earned == 0
    assert any("the grader ignores those marks and runs every cell" in note for note in report.notes)


def test_a_notebook_without_code_cells_earns_nothing(course: Path) -> None:
    target = submission(course, "emptied")
    notebook = nbformat.read(target / "analysis.ipynb", as_version=4)
    notebook.cells = [cell for cell in notebook.cells if cell.cell_type != "code"]
    nbformat.write(notebook, target / "analysis.ipynb")
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    assert by_id(report)["p1.notebook.analysis"].message == (
        "analysis.ipynb has no code cell to run: the notebook is graded by running it"
    )


def test_a_notebook_must_write_its_results_in_this_run(course: Path) -> None:
    rubric = course / "tests" / "graded" / "p1_baseline" / "rubric.toml"
    rubric.write_text(rubric.read_text() + 'writes = ["reports/analysis.json"]\n')
    target = submission(course, "stale")
    (target / "reports").mkdir()
    (target / "reports" / "analysis.json").write_text("{}")  # shipped, not written by this run
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    assert by_id(report)["p1.notebook.analysis"].message == (
        "analysis.ipynb ran but did not write reports/analysis.json in this run: run it top to bottom"
    )


def test_extra_tests_add_hidden_items(course: Path, tmp_path: Path) -> None:
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_mathops.py").write_text(
        textwrap.dedent(
            '''
            import pytest

            @pytest.mark.rubric("p1.hidden.add_negative", points=4)
            def test_add_negative(project_module):
                """add() handles negative numbers."""
                assert project_module("tinypkg.mathops").add(-2, -3) == -5, "add(-2, -3) should be -5."
            '''
        )
    )
    target = submission(course, "plain", notebook=False)
    report = grade_submission("p1", target, root=course, limits=LIMITS, extra_tests=hidden)
    assert by_id(report)["p1.hidden.add_negative"].earned == 4
    assert (report.score, report.max_score) == (11, 14)  # the notebook is missing: 3 points


@pytest.mark.slow
def test_the_wall_clock_limit_stops_the_run_and_zeroes_the_rest(course: Path) -> None:
    slow = "    import time\n\n    time.sleep(60)\n    return a + b"
    target = submission(course, "sleepy", replace=("    return a + b", slow), notebook=False)
    limits = Limits(timeout=30, wall=12, memory_mb=2048)
    report = grade_submission("p1", target, root=course, limits=limits)
    assert report.duration_s < 12 + 5
    assert any("wall-clock limit of 12 s" in note for note in report.notes)
    assert by_id(report)["p1.mathops.add"].earned == 0


@pytest.fixture(scope="module")
def lanes_report(tmp_path_factory: pytest.TempPathFactory):
    """The sample course graded with beside_notebooks: a notebook that waits for a beside test's file."""
    course = Path(shutil.copytree(SAMPLE, tmp_path_factory.mktemp("lanes") / "course"))
    tests = course / "tests" / "graded" / "p1_baseline"
    rubric = tests / "rubric.toml"
    rubric.write_text('beside_notebooks = ["test_beside.py", "test_mathops.py"]\n\n' + rubric.read_text())
    (tests / "test_beside.py").write_text(
        textwrap.dedent(
            '''
            import pytest

            @pytest.mark.rubric("p1.lanes.beside", points=1)
            def test_beside(project_dir):
                """Runs while the notebook runs."""
                (project_dir / "beside.flag").write_text("written by the beside lane")
            '''
        )
    )
    (tests / "test_after.py").write_text(
        textwrap.dedent(
            '''
            import pytest

            @pytest.mark.rubric("p1.lanes.after", points=1)
            def test_after(project_dir):
                """Runs after the notebooks."""
                assert (project_dir / "notebook.done").is_file(), "the notebook had not run yet"
            '''
        )
    )
    target = submission(course, "lanes")
    notebook = nbformat.read(target / "analysis.ipynb", as_version=4)
    waits = textwrap.dedent(
        """
        import pathlib, time

        deadline = time.monotonic() + 15
        while not pathlib.Path("beside.flag").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pathlib.Path("beside.flag").exists(), "no beside test ran while the notebook waited"
        pathlib.Path("notebook.done").write_text("done")
        """
    )
    notebook.cells.insert(1, nbformat.v4.new_code_cell(waits))
    nbformat.write(notebook, target / "analysis.ipynb")
    return grade_submission("p1", target, root=course, limits=Limits(timeout=20, wall=90, memory_mb=2048))


def test_beside_notebooks_tests_run_while_the_notebooks_run(lanes_report) -> None:
    items = by_id(lanes_report)
    assert items["p1.notebook.analysis"].earned == 3, items["p1.notebook.analysis"].message
    assert items["p1.lanes.beside"].earned == 1


def test_the_other_tests_run_after_the_notebooks(lanes_report) -> None:
    after = by_id(lanes_report)["p1.lanes.after"]
    assert after.earned == 1, after.message


def test_a_run_in_two_lanes_scores_every_item(lanes_report) -> None:
    assert (lanes_report.score, lanes_report.max_score) == (12, 12), json.dumps(
        lanes_report.to_dict(), indent=1
    )
    assert "p1.reports.summary: your summary has 2 lines" in lanes_report.notes


def test_grading_processes_start_without_the_iri_format_checker(tmp_path: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        textwrap.dedent(
            """
            import sys

            import jsonschema

            def test_probe():
                assert sys.modules["rfc3987_syntax"] is None
                jsonschema.validate({"a": 1}, {"properties": {"a": {"type": "integer"}}})
            """
        )
    )
    command = [sys.executable, "-m", "course.grading.pytest_main", "-q", "-p", "no:cacheprovider", str(probe)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
