"""The rubric is read from the rubric marks of the graded tests (never imported) and from rubric.toml."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from course.cli import app
from course.grading.rubric import RubricError, load_rubric, read_rubric

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"


def rubric_of(tmp_path: Path, source: str, toml: str = "") -> object:
    folder = tmp_path / "tests" / "graded" / "p1_baseline"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_x.py").write_text(textwrap.dedent(source))
    if toml:
        (folder / "rubric.toml").write_text(textwrap.dedent(toml))
    return read_rubric("p1_baseline", folder)


def test_sample_course_totals_count_each_parameter_case() -> None:
    rubric = load_rubric("p1", SAMPLE)
    points = {item.id: item.points for item in rubric.items}
    assert points == {
        "p1.mathops.add": 2,
        "p1.mathops.mean": 3,  # two parametrized cases of 1 point, plus one test of 1 point
        "p1.reports.summary": 2,
        "p1.notebook.analysis": 3,
    }
    assert rubric.max_score == 10
    assert (
        rubric.item("p1.mathops.mean").text == "mean() returns the arithmetic mean and rejects an empty list."
    )


def test_markdown_is_a_table_with_a_total_row() -> None:
    lines = load_rubric("p1", SAMPLE).to_markdown().splitlines()
    assert lines[0] == "| Rubric item | Points | What earns the points |"
    assert "| `p1.notebook.analysis` | 3 | analysis.ipynb runs top to bottom |" in lines
    assert lines[-1] == "| **Total** | **10** | |"


def test_json_lists_items_with_their_tests_and_notebooks() -> None:
    data = json.loads(load_rubric("p1", SAMPLE).to_json())
    assert data["max_score"] == 10
    mean = next(item for item in data["items"] if item["id"] == "p1.mathops.mean")
    assert mean["tests"][0] == {"name": "test_mathops.py::test_mean_of_values", "points": 1, "cases": 2}
    notebook = data["items"][-1]
    assert notebook["notebooks"] == [{"path": "analysis.ipynb", "points": 3}]


def test_parametrize_over_module_level_names_is_counted(tmp_path: Path) -> None:
    rubric = rubric_of(
        tmp_path,
        '''
        import pytest

        BREAKS = {"a": 1, "b": 2, "c": 3}
        PAIRS = [(1, 2), (3, 4)]

        @pytest.mark.rubric("p1.a", points=2)
        @pytest.mark.parametrize("kind", list(BREAKS))
        @pytest.mark.parametrize("x, y", zip(PAIRS, PAIRS))
        def test_a(kind, x, y):
            """A."""
        ''',
    )
    assert rubric.item("p1.a").tests[0].cases == 6
    assert rubric.max_score == 12


def test_class_marks_apply_to_methods_and_the_closest_mark_wins(tmp_path: Path) -> None:
    rubric = rubric_of(
        tmp_path,
        '''
        import pytest

        @pytest.mark.rubric("p1.cls", points=1)
        class TestThing:
            def test_one(self):
                """One."""

            @pytest.mark.rubric("p1.own", points=5)
            def test_two(self):
                """Two."""
        ''',
    )
    assert [(i.id, i.points) for i in rubric.items] == [("p1.cls", 1), ("p1.own", 5)]
    assert rubric.item("p1.cls").tests[0].key == "test_x.py::TestThing::test_one"


def test_unmarked_and_undocumented_tests_are_warned_about(tmp_path: Path) -> None:
    rubric = rubric_of(
        tmp_path,
        """
        import pytest

        def test_free():
            pass

        @pytest.mark.rubric("p1.quiet", points=1)
        def test_quiet():
            pass
        """,
    )
    assert rubric.warnings == [
        "test_x.py::test_free has no rubric mark: it is not scored.",
        "test_x.py::test_quiet has no docstring: its first line is the rubric text.",
    ]


def test_an_uncountable_parametrize_names_file_and_line(tmp_path: Path) -> None:
    source = """
    import pytest

    @pytest.mark.rubric("p1.a", points=1)
    @pytest.mark.parametrize("n", make_values())
    def test_a(n):
        '''A.'''
    """
    with pytest.raises(RubricError, match=r"test_x.py:6: cannot count the cases"):
        rubric_of(tmp_path, source)


def test_a_rubric_mark_without_points_is_an_error(tmp_path: Path) -> None:
    source = """
    import pytest

    @pytest.mark.rubric("p1.a")
    def test_a():
        '''A.'''
    """
    with pytest.raises(RubricError, match=r"rubric 'p1.a' needs positive points"):
        rubric_of(tmp_path, source)


def test_a_notebook_entry_without_points_is_an_error(tmp_path: Path) -> None:
    toml = """
    [[notebook]]
    path = "a.ipynb"
    id = "p1.nb"
    text = "runs"
    """
    with pytest.raises(RubricError, match=r"\[\[notebook\]\] #1: missing points"):
        rubric_of(tmp_path, "", toml)


def test_a_notebook_entry_may_name_the_files_it_writes(tmp_path: Path) -> None:
    toml = '[[notebook]]\npath = "a.ipynb"\nid = "p1.nb"\npoints = 2\ntext = "runs"\n'
    toml += 'writes = ["reports/a.json"]\n'
    assert rubric_of(tmp_path, "", toml).items[0].notebooks[0].writes == ("reports/a.json",)
    with pytest.raises(RubricError, match=r"writes must list files relative to the project folder"):
        rubric_of(tmp_path, "", toml.replace("reports/a.json", "../outside.json"))


def test_beside_notebooks_lists_test_files_of_the_project(tmp_path: Path) -> None:
    rubric = rubric_of(tmp_path, "", 'beside_notebooks = ["test_x.py"]\n')
    assert rubric.beside_notebooks == ["test_x.py"]


def test_beside_notebooks_naming_an_unknown_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match=r"names 'test_y.py', which is not a test file of p1_baseline"):
        rubric_of(tmp_path, "", 'beside_notebooks = ["test_y.py"]\n')


def test_an_unknown_rubric_toml_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match=r"unknown key\(s\) notebooks; allowed: beside_notebooks, notebook"):
        rubric_of(tmp_path, "", '[[notebooks]]\npath = "a.ipynb"\n')


def test_rubric_command_prints_markdown_and_json(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COURSE_ROOT", str(shutil.copytree(SAMPLE, tmp_path / "course")))
    markdown = CliRunner().invoke(app, ["rubric", "p1"])
    as_json = CliRunner().invoke(app, ["rubric", "p1", "--format", "json"])
    assert markdown.exit_code == 0 and "| **Total** | **10** | |" in markdown.output
    assert as_json.exit_code == 0 and json.loads(as_json.output)["max_score"] == 10


def test_rubric_command_rejects_an_unknown_project() -> None:
    result = CliRunner().invoke(app, ["rubric", "p9"])
    assert result.exit_code == 2
    assert "Unknown project 'p9'" in result.output
