"""Grade one submission in isolated pytest processes that run the notebooks and the tests.

The submission's project folder is copied to a temporary directory without configuration files that
could change how pytest or Python behaves (``conftest.py``, ``pytest.ini``, ``*.pth``, ...). One pytest
process then runs the notebooks listed in ``rubric.toml`` (nbval-lax, notebooks first, so that tests can
read what they wrote) and the graded tests, with: a per-test timeout (pytest-timeout, signal method, and a
watchdog for code that no signal interrupts), a wall-clock limit for the whole run, an address-space limit,
stdin closed, a scrubbed environment and a new process group. When the process dies mid-run, the test that
was running gets zero with a message and the rest run again in a fresh process without it.

The test files that ``rubric.toml`` lists as ``beside_notebooks`` (they do not read what the notebooks
write) run in a second such process at the same time, each process with its own restarts: a notebook's
kernel and the tests then use both cores of a small machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.errors import CourseError
from course.grading.confine import confined
from course.grading.messages import describe_exit, format_seconds
from course.grading.notebooks import run_every_cell
from course.grading.reports import GradeReport, ItemResult, TestResult, versions
from course.grading.rubric import EXTRA_TESTS_DIRNAME, Rubric, find_test_files, load_rubric
from course.grading.targets import copy_project, resolve_target
from course.paths import graded_tests_dir, repo_root, resolve_project

#: Environment variables the test process inherits; everything else (tokens, secrets) is dropped.
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
RUN_TOKEN_ENV = "COURSE_GRADING_RUN"  # marks every process of one run, so that strays can be found
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
POLL_S = 0.05
NOT_RUN = "not run: the test process ended before this test ran"


class GradingError(CourseError):
    """Grading could not run (unknown project, missing target, unreadable rubric, pytest not starting)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one grading run."""

    timeout: float = 60.0  # seconds per test and per notebook cell
    wall: float = 600.0  # seconds for the whole run, restarts included
    memory_mb: int = 6144  # address space of the test process and of the notebook kernel
    max_restarts: int = 8  # fresh processes after crashes, before the remaining tests get zero

    def __post_init__(self) -> None:
        for name in ("timeout", "wall", "memory_mb"):
            if getattr(self, name) <= 0:
                raise GradingError(
                    f"--{name.replace('_mb', '')} must be positive, got {getattr(self, name)}."
                )


def grade_submission(
    project: str,
    target: str | Path | None = None,
    *,
    root: Path | None = None,
    limits: Limits | None = None,
    extra_tests: Path | None = None,
    submission: str = "",
    select: Sequence[str] | None = None,
) -> GradeReport:
    """Grade ``target`` (``solutions``, ``projects`` or a path) for ``project``; never raises for bad code.

    ``select`` runs only these test files (relative to the project's graded tests) and no notebook: the
    other tests and the notebook items are reported as not run. Raises ``GradingError`` only when grading
    cannot run at all.
    """
    started = time.monotonic()
    limits = limits or Limits()
    try:
        root = root or repo_root()
        name = resolve_project(project, root)
        rubric = load_rubric(name, root, extra_tests=extra_tests)
        folder = resolve_target(target, name, root)
    except CourseError as exc:  # grading cannot run: callers catch GradingError alone
        raise GradingError(str(exc)) from exc
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        run = GradingRun(name, rubric, folder, Path(tmp), limits, root, extra_tests)
        run.prepare(select)
        run.execute(deadline=started + limits.wall)
        items = run.score()
    return GradeReport(
        project=name,
        target=str(folder),
        items=items,
        duration_s=time.monotonic() - started,
        versions=versions(),
        notes=run.notes + [note for _, note in run.test_notes],
        submission=submission,
    )


@dataclass
class Attempt:
    """What one pytest process reported through its results file."""

    path: Path
    offset: int = 0
    started: bool = False
    ended: bool = False
    exitstatus: int = 0
    current: dict[str, Any] | None = None
    importing: list[str] = field(default_factory=list)
    collected: list[dict[str, Any]] = field(default_factory=list)

    def read(self) -> list[dict[str, Any]]:
        """New complete event lines since the last read."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        self.offset += end
        events = []
        for line in data[:end].splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
        return events


class GradingRun:
    """One submission's grading: prepared files, attempts, collected results."""

    def __init__(
        self,
        project: str,
        rubric: Rubric,
        folder: Path,
        tmp: Path,
        limits: Limits,
        root: Path,
        extra_tests: Path | None,
    ) -> None:
        self.project, self.rubric, self.folder, self.tmp = project, rubric, folder, tmp
        self.limits, self.root, self.extra_tests = limits, root, extra_tests
        self.submission = tmp / "submission" / project
        self.tests = tmp / "tests" / "graded" / project
        self.work = tmp  # where the attempts' results, state and logs go (a folder per lane)
        self.paths: list[Path] | None = None  # the test files to run (None: the whole tests folder)
        self.notes: list[str] = []
        self.test_notes: list[tuple[str, str]] = []
        self.records: dict[str, dict[str, Any]] = {}  # nodeid -> what the plugin collected
        self.results: dict[str, dict[str, Any]] = {}  # nodeid -> outcome, message, details, duration
        self.collect_errors: dict[str, str] = {}
        self.broken_imports: dict[str, str] = {}
        self.missing_notebooks: list[str] = []
        self.notebooks: list[Path] = []
        self.notebooks_skipped = False  # a run of selected test files only
        self.disabled_plugins: list[str] = []
        self.stop_reason = NOT_RUN
        self.unrun: dict[str, str] = {}  # nodeid -> why it has no result (from a lane that stopped early)
        self.token = uuid.uuid4().hex

    # -- preparation ------------------------------------------------------------------------------------
    def prepare(self, select: Sequence[str] | None = None) -> None:
        """Copy the submission and the grader's tests; write the ini file.

        ``select``: run only these test files and no notebook.
        """
        for rel in copy_project(self.folder, self.submission, untrusted=True):
            self.notes.append(f"ignored {rel} in your submission: the grader's tests run as shipped")
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
        return env

    # -- execution --------------------------------------------------------------------------------------
    def execute(self, deadline: float) -> None:
        """Run the notebooks and the tests; the ``beside_notebooks`` test files in a second process."""
        lanes = self.lanes()
        if not lanes:
            self.run_lane(deadline)
            return
        errors: list[GradingError] = []

        def run(lane: GradingRun) -> None:
            try:
                lane.run_lane(deadline)
            except GradingError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(lane,), daemon=True) for lane in lanes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for lane in lanes:
            self.absorb(lane)
        if errors:
            raise errors[0]

    def lanes(self) -> list[GradingRun]:
        """Two lanes (notebooks, then tests that may read their files; the other tests), or [] for one."""
        beside = [self.tests / name for name in self.rubric.beside_notebooks]
        if not (self.notebooks and beside):
            return []
        after = [path for path in find_test_files(self.tests) if path not in beside]
        return [self.lane("notebooks", self.notebooks, after), self.lane("beside", [], beside)]

    def lane(self, name: str, notebooks: list[Path], paths: list[Path]) -> GradingRun:
        """A run over part of this run's prepared files, with its own folder, processes and restarts."""
        lane = GradingRun(
            self.project, self.rubric, self.folder, self.tmp, self.limits, self.root, self.extra_tests
        )
        lane.work = self.tmp / f"lane-{name}"
        lane.work.mkdir()
        lane.notebooks, lane.paths = list(notebooks), list(paths)
        lane.disabled_plugins = lane.unneeded_plugins()
        return lane

    def absorb(self, lane: GradingRun) -> None:
        """Take a finished lane's results, reasons, errors and notes into this run."""
        self.records.update(lane.records)
        self.results.update(lane.results)
        for nodeid in lane.records:
            if nodeid not in lane.results:
                self.unrun[nodeid] = lane.unrun.get(nodeid, lane.stop_reason)
        self.collect_errors.update(lane.collect_errors)
        self.broken_imports.update(lane.broken_imports)
        self.notes += [note for note in lane.notes if note not in self.notes]
        self.test_notes = sorted([*self.test_notes, *lane.test_notes], key=lambda pair: pair[0])
        if lane.stop_reason != NOT_RUN:
            self.stop_reason = lane.stop_reason

    def run_lane(self, deadline: float) -> None:
        """Run attempts until every test has a result, the restarts run out, or the wall clock does."""
        if not self.rubric.items:
            return
        for attempt_no in range(self.limits.max_restarts + 1):
            finished_before = len(self.results)
            attempt, returncode, killed = self.run_attempt(attempt_no, deadline)
            if attempt.ended and killed is None and attempt.current is None:
                if attempt.exitstatus not in (0, 1, 5) and self.remaining():
                    last = self.log_tail(attempt_no, lines=1)
                    self.notes.append(f"pytest stopped early (exit status {attempt.exitstatus}): {last}")
                return
            if not attempt.started and not self.records:
                log = self.log_tail(attempt_no)
                raise GradingError(f"pytest could not start (exit code {returncode}):\n{log}")
            self.account_for_crash(attempt, returncode, killed)
            if killed == "wall":
                limit = format_seconds(self.limits.wall)
                self.stop_reason = f"not run: grading reached its wall-clock limit of {limit}"
                self.notes.append(f"Grading stopped at its wall-clock limit of {limit}.")
                return
            if self.remaining() == []:
                return
            if attempt.current is None and len(self.results) == finished_before:
                self.stop_reason = f"not run: the test process {describe_exit(returncode)} before running it"
                self.notes.append(f"The test process {describe_exit(returncode)} without running a test.")
                return
        self.stop_reason = f"not run: the test process crashed {self.limits.max_restarts + 1} times"
        self.notes.append(
            f"The test process crashed {self.limits.max_restarts + 1} times; the grader stopped."
        )

    def remaining(self) -> list[str] | None:
        """Collected node ids without a result (``None`` when nothing was collected yet)."""
        if not self.records:
            return None
        return [nodeid for nodeid in self.records if nodeid not in self.results]

    def run_attempt(self, number: int, deadline: float) -> tuple[Attempt, int | None, str | None]:
        """Run pytest once; return what it reported, its exit code and why the grader killed it (if so)."""
        state = {
            "project": self.project,
            "in_place": True,
            "done": sorted(self.results),
            "broken_imports": self.broken_imports,
            "notebooks": {
                str(path.resolve()): {"id": entry.id, "path": entry.path, "points": entry.points}
                for entry in self.rubric.notebooks
                if (path := self.submission / entry.path).is_file()
            },
        }
        (self.work / f"state-{number}.json").write_text(json.dumps(state), encoding="utf-8")
        attempt = Attempt(self.work / f"results-{number}.jsonl")
        killed = None
        env = self.environment()
        command, note = confined(self.command(number), self.root, [Path(env["COURSE_DATA_DIR"])])
        if note and note not in self.notes:
            self.notes.append(note)
        with open(self.work / f"pytest-{number}.log", "wb") as log:
            process = _start(
                command,
                cwd=self.tmp,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_limits_in_child(self.limits.memory_mb),
            )
            try:
                while True:
                    try:
                        process.wait(timeout=POLL_S)
                        break
                    except subprocess.TimeoutExpired:
                        pass
                    self.consume(attempt)
                    killed = self.overdue(attempt, deadline)
                    if killed:
                        _kill_group(process)
                        break
            finally:
                if process.poll() is None:
                    _kill_group(process)
                process.wait()
                _forget(process)
                kill_strays(self.token)
        self.consume(attempt)
        return attempt, process.returncode, killed

    def overdue(self, attempt: Attempt, deadline: float) -> str | None:
        """``wall`` when the run is out of time, ``hung`` when the current test overran its budget."""
        now = time.monotonic()
        if now >= deadline:
            return "wall"
        current = attempt.current
        if current is not None:
            timeout = current.get("timeout") or self.limits.timeout
            if now - current["since"] > timeout + max(10.0, 0.5 * timeout):
                return "hung"
        return None

    def consume(self, attempt: Attempt) -> None:
        """Fold new events into the run's state."""
        for event in attempt.read():
            kind = event.get("event")
            if kind == "session_start":
                attempt.started = True
            elif kind == "session_end":
                attempt.ended = True
                attempt.exitstatus = int(event.get("exitstatus", 0))
            elif kind == "collected":
                attempt.collected = event["items"]
                for info in event["items"]:
                    self.records[info["nodeid"]] = info
            elif kind == "collect_error":
                self.collect_errors[event["nodeid"]] = event["message"]
            elif kind == "start":
                attempt.current = {**event, "since": time.monotonic()}
                attempt.importing = []
            elif kind == "import_start":
                attempt.importing.append(event["module"])
            elif kind == "import_end" and attempt.importing:
                attempt.importing.pop()
            elif kind == "note":
                self.test_notes.append((event["nodeid"], self.note_text(event)))
            elif kind == "end":
                attempt.current = None
                self.results[event["nodeid"]] = event

    def note_text(self, event: dict[str, Any]) -> str:
        """A test's note, prefixed with the rubric item it belongs to."""
        info = self.records.get(event["nodeid"], {})
        return f"{info.get('rubric') or info.get('name', 'note')}: {event['text']}"

    def account_for_crash(self, attempt: Attempt, returncode: int | None, killed: str | None) -> None:
        """Give the test that was running when the process died its zero and message."""
        current = attempt.current
        if current is None:
            if self.remaining():
                self.notes.append(f"the test process {describe_exit(returncode)} between tests; restarted")
            return
        nodeid = current["nodeid"]
        info = self.records.get(nodeid, {})
        name = info.get("name", nodeid)
        if killed == "wall":
            how = f"was stopped: grading reached its wall-clock limit of {format_seconds(self.limits.wall)}"
            message = f"the test {how}"
        elif killed == "hung":
            limit = format_seconds(current.get("timeout") or self.limits.timeout)
            how = f"did not finish within {limit} and could not be interrupted, so the grader killed it"
            message = f"the test {how}"
        elif attempt.ended:
            how = "was stopped from inside (pytest.exit or KeyboardInterrupt?)"
            message = f"the test process {how} while running {name}: functions must return or raise"
        else:
            how = describe_exit(returncode)
            message = (
                f"the test process {how} while running {name}: does your code call os._exit or sys.exit?"
            )
        if attempt.importing:
            module = attempt.importing[0]
            message = f"Could not import {module}: the test process {how} while importing it"
            if killed is None:
                message += ": does the module call os._exit or sys.exit at import time?"
            self.broken_imports[module] = message
        self.results[nodeid] = {"outcome": "crashed", "message": message, "details": self.log_tail(None)}
        if info.get("kind") == "cell":
            for other, record in self.records.items():
                if record.get("notebook") == info.get("notebook") and other not in self.results:
                    self.results[other] = {
                        "outcome": "not run",
                        "message": "not run: the notebook stopped earlier",
                    }

    def log_tail(self, number: int | None, lines: int = 30) -> str:
        """The last lines of an attempt's pytest output (the latest attempt by default)."""
        logs = sorted(self.work.glob("pytest-*.log"), key=lambda p: int(p.stem.split("-")[1]))
        path = self.work / f"pytest-{number}.log" if number is not None else (logs[-1] if logs else None)
        if path is None or not path.is_file():
            return ""
        text = path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    # -- scoring ----------------------------------------------------------------------------------------
    def score(self) -> list[ItemResult]:
        """Rubric items with their earned points, from the tests' and notebooks' results."""
        by_key: dict[str, list[str]] = {}
        for nodeid, info in self.records.items():
            if info.get("kind") == "test":
                by_key.setdefault(info["key"], []).append(nodeid)
        items = []
        for item in self.rubric.items:
            tests: list[TestResult] = []
            earned = 0.0
            for test in item.tests:
                nodeids = by_key.get(test.key, [])
                for nodeid in nodeids:
                    result = self.test_result(nodeid)
                    tests.append(result)
                    earned += test.points if result.passed else 0.0
                for case in range(len(nodeids), test.cases):
                    suffix = f"[case {case + 1}]" if test.cases > 1 else ""
                    tests.append(TestResult(test.key + suffix, "not run", self.missing_reason(test.key)))
            for notebook in item.notebooks:
                result = self.notebook_result(notebook.path)
                tests.append(result)
                earned += notebook.points if result.passed else 0.0
            earned = min(earned, item.points)
            failing = list(dict.fromkeys(t.message for t in tests if not t.passed and t.message))
            message = "\n".join(failing[:3]) + (f"\n(+{len(failing) - 3} more)" if len(failing) > 3 else "")
            items.append(
                ItemResult(item.id, item.text, item.points, earned, message if failing else "", tests)
            )
        return items

    def test_result(self, nodeid: str) -> TestResult:
        """One collected test case's result."""
        info = self.records[nodeid]
        result = self.results.get(nodeid)
        if result is None:
            return TestResult(info["name"], "not run", self.unrun.get(nodeid, self.stop_reason))
        return TestResult(
            info["name"],
            result.get("outcome", "failed"),
            result.get("message", ""),
            result.get("details", ""),
            float(result.get("duration", 0.0)),
        )

    def missing_reason(self, key: str) -> str:
        """Why a test from the rubric has no result: its file did not load, or the run ended early."""
        file = key.split("::", 1)[0]
        for nodeid, message in self.collect_errors.items():
            if nodeid.endswith(file):
                return f"the grader could not load {file}: {message}"
        return self.stop_reason

    def notebook_result(self, path: str) -> TestResult:
        """A notebook passes when it was collected and every one of its cells passed (or was skipped)."""
        if self.notebooks_skipped:
            return TestResult(path, "not run", "not run: this run ran selected test files only")
        if path in self.missing_notebooks:
            return TestResult(path, "failed", f"{path} is missing from your submission: keep it at {path}")
        for nodeid, message in self.collect_errors.items():
            if nodeid.endswith(path):
                return TestResult(path, "failed", f"could not read {path}: {message}")
        cells = sorted(
            (info["cell"], nodeid)
            for nodeid, info in self.records.items()
            if info.get("kind") == "cell" and info.get("notebook") == path
        )
        duration = 0.0
        for _, nodeid in cells:
            result = self.results.get(nodeid)
            if result is None:
                return TestResult(path, "not run", self.unrun.get(nodeid, self.stop_reason))
            duration += float(result.get("duration", 0.0))
            if result.get("outcome") not in ("passed", "skipped"):
                outcome = "crashed" if result.get("outcome") == "crashed" else "failed"
                return TestResult(
                    path, outcome, result.get("message", ""), result.get("details", ""), duration
                )
        if not cells:
            if not self.records:
                return TestResult(path, "not run", self.stop_reason)
            return TestResult(
                path, "failed", f"{path} has no code cell to run: the notebook is graded by running it"
            )
        entry = next((e for e in self.rubric.notebooks if e.path == path), None)
        missing = [name for name in (entry.writes if entry else ()) if not (self.submission / name).is_file()]
        if missing:
            message = f"{path} ran but did not write {', '.join(missing)} in this run: run it top to bottom"
            return TestResult(path, "failed", message, "", duration)
        return TestResult(path, "passed", "", "", duration)


_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def _start(cmd: list[str], **kwargs: Any) -> subprocess.Popen:
    """Start a test process and remember it, so that ``stop_all`` can end it."""
    with _RUNNING_LOCK:
        process = subprocess.Popen(cmd, **kwargs)
        _RUNNING.add(process)
    return process


def _forget(process: subprocess.Popen) -> None:
    with _RUNNING_LOCK:
        _RUNNING.discard(process)


def stop_all() -> None:
    """Kill every running test process group (an interrupted class run)."""
    with _RUNNING_LOCK:
        for process in list(_RUNNING):
            _kill_group(process)


def _limits_in_child(memory_mb: int) -> Callable[[], None]:
    """A ``preexec_fn`` that caps the address space and disables core dumps (runs in the child)."""
    import resource

    limit = memory_mb * 1024 * 1024

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group of the test process."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def kill_strays(token: str) -> int:
    """Kill processes left by one run (a notebook kernel lives in its own session); return how many."""
    try:
        import psutil
    except ImportError:
        return 0
    killed = 0
    me = os.getpid()
    for process in psutil.process_iter(["pid"]):
        if process.pid == me:
            continue
        try:
            if process.environ().get(RUN_TOKEN_ENV) == token:
                process.kill()
                killed += 1
        except (psutil.Error, OSError):
            continue
    return killed
