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

import json
import os
import stat
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.errors import CourseError
from course.grading import scoring
from course.grading.confine import confined, grading_user, missing_protections
from course.grading.messages import describe_exit, format_seconds
from course.grading.processes import (
    Cgroup,
    forget,
    kill_group,
    kill_strays,
    start,
)
from course.grading.reports import GradeReport, ItemResult, versions
from course.grading.rubric import Rubric, find_test_files, load_rubric
from course.grading.sandbox import GradingError, Sandbox
from course.grading.targets import resolve_target
from course.paths import repo_root, resolve_project

__all__ = ["GradingError", "GradingRun", "Limits", "grade_submission"]

POLL_S = 0.05
NOT_RUN = "not run: the test process ended before this test ran"


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
    learner: str | None = None,
) -> GradeReport:
    """Grade ``target`` (``solutions``, ``projects`` or a path) for ``project``; never raises for bad code.

    ``select`` runs only these test files (relative to the project's graded tests) and no notebook: the
    other tests and the notebook items are reported as not run. ``learner`` names the world to grade in
    (``course.worlds``); by default the submission's own ``learner.toml``, else the default world. Raises
    ``GradingError`` only when grading cannot run at all.
    """
    from course.grading.world_check import world_flags
    from course.worlds import World, check_id, learner_of

    started = time.monotonic()
    limits = limits or Limits()
    try:
        root = root or repo_root()
        name = resolve_project(project, root)
        rubric = load_rubric(name, root, extra_tests=extra_tests)
        folder = resolve_target(target, name, root)
        world = World(check_id(learner, "--learner")) if learner else learner_of(folder)
    except CourseError as exc:  # grading cannot run: callers catch GradingError alone
        raise GradingError(str(exc)) from exc
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        run = GradingRun(name, rubric, folder, Path(tmp), limits, root, extra_tests, world.learner)
        if not world.is_default:
            run.notes.append(f"Graded in the world of {world.label}.")
        run.prepare(select)
        run.execute(deadline=started + limits.wall)
        items = run.score()
        flags = world_flags(folder, world, pinned=bool(learner))
    return GradeReport(
        project=name,
        target=str(folder),
        items=items,
        duration_s=time.monotonic() - started,
        versions=versions(),
        notes=run.notes + [note for _, note in run.test_notes] + run.machine_notes(),
        submission=submission,
        learner=world.learner,
        world_flags=flags,
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

    def create_for(self, uid: int) -> None:
        """Create the (empty) results file for the test process's user ``uid``, in the grader's folder."""
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.fchown(fd, uid, uid)
        finally:
            os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        """New complete event lines since the last read (a regular file only, never a link or a pipe)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:  # not written yet, or a link or another trick in its place: nothing to read
            return []
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return []
            handle.seek(self.offset)
            data = handle.read()
        end = data.rfind(b"\n") + 1
        self.offset += end
        events = []
        for line in data[:end].splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
        return events


class GradingRun(Sandbox):
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
        learner: str = "default",
    ) -> None:
        self.project, self.rubric, self.folder, self.tmp = project, rubric, folder, tmp
        self.limits, self.root, self.extra_tests, self.learner = limits, root, extra_tests, learner
        self.submission = tmp / "submission" / project
        self.tests = tmp / "tests" / "graded" / project
        self.work = tmp / "judge"  # the attempts' results, state and logs (a folder per lane); never
        self.work.mkdir(exist_ok=True)  # visible to a worker (see "private" in the state)
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
        self.strays = 0  # processes of the submission still running when an attempt ended (then killed)
        self.tracking = "scan"  # how those processes were found: "cgroup" where the machine allows it
        self.user: int | None = None  # the unprivileged user the test processes run as (when root)

    # -- execution --------------------------------------------------------------------------------------
    def execute(self, deadline: float) -> None:
        """Run the notebooks and the tests; the ``beside_notebooks`` test files in a second process."""
        self.user = grading_user(self.root)[0]
        lanes = self.lanes()
        if self.user is not None:
            self.warm_cache()
            self.hand_over(self.user)
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

    def warm_cache(self) -> None:
        """As root, before the test processes drop to the grading user: build the learner's churn world into
        the data cache, which that user may read but not write (it would build the world in every process)."""
        from course.worlds import World

        world = World(self.learner)
        if not world.is_default:
            world.churn()

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
            self.project,
            self.rubric,
            self.folder,
            self.tmp,
            self.limits,
            self.root,
            self.extra_tests,
            self.learner,
        )
        lane.work = self.tmp / "judge" / f"lane-{name}"
        lane.user = self.user
        lane.work.mkdir()
        lane.notebooks, lane.paths = list(notebooks), list(paths)
        lane.disabled_plugins = lane.unneeded_plugins()
        return lane

    def machine_notes(self) -> list[str]:
        """Once per report: the protections this machine lacked, and processes killed at the end."""
        notes = [note] if (note := missing_protections(self.root)) else []
        if self.strays:
            how = "by their cgroup" if self.tracking == "cgroup" else "by a scan of the processes"
            notes.append(
                f"{self.strays} process(es) your code started were still running when grading ended: the "
                f"grader found them {how} and killed them."
            )
        return notes

    def absorb(self, lane: GradingRun) -> None:
        """Take a finished lane's results, reasons, errors and notes into this run."""
        self.records.update(lane.records)
        self.results.update(lane.results)
        for nodeid in lane.records:
            if nodeid not in lane.results:
                self.unrun[nodeid] = lane.unrun.get(nodeid, lane.stop_reason)
        self.collect_errors.update(lane.collect_errors)
        self.broken_imports.update(lane.broken_imports)
        self.strays += lane.strays
        self.tracking = lane.tracking
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
            "private": [str(self.tmp / "judge"), str(self.tmp / "tests")],  # hidden from the worker
            "cover": self.worker_view(),
            "notebooks": {
                str(path.resolve()): {"id": entry.id, "path": entry.path, "points": entry.points}
                for entry in self.rubric.notebooks
                if (path := self.submission / entry.path).is_file()
            },
        }
        (self.work / f"state-{number}.json").write_text(json.dumps(state), encoding="utf-8")
        attempt = Attempt(self.work / f"results-{number}.jsonl")
        if self.user is not None:  # the judge's one file in the grader's folder, which stays root's
            attempt.create_for(self.user)
        killed = None
        env = self.environment()
        keep = [Path(env["COURSE_DATA_DIR"])]
        stage = self.work / f"reach-{number}"  # where the grading user's view of closed folders is built
        stage.mkdir(exist_ok=True)
        command, note = confined(self.command(number), self.root, keep, self.user, stage)
        if note and note not in self.notes:
            self.notes.append(note)
        cgroup = Cgroup.for_attempt(f"{self.token}-{number}")  # the attempt's processes, killed at its end
        if cgroup is not None:
            command, self.tracking = cgroup.wrap(command), "cgroup"
        with open(self.work / f"pytest-{number}.log", "wb") as log:
            process = start(
                command,
                cwd=self.tmp,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
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
                        kill_group(process)
                        break
            finally:
                if process.poll() is None:
                    kill_group(process)
                process.wait()
                forget(process)
                self.strays += cgroup.kill() if cgroup is not None else kill_strays(self.token)
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
            elif kind == "broken_import":
                self.broken_imports.setdefault(event["module"], event["message"])
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
        """Rubric items with their earned points, from what this run recorded (:mod:`scoring`)."""
        written = {
            name
            for entry in self.rubric.notebooks
            for name in entry.writes
            if (self.submission / name).is_file()
        }
        return scoring.score(
            scoring.RunRecord(
                rubric=self.rubric,
                records=self.records,
                results=self.results,
                unrun=self.unrun,
                stop_reason=self.stop_reason,
                collect_errors=self.collect_errors,
                missing_notebooks=self.missing_notebooks,
                notebooks_skipped=self.notebooks_skipped,
                written=written,
            )
        )
