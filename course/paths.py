"""Where things live: the one place that knows the repository layout."""

from __future__ import annotations

import os
from pathlib import Path

from course.errors import CourseError


class LayoutError(CourseError):
    """The course repository cannot be found, or a project name does not name one of its projects."""


def repo_root(start: Path | None = None) -> Path:
    """Return the course repository root (the folder holding ``solutions/`` and ``pyproject.toml``).

    ``COURSE_ROOT`` overrides the search; otherwise the search walks up from ``start`` (default: the
    current directory), then from this package's own location.
    """
    override = os.environ.get("COURSE_ROOT")
    if override:
        return Path(override).resolve()
    candidates = [Path(start or Path.cwd()).resolve(), Path(__file__).resolve().parent]
    for base in candidates:
        for folder in (base, *base.parents):
            if (folder / "solutions").is_dir() and (folder / "pyproject.toml").is_file():
                return folder
    raise LayoutError(
        "Could not find the course repository (a folder with solutions/ and pyproject.toml). "
        "Run the command inside your clone, or set COURSE_ROOT."
    )


def solutions_dir(root: Path | None = None) -> Path:
    """The reference implementations, the single source of every project."""
    return (root or repo_root()) / "solutions"


def projects_dir(root: Path | None = None) -> Path:
    """The learner's workspace, generated from ``solutions/``."""
    return (root or repo_root()) / "projects"


def graded_tests_dir(root: Path | None = None) -> Path:
    """The autograder tests, one folder per project."""
    return (root or repo_root()) / "tests" / "graded"


def data_dir() -> Path:
    """Where generated worlds are cached: ``COURSE_DATA_DIR`` or ``<repo>/data`` or ``~/.cache/course``."""
    override = os.environ.get("COURSE_DATA_DIR")
    if override:
        return Path(override).expanduser().resolve()
    try:
        return repo_root() / "data"
    except LayoutError:
        return Path.home() / ".cache" / "course"


def resolve_project(name: str, root: Path | None = None) -> str:
    """Turn ``p1``, ``1`` or ``p1_baseline`` into the project folder name ``p1_baseline``.

    The projects are those with a manifest in ``solutions/`` (``course.projects``).
    """
    from course.projects import project_names

    names = project_names(root)
    key = name.strip().lower().removeprefix("p")
    for project in names:
        if name == project or project.split("_")[0] == f"p{key}":
            return project
    known = ", ".join(names)
    raise LayoutError(f"Unknown project {name!r}: use one of {known} (or their short names, p1 ...).")
