"""The state of one graded pytest run: options, project copies, import failures, outcomes, results."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from course.grading import messages

NBVAL_CELL = "IPyNbCell"
_STATE: dict[str, GradingSession] = {}  # for hooks that receive only a report or a node id
STASH_KEY = pytest.StashKey["GradingSession"]()


def grading(config: pytest.Config) -> GradingSession:
    """The run's :class:`GradingSession` (set up by the plugin's ``pytest_configure``)."""
    return config.stash[STASH_KEY]


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
        self.early_worker: Any = None  # a worker started with the session, until project_module takes it
        self.early_worker_at: Path | None = None  # the notebook whose first cell starts that worker
        self.warming: Any = None  # the thread importing what decoding will need (preload.warm_in_background)
        self.warming_for: Path | None = None  # the notebook it runs beside
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

    def import_module(
        self,
        project: str,
        copy: Path,
        name: str,
        load: Callable[[str], Any] | None = None,
        explain: Callable[[BaseException], str] | None = None,
    ) -> Any:
        """Import ``name`` from the project copy, turning any failure into a learner-facing test failure.

        ``load`` imports elsewhere (a worker: ``RemoteWorker.module``) and ``explain`` words its failures;
        by default the module is imported here. A failed import is remembered, so the next test that needs
        the module fails at once with the same message instead of importing (and hanging) again.
        """
        failures = self.import_failures.setdefault(project, {})
        prefixes = _prefixes(name) if load is None else [name]
        for prefix in _prefixes(name):  # a package that failed fails every module below it
            if prefix in failures:
                pytest.fail(failures[prefix], pytrace=False)
        if load is None:
            _forget_foreign(prefixes[0], copy)
        self.record("import_start", module=name)
        try:
            module = (load or importlib.import_module)(name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a submission may raise anything, even SystemExit or pytest.exit
            message = explain(exc) if explain is not None else messages.import_failure(name, exc, [copy])
            failed_at = next((p for p in prefixes if p not in sys.modules), name)
            failures[failed_at] = message
            self.record("import_end", module=name, ok=False, message=message)
        else:
            self.record("import_end", module=name, ok=True)
            return module
        pytest.fail(message, pytrace=False)  # outside the except block: no chained traceback

    def remember_broken_import(self, module: str, message: str) -> None:
        """A module of the submission whose import failed elsewhere (a notebook's kernel): the tests that
        import it fail at once with ``message``, in this process and in the runner's next ones."""
        project = self.state.get("project")
        if project and module not in self.import_failures.setdefault(project, {}):
            self.import_failures[project][module] = message
            self.record("broken_import", module=module, message=message)

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
