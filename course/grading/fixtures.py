"""The fixtures of graded tests: ``project_dir``, ``project_module`` and ``grading_note``.

``project_module`` imports the submission into the test process, or, for a project whose graded tests'
``rubric.toml`` says ``isolation = "worker"``, returns proxies to a worker process that alone imports it
(:mod:`course.grading.remote`).
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from course.grading import messages

if TYPE_CHECKING:
    from course.grading.confine import Cover

from course.grading.session import GradingSession, _within, graded_tests_folder, grading


@pytest.fixture(scope="session")
def _course_project() -> str:
    """Replaced by the project name for tests under ``tests/graded/<project>/``."""
    pytest.fail(
        "project_dir and project_module work only in tests under tests/graded/<project>/.", pytrace=False
    )


@pytest.fixture(scope="session")
def project_dir(request: pytest.FixtureRequest, _course_project: str) -> Iterator[Path]:
    """A temporary copy of the target's project folder, first on ``sys.path`` (one per project)."""
    session = grading(request.config)
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

    def keep(self, value: Any) -> Any:
        """``value`` where the submission runs (here: itself), so that a test can see what code did to it."""
        return value

    def fetch(self, value: Any) -> Any:
        """The current value of something kept with :meth:`keep` (here: itself)."""
        return value

    def __repr__(self) -> str:
        return f"<project_module {self.project} from {self.copy}>"


class RemoteImporter:
    """``project_module("pkg.module")`` of a project graded with ``isolation = "worker"``: the module is
    imported in the worker process, and the test holds a proxy (:mod:`course.grading.remote`)."""

    def __init__(self, session: GradingSession, project: str, copy: Path, worker: Any) -> None:
        self._session, self.project, self.copy, self.worker = session, project, copy, worker

    def __call__(self, name: str) -> Any:
        return self._session.import_module(
            self.project, self.copy, name, load=self.worker.module, explain=self._explain(name)
        )

    def _explain(self, name: str) -> Callable[[BaseException], str]:
        def explain(exc: BaseException) -> str:
            from course.grading.remote import WorkerError

            if isinstance(exc, WorkerError):  # the worker died or spoke nonsense: its own words
                return str(exc)
            message = messages.import_failure(name, exc, [self.copy])  # what the import raised there
            notes = "\n".join(getattr(exc, "__notes__", []))
            return f"{message}\n{notes}" if notes and notes not in message else message

        return explain

    def keep(self, value: Any) -> Any:
        """A copy of ``value`` that lives in the worker (a proxy): pass it to the submission's functions,
        then :meth:`fetch` it to see whether they changed it in place."""
        return self.worker.request("keep", args=(value,), what="keeping a value")

    def fetch(self, value: Any) -> Any:
        """The current value, by value, of an object kept in the worker."""
        return self.worker.request("fetch", args=(value,), what="fetching a value")

    def __repr__(self) -> str:
        return f"<project_module {self.project} in a worker, from {self.copy}>"


def cover_of(state: dict[str, Any]) -> Cover | None:
    """The runner's view for workers and kernels (``cover`` in the state file), if it gave one."""
    from course.grading.confine import Cover

    view = state.get("cover")
    if not isinstance(view, dict):
        return None
    return Cover(Path(view["folder"]), tuple(Path(p) for p in view["show"]), Path(view["stage"]))


def _isolation(session: GradingSession, project: str) -> str:
    """The project's ``isolation`` in its graded tests' ``rubric.toml`` (``process`` when there is none)."""
    from course.grading.rubric import read_isolation

    folder = session.tests_folders.get(project)
    return read_isolation(folder / "rubric.toml") if folder is not None else "process"


def _new_worker(config: pytest.Config, copy: Path, preload: list[str] | None = None) -> Any:
    """A worker (not started yet) that imports from ``copy`` and sees none of the grader's files."""
    from course.grading.remote import RemoteWorker

    session = grading(config)
    hide = [config.rootpath / "tests", *map(Path, session.state.get("private", []))]
    hide += [Path(p) for p in (config.getoption(o, None) for o in ("grading_results", "grading_state")) if p]
    return RemoteWorker([copy], hide=hide, cover=cover_of(session.state), preload=preload)


def _lane_test_files(config: pytest.Config) -> list[Path]:
    """The graded test files on the command line (a folder stands for its ``test_*.py``)."""
    files: list[Path] = []
    for arg in config.args:
        path = config.invocation_params.dir / arg.split("::")[0]
        found = sorted(path.rglob("test_*.py")) if path.is_dir() else [path] if path.suffix == ".py" else []
        files += [f for f in found if graded_tests_folder(f) is not None]
    return files


def start_worker_early(config: pytest.Config) -> None:
    """As the session starts, start the worker of a runner's lane that runs graded tests of an
    ``isolation = "worker"`` project: it imports the installed libraries that the tests and the submission
    name (:mod:`course.grading.preload`) while the judge collects. ``project_module`` then takes it over.
    A lane that runs notebooks first gets its worker started with its last notebook
    (:func:`start_worker_at`)."""
    session = grading(config)
    if not (session.state.get("project") and session.in_place):
        return
    tests = _lane_test_files(config)
    folder = graded_tests_folder(tests[0]) if tests else None
    if folder is None or not (folder / "rubric.toml").is_file():
        return
    from course.grading.preload import lane_names
    from course.grading.rubric import read_isolation

    try:
        if read_isolation(folder / "rubric.toml") != "worker":
            return
        copy = session.project_folder(folder.name)
        names = lane_names(tests, copy)
    except (Exception, pytest.fail.Exception):  # the fixture reports it, where a test can fail with it
        return
    worker = _new_worker(config, copy, names)
    session.early_worker = worker
    notebooks = [arg.split("::")[0] for arg in config.args if arg.split("::")[0].endswith(".ipynb")]
    if notebooks:  # its tests run after the notebooks: start it as the last one starts, not beside them all
        session.early_worker_at = (config.invocation_params.dir / notebooks[-1]).resolve()
        return
    _start(worker)


def start_worker_at(config: pytest.Config, nodeid: str) -> None:
    """As ``nodeid`` starts: start the lane's worker (if not yet) with the first cell of the lane's last
    notebook (by then the other lane has usually finished, and a core is free while the kernel runs that
    notebook) and warm the judge's own carriers meanwhile; wait for those once an item of another file
    starts, before it imports anything itself (two threads importing at once can deadlock)."""
    session = grading(config)
    if session.warming is None and session.early_worker_at is None:  # nothing waits on a notebook
        return
    here = (config.rootpath / nodeid.split("::")[0]).resolve()
    if session.warming is not None and here != session.warming_for:
        session.warming.join()
        session.warming = None
    at, worker = session.early_worker_at, session.early_worker
    if at is None or worker is None or worker.process is not None or here != at:
        return
    from course.grading.preload import warm_in_background

    session.early_worker_at = None
    _start(worker)
    session.warming, session.warming_for = warm_in_background(worker.preload), here


def _start(worker: Any) -> None:
    try:
        worker.start()
    except Exception:  # the first request starts it again and reports why it cannot
        worker.kill()


@pytest.fixture(scope="session")
def project_module(
    request: pytest.FixtureRequest, project_dir: Path, _course_project: str
) -> Iterator[ProjectImporter | RemoteImporter]:
    """A callable that imports a module of the project from ``project_dir`` (or in the worker)."""
    session = grading(request.config)
    if _isolation(session, _course_project) != "worker":
        yield ProjectImporter(session, _course_project, project_dir)
        return
    worker, session.early_worker = session.early_worker, None
    if worker is None or worker.paths != [project_dir]:
        if worker is not None:
            worker.stop()
        worker = _new_worker(request.config, project_dir)
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
    session = grading(request.config)
    nodeid = request.node.nodeid

    def note(text: str) -> None:
        session.add_note(nodeid, str(text))

    return note
