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

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course.grading import messages
from course.grading.fixtures import (
    _course_project,
    cover_of,
    grading_note,
    project_dir,
    project_module,
    start_worker_at,
    start_worker_early,
)
from course.grading.nbval_kernel import KernelDiedError, confine_kernels, patch_nbval_kernel_death
from course.grading.session import _STATE, NBVAL_CELL, STASH_KEY, GradingSession, graded_tests_folder
from course.grading.session import grading as _grading

# the fixtures of graded tests live in course.grading.fixtures; pytest finds them here, in the plugin
__all__ = ["_course_project", "grading_note", "project_dir", "project_module"]

HIDDEN_ID = getattr(pytest, "HIDDEN_PARAM", None)
#: A frame of an IPython traceback: ``File /path/module.py:12`` (module level) or ``..., in function(...)``
FRAME = re.compile(r"^File (?P<path>/.+?):(?P<line>\d+)(?:, in (?P<function>[^\s(]+))?", re.MULTILINE)
CELL_GRACE_S = 30.0  # a cell's pytest timeout on top of nbval's own: kernel start-up and interrupt


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


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and set up the session state."""
    config.addinivalue_line("markers", "rubric(id, points): a graded test's rubric item and its points")
    session = GradingSession(config)
    config.stash[STASH_KEY] = session
    if session.grading and (config.getoption("nbval_lax", False) or config.getoption("nbval", False)):
        patch_nbval_kernel_death()
        private = [Path(path) for path in session.state.get("private", [])]
        if private:  # a run of `course grade`: the kernel, like the worker, cannot reach the judge's files
            note = confine_kernels(private, cover_of(session.state))
            if note:
                session.add_note("", note)


# -- xdist ----------------------------------------------------------------------------------------------
@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist loadfile``, a graded project's files go to one worker together (they share session
    fixtures; see :mod:`course.grading.xdist_schedule`)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from course.grading.xdist_schedule import by_project_scheduler

    return by_project_scheduler(config, log)


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
    """Record that pytest is up (so that a later death is a crash, not a usage error); start the lane's
    worker, so that it imports its libraries while this process collects."""
    _grading(session.config).record("session_start", pid=os.getpid())
    start_worker_early(session.config)


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
    if grading is not None:
        start_worker_at(grading.config, nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Attach a learner-facing message (not a traceback) to failed and skipped reports."""
    report = yield
    grading = _grading(item.config)
    if call.excinfo is not None and item.nodeid in grading.items and (report.failed or report.skipped):
        info = grading.items[item.nodeid]
        exc = call.excinfo.value
        if info["kind"] == "cell":
            report.course_message = _cell_message(item, exc, info, grading)
        else:
            report.course_message = messages.exception_message(exc, grading.copies)
    return report


def _hung_imports(error: dict[str, Any] | None, target: str) -> list[str]:
    """The submission's modules whose import a timed-out cell was running (from the interrupt's traceback).

    Every module-level frame in a file of the submission is a module whose import had not finished when
    the kernel was interrupted (a cell's own frames read ``Cell In[n]``, a function's ``File ..., in f``).
    """
    if error is None or target in ("solutions", "projects"):
        return []
    text = messages.strip_ansi("\n".join(map(str, error.get("traceback") or [])))
    modules = []
    for frame in FRAME.finditer(text):
        path = Path(frame["path"])
        if (
            frame["function"] not in (None, "<module>")
            or path.suffix != ".py"
            or not path.is_relative_to(target)
        ):
            continue
        parts = path.relative_to(target).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module and module not in modules:
            modules.append(module)
    return modules


def _cell_message(item: Any, exc: BaseException, info: dict[str, Any], grading: GradingSession) -> str:
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
        for module in _hung_imports(error, grading.target):  # a test's import would hang as long: it
            grading.remember_broken_import(  # fails at once instead
                module,
                f"Could not import {module}: the import did not finish within "
                f"{messages.format_seconds(limit)} in {where}: is there an infinite loop or a long "
                "computation at module level? Put it inside a function",
            )
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
    if grading.early_worker is not None:  # no test of this lane asked for it
        grading.early_worker.stop()
        grading.early_worker = None
    if grading.warming is not None:  # the lane ended with the notebook it ran beside
        grading.warming.join(timeout=30)
        grading.warming = None
    if grading.results is not None:
        grading.record("session_end", exitstatus=int(exitstatus))
        grading.results.close()
        grading.results = None


def pytest_unconfigure(config: pytest.Config) -> None:
    """Hand the hooks back to an enclosing session (pytest running pytest in-process)."""
    grading = config.stash.get(STASH_KEY, None)
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
