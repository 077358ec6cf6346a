"""The sandbox of a grading run: the copied submission and tests, the ini file, the command, the environment.

:class:`Sandbox` is the preparation half of :class:`~course.grading.runner.GradingRun` (which supervises
the processes that run in it): it copies the submission without files that could change how pytest or
Python behaves, copies the grader's tests, neutralises the notebooks' skip marks, and writes the pytest
configuration and the scrubbed environment of every attempt.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from course.errors import CourseError
from course.grading.notebooks import run_every_cell
from course.grading.processes import MEMORY_ENV, RUN_TOKEN_ENV
from course.grading.rubric import EXTRA_TESTS_DIRNAME, find_test_files
from course.grading.targets import copy_other_results, copy_project
from course.paths import graded_tests_dir

if TYPE_CHECKING:
    from course.grading.rubric import Rubric
    from course.grading.runner import Limits

#: Environment variables the test process inherits; everything else (tokens, secrets) is dropped.
LEARNER_ENV = "COURSE_LEARNER"  # course.worlds.ENV_VAR (the toolkit's worlds are imported lazily)
KEPT_ENV = ("PATH", "HOME", "LANG", "TMPDIR", "COURSE_DATA_DIR", "COURSE_ROOT")
FIXED_ENV = {
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "Agg",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DVC_NO_ANALYTICS": "true",
    # one thread per process: a notebook's kernel and the tests beside it share the cores, and a tree
    # model's short parallel loops on a busy core wait for threads that do not run (10x slower cells)
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
#: pytest plugins (entry-point names) loaded only when the grader's tests mention the word: start-up time
#: matters, since every plugin of the virtualenv loads in every pytest process otherwise.
OPTIONAL_PLUGINS = {
    "hypothesispytest": "hypothesis",
    "schemathesis": "schemathesis",
    "anyio": "anyio",
    "faker": "faker",
    "hydra_pytest": "hydra",
    "typeguard": "typeguard",
    "platformdirs": "platformdirs",
}
NEVER_NEEDED_PLUGINS = ("xdist", "xdist.looponfail")  # the grader runs its own processes


class GradingError(CourseError):
    """Grading could not run (unknown project, missing target, unreadable rubric, pytest not starting)."""


class Sandbox:
    """The files and settings of a grading run (the attributes are set by ``GradingRun.__init__``)."""

    project: str
    rubric: Rubric
    folder: Path
    tmp: Path
    limits: Limits
    root: Path
    extra_tests: Path | None
    submission: Path
    tests: Path
    work: Path
    paths: list[Path] | None
    notes: list[str]
    notebooks: list[Path]
    learner: str  # the world the run grades in (course.worlds)
    missing_notebooks: list[str]
    notebooks_skipped: bool
    disabled_plugins: list[str]
    token: str
    user: int | None  # the unprivileged user the test processes run as (when the grader is root)

    def prepare(self, select: Sequence[str] | None = None) -> None:
        """Copy the submission and the grader's tests; write the ini file.

        ``select``: run only these test files and no notebook.
        """
        for rel in copy_project(self.folder, self.submission, untrusted=True):
            self.notes.append(f"ignored {rel} in your submission: the grader's tests run as shipped")
        if self.rubric.reads_other_projects:  # their results files only, beside the copy (project 8)
            copy_other_results(self.folder, self.submission)
        source_tests = graded_tests_dir(self.root) / self.project
        shutil.copytree(source_tests, self.tests, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        # tests/conftest.py and tests/graded/conftest.py apply to graded tests in CI: keep them (and packages)
        for source, dest in (
            (source_tests.parent, self.tests.parent),
            (source_tests.parents[1], self.tests.parents[1]),
        ):
            for name in ("conftest.py", "__init__.py"):
                if (source / name).is_file():
                    shutil.copyfile(source / name, dest / name)
        from course.grading.learner_suite import PREPARED_DIR, prepare_material

        # the reference and its mutants for grading the learner's own tests (judge-only, like the tests)
        prepare_material(self.project, self.root, self.tests.parents[1] / PREPARED_DIR / self.project)
        if self.extra_tests is not None:
            hidden = self.tests / EXTRA_TESTS_DIRNAME
            shutil.copytree(self.extra_tests, hidden, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            (hidden / "__init__.py").touch()
        if select is not None:
            self.paths = self.selected_files(select)
            self.notebooks_skipped = True
        for entry in self.rubric.notebooks if select is None else ():
            path = self.submission / entry.path
            if path.is_file():
                self.notebooks.append(path)
                self.notes += run_every_cell(path, entry.path)
            else:
                self.missing_notebooks.append(entry.path)
        (self.tmp / "pytest.ini").write_text(self.ini_text(), encoding="utf-8")
        self.disabled_plugins = self.unneeded_plugins()

    def selected_files(self, select: Sequence[str]) -> list[Path]:
        """The selected test files, each checked to be one of the project's graded test files."""
        known = {path.relative_to(self.tests).as_posix(): path for path in find_test_files(self.tests)}
        unknown = [name for name in select if name not in known]
        if unknown:
            files = ", ".join(sorted(known))
            raise GradingError(
                f"{', '.join(unknown)}: not a test file of {self.project} (its files: {files})."
            )
        return [known[name] for name in dict.fromkeys(select)]

    def ini_text(self) -> str:
        """The grader's own pytest configuration (the repository's markers and warning filters)."""
        markers = ["rubric(id, points): a graded test's rubric item and its points", "slow: a slow test"]
        filters = ["ignore::DeprecationWarning:jupyter_client.*"]
        pyproject = self.root / "pyproject.toml"
        if pyproject.is_file():
            import tomllib

            try:
                options = tomllib.loads(pyproject.read_text()).get("tool", {}).get("pytest", {})
                options = options.get("ini_options", {})
            except tomllib.TOMLDecodeError:
                options = {}
            markers += [m for m in options.get("markers", []) if m.split("(")[0].split(":")[0] != "rubric"]
            filters += [f for f in options.get("filterwarnings", []) if f not in filters]
        lines = [
            "[pytest]",
            "addopts =",
            "timeout_method = signal",
            "console_output_style = classic",
            "markers =",
        ]
        lines += [f"    {m}" for m in dict.fromkeys(markers)]
        lines += ["filterwarnings =", *[f"    {f}" for f in filters]]
        return "\n".join(lines) + "\n"

    def command(self, attempt: int) -> list[str]:
        """The pytest command line of one attempt."""
        cmd = [sys.executable, "-m", "course.grading.pytest_main", "-c", str(self.tmp / "pytest.ini")]
        cmd += ["--rootdir", str(self.tmp)]
        cmd += ["--confcutdir", str(self.tmp), "-p", "no:cacheprovider"]
        for plugin in self.disabled_plugins:
            cmd += ["-p", f"no:{plugin}"]
        cmd += ["-q", "--tb=short", "--continue-on-collection-errors", "--target", str(self.submission)]
        cmd += ["--grading-results", str(self.work / f"results-{attempt}.jsonl")]
        cmd += ["--grading-state", str(self.work / f"state-{attempt}.json")]
        cmd += ["--timeout", f"{self.limits.timeout:g}", "--timeout-disable-debugger-detection"]
        if self.notebooks:
            cmd += ["--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout", f"{self.limits.timeout:g}"]
            cmd += ["--nbval-kernel-startup-timeout", "60", *map(str, self.notebooks)]
        return [*cmd, *map(str, [self.tests] if self.paths is None else self.paths)]

    def unneeded_plugins(self) -> list[str]:
        """Plugins the grader's tests do not mention (nbval too when there is no notebook to run)."""
        text = "\n".join(p.read_text(errors="replace") for p in (self.tmp / "tests").rglob("*.py"))
        unneeded = [
            *NEVER_NEEDED_PLUGINS,
            *(name for name, word in OPTIONAL_PLUGINS.items() if word not in text),
        ]
        return unneeded if self.notebooks else [*unneeded, "nbval"]

    def environment(self) -> dict[str, str]:
        """A scrubbed environment: a few safe variables, fixed settings, the run token."""
        env = {key: os.environ[key] for key in KEPT_ENV if key in os.environ}
        env["COURSE_ROOT"] = str(self.root)
        if "COURSE_DATA_DIR" not in env:
            from course.paths import data_dir

            env["COURSE_DATA_DIR"] = str(data_dir())
        env.update(FIXED_ENV)
        env[RUN_TOKEN_ENV] = self.token
        env[MEMORY_ENV] = str(self.limits.memory_mb)
        env[LEARNER_ENV] = self.learner  # tests, worker and notebooks all work in the learner's world
        scratch = self.tmp / "tmp"  # the run's temporary files (pytest's tmp_path too) stay in its sandbox
        scratch.mkdir(exist_ok=True)
        env["TMPDIR"] = str(scratch)
        if self.user is not None:  # root's home is not the grading user's: caches, settings, kernels' files
            env["HOME"] = str(scratch / "home")
        return env

    def hand_over(self, uid: int) -> None:
        """Give the copy of the submission and the scratch folder to ``uid`` (the grading user).

        The rest of the run's folder stays root's: the grader's tests, and ``judge/`` with the state,
        logs and the view stages that the grader (root) reads and writes by name; only the results file in
        it is the test process's (created for it). Each folder is given away after everything in it
        (bottom-up), so no folder on the way is the grading user's while the grader still walks through it.
        """
        self.tmp.chmod(0o755)  # the test process's working folder: it reads pytest.ini and the tests here
        (self.tmp / "tmp" / "home").mkdir(parents=True, exist_ok=True)
        for top in (self.submission.parent, self.tmp / "tmp"):
            for folder, dirs, files in os.walk(top, topdown=False):
                for name in [*files, *dirs]:
                    os.chown(os.path.join(folder, name), uid, uid, follow_symlinks=False)
            os.chown(top, uid, uid, follow_symlinks=False)

    def worker_view(self) -> dict[str, object]:
        """What a worker or a notebook kernel of this run may see (the ``cover`` of the state file).

        The folder holding every grading sandbox is covered except this run's submission and scratch
        folders, the course (read-only), the toolkit's package and the data cache: other runs, concurrent in
        a class, are out of sight, and so are this run's results, state and tests.
        """
        from course.paths import data_dir

        toolkit = Path(__file__).resolve().parents[1]  # the `course` package: a clone under /tmp is covered
        show = [self.submission, self.tmp / "tmp", self.root, data_dir(), Path(sys.prefix), toolkit]
        if self.rubric.reads_other_projects:  # the other projects' results, copied beside the submission
            show += [path for path in self.submission.parent.iterdir() if path != self.submission]
        (self.work / "view").mkdir(exist_ok=True)  # the grader's: the grading user only mounts on it
        return {
            "folder": str(self.tmp.parent),
            "show": [str(path) for path in show],
            "stage": str(self.work / "view"),
        }
