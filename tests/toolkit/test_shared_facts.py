"""Facts written in several places (the Python version, the torch pin, the telemetry settings) agree.

``pyproject.toml`` is the source; the Makefile, the doctor, the Classroom workflow, the grader's fixed
environment and the learner-facing pages repeat what they must, and this test keeps them in step.
"""

from __future__ import annotations

import re
import tomllib

import yaml

from course import doctor
from course.grading.sandbox import FIXED_ENV
from course.paths import repo_root

ROOT = repo_root()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
TELEMETRY = {"MLFLOW_DISABLE_TELEMETRY": "true", "DVC_NO_ANALYTICS": "true"}


def python_version() -> str:
    """``3.11`` from ``requires-python = ">=3.11,<3.12"``."""
    match = re.fullmatch(r">=(\d+\.\d+),<\d+\.\d+", PYPROJECT["project"]["requires-python"])
    assert match, "requires-python should read '>=X.Y,<X.Z' (one minor version)"
    return match.group(1)


def torch_pin() -> str:
    pins = [d for d in PYPROJECT["project"]["dependencies"] if d.startswith("torch")]
    assert len(pins) == 1 and "==" in pins[0], "pyproject.toml pins torch exactly once, with =="
    return pins[0].split("==")[1]


def test_the_makefile_checks_the_declared_python() -> None:
    major, minor = python_version().split(".")
    assert f"sys.version_info[:2] == ({major}, {minor})" in (ROOT / "Makefile").read_text()


def test_the_doctor_checks_the_declared_python_and_torch() -> None:
    assert torch_pin() == doctor.TORCH_VERSION
    assert tuple(int(part) for part in python_version().split(".")) == doctor.PYTHON
    assert f"Python {python_version()}" in doctor.check_python.__doc__


def test_the_classroom_workflow_installs_the_declared_python_and_torch() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "classroom.yml").read_text())
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    versions = [step["with"]["python-version"] for step in steps if "setup-python" in step.get("uses", "")]
    assert versions == [python_version()]
    installs = " ".join(step.get("run", "") for step in steps)
    assert f"torch=={torch_pin()}" in installs


def test_the_pages_a_learner_reads_first_name_the_declared_python_and_torch() -> None:
    for page in ("README.md", "docs/start-here.md", "CONTRIBUTING.md"):
        text = (ROOT / page).read_text()
        assert f"Python {python_version()}" in text, f"{page} should name Python {python_version()}"
        versions = set(re.findall(r"\bPython (3\.\d+)\b", text))
        assert versions <= {python_version()}, f"{page} names another Python: {sorted(versions)}"
    assert f"torch=={torch_pin()}" in (ROOT / "docs" / "start-here.md").read_text()


def test_telemetry_is_off_wherever_the_course_runs_tools() -> None:
    assert {key: FIXED_ENV[key] for key in TELEMETRY} == TELEMETRY
    makefile = (ROOT / "Makefile").read_text()
    for key, value in TELEMETRY.items():
        assert f"export {key} := {value}" in makefile, f"the Makefile should export {key}={value}"
