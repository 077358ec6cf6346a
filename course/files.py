"""Files: which paths of a project folder are generated output, and writing a file atomically.

One list serves both readers of a project folder: ``course assign`` never carries a generated path into
the starters (and never deletes one), and the grader never copies one into its sandbox, so a submission's
stale ``reports/`` cannot stand in for what its notebooks write in this run.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

#: Generated folders at a project's root: data worlds, what notebooks and jobs write, trained artifacts.
ROOT_GENERATED_DIRS = ("data", "reports", "artifacts")
#: Folder names that are generated wherever they appear: tracking stores, caches, environments, VCS.
GENERATED_DIRS = (
    "mlruns",
    "mlartifacts",
    "__pycache__",
    ".ipynb_checkpoints",
    ".pytest_cache",
    ".venv",
    "venv",
    ".cache",
    ".ruff_cache",
    ".hypothesis",
    ".mypy_cache",
    ".git",
)
#: Generated paths below a project's root (DVC's cache and scratch space; its config is a source file).
GENERATED_PATHS = (".dvc/cache", ".dvc/tmp")
#: Generated file names: databases, compiled leftovers, desktop litter.
GENERATED_FILES = ("*.db", "*.db-journal", "*.db-wal", "*.db-shm", "*.sqlite", "*.pyc", ".DS_Store")


def is_generated(relpath: str) -> bool:
    """Whether a path (relative to a project folder, POSIX form) is generated output, never carried."""
    parts = relpath.split("/")
    if parts[0] in ROOT_GENERATED_DIRS and len(parts) > 1:
        return True
    if any(part in GENERATED_DIRS or part.endswith(".egg-info") for part in parts[:-1]):
        return True
    if any(relpath == p or relpath.startswith(p + "/") for p in GENERATED_PATHS):
        return True
    return any(fnmatch.fnmatchcase(parts[-1], pattern) for pattern in GENERATED_FILES)


def is_generated_dir(relpath: str) -> bool:
    """Whether a folder (relative to a project folder) holds only generated output."""
    return is_generated(f"{relpath}/x")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it when the block ends without an error.

    Readers see the old file or the new one, never a half-written one; on an error the temporary file is
    removed and ``path`` is unchanged.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # a unique name in the same folder (same file system, so the rename is atomic), created with the
    # umask's permissions as any new file would be
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write(
    path: Path, data: str | bytes | Callable[[IO[str]], None], *, newline: str | None = None
) -> Path:
    """Write ``data`` (text, bytes, or a function that writes to an open text file) to ``path`` atomically."""
    with atomic_path(path) as temporary:
        if isinstance(data, bytes):
            temporary.write_bytes(data)
        else:
            with open(temporary, "w", encoding="utf-8", newline=newline) as handle:
                if isinstance(data, str):
                    handle.write(data)
                else:
                    data(handle)
    return path


def not_writable(exc: OSError) -> bool:
    """Whether ``exc`` says the process may not write there (permissions, a read-only file system)."""
    return exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
