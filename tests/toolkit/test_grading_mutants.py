"""Mutation catalogues: entries apply exactly, mutants must lose points, alternatives must keep them."""

from __future__ import annotations

import shutil
import textwrap
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from course.cli import app
from course.grading.mutants import (
    CLASSES_FILE,
    MutantError,
    default_catalogue,
    load_catalogue,
    run_catalogue,
    select_shard,
)
from course.grading.rubric import load_rubric
from course.grading.runner import Limits
from course.paths import repo_root
from course.projects import project_names

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"
LIMITS = Limits(timeout=10, wall=60, memory_mb=2048)
MIN_MUTANTS, MIN_ALTERNATIVES = 12, 3

CATALOGUE = """
[[mutant]]
name = "add-subtracts"
classes = ["arithmetic"]
expect = ["p1.mathops.add"]
description = "Subtracts instead of adding."

[[mutant.edit]]
file = "tinypkg/mathops.py"
find = "return a + b"
replace = "return a - b"

[[mutant]]
name = "summary-one-decimal"
classes = ["format"]
expect = ["p1.reports"]
description = "Rounds the mean to one decimal in the summary."

[[mutant.edit]]
file = "tinypkg/mathops.py"
find = "{mean(values):.2f}"
replace = "{mean(values):.1f}"

[[mutant]]
name = "notebook-typo"
classes = ["notebook"]
expect = ["p1.notebook"]
description = "A notebook cell that no longer runs."

[[mutant.edit]]
file = "analysis.ipynb"
find = "print(add(2, 3))"
replace = "print(add(2, 3)"

[[mutant]]
name = "misfiled"
classes = ["arithmetic"]
expect = ["p1.reports.summary"]
description = "Breaks add() but claims to break the summary."

[[mutant.edit]]
file = "tinypkg/mathops.py"
find = "return a + b"
replace = "return a * b"

[[mutant]]
name = "equivalent"
classes = ["none"]
expect = ["p1.mathops.add"]
description = "Adds in the other order: not a mistake, so it survives."

[[mutant.edit]]
file = "tinypkg/mathops.py"
find = "return a + b"
replace = "return b + a"

[[alternative]]
name = "float-mean"
description = "Converts the sum to float first."

[[alternative.edit]]
file = "tinypkg/mathops.py"
find = "return sum(values) / len(values)"
replace = "return float(sum(values)) / len(values)"
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample course whose test_mathops.py runs beside the notebooks, with a catalogue."""
    course = Path(shutil.copytree(SAMPLE, tmp_path_factory.mktemp("mutants") / "course"))
    rubric = course / "tests" / "graded" / "p1_baseline" / "rubric.toml"
    rubric.write_text('beside_notebooks = ["test_mathops.py"]\n\n' + rubric.read_text())
    catalogue = default_catalogue("p1_baseline", course)
    catalogue.mkdir(parents=True)
    (catalogue / "sample.toml").write_text(CATALOGUE)
    return course


@pytest.fixture(scope="module")
def outcomes(sample: Path) -> dict:
    """The sample catalogue graded once, by entry name."""
    rubric = load_rubric("p1_baseline", sample)
    entries = load_catalogue([default_catalogue("p1_baseline", sample)], rubric)
    report = run_catalogue("p1_baseline", rubric, entries, root=sample, limits=LIMITS)
    return {"report": report, **{o.entry.name: o for o in report.outcomes}}


@pytest.mark.slow
def test_a_mutant_caught_by_a_beside_notebooks_file_skips_the_notebooks(outcomes) -> None:
    outcome = outcomes["add-subtracts"]
    assert (outcome.verdict, outcome.phase) == ("killed", "beside")
    assert outcome.lost == {"p1.mathops.add": 2}
    assert outcome.tests_run < outcomes["report"].reference_tests


@pytest.mark.slow
def test_a_mutant_only_other_tests_catch_gets_a_full_grading(outcomes) -> None:
    outcome = outcomes["summary-one-decimal"]
    assert (outcome.verdict, outcome.phase) == ("killed", "full")
    assert set(outcome.lost) == {"p1.reports.summary"}


@pytest.mark.slow
def test_a_notebook_mutant_costs_the_notebook_item(outcomes) -> None:
    assert outcomes["notebook-typo"].verdict == "killed"
    assert set(outcomes["notebook-typo"].lost) == {"p1.notebook.analysis"}


@pytest.mark.slow
def test_a_kill_outside_the_expected_items_is_not_a_pass(outcomes) -> None:
    assert outcomes["misfiled"].verdict == "killed elsewhere"
    assert not outcomes["misfiled"].ok


@pytest.mark.slow
def test_a_mutant_that_loses_nothing_survives_and_fails_the_catalogue(outcomes) -> None:
    assert outcomes["equivalent"].verdict == "survived"
    assert not outcomes["report"].ok
    assert outcomes["report"].kill_rate == pytest.approx(4 / 5)


@pytest.mark.slow
def test_a_valid_alternative_keeps_full_marks(outcomes) -> None:
    assert (outcomes["float-mean"].verdict, outcomes["float-mean"].phase) == ("kept", "full")


@pytest.mark.slow
def test_the_command_exits_1_on_a_survivor_and_prints_the_table(sample: Path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_ROOT", str(sample))
    result = CliRunner().invoke(app, ["mutants", "p1", "--only", "equivalent", "--only", "add-subtracts"])
    assert result.exit_code == 1, result.output
    assert "survived" in result.output and "killed" in result.output
    assert "kill_rate p1_baseline: 0.500" in result.output


def write_catalogue(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "c.toml").write_text(textwrap.dedent(text))
    return folder


def test_an_entry_that_applies_to_nothing_fails_before_any_grading(sample: Path, tmp_path: Path) -> None:
    folder = write_catalogue(
        tmp_path / "stale",
        """
        [[alternative]]
        name = "stale"
        description = "Its find text is no longer in the solution."
        [[alternative.edit]]
        file = "tinypkg/mathops.py"
        find = "return a + b + 0"
        replace = "return a + b"
        """,
    )
    rubric = load_rubric("p1_baseline", sample)
    entries = load_catalogue([folder], rubric)
    with pytest.raises(MutantError, match=r"stale: no occurrence of the find text in tinypkg/mathops.py"):
        run_catalogue("p1_baseline", rubric, entries, root=sample, limits=Limits(wall=1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[mutant]]\nname = "x"\nclasses = ["c"]\nexpect = ["p1.nothing"]\ndescription = "d"\n'
            '[[mutant.edit]]\nfile = "f"\nfind = "a"\nreplace = "b"\n',
            "expects 'p1.nothing', which is neither a rubric item",
        ),
        (
            '[[mutant]]\nname = "x"\nclasses = ["c"]\nexpect = ["p1.mathops"]\ndescription = "d"\n',
            "at least one",
        ),
        ('[[mutnat]]\nname = "x"\n', "unknown table 'mutnat'"),
        (
            '[[alternative]]\nname = "x"\ndescription = "d"\n[[alternative.edit]]\nfile = "f"\nfind = "a"\n'
            'replace = "a"\n',
            "changes nothing",
        ),
    ],
)
def test_a_malformed_catalogue_is_refused_with_the_reason(
    sample: Path, tmp_path: Path, text, message
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "c.toml").write_text(text)
    with pytest.raises(MutantError, match=message):
        load_catalogue([folder], load_rubric("p1_baseline", sample))


def test_a_name_used_twice_is_refused(sample: Path, tmp_path: Path) -> None:
    entry = '[[alternative]]\nname = "twin"\ndescription = "d"\n'
    entry += '[[alternative.edit]]\nfile = "f"\nfind = "a"\nreplace = "b"\n'
    folder = tmp_path / "twins"
    folder.mkdir()
    (folder / "a.toml").write_text(entry)
    (folder / "b.toml").write_text(entry)
    with pytest.raises(MutantError, match="'twin' is used twice"):
        load_catalogue([folder], load_rubric("p1_baseline", sample))


def test_shards_split_the_catalogue_without_overlap(sample: Path, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "c.toml").write_text(CATALOGUE)
    entries = load_catalogue([folder], load_rubric("p1_baseline", sample))
    shards = [select_shard(entries, f"{k}/3") for k in range(3)]
    names = [e.name for shard in shards for e in shard]
    assert sorted(names) == sorted(e.name for e in entries)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("shard", ["3/3", "a/2", "1", "0/0"])
def test_a_malformed_shard_is_refused(shard: str) -> None:
    with pytest.raises(MutantError, match="--shard"):
        select_shard([], shard)


# -- the course's own catalogues -------------------------------------------------------------------------


def course_catalogues() -> dict[str, list]:
    root = repo_root()
    return {
        project: load_catalogue([default_catalogue(project, root)], load_rubric(project, root))
        for project in project_names()
    }


def test_every_project_has_a_catalogue_of_mutants_and_alternatives() -> None:
    for project, entries in course_catalogues().items():
        mutants = [e for e in entries if e.kind == "mutant"]
        alternatives = [e for e in entries if e.kind == "alternative"]
        assert len(mutants) >= MIN_MUTANTS, (
            f"{project}: {len(mutants)} mutants, at least {MIN_MUTANTS} needed"
        )
        assert len(alternatives) >= MIN_ALTERNATIVES, f"{project}: {len(alternatives)} alternatives"


def test_every_listed_mistake_class_has_a_mutant() -> None:
    listed = tomllib.loads((repo_root() / "tests" / "mutants" / CLASSES_FILE).read_text())["classes"]
    covered = {c for entries in course_catalogues().values() for e in entries for c in e.classes}
    missing = sorted(set(listed) - covered)
    assert not missing, f"mistake classes without a catalogued mutant: {', '.join(missing)}"


def test_every_catalogue_entry_applies_to_the_current_solutions(tmp_path: Path) -> None:
    from course.grading.mutants import check_applies
    from course.paths import solutions_dir

    for project, entries in course_catalogues().items():
        check_applies(entries, solutions_dir() / project, tmp_path / project)
