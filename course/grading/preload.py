"""Installed libraries the worker imports before the submission, so that grading in a worker costs what
grading in the test process costs.

In ``isolation = "process"`` the test process has imported pandas, scikit-learn and the rest by the time
the first test imports the submission. A worker starts empty, and its first call of each test file paid
those imports again (p1: about 8 s over a run). So the judge starts its worker as the session starts, with
the names that the lane's graded tests and the submission's package import (read as text, never run), and
the worker imports them while the judge collects.

Only libraries *installed in the virtualenv* are imported early: a name the submission's own folder
provides (a learner's ``shap.py``), the standard library and the toolkit are left to the submission's own
import, in its own order. What this changes for a submission: a library it imports is already imported, as
it is in process mode (so an environment variable set just before ``import torch`` no longer reaches
torch's start-up there, as it would not in process mode either).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import site
import sysconfig
from collections.abc import Iterable
from pathlib import Path

MAX_FILE_BYTES = 1_000_000  # a larger source file is not read for names
MAX_FILES = 500  # at most this many source files of a submission are read
MAX_NAMES = 200  # at most this many modules are imported early
#: The judge's own tools, which graded tests import and a submission has no use for.
JUDGE_ONLY = frozenset({"_pytest", "hypothesis", "nbval", "pluggy", "pytest", "pytest_timeout"})


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
        except (OSError, SyntaxError, ValueError):
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
