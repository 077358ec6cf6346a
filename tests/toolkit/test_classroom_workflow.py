"""The shipped GitHub Classroom workflow: its structure, and its grading command run here for real.

The grading script is read from ``.github/workflows/classroom.yml`` itself, so the file and this test
cannot drift apart.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from course.grading.rubric import load_rubric
from course.projects import project_names

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "classroom.yml"
JOB = "run-autograding-tests"  # the reporter looks its check run up by this name
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
GRADE_STEP_IDS = [project.split("_")[0] for project in project_names()]  # p1..p5


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return workflow["jobs"][JOB]["steps"]


def step_by_id(steps: list[dict[str, Any]], step_id: str) -> dict[str, Any]:
    """The step whose ``id`` is ``step_id`` (an assertion error naming it when there is none)."""
    found = [step for step in steps if step.get("id") == step_id]
    assert len(found) == 1, f"{WORKFLOW.name}: expected one step with id {step_id!r}, found {len(found)}"
    return found[0]


def uses(steps: list[dict[str, Any]]) -> list[str]:
    return [step["uses"] for step in steps if "uses" in step]


def test_triggers_and_permissions(workflow: dict[str, Any]) -> None:
    assert set(workflow["on"]) == {"push", "workflow_dispatch", "repository_dispatch"}
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    assert workflow["defaults"]["run"]["shell"] == "bash"


def test_one_job_named_as_the_reporter_expects(workflow: dict[str, Any]) -> None:
    assert list(workflow["jobs"]) == [JOB]
    job = workflow["jobs"][JOB]
    assert "name" not in job, "a job name would rename the check run the reporter looks for"
    assert "strategy" not in job, "a matrix would split the check run the reporter looks for"
    assert job["if"] == "github.actor != 'github-classroom[bot]' && !github.event.repository.is_template"


def test_setup_steps(steps: list[dict[str, Any]]) -> None:
    assert uses(steps)[:3] == ["actions/checkout@v4", "actions/setup-python@v5", "actions/cache/restore@v4"]
    assert step_by_id(steps, "python")["with"]["python-version"] == "3.11"
    assert "hashFiles('pyproject.toml')" in step_by_id(steps, "venv")["with"]["key"]
    assert any(step.get("run") == "make doctor" for step in steps)
    assert "actions/upload-artifact@v4" in uses(steps)
    assert uses(steps)[-1] == REPORTER


def test_the_torch_pin_is_the_one_in_pyproject(steps: list[dict[str, Any]]) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pin = next(dep for dep in pyproject["project"]["dependencies"] if dep.startswith("torch"))
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert f"{pin.replace(' ', '')} --index-url https://download.pytorch.org/whl/cpu" in scripts


def test_the_makefile_still_has_what_the_workflow_relies_on(steps: list[dict[str, Any]]) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^doctor:", makefile, re.M), "the workflow runs `make doctor`"
    assert "STAMP := $(VENV)/.installed" in makefile
    assert any(step.get("run") == "touch .venv/.installed" for step in steps)


def test_one_identical_grading_step_per_project(steps: list[dict[str, Any]]) -> None:
    scripts = set()
    for step_id in GRADE_STEP_IDS:
        step = step_by_id(steps, step_id)
        assert step["env"] == {"PROJECT": step_id}
        assert "${{" not in step["run"], "the script must run as is outside GitHub Actions"
        scripts.add(step["run"])
    assert len(scripts) == 1, "the grading steps differ: keep one script, varied by $PROJECT only"


def test_the_reporter_reads_every_grading_step(steps: list[dict[str, Any]]) -> None:
    reporter = steps[-1]
    assert reporter["with"]["runners"].split(",") == GRADE_STEP_IDS
    assert reporter["env"] == {
        f"{step_id.upper()}_RESULTS": f"${{{{ steps.{step_id}.outputs.result }}}}"
        for step_id in GRADE_STEP_IDS
    }
    assert "if" not in reporter


def test_the_instructors_page_shows_the_grading_script(steps: list[dict[str, Any]]) -> None:
    page = (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
    for line in step_by_id(steps, "p1")["run"].splitlines():
        assert line.strip() in page, f"docs/instructors.md no longer shows the workflow's line {line!r}"


def learners_clone(tmp_path: Path, project: str) -> Path:
    """A learner's clone as the workflow sees it: the solved project in projects/, and the course's .venv."""
    clone = tmp_path / "clone"
    shutil.copytree(
        ROOT / "solutions" / project,
        clone / "projects" / project,
        ignore=shutil.ignore_patterns("reports", "__pycache__"),
    )
    (clone / ".venv").symlink_to(ROOT / ".venv")
    return clone


@pytest.mark.slow
def test_the_grading_step_gives_full_points_to_the_p4_solution(
    steps: list[dict[str, Any]], tmp_path: Path
) -> None:
    """The fastest project (about 25 s); the other four run the same script."""
    clone = learners_clone(tmp_path, "p4_design")
    script = tmp_path / "step.sh"
    script.write_text(step_by_id(steps, "p4")["run"], encoding="utf-8")
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = {
        **os.environ,
        "PROJECT": "p4",
        "COURSE_ROOT": str(ROOT),  # the grader's tests and the data cache come from this course
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    run = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]

    lines = output.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("result="), lines
    result = json.loads(base64.b64decode(lines[0].removeprefix("result=")))
    rubric = load_rubric("p4", ROOT)
    assert (result["version"], result["status"]) == (1, "pass")
    assert result["max_score"] == rubric.max_score
    assert len(result["tests"]) == len(rubric.items)
    assert {test["status"] for test in result["tests"]} == {"pass"}
    assert sum(test["score"] for test in result["tests"]) == result["max_score"]
    assert all(test["score"] == test["max_score"] for test in result["tests"])

    points = f"{rubric.max_score:g} / {rubric.max_score:g}"
    assert f"**Score: {points}**" in summary.read_text(encoding="utf-8")
    reports = clone / "grades" / "p4"
    assert sorted(p.name for p in reports.iterdir()) == ["grade.json", "grade.md", "grade.xml"]
    assert json.loads((reports / "grade.json").read_text())["target"] == str(clone / "projects" / "p4_design")
