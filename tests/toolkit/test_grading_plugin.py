"""The pytest plugin: graded tests run with plain pytest, --target picks the tree, failures are messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"
GRADED = "tests/graded/p1_baseline"


@pytest.fixture
def course(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample course copied into pytester's folder, which is also the current directory."""
    for child in SAMPLE.iterdir():
        copy = shutil.copytree if child.is_dir() else shutil.copy
        copy(child, pytester.path / child.name)
    monkeypatch.setenv("COURSE_ROOT", str(pytester.path))
    return pytester.path


def test_graded_tests_pass_on_solutions_with_plain_pytest(pytester: pytest.Pytester, course: Path) -> None:
    result = pytester.runpytest(GRADED, "--target", "solutions", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["*7 / 7 *total*", "note: your summary has 2 lines*"])


def test_every_graded_test_fails_on_the_starter(pytester: pytest.Pytester, course: Path) -> None:
    result = pytester.runpytest(GRADED, "--target", "projects", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=5)


def test_target_can_be_a_project_folder_path(pytester: pytest.Pytester, course: Path) -> None:
    folder = shutil.copytree(course / "solutions" / "p1_baseline", course / "alice")
    result = pytester.runpytest(GRADED, "--target", str(folder), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_a_bad_target_fails_every_test_with_its_reason(pytester: pytest.Pytester, course: Path) -> None:
    result = pytester.runpytest(GRADED, "--target", "nowhere", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=5)
    result.stdout.fnmatch_lines(["*--target */nowhere: the folder does not exist."])
    assert "During handling" not in result.stdout.str()


def test_the_copy_keeps_the_target_untouched(pytester: pytest.Pytester, course: Path) -> None:
    pytester.runpytest(GRADED, "--target", "solutions", "-p", "no:cacheprovider")
    assert not (course / "solutions" / "p1_baseline" / "reports").exists()


def test_an_import_failure_is_one_message_reused_by_later_tests(
    pytester: pytest.Pytester, course: Path
) -> None:
    module = course / "solutions" / "p1_baseline" / "tinypkg" / "mathops.py"
    module.write_text(module.read_text() + "\nraise RuntimeError('boom at import')\n")
    result = pytester.runpytest(GRADED, "-p", "no:cacheprovider", "-rf")
    result.assert_outcomes(failed=5)
    result.stdout.fnmatch_lines(
        ["Could not import tinypkg.mathops: RuntimeError: boom at import (tinypkg/mathops.py line *)"]
    )
    assert result.stdout.str().count("Could not import tinypkg.mathops: RuntimeError: boom at import") >= 5
    assert "During handling" not in result.stdout.str()


def test_results_file_records_the_start_and_end_of_each_test(pytester: pytest.Pytester, course: Path) -> None:
    results = course / "results.jsonl"
    pytester.runpytest(GRADED, "--grading-results", str(results), "-p", "no:cacheprovider")
    events = [json.loads(line) for line in results.read_text().splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "session_start" and kinds[-1] == "session_end"
    assert kinds.count("start") == kinds.count("end") == 5
    ends = {e["nodeid"].split("::")[-1]: e for e in events if e["event"] == "end"}
    assert ends["test_add_returns_the_sum"]["outcome"] == "passed"
    collected = next(e for e in events if e["event"] == "collected")["items"]
    assert {i["rubric"] for i in collected} == {"p1.mathops.add", "p1.mathops.mean", "p1.reports.summary"}


def test_project_fixtures_outside_graded_tests_fail_clearly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(project_dir):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*project_dir and project_module work only in tests under tests/graded*"])


def test_the_plugin_stays_out_of_ordinary_test_runs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "rubric" not in result.stdout.str()


@pytest.mark.parametrize(
    ("nodeid", "scope"),
    [
        ("tests/graded/p2_serving/test_p2_api.py::test_health", "tests/graded/p2_serving"),
        ("graded/p3_pipeline/sub/test_x.py::T::test_y[0]", "graded/p3_pipeline"),
        ("tests/toolkit/test_grading_plugin.py::test_a", None),
        ("tests/graded/conftest.py::test_a", None),
    ],
)
def test_xdist_hands_out_a_graded_project_as_one_unit(nodeid: str, scope: str | None) -> None:
    from course.grading.xdist_schedule import project_scope

    assert project_scope(nodeid) == scope
