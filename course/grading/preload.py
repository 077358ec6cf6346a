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
MAX_TOTAL_BYTES = 5_000_000  # the judge reads at most this much source for names, over all files
MAX_FILES = 500  # at most this many source files of a submission are read
MAX_NAMES = 200  # at most this many modules are imported early
MAX_NAME_LENGTH = 200  # a longer module name is not a library's
#: The judge's own tools, which graded tests import and a submission has no use for.
JUDGE_ONLY = frozenset({"_pytest", "hypothesis", "nbval", "pluggy", "pytest", "pytest_timeout"})
#: What the worker's replies need when the submission uses a library: scikit-learn estimators cross as
#: skops bytes (course.grading.protocol), and skops's first import takes seconds (it lists every estimator).
CARRIERS = {"sklearn": "skops.io"}
DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def carriers(names: Iterable[str]) -> list[str]:
    """The libraries the protocol needs to carry the objects of ``names`` across (:data:`CARRIERS`)."""
    tops = {name.partition(".")[0] for name in names}
    return [carrier for top, carrier in CARRIERS.items() if top in tops]


def with_carriers(names: list[str]) -> list[str]:
    """``names`` and their :func:`carriers`."""
    return [*names, *(carrier for carrier in carriers(names) if carrier not in names)]


def warm_in_background(names: Iterable[str]) -> threading.Thread:
    """Import, in a daemon thread of the judge, the carriers its decoding of ``names``' objects will need:
    for a judge that waits on a notebook's kernel, so that the import costs no wall time later.

    Python's per-module import locks let the judge's main thread import meanwhile, but a cycle of two
    threads importing each other's modules would raise in one of them: join the thread before the judge
    runs code that imports (``course.grading.fixtures.start_worker_at`` does, at the next file's first
    item, and the plugin at the session's end)."""
    wanted = carriers(names)

    def load() -> None:
        for carrier in wanted:
            with contextlib.suppress(Exception):  # the decoding imports it again and says what failed
                importlib.import_module(carrier)

    thread = threading.Thread(target=load, name="course-warm-carriers", daemon=True)
    thread.start()
    return thread


class _Budget:
    """How much source the judge may still read for names (:data:`MAX_TOTAL_BYTES`)."""

    def __init__(self) -> None:
        self.left = MAX_TOTAL_BYTES

    def tree(self, path: Path) -> ast.AST:
        """The syntax tree of ``path``; an empty module when it is too large, over budget or not Python."""
        try:
            size = path.stat().st_size
            if size <= MAX_FILE_BYTES and size <= self.left:
                self.left -= size
                return ast.parse(path.read_bytes(), filename=str(path))
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):  # not Python we can read
            pass
        return ast.Module(body=[], type_ignores=[])


def _imports(tree: ast.AST, package: str = "") -> tuple[list[str], list[str]]:
    """The modules the ``import`` statements of ``tree`` name, and the names ``from a import b`` brings
    (``a.b``, which may be a submodule); relative imports are resolved against ``package`` (dropped
    without one, or when they climb above its top)."""
    modules: list[str] = []
    members: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                if node.level > len(parts):
                    continue
                base = ".".join(
                    [*parts[: len(parts) - node.level + 1], *([node.module] if node.module else [])]
                )
            if base:
                modules.append(base)
                members += [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
    plain = [m for m in modules if len(m) <= MAX_NAME_LENGTH]
    return plain, [m for m in members if len(m) <= MAX_NAME_LENGTH]


def imported_names(files: Iterable[Path], budget: _Budget | None = None) -> list[str]:
    """Absolute module names that ``import`` statements in ``files`` name (sorted, without duplicates)."""
    budget = budget or _Budget()
    names: set[str] = set()
    for count, path in enumerate(files):
        if count >= MAX_FILES:
            break
        names.update(_imports(budget.tree(path))[0])
    return sorted(names)[:MAX_NAMES]


def source_files(folder: Path) -> list[Path]:
    """The Python files of a project folder (tests' and notebooks' folders are not the package's)."""
    return sorted(p for p in folder.rglob("*.py") if ".ipynb_checkpoints" not in p.parts)[:MAX_FILES]


def installed_folders() -> list[Path]:
    """Where installed libraries live: the virtualenv's site-packages."""
    folders = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    with contextlib.suppress(AttributeError):
        folders.update(site.getsitepackages())
    return [Path(f).resolve() for f in folders if f]


def is_installed(name: str, own: list[Path], installed: list[Path]) -> bool:
    """Whether the top-level package of ``name`` resolves to an installed library, not to ``own`` folders."""
    if len(name) > MAX_NAME_LENGTH or not DOTTED.match(name) or name.partition(".")[0] in JUDGE_ONLY:
        return False
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


def installed_only(names: Iterable[str], own: list[Path]) -> list[str]:
    """The names of ``names`` that are installed libraries, not modules of the ``own`` folders."""
    own = [Path(o).resolve() for o in own]
    installed = installed_folders()
    return [name for name in list(names)[:MAX_NAMES] if name and is_installed(name, own, installed)]


def preload(names: Iterable[str], own: list[Path]) -> list[str]:
    """Import each installed library of ``names`` (not the ones in ``own``); return those imported.

    A library that fails to import is skipped quietly: the submission's own import will raise it, where
    the test that needs it reports it.
    """
    done: list[str] = []
    for name in installed_only(names, own):
        try:
            importlib.import_module(name)
        except Exception:
            continue
        done.append(name)
    return done


def _module_file(folder: Path, module: str) -> Path | None:
    """The file of ``module`` under ``folder`` (a module or a package's ``__init__.py``), if any."""
    try:
        base = folder.joinpath(*module.split("."))
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                return path
    except (OSError, ValueError):  # a name too long for the file system is no module of the submission
        pass
    return None


def lane_names(tests: list[Path], copy: Path) -> list[str]:
    """What a lane's worker imports early: the installed libraries that the lane's test files import and
    that the submission's modules the tests name (a string such as ``"pkg.module"``, as ``project_module``
    takes it) import, directly or through the submission's other modules, plus their :func:`carriers`.
    Without such a name, every file of the submission is read (within :data:`MAX_TOTAL_BYTES`)."""
    budget = _Budget()
    own = {p.stem for p in copy.glob("*.py")} | {p.parent.name for p in copy.glob("*/__init__.py")}
    names: set[str] = set()
    named: set[str] = set()
    for path in tests[:MAX_FILES]:  # each test file read once, for its imports and the names it gives
        tree = budget.tree(path)
        names.update(_imports(tree)[0])
        named.update(
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.match(node.value)
        )
    queue = sorted(name for name in named if name.partition(".")[0] in own and len(name) <= MAX_NAME_LENGTH)
    if not queue:
        names.update(imported_names(source_files(copy), budget))
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
        package = module if path.name == "__init__.py" else ".".join(parts[:-1])
        modules, members = _imports(budget.tree(path), package)
        names.update(m for m in modules if m.partition(".")[0] not in own)
        queue += [m for m in (*modules, *members) if m.partition(".")[0] in own]
    return with_carriers(installed_only(sorted(names), [copy]))
