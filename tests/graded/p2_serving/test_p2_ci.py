"""Your CI and your image: ci.yml (a GitHub Actions workflow) and the service's Dockerfile, read as text.

Nothing is built or run: the workflow is parsed as YAML (and checked by actionlint where it is installed),
the Dockerfile is checked against a short checklist. The grader only reads these files.
"""

import re
import shutil
import subprocess

import pytest

from course.grading.scoring import UNAVAILABLE

SECRET_NAME = re.compile(r"password|passwd|secret|token|api_?key|access_?key|private_?key|credential", re.I)
EXACT_TAG = re.compile(r":[^:/@]*\d+\.\d+\.\d+[^:/@]*$")  # python:3.11.9-slim, not python:3.11 or :latest
STEP_KINDS = {
    "lint": (("ruff", "flake8", "pylint"), "a step that lints the code (ruff check)"),
    "tests": (("pytest",), "a step that runs your tests (python -m pytest tests)"),
    "artifact": (("churn_service.train", "make train"), "a step that builds the model artifact (train)"),
}
CHECKLIST = ["pinned-base", "non-root", "no-secrets", "health-and-start"]


def _read(project_dir, name):
    path = project_dir / name
    if not path.is_file():
        pytest.fail(
            f"{name} is missing from your project folder: write it there (see the README).", pytrace=False
        )
    return path.read_text(encoding="utf-8", errors="replace")


def _workflow(project_dir):
    import yaml

    try:
        data = yaml.safe_load(_read(project_dir, "ci.yml"))
    except yaml.YAMLError as exc:
        pytest.fail(f"ci.yml is not valid YAML: {exc}", pytrace=False)
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict) or not data["jobs"]:
        pytest.fail("ci.yml has no jobs: a workflow needs `jobs:` with at least one job.", pytrace=False)
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads the key `on` as true
    names = set(triggers) if isinstance(triggers, dict | list) else {triggers}
    if not names & {"push", "pull_request"}:
        pytest.fail("ci.yml never runs on a push or a pull request: add them under `on:`.", pytrace=False)
    return data


def _steps(data):
    for job in data["jobs"].values():
        for step in (job or {}).get("steps") or []:
            if isinstance(step, dict):
                yield step


@pytest.mark.rubric("p2.ci.workflow", points=0.5)
@pytest.mark.parametrize("kind", ["lint", "tests", "artifact"])
def test_the_workflow_lints_tests_and_builds(project_dir, kind):
    """ci.yml runs on push and pull requests, and its steps lint, run your tests and build the artifact.

    Each case looks for a ``run`` step whose command names the tool, and that is allowed to fail the build.
    """
    words, what = STEP_KINDS[kind]
    found = [s for s in _steps(_workflow(project_dir)) if any(w in str(s.get("run", "")) for w in words)]
    assert found, f"ci.yml has no {what}: add it to a job's steps."
    assert any(str(s.get("continue-on-error", False)).lower() != "true" for s in found), (
        f"ci.yml's {what.split(' (')[0]} has continue-on-error: true, so it never fails the build: remove it."
    )


@pytest.mark.rubric("p2.ci.actionlint", points=0.5)
def test_actionlint_finds_nothing(project_dir):
    """actionlint finds no problem in ci.yml (not counted where actionlint is not installed)."""
    _workflow(project_dir)
    binary = shutil.which("actionlint")
    if binary is None:
        pytest.skip(
            f"{UNAVAILABLE}: actionlint is not installed here (its PyPI package downloads the binary when it "
            "is built, which needs the network); the YAML checks of ci.yml still grade"
        )
    result = subprocess.run(
        [binary, "-no-color", "-shellcheck=", "-pyflakes=", str(project_dir / "ci.yml")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    problems = result.stdout.strip().splitlines()
    assert result.returncode == 0, (
        f"actionlint finds {len(problems)} problem(s) in ci.yml, e.g. {problems[:2]}"
    )


def _instructions(text):
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined and comments dropped."""
    logical, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        current += " " + stripped.removesuffix("\\") if stripped.endswith("\\") else " " + stripped
        if not stripped.endswith("\\"):
            logical.append(current.strip())
            current = ""
    if current.strip():
        logical.append(current.strip())
    return [(line.split(None, 1)[0].upper(), [*line.split(None, 1), ""][1].strip()) for line in logical]


def _check_pinned(steps):
    stages = set()
    for name, args in steps:
        if name != "FROM":
            continue
        words = [w for w in args.split() if not w.startswith("--")]
        image = words[0] if words else ""
        if len(words) >= 3 and words[1].lower() == "as":
            stages.add(words[2].lower())
        if image.lower() in stages or image == "scratch":
            continue
        assert "@sha256:" in image or EXACT_TAG.search(image), (
            f"FROM {image}: pin the base image to an exact version (python:3.11.9-slim) or a digest "
            "(@sha256:...), so that a rebuild gets the same system; `latest` or `3.11` moves under you."
        )
    assert stages or any(name == "FROM" for name, _ in steps), "the Dockerfile has no FROM line."


def _check_user(steps):
    users = [args.split(":")[0].strip() for name, args in steps if name == "USER"]
    assert users, "the Dockerfile never sets USER: the service would run as root; add a user and `USER` it."
    assert users[-1] not in ("root", "0"), (
        f"the last USER is {users[-1]}: run the service as a non-root user."
    )


def _check_secrets(steps):
    for name, args in steps:
        if name not in ("ENV", "ARG"):
            continue
        keys = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)(?:=|\s|$)", args) if name == "ARG" else _env_keys(args)
        leaked = [key for key in keys if SECRET_NAME.search(key)]
        assert not leaked, (
            f"{name} {leaked[0]}: a secret in an ENV or ARG stays in the image's history; pass it at run "
            "time (an environment variable of the container, or a build secret), never in the Dockerfile."
        )


def _env_keys(args):
    if "=" not in args.split()[0]:  # the legacy form `ENV KEY value`
        return [args.split()[0]]
    return re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", args)


def _check_health_and_start(steps):
    health = [args for name, args in steps if name == "HEALTHCHECK"]
    assert health and health[-1].upper() != "NONE", (
        "the Dockerfile has no HEALTHCHECK: add one that calls the service's /health endpoint."
    )
    assert "/health" in health[-1] or "/ready" in health[-1], (
        "the HEALTHCHECK does not call the service's /health (or /ready) endpoint: check the service itself."
    )
    start = " ".join(args for name, args in steps if name in ("CMD", "ENTRYPOINT"))
    assert "churn_service.app:create_app" in start, (
        "the image does not start the service with its entry point: CMD should run uvicorn with "
        "--factory churn_service.app:create_app (see the Makefile's serve target)."
    )


@pytest.mark.rubric("p2.ci.dockerfile", points=0.5)
@pytest.mark.parametrize("rule", CHECKLIST)
def test_the_dockerfile_follows_the_checklist(project_dir, rule):
    """Dockerfile: a pinned base image, a non-root USER, no secret in ENV/ARG, a HEALTHCHECK on /health.

    One case per rule of the checklist; the last case also wants the service started by its entry point.
    """
    steps = _instructions(_read(project_dir, "Dockerfile"))
    checks = {
        "pinned-base": _check_pinned,
        "non-root": _check_user,
        "no-secrets": _check_secrets,
        "health-and-start": _check_health_and_start,
    }
    checks[rule](steps)
