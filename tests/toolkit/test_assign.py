"""``course assign``: starters built from solutions, deterministic, in sync, with clear marker errors."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from course.assign import AssignError, assign, check
from course.cli import app
from course.solution_markers import MarkerError

SPLIT_PY = '''\
"""Splitting."""

import random


def make_split(rows, test_size=0.2):
    """Split rows by customer."""
    # BEGIN SOLUTION
    # HINT: group rows by "customer_id" first
    customers = sorted({row["customer_id"] for row in rows})
    return customers, []
    # END SOLUTION


def helper():
    """No hint here."""
    # BEGIN SOLUTION
    return random.random()
    # END SOLUTION


class Model:
    def fit(self, rows):
        """Fit."""
        # BEGIN SOLUTION
        return self
        # END SOLUTION
'''

README_MD = """# Brief

## Which metric?

<!-- BEGIN SOLUTION -->
PR-AUC, because the positive class is rare.
<!-- END SOLUTION -->
"""


MANIFEST = """id = "p1"
number = 1
title = "Baseline"
summary = "s"
lesson = "l"
package = "churn"
notebooks = ["baseline.ipynb"]
results = "reports/metrics.json"
docs_page = "docs/projects/p1_baseline.md"
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _notebook(cells: list) -> str:
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.7", "mimetype": "text/x-python"},
        "widgets": {"state": {}},
    }
    return nbformat.writes(notebook)


def _solution_notebook() -> str:
    code = nbformat.v4.new_code_cell(
        "# BEGIN SOLUTION\n# HINT: load the world\nworld = 42\n# END SOLUTION\nprint(world)",
        id="load",
        execution_count=3,
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="42\n")],
        metadata={"tags": ["nbval-ignore-output"], "execution": {"iopub.status.busy": "2024-01-01"}},
    )
    function = nbformat.v4.new_code_cell(
        "def score(x):\n    # BEGIN SOLUTION\n    return x * 2\n    # END SOLUTION", id="score"
    )
    markdown = nbformat.v4.new_markdown_cell(
        "Why?\n\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->", id="why"
    )
    return _notebook([code, function, markdown])


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A solutions/ tree with one project, and an empty projects/ folder."""
    solution = tmp_path / "solutions" / "p1_baseline"
    _write(solution / "churn" / "split.py", SPLIT_PY)
    _write(solution / "README.md", README_MD)
    _write(solution / "baseline.ipynb", _solution_notebook())
    _write(solution / "project.toml", MANIFEST)
    return tmp_path / "solutions", tmp_path / "projects"


def _starter(tree: tuple[Path, Path], relpath: str) -> str:
    solutions, projects = tree
    assign(solutions, projects)
    return (projects / "p1_baseline" / relpath).read_text(encoding="utf-8")


def test_function_block_becomes_raise_with_hint(tree):
    starter = _starter(tree, "churn/split.py")
    assert "    raise NotImplementedError('make_split: group rows by \"customer_id\" first')" in starter
    assert "customers = sorted" not in starter


def test_hint_lines_survive_as_comments(tree):
    assert '    # HINT: group rows by "customer_id" first\n' in _starter(tree, "churn/split.py")


def test_block_without_hint_gets_generic_message(tree):
    starter = _starter(tree, "churn/split.py")
    assert 'raise NotImplementedError("helper: implement this (see the docstring)")' in starter


def test_method_block_names_class_and_method(tree):
    assert 'raise NotImplementedError("Model.fit:' in _starter(tree, "churn/split.py")


def test_docstrings_and_signatures_stay(tree):
    starter = _starter(tree, "churn/split.py")
    assert 'def make_split(rows, test_size=0.2):\n    """Split rows by customer."""' in starter


def test_starter_stub_raises_when_called(tree):
    solutions, projects = tree
    assign(solutions, projects)
    module = runpy.run_path(str(projects / "p1_baseline" / "churn" / "split.py"))
    with pytest.raises(NotImplementedError, match="make_split: group rows"):
        module["make_split"]([])


def test_module_level_block_keeps_only_hints(tmp_path):
    source = "X = 1\n# BEGIN SOLUTION\n# HINT: define TABLE\nTABLE = {}\n# END SOLUTION\n"
    _write(tmp_path / "solutions" / "p1" / "config.py", source)
    assign(tmp_path / "solutions", tmp_path / "projects")
    starter = (tmp_path / "projects" / "p1" / "config.py").read_text()
    assert starter == "X = 1\n# HINT: define TABLE\n"


def test_markdown_answer_becomes_prompt(tree):
    starter = _starter(tree, "README.md")
    assert starter == "# Brief\n\n## Which metric?\n\n_Your answer here._\n"


def test_notebook_code_block_becomes_ellipsis_with_hint(tree):
    notebook = nbformat.reads(_starter(tree, "baseline.ipynb"), as_version=4)
    assert notebook.cells[0].source == "# HINT: load the world\n...\nprint(world)"


def test_notebook_function_block_becomes_raise(tree):
    notebook = nbformat.reads(_starter(tree, "baseline.ipynb"), as_version=4)
    expected = 'def score(x):\n    raise NotImplementedError("score: implement this (see the docstring)")'
    assert notebook.cells[1].source == expected


def test_notebook_markdown_answer_becomes_prompt(tree):
    notebook = nbformat.reads(_starter(tree, "baseline.ipynb"), as_version=4)
    assert notebook.cells[2].source == "Why?\n\n_Your answer here._"


def test_starter_notebook_has_no_outputs_and_minimal_metadata(tree):
    notebook = nbformat.reads(_starter(tree, "baseline.ipynb"), as_version=4)
    cell = notebook.cells[0]
    assert (cell.outputs, cell.execution_count) == ([], None)
    assert cell.metadata == {"tags": ["nbval-ignore-output"]}
    assert notebook.metadata == {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }


def test_notebook_without_cell_ids_gets_stable_ids(tmp_path):
    raw = json.loads(_solution_notebook())
    for cell in raw["cells"]:
        del cell["id"]
    _write(tmp_path / "solutions" / "p1" / "n.ipynb", json.dumps(raw))
    assign(tmp_path / "solutions", tmp_path / "projects")
    first = (tmp_path / "projects" / "p1" / "n.ipynb").read_bytes()
    (tmp_path / "projects" / "p1" / "n.ipynb").unlink()
    assign(tmp_path / "solutions", tmp_path / "projects")
    assert (tmp_path / "projects" / "p1" / "n.ipynb").read_bytes() == first


def test_second_run_writes_nothing(tree):
    solutions, projects = tree
    assign(solutions, projects)
    report = assign(solutions, projects)
    assert not report.changed
    assert sorted(report.projects[0].unchanged) == [
        ".gitignore",
        "README.md",
        "baseline.ipynb",
        "churn/split.py",
        "project.toml",
    ]


def test_generated_folders_are_not_carried(tree):
    solutions, projects = tree
    for relpath in (
        "reports/metrics.json",
        "data/raw.parquet",
        "mlruns/0/meta.yaml",
        "churn/__pycache__/x.pyc",
    ):
        _write(solutions / "p1_baseline" / relpath, "generated")
    _write(solutions / "p1_baseline" / "mlflow.db", "generated")
    _write(solutions / "p1_baseline" / "mlflow.db-journal", "generated")
    _write(solutions / "p1_baseline" / ".dvc" / "cache" / "ab" / "cdef", "generated")
    _write(solutions / "p1_baseline" / ".dvc" / "config", "[core]\n")
    assign(solutions, projects)
    folder = projects / "p1_baseline"
    carried = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert carried == [
        ".dvc/config",
        ".gitignore",
        "README.md",
        "baseline.ipynb",
        "churn/split.py",
        "project.toml",
    ]


def test_gitignore_lists_generated_folders(tree):
    ignored = _starter(tree, ".gitignore").splitlines()
    assert {"/reports/", "/data/", "/artifacts/", "mlruns/", "*.db"} <= set(ignored)


def test_file_removed_from_solutions_is_removed_from_projects(tree):
    solutions, projects = tree
    _write(solutions / "p1_baseline" / "old" / "gone.py", "x = 1\n")
    assign(solutions, projects)
    (solutions / "p1_baseline" / "old" / "gone.py").unlink()
    report = assign(solutions, projects)
    assert report.projects[0].removed == ["old/gone.py"]
    assert not (projects / "p1_baseline" / "old").exists()


def test_learner_generated_output_is_never_deleted(tree):
    solutions, projects = tree
    assign(solutions, projects)
    _write(projects / "p1_baseline" / "reports" / "metrics.json", "{}")
    assign(solutions, projects)
    assert (projects / "p1_baseline" / "reports" / "metrics.json").exists()


def test_a_learners_stories_draft_is_kept_and_the_solutions_is_not_carried(tree):
    solutions, projects = tree
    _write(solutions / "p1_baseline" / "STORIES.md", "the reference solution's draft")
    assign(solutions, projects)
    assert not (projects / "p1_baseline" / "STORIES.md").exists()
    _write(projects / "p1_baseline" / "STORIES.md", "my own stories")
    assign(solutions, projects)
    assert (projects / "p1_baseline" / "STORIES.md").read_text(encoding="utf-8") == "my own stories"
    assert check(solutions, projects) == []


def test_excluded_files_do_not_reach_the_starter(tree):
    solutions, projects = tree
    _write(solutions / "p1_baseline" / ".assign.toml", 'exclude = ["notes", "*.secret.md"]\n')
    _write(solutions / "p1_baseline" / "notes" / "answers.md", "all the answers")
    _write(solutions / "p1_baseline" / "key.secret.md", "secret")
    assign(solutions, projects)
    names = {p.name for p in (projects / "p1_baseline").rglob("*")}
    assert not names & {"notes", "answers.md", "key.secret.md", ".assign.toml"}


def test_bad_assign_config_names_the_key(tree):
    solutions, projects = tree
    _write(solutions / "p1_baseline" / ".assign.toml", 'exclude = ["x"]\ninclude = ["y"]\n')
    with pytest.raises(AssignError, match=r"unknown key.*include"):
        assign(solutions, projects)


def test_a_starter_edited_by_hand_is_never_overwritten_without_force(tree):
    solutions, projects = tree
    assign(solutions, projects)
    _write(projects / "p1_baseline" / "churn" / "split.py", "my own work\n")
    _write(projects / "p1_baseline" / "notes.md", "my notes\n")
    _write(solutions / "p1_baseline" / "README.md", "# A new brief\n")
    with pytest.raises(AssignError, match=r"(?s)2 file\(s\).*churn/split\.py.*notes\.md.*--force"):
        assign(solutions, projects)
    assert (projects / "p1_baseline" / "churn" / "split.py").read_text(encoding="utf-8") == "my own work\n"
    assign(solutions, projects, force=True)
    assert (projects / "p1_baseline" / "README.md").read_text(encoding="utf-8") == "# A new brief\n"
    assert not (projects / "p1_baseline" / "notes.md").exists()


def test_an_untouched_starter_follows_its_solution(tree):
    solutions, projects = tree
    assign(solutions, projects)
    _write(solutions / "p1_baseline" / "README.md", "# A new brief\n")
    report = assign(solutions, projects)
    assert report.projects[0].written == ["README.md"]
    assert check(solutions, projects) == []


def test_check_requires_the_record_of_the_starters(tree):
    solutions, projects = tree
    assign(solutions, projects)
    (projects / ".starters.json").unlink()
    assert check(solutions, projects) == [
        "projects/.starters.json: does not record the starters (run `course assign`)"
    ]


def test_check_is_empty_when_in_sync(tree):
    solutions, projects = tree
    assign(solutions, projects)
    _write(projects / "p1_baseline" / "reports" / "plot.png", "generated by the learner")
    assert check(solutions, projects) == []


def test_check_lists_edited_missing_and_extra_files(tree):
    solutions, projects = tree
    assign(solutions, projects)
    _write(projects / "p1_baseline" / "README.md", "edited by hand")
    (projects / "p1_baseline" / "baseline.ipynb").unlink()
    _write(projects / "p1_baseline" / "stray.py", "")
    assert check(solutions, projects) == [
        "projects/p1_baseline/README.md: differs from the starter built from solutions/",
        "projects/p1_baseline/baseline.ipynb: missing",
        "projects/p1_baseline/stray.py: has no source in solutions/p1_baseline",
    ]


def test_check_reports_project_gone_from_solutions(tree):
    solutions, projects = tree
    assign(solutions, projects)
    _write(projects / "p9_old" / "x.py", "")
    assert check(solutions, projects) == ["projects/p9_old/x.py: project no longer exists in solutions/"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", r"x\.py, line 2: BEGIN SOLUTION inside"),
        ("x = 1\n# BEGIN SOLUTION\ny = 2\n", r"x\.py, line 2: BEGIN SOLUTION is never closed"),
        ("x = 1\n# END SOLUTION\n", r"x\.py, line 2: END SOLUTION without a BEGIN"),
        ("x = 1\n# BEGIN SOLUTION here\n", r"x\.py, line 2: malformed solution marker"),
    ],
    ids=["nested", "unclosed", "unopened", "malformed"],
)
def test_bad_markers_name_file_and_line(tmp_path, source, message):
    _write(tmp_path / "solutions" / "p1" / "x.py", source)
    with pytest.raises(MarkerError, match=message):
        assign(tmp_path / "solutions", tmp_path / "projects")


def test_bad_marker_in_notebook_names_cell_and_line(tmp_path):
    cell = nbformat.v4.new_code_cell("x = 1\n# END SOLUTION", id="a")
    _write(tmp_path / "solutions" / "p1" / "n.ipynb", _notebook([cell]))
    with pytest.raises(MarkerError, match=r"n\.ipynb, cell 1, line 2: END SOLUTION without"):
        assign(tmp_path / "solutions", tmp_path / "projects")


def test_markers_in_unsupported_files_are_an_error(tmp_path):
    _write(tmp_path / "solutions" / "p1" / "params.yaml", "# BEGIN SOLUTION\nalpha: 1\n# END SOLUTION\n")
    with pytest.raises(MarkerError, match=r"params\.yaml: solution markers only work in"):
        assign(tmp_path / "solutions", tmp_path / "projects")


def test_unknown_project_is_an_error(tree):
    solutions, projects = tree
    with pytest.raises(AssignError, match=r"No project p7_x.*available: p1_baseline"):
        assign(solutions, projects, only=["p7_x"])


def _cli(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, *args: str):
    solutions, _projects = tree
    _write(solutions.parent / "pyproject.toml", "")
    monkeypatch.setenv("COURSE_ROOT", str(solutions.parent))
    return CliRunner().invoke(app, ["assign", *args])


def test_cli_check_fails_and_lists_differences_when_out_of_date(tree, monkeypatch):
    result = _cli(tree, monkeypatch, "--check")
    assert result.exit_code == 1
    assert "projects/p1_baseline/README.md: missing" in result.output


def test_cli_assign_then_check_passes(tree, monkeypatch):
    assert _cli(tree, monkeypatch, "--project", "p1").exit_code == 0
    result = _cli(tree, monkeypatch, "--check")
    assert (result.exit_code, "in sync" in result.output) == (0, True)


def test_cli_marker_error_exits_2_with_message(tree, monkeypatch):
    solutions, _projects = tree
    _write(solutions / "p1_baseline" / "bad.py", "# END SOLUTION\n")
    result = _cli(tree, monkeypatch)
    assert result.exit_code == 2
    assert "bad.py, line 1: END SOLUTION without a BEGIN" in result.output


def test_solution_that_does_not_parse_is_an_error(tmp_path):
    _write(
        tmp_path / "solutions" / "p1" / "x.py",
        "def f(:\n    # BEGIN SOLUTION\n    pass\n    # END SOLUTION\n",
    )
    with pytest.raises(MarkerError, match=r"x\.py, line 1: the solution does not parse as Python"):
        assign(tmp_path / "solutions", tmp_path / "projects")


def test_notebook_cell_with_magics_is_still_transformed(tmp_path):
    source = "%matplotlib inline\ndef f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n!echo hi"
    _write(tmp_path / "solutions" / "p1" / "n.ipynb", _notebook([nbformat.v4.new_code_cell(source, id="a")]))
    assign(tmp_path / "solutions", tmp_path / "projects")
    notebook = nbformat.read(tmp_path / "projects" / "p1" / "n.ipynb", as_version=4)
    stub = '    raise NotImplementedError("f: implement this (see the docstring)")'
    assert notebook.cells[0].source == f"%matplotlib inline\ndef f():\n{stub}\n!echo hi"
