"""Installed libraries the worker imports before the submission, so that grading in a worker costs what
grading in the test process costs.

In ``isolation = "process"`` the test process has imported pandas, scikit-learn and the rest by the time
the first test imports the submission. A worker starts empty, and its first call of each test file paid
those imports again (p1: about 8 s over a run). So the judge starts its worker as the session starts, with
the libraries that the lane's graded tests import and that the submission's modules these tests name
import (:func:`lane_names`; read as text, never run), plus the carriers the protocol needs for their
objects (:data:`CARRIERS`: skops for scikit-learn), and the worker imports them while the judge collects.
A lane that runs notebooks before its tests starts its worker with its last notebook instead
(``course.grading.fixtures.start_worker_at``).

Only libraries *installed in the virtualenv* are imported early: a name the submission's own folder
provides (a learner's ``shap.py``), the standard library and the toolkit are left to the submission's own
import, in its own order. What this changes for a submission: a library it imports may already be imported
(so an environment variable it sets just before ``import torch`` no longer reaches torch's start-up).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import re
import site
import sysconfig
import threading
from collections.abc import Iterable
from pathlib import Path

MAX_FILE_BYTES = 1_000_000  # a larger source file is not read for names
MAX_FILES = 500  # at most this many source files of a submission are read
MAX_NAMES = 200  # at most this many modules are imported early
#: The judge's own tools, which graded tests import and a submission has no use for.
JUDGE_ONLY = frozenset({"_pytest", "hypothesis", "nbval", "pluggy", "pytest", "pytest_timeout"})
#: What the worker's replies need when the submission uses a library: scikit-learn estimators cross as
#: skops bytes (course.grading.protocol), and skops's first import takes seconds (it lists every estimator).
CARRIERS = {"sklearn": "skops.io"}


def with_carriers(names: list[str]) -> list[str]:
    """``names`` and the libraries the protocol needs to carry their objects across (see :data:`CARRIERS`)."""
    tops = {name.partition(".")[0] for name in names}
    return [*names, *(carrier for top, carrier in CARRIERS.items() if top in tops and carrier not in names)]


def warm_in_background(names: list[str]) -> threading.Thread:
    """Import, in a daemon thread of the judge, the carriers its decoding of ``names``' objects will need;
    for a judge that is waiting on a notebook's kernel, so that the import costs no wall time later. Join
    the thread before the judge imports anything itself (two threads importing can deadlock)."""

    def load() -> None:
        for carrier in with_carriers(names)[len(names) :]:
            with contextlib.suppress(Exception):  # the decoding imports it again and says what failed
                importlib.import_module(carrier)

    thread = threading.Thread(target=load, name="course-warm-carriers", daemon=True)
    thread.start()
    return thread


def imported_names(files: Iterable[Path]) -> list[str]:
    """Absolute module names that ``import`` statements in ``files`` name (sorted, without duplicates)."""
    names: set[str] = set()
    for count, path in enumerate(files):
        if count >= MAX_FILES:
            break
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):  # not Python we can read
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return sorted(names)[:MAX_NAMES]


def source_files(folder: Path) -> list[Path]:
    """The Python files of a project folder (tests' and notebooks' folders are not the package's)."""
    return sorted(p for p in folder.rglob("*.py") if ".ipynb_checkpoints" not in p.parts)[:MAX_FILES]


def installed_folders() -> list[Path]:
    """Where installed libraries live: the virtualenv's (and the user's) site-packages."""
    folders = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    with contextlib.suppress(AttributeError):
        folders.update(site.getsitepackages())
    return [Path(f).resolve() for f in folders if f]


def is_installed(name: str, own: list[Path], installed: list[Path]) -> bool:
    """Whether the top-level package of ``name`` resolves to an installed library, not to ``own`` folders."""
    try:
        spec = importlib.util.find_spec(name.partition(".")[0])
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    places = [spec.origin] if spec.origin else []
    places += list(spec.submodule_search_locations or [])
    resolved = [Path(p).resolve() for p in places if p and p not in ("built-in", "frozen")]
    if not resolved:
        return False
    return all(
        any(p.is_relative_to(f) for f in installed) and not any(p.is_relative_to(f) for f in own)
        for p in resolved
    )


def preload(names: Iterable[str], own: list[Path]) -> list[str]:
    """Import each installed library of ``names`` (not the ones in ``own``); return those imported.

    A library that fails to import is skipped quietly: the submission's own import will raise it, where
    the test that needs it reports it.
    """
    own = [Path(o).resolve() for o in own]
    installed = installed_folders()
    done: list[str] = []
    for name in list(names)[:MAX_NAMES]:
        if not name or name.partition(".")[0] in JUDGE_ONLY or not is_installed(name, own, installed):
            continue
        try:
            importlib.import_module(name)
        except Exception:
            continue
        done.append(name)
    return done


DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def _tree(path: Path) -> ast.AST:
    """The syntax tree of ``path`` (an empty module when it is too large or not Python)."""
    try:
        if path.stat().st_size <= MAX_FILE_BYTES:
            return ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):  # not Python we can read
        pass
    return ast.Module(body=[], type_ignores=[])


def _imports(path: Path, package: str) -> tuple[list[str], list[str]]:
    """The modules the ``import`` statements of ``path`` name, and the names ``from a import b`` brings
    (``a.b``, which may be a submodule); relative imports are resolved against ``package``."""
    modules: list[str] = []
    members: list[str] = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: max(0, package.count(".") + 2 - node.level)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            if base:
                modules.append(base)
                members += [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
    return modules, members


def _module_file(folder: Path, module: str) -> Path | None:
    """The file of ``module`` under ``folder`` (a module or a package's ``__init__.py``), if any."""
    base = folder.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def lane_names(tests: list[Path], copy: Path) -> list[str]:
    """What a lane's worker imports early: the imports of the lane's test files, and those of the
    submission's modules that the tests name (a string such as ``"pkg.module"``, as ``project_module``
    takes it) and of the submission's modules these import in turn. Without such a name, every file of
    the submission is read."""
    own = {p.stem for p in copy.glob("*.py")} | {p.parent.name for p in copy.glob("*/__init__.py")}
    names = set(imported_names(tests))
    named = {
        node.value
        for path in tests
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.match(node.value)
    }
    queue = sorted(name for name in named if name.partition(".")[0] in own)
    if not queue:
        return sorted({*names, *imported_names(source_files(copy))})[:MAX_NAMES]
    seen: set[str] = set()
    while queue and len(seen) < MAX_FILES:
        module = queue.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        queue += [".".join(parts[:i]) for i in range(1, len(parts))]  # its packages run first
        path = _module_file(copy, module)
        if path is None:
            continue
        modules, members = _imports(path, module if path.name == "__init__.py" else ".".join(parts[:-1]))
        names.update(m for m in modules if m.partition(".")[0] not in own)
        queue += [m for m in (*modules, *members) if m.partition(".")[0] in own]
    return sorted(names)[:MAX_NAMES]
