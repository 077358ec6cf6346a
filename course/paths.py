"""Where things live: the one place that knows the repository layout."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from course.errors import CourseError

MARKER = "course.toml"
"""The file at the root of every course repository, the authors' and the learners' alike."""
Kind = Literal["course", "learner"]


class LayoutError(CourseError):
    """The course repository cannot be found, or a project name does not name one of its projects."""


def is_root(folder: Path) -> bool:
    """Whether ``folder`` is a course repository's root: it has ``course.toml`` (or, in a clone made before
    the marker existed, ``solutions/`` beside ``pyproject.toml``)."""
    if (folder / MARKER).is_file():
        return True
    return (folder / "solutions").is_dir() and (folder / "pyproject.toml").is_file()


def repo_root(start: Path | None = None) -> Path:
    """Return the course repository root (the folder holding ``course.toml``).

    ``COURSE_ROOT`` overrides the search; otherwise the search walks up from ``start`` (default: the
    current directory), then from this package's own location.
    """
    override = os.environ.get("COURSE_ROOT")
    if override:
        return Path(override).resolve()
    candidates = [Path(start or Path.cwd()).resolve(), Path(__file__).resolve().parent]
    for base in candidates:
        for folder in (base, *base.parents):
            if is_root(folder):
                return folder
    raise LayoutError(
        f"Could not find the course repository (a folder with {MARKER}). "
        "Run the command inside your clone, or set COURSE_ROOT."
    )


def repo_kind(root: Path | None = None) -> Kind:
    """``course`` (the authors' repository, with ``solutions/``) or ``learner`` (a ``course export``)."""
    root = root or repo_root()
    marker = root / MARKER
    if not marker.is_file():
        return "course" if (root / "solutions").is_dir() else "learner"
    try:
        kind = tomllib.loads(marker.read_text(encoding="utf-8")).get("kind", "course")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LayoutError(f"{marker}: cannot read it ({exc}).") from None
    if kind not in ("course", "learner"):
        raise LayoutError(f'{marker}: kind is {kind!r}; use "course" or "learner".')
    return kind


def require_solutions(command: str, root: Path | None = None) -> Path:
    """``solutions/``, or a ``LayoutError`` saying that ``command`` is a course authors' command."""
    folder = solutions_dir(root)
    if not folder.is_dir():
        raise LayoutError(
            f"{command} needs the reference solutions (solutions/), which this learner repository does not "
            "have: it is a course authors' command, run in the course repository."
        )
    return folder


def solutions_dir(root: Path | None = None) -> Path:
    """The reference implementations, the single source of every project."""
    return (root or repo_root()) / "solutions"


def projects_dir(root: Path | None = None) -> Path:
    """The learner's workspace, generated from ``solutions/``."""
    return (root or repo_root()) / "projects"


def manifests_dir(root: Path | None = None) -> Path:
    """Where the project manifests are read: ``solutions/``, or ``projects/`` in a learner repository."""
    root = root or repo_root()
    solutions = solutions_dir(root)
    return solutions if solutions.is_dir() else projects_dir(root)


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

    The projects are those with a manifest (``course.projects``).
    """
    from course.projects import project_names

    names = project_names(root)
    key = name.strip().lower().removeprefix("p")
    for project in names:
        if name == project or project.split("_")[0] == f"p{key}":
            return project
    known = ", ".join(names)
    raise LayoutError(f"Unknown project {name!r}: use one of {known} (or their short names, p1 ...).")
