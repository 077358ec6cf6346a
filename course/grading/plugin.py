"""pytest plugin for graded tests: the rubric marker, ``--target``, project fixtures, notebook items, results.

It is the ``course_grading`` pytest11 entry point, so it loads in every pytest run of the virtualenv: only
light imports at the top, and nothing happens unless graded tests, notebooks or grading options appear.

Graded tests (``tests/graded/<project>/test_*.py``) use:

- ``@pytest.mark.rubric("p1.split.no_customer_overlap", points=3)``; the docstring's first line is the text;
- ``project_dir``: a temporary copy of the target's project folder, first on ``sys.path`` (session scope,
  one per project);
- ``project_module("pkg.module")``: the module imported from that copy; an import that fails, exits or
  hangs becomes a test failure with a learner-facing message, remembered so later tests fail fast;
- ``grading_note("...")``: an informative, unscored line for the report's Notes.

``course grade`` adds ``--grading-results PATH`` (one JSON line per event: collected, start, end, note,
import_start/import_end, collect_error, session_end) and ``--grading-state PATH`` (a JSON object from the
runner: ``project``, ``in_place``, ``done`` node ids to deselect, ``broken_imports``, ``notebooks``).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from course.grading import messages

HIDDEN_ID = getattr(pytest, "HIDDEN_PARAM", None)
CELL_GRACE_S = 30.0  # a cell's pytest timeout on top of nbval's own: kernel start-up and interrupt
NBVAL_CELL = "IPyNbCell"


class KernelDiedError(RuntimeError):
    """The notebook's kernel process ended while a cell was running."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--target`` for everyone; ``--grading-*`` for the runner behind ``course grade``."""
    group = parser.getgroup("course_grading", "course grading")
    group.addoption(
        "--target",
        default="solutions",
        help="where graded tests import the project from: solutions (default), projects, or a path to a "
        "repository root or to one project folder",
    )
    group.addoption("--grading-results", default=None, metavar="PATH", help="write test events as JSON lines")
    group.addoption("--grading-state", default=None, metavar="PATH", help="runner state (JSON) for a re-run")


_STATE_KEY = pytest.StashKey["GradingSession"]()
_STATE: dict[str, GradingSession] = {}  # for hooks that receive only a report or a node id


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and set up the session state."""
    config.addinivalue_line("markers", "rubric(id, points): a graded test's rubric item and its points")
    session = GradingSession(config)
    config.stash[_STATE_KEY] = session
    if session.grading and (config.getoption("nbval_lax", False) or config.getoption("nbval", False)):
        _patch_nbval_kernel_death()


def _grading(config: pytest.Config) -> GradingSession:
    return config.stash[_STATE_KEY]


def graded_tests_folder(path: Path) -> Path | None:
    """``.../graded/<project>`` for a file anywhere under it, else ``None``."""
    for parent in Path(path).parents:
        if parent.parent.name == "graded":
            return parent
    return None


class GradingSession:
    """Per-run state: options, project copies, import failures, item outcomes, the results file."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        state_path = config.getoption("grading_state", None)
        self.state: dict[str, Any] = json.loads(Path(state_path).read_text()) if state_path else {}
        results = config.getoption("grading_results", None)
        self.results = open(results, "a", encoding="utf-8") if results else None  # noqa: SIM115
        self.grading = bool(self.results or self.state)
        self.in_place = bool(self.state.get("in_place", False))
        target = str(config.getoption("target", "solutions") or "solutions")
        if target not in ("solutions", "projects"):
            target = str((config.invocation_params.dir / target).resolve())
        self.target = target
        project = self.state.get("project")
        self.import_failures: dict[str, dict[str, str]] = {}
        if project:
            self.import_failures[project] = dict(self.state.get("broken_imports", {}))
        self.items: dict[str, dict[str, Any]] = {}  # nodeid -> what the runner needs to know
        self.outcomes: dict[str, dict[str, Any]] = {}
        self.notes: list[tuple[str, str]] = []
        self.tests_folders: dict[str, Path] = {}  # project -> its graded tests folder
        self.copies: list[Path] = []  # project copies in use, where tracebacks are located
        self.previous = _STATE.get("session")
        _STATE["session"] = self

    # -- results file -----------------------------------------------------------------------------------
    def record(self, event: str, **fields: Any) -> None:
        """Append one event line and flush it, so that it survives the process dying right after."""
        if self.results is None:
            return
        self.results.write(json.dumps({"event": event, **fields}) + "\n")
        self.results.flush()

    # -- projects ---------------------------------------------------------------------------------------
    def project_folder(self, project: str) -> Path:
        """The target's folder for ``project``; a bad ``--target`` fails the test with its message."""
        from course.errors import CourseError
        from course.grading.targets import resolve_target
        from course.paths import repo_root

        try:
            root = None
            if self.target in ("solutions", "projects"):
                start = self.tests_folders.get(project, self.config.rootpath)
                root = repo_root(start=start)
            return resolve_target(self.target, project, root)
        except CourseError as exc:
            problem = str(exc)
        pytest.fail(problem, pytrace=False)  # outside the except block: no chained traceback

    def import_module(self, project: str, copy: Path, name: str) -> ModuleType:
        """Import ``name`` from the project copy, turning any failure into a learner-facing test failure."""
        failures = self.import_failures.setdefault(project, {})
        prefixes = _prefixes(name)
        for prefix in prefixes:
            if prefix in failures:
                pytest.fail(failures[prefix], pytrace=False)
        _forget_foreign(prefixes[0], copy)
        self.record("import_start", module=name)
        try:
            module = importlib.import_module(name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a submission may raise anything, even SystemExit or pytest.exit
            message = messages.import_failure(name, exc, [copy])
            failed_at = next((p for p in prefixes if p not in sys.modules), name)
            failures[failed_at] = message
            self.record("import_end", module=name, ok=False, message=message)
        else:
            self.record("import_end", module=name, ok=True)
            return module
        pytest.fail(message, pytrace=False)  # outside the except block: no chained traceback

    # -- items ------------------------------------------------------------------------------------------
    def describe(self, item: pytest.Item) -> dict[str, Any] | None:
        """What the runner and the summary need about a graded test or a notebook cell (else ``None``)."""
        if type(item).__name__ == NBVAL_CELL:
            entry = self.notebook_entry(Path(item.path))
            if entry is None:
                return None
            first = next((ln.strip() for ln in str(item.cell.source).splitlines() if ln.strip()), "")
            return {
                "kind": "cell",
                "key": entry["path"],
                "name": f"{entry['path']}::Cell {item.cell_num}",
                "rubric": entry["id"],
                "points": 0,
                "notebook": entry["path"],
                "cell": int(item.cell_num),
                "source": messages.shorten(first, 80),
            }
        folder = graded_tests_folder(Path(item.path))
        if folder is None:
            return None
        self.tests_folders.setdefault(folder.name, folder)
        rel = Path(item.path).relative_to(folder).as_posix()
        parts = item.nodeid.split("::")[1:]
        base = [*parts[:-1], parts[-1].split("[", 1)[0]] if parts else []
        marker = item.get_closest_marker("rubric")
        rubric_id, points = _rubric_args(marker)
        doc = (getattr(getattr(item, "function", None), "__doc__", None) or "").strip()
        return {
            "kind": "test",
            "key": "::".join([rel, *base]),
            "name": "::".join([rel, *parts]),
            "rubric": rubric_id,
            "points": points,
            "project": folder.name,
            "text": doc.splitlines()[0].strip() if doc else "",
        }

    def notebook_entry(self, path: Path) -> dict[str, Any] | None:
        """The rubric.toml entry of a notebook that nbval collected, if it belongs to a graded project."""
        mapped = self.state.get("notebooks")
        if mapped is not None:
            return mapped.get(str(path.resolve()))
        from course.grading.rubric import RubricError, read_notebook_entries

        for project, folder in self.tests_folders.items():
            try:
                target = self.project_folder(project)
                entries = read_notebook_entries(folder / "rubric.toml")
            except (RubricError, pytest.fail.Exception):
                continue
            if path.resolve().is_relative_to(target):
                rel = path.resolve().relative_to(target).as_posix()
                for entry in entries:
                    if entry.path == rel:
                        return {"id": entry.id, "path": entry.path, "points": entry.points}
        return None

    def add_note(self, nodeid: str, text: str) -> None:
        """Keep an informative line for the report."""
        self.notes.append((nodeid, text))
        self.record("note", nodeid=nodeid, text=text)


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _within(module: ModuleType, folder: Path) -> bool:
    file = getattr(module, "__file__", None)
    paths = [file] if file else list(getattr(module, "__path__", []) or [])
    return any(Path(p).resolve().is_relative_to(folder) for p in paths if p)


def _forget_foreign(top: str, copy: Path) -> None:
    """Drop a cached module of the same name loaded from elsewhere (another target, another project)."""
    module = sys.modules.get(top)
    local = (copy / top).is_dir() or (copy / f"{top}.py").is_file()
    if module is not None and local and not _within(module, copy.resolve()):
        for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
            del sys.modules[name]


def _rubric_args(marker: pytest.Mark | None) -> tuple[str | None, float]:
    if marker is None:
        return None, 0.0
    item_id = marker.args[0] if marker.args else marker.kwargs.get("id")
    points = marker.args[1] if len(marker.args) > 1 else marker.kwargs.get("points", 0)
    if not isinstance(item_id, str) or isinstance(points, bool) or not isinstance(points, int | float):
        return None, 0.0
    return item_id, float(points)


# -- fixtures -------------------------------------------------------------------------------------------
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give every graded test that uses the project fixtures its project, as a hidden session parameter."""
    if "_course_project" not in metafunc.fixturenames:
        return
    folder = graded_tests_folder(Path(metafunc.definition.path))
    if folder is None:
        return
    ids = [HIDDEN_ID if HIDDEN_ID is not None else folder.name]
    metafunc.parametrize("_course_project", [folder.name], ids=ids, scope="session")


@pytest.fixture(scope="session")
def _course_project() -> str:
    """Replaced by the project name for tests under ``tests/graded/<project>/``."""
    pytest.fail(
        "project_dir and project_module work only in tests under tests/graded/<project>/.", pytrace=False
    )


@pytest.fixture(scope="session")
def project_dir(request: pytest.FixtureRequest, _course_project: str) -> Iterator[Path]:
    """A temporary copy of the target's project folder, first on ``sys.path`` (one per project)."""
    session = _grading(request.config)
    source = session.project_folder(_course_project)
    scratch = None
    if session.in_place:
        copy = source
    else:
        from course.grading.targets import copy_project

        scratch = Path(tempfile.mkdtemp(prefix=f"course-{_course_project}-"))
        copy = scratch / _course_project
        copy_project(source, copy)
    sys.path.insert(0, str(copy))
    importlib.invalidate_caches()
    session.copies.append(copy)
    try:
        yield copy
    finally:
        session.copies.remove(copy)
        while str(copy) in sys.path:
            sys.path.remove(str(copy))
        resolved = copy.resolve()
        for name, module in list(sys.modules.items()):
            if module is not None and _within(module, resolved):
                del sys.modules[name]
        if scratch is not None:
            if Path.cwd().resolve().is_relative_to(scratch.resolve()):
                os.chdir(request.config.invocation_params.dir)
            shutil.rmtree(scratch, ignore_errors=True)


class ProjectImporter:
    """``project_module("pkg.module")``: import from the project copy, failures become test failures."""

    def __init__(self, session: GradingSession, project: str, copy: Path) -> None:
        self._session, self.project, self.copy = session, project, copy

    def __call__(self, name: str) -> ModuleType:
        return self._session.import_module(self.project, self.copy, name)

    def __repr__(self) -> str:
        return f"<project_module {self.project} from {self.copy}>"


class RemoteImporter:
    """``project_module("pkg.module")`` of a project graded with ``isolation = "worker"``: the module is
    imported in the worker process, and the test holds a proxy (:mod:`course.grading.remote`)."""

    def __init__(self, session: GradingSession, project: str, copy: Path, worker: Any) -> None:
        self._session, self.project, self.copy, self.worker = session, project, copy, worker

    def __call__(self, name: str) -> Any:
        from course.grading.remote import WorkerError

        failures = self._session.import_failures.setdefault(self.project, {})
        if name in failures:
            pytest.fail(failures[name], pytrace=False)
        self._session.record("import_start", module=name)
        try:
            module = self.worker.module(name)
        except WorkerError as exc:
            message = str(exc)
        except Exception as exc:  # the stand-in of what the import raised in the worker
            message = messages.import_failure(name, exc, [self.copy])
            notes = "\n".join(getattr(exc, "__notes__", []))
            message = f"{message}\n{notes}" if notes and notes not in message else message
        else:
            self._session.record("import_end", module=name, ok=True)
            return module
        failures[name] = message
        self._session.record("import_end", module=name, ok=False, message=message)
        pytest.fail(message, pytrace=False)

    def __repr__(self) -> str:
        return f"<project_module {self.project} in a worker, from {self.copy}>"


def _isolation(session: GradingSession, project: str) -> str:
    """The project's ``isolation`` in its graded tests' ``rubric.toml`` (``process`` when there is none)."""
    from course.grading.rubric import read_isolation

    folder = session.tests_folders.get(project)
    return read_isolation(folder / "rubric.toml") if folder is not None else "process"


@pytest.fixture(scope="session")
def project_module(
    request: pytest.FixtureRequest, project_dir: Path, _course_project: str
) -> Iterator[ProjectImporter | RemoteImporter]:
    """A callable that imports a module of the project from ``project_dir`` (or in the worker)."""
    session = _grading(request.config)
    if _isolation(session, _course_project) != "worker":
        yield ProjectImporter(session, _course_project, project_dir)
        return
    from course.grading.remote import RemoteWorker

    hide = [request.config.rootpath / "tests"]
    hide += [
        Path(p)
        for p in (request.config.getoption(o, None) for o in ("grading_results", "grading_state"))
        if p
    ]
    worker = RemoteWorker([project_dir], hide=hide)
    while str(project_dir) in sys.path:  # the judge never imports the submission
        sys.path.remove(str(project_dir))
    try:
        yield RemoteImporter(session, _course_project, project_dir, worker)
    finally:
        if worker.note:
            session.add_note("", worker.note)
        worker.stop()


@pytest.fixture
def grading_note(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """``grading_note("text")`` adds an informative, unscored line under Notes in the grade report."""
    session = _grading(request.config)
    nodeid = request.node.nodeid

    def note(text: str) -> None:
        session.add_note(nodeid, str(text))

    return note


# -- collection -----------------------------------------------------------------------------------------
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Describe graded items; when grading: deselect finished ones, time cells, run notebooks first."""
    grading = _grading(config)
    for item in items:  # tests first, so that notebooks can be matched to their project
        if type(item).__name__ != NBVAL_CELL and (info := grading.describe(item)) is not None:
            grading.items[item.nodeid] = info
    for item in items:
        if type(item).__name__ == NBVAL_CELL and (info := grading.describe(item)) is not None:
            grading.items[item.nodeid] = info
    if not grading.grading:
        return
    done = set(grading.state.get("done", []))
    if done:
        kept = [item for item in items if item.nodeid not in done]
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid in done])
        items[:] = kept
    cell_timeout = float(config.getoption("nbval_cell_timeout", 0) or 0)
    for item in items:
        if type(item).__name__ == NBVAL_CELL and cell_timeout:
            item.add_marker(pytest.mark.timeout(cell_timeout + CELL_GRACE_S))
    items.sort(key=lambda item: type(item).__name__ != NBVAL_CELL)
    for item in items:
        if item.nodeid in grading.items:
            grading.items[item.nodeid]["timeout"] = _item_timeout(item)
    grading.record(
        "collected",
        items=[
            {"nodeid": item.nodeid, **grading.items[item.nodeid]}
            for item in items
            if item.nodeid in grading.items
        ],
    )


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """Record files that could not be collected (a broken notebook, a test file that does not import)."""
    if report.failed and report.nodeid:
        grading = _STATE.get("session")
        if grading is not None:
            text = messages.strip_ansi(str(report.longrepr))
            lines = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")]
            fallback = [ln.strip() for ln in text.splitlines() if ln.strip()]
            line = lines[-1] if lines else (fallback[-1] if fallback else "could not be collected")
            grading.record("collect_error", nodeid=report.nodeid, message=messages.shorten(line))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Record that pytest is up (so that a later death is a crash, not a usage error)."""
    _grading(session.config).record("session_start", pid=os.getpid())


# -- running --------------------------------------------------------------------------------------------
def _item_timeout(item: pytest.Item) -> float | None:
    marker = item.get_closest_marker("timeout")
    if marker is not None:
        value = marker.args[0] if marker.args else marker.kwargs.get("timeout")
        return float(value) if isinstance(value, int | float) else None
    value = item.config.getoption("timeout", None)
    return float(value) if value else None


def pytest_runtest_logstart(nodeid: str, location: tuple) -> None:
    """Record that a test starts: if the process dies now, the runner knows which test it was."""
    grading = _STATE.get("session")
    if grading is not None and nodeid in grading.items:
        item = grading.items[nodeid]
        grading.record("start", nodeid=nodeid, kind=item["kind"], timeout=item.get("timeout"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Attach a learner-facing message (not a traceback) to failed and skipped reports."""
    report = yield
    grading = _grading(item.config)
    if call.excinfo is not None and item.nodeid in grading.items and (report.failed or report.skipped):
        info = grading.items[item.nodeid]
        exc = call.excinfo.value
        if info["kind"] == "cell":
            report.course_message = _cell_message(item, exc, info)
        else:
            report.course_message = messages.exception_message(exc, grading.copies)
    return report


def _cell_message(item: Any, exc: BaseException, info: dict[str, Any]) -> str:
    where = f"{info['notebook']}, code cell {info['cell'] + 1}"
    if info["source"]:
        where += f" (`{info['source']}`)"
    error = next(
        (o for o in (getattr(item, "test_outputs", None) or []) if o.get("output_type") == "error"), None
    )
    text = messages.strip_ansi(str(exc))
    seconds = messages.timeout_seconds(exc)
    if "Timeout" in text or seconds is not None:
        limit = seconds or float(item.config.getoption("nbval_cell_timeout", 0) or 0)
        return f"{where} did not finish within {messages.format_seconds(limit)}"
    if isinstance(exc, KernelDiedError):
        return f"{where}: {exc}"
    if "Kernel dead" in text:
        return f"{where}: the notebook's kernel had already died"
    if error is not None:
        name, value = error.get("ename", "Error"), messages.strip_ansi(error.get("evalue", "")).strip()
        if name == "MemoryError":
            limit = messages.memory_limit_mb()
            value = "the notebook ran out of memory" + (f" (the grader allows {limit} MB)" if limit else "")
        return messages.shorten(f"{where} failed: {name}: {value}" if value else f"{where} failed: {name}")
    return messages.shorten(f"{where} failed: {text.splitlines()[0] if text else type(exc).__name__}")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Fold setup, call and teardown into one outcome and message per graded item."""
    grading = _STATE.get("session")
    if grading is None or report.nodeid not in grading.items:
        return
    state = grading.outcomes.setdefault(report.nodeid, {"outcome": None, "message": "", "duration": 0.0})
    state["duration"] += report.duration
    message = getattr(report, "course_message", "")
    outcome = report.outcome
    if hasattr(report, "wasxfail"):
        outcome = "passed" if report.passed else "xfailed"
    if report.when == "setup" and outcome != "passed":
        state.update(outcome="error" if outcome == "failed" else outcome, message=message)
    elif report.when == "call":
        state.update(outcome=outcome, message=message)
    elif report.when == "teardown" and report.failed and state["outcome"] in (None, "passed"):
        state.update(outcome="error", message=f"after the test: {message}")
    if report.failed:
        state["details"] = messages.strip_ansi(report.longreprtext)[-8000:]


def pytest_runtest_logfinish(nodeid: str, location: tuple) -> None:
    """Record the test's outcome."""
    grading = _STATE.get("session")
    if grading is None or nodeid not in grading.items:
        return
    state = grading.outcomes.get(nodeid, {})
    grading.record(
        "end",
        nodeid=nodeid,
        outcome=state.get("outcome") or "passed",
        duration=round(state.get("duration", 0.0), 3),
        message=state.get("message", ""),
        details=state.get("details", ""),
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Record the end of the run and close the results file."""
    grading = _grading(session.config)
    if grading.results is not None:
        grading.record("session_end", exitstatus=int(exitstatus))
        grading.results.close()
        grading.results = None


def pytest_unconfigure(config: pytest.Config) -> None:
    """Hand the hooks back to an enclosing session (pytest running pytest in-process)."""
    grading = config.stash.get(_STATE_KEY, None)
    if grading is not None and _STATE.get("session") is grading:
        if grading.previous is not None:
            _STATE["session"] = grading.previous
        else:
            del _STATE["session"]


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Outside ``course grade``: a short rubric tally and the notes, when graded tests ran."""
    grading = _grading(config)
    if grading.grading or not grading.outcomes:
        return
    earned: dict[str, list[float]] = {}
    for nodeid, info in grading.items.items():
        if info["kind"] != "test" or not info["rubric"] or nodeid not in grading.outcomes:
            continue
        tally = earned.setdefault(info["rubric"], [0.0, 0.0])
        tally[1] += info["points"]
        if grading.outcomes[nodeid]["outcome"] == "passed":
            tally[0] += info["points"]
    if not earned:
        return
    terminalreporter.section("rubric")
    for item_id, (got, total) in earned.items():
        terminalreporter.write_line(f"{got:6g} / {total:<6g} {item_id}")
    got = sum(v[0] for v in earned.values())
    total = sum(v[1] for v in earned.values())
    terminalreporter.write_line(f"{got:6g} / {total:<6g} total (tests only; `course grade` adds notebooks)")
    for nodeid, text in grading.notes:
        terminalreporter.write_line(f"note: {text} ({nodeid})")


# -- notebooks ------------------------------------------------------------------------------------------
def _patch_nbval_kernel_death() -> None:
    """Make nbval notice a dead kernel within a second instead of waiting for the cell timeout."""
    try:
        from queue import Empty

        from nbval.kernel import RunningKernel
    except ImportError:
        return
    if getattr(RunningKernel, "_course_patched", False):
        return

    def await_reply(self: Any, msg_id: str, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
            if step <= 0:
                raise Empty
            try:
                msg = self.get_message(stream="shell", timeout=step)
            except Empty:
                if not self.is_alive():
                    raise KernelDiedError(_kernel_death(self)) from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["content"]["status"] == "aborted":
                    raise RuntimeError("Kernel aborted execution request")
                return

    RunningKernel.await_reply = await_reply
    RunningKernel._course_patched = True


def _kernel_death(kernel: Any) -> str:
    code = None
    with contextlib.suppress(AttributeError):
        code = kernel.km.provisioner.process.poll()
    how = messages.describe_exit(code) if code is not None else "died"
    return (
        f"the notebook's kernel {how} while running this cell: does the code call os._exit or sys.exit, "
        "or run out of memory?"
    )
