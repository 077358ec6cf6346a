"""Project manifests: ``solutions/<project>/project.toml`` is the one description of a project.

``course assign`` carries the manifest into ``projects/<project>/``, where a learner repository (``course
export``, which has no ``solutions/``) reads it.

Paths, ``course assign``, the grader, the stories and the site read a project's facts from here, so adding
a project is a folder with its manifest, its graded tests and its docs page (CONTRIBUTING.md).
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from course.errors import CourseError

MANIFEST = "project.toml"
FOLDER = re.compile(r"^(p\d+)_[a-z0-9_]+$")


class ManifestError(CourseError):
    """A project's manifest is missing, unreadable or inconsistent; the message names the file and field."""


class Project(BaseModel):
    """One project's manifest, with the folder it describes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^p\d+$", description="short name: p1")
    number: int = Field(ge=1)
    title: str = Field(min_length=1, description="the site's navigation title: Baseline")
    summary: str = Field(min_length=1, description="what the learner builds, one line")
    lesson: str = Field(min_length=1, description="the lessons it proves, one line")
    package: str = Field(pattern=r"^[a-z_][a-z0-9_]*$", description="the package the tests grade")
    notebooks: tuple[str, ...] = Field(min_length=1, description="in the order a learner runs them")
    results: str = Field(pattern=r"^reports/[^/]+$", description="the results file")
    docs_page: str = Field(pattern=r"^docs/projects/[^/]+\.md$")
    stories: bool = False
    folder: str = Field(default="", description="set by the loader: the project folder's name")

    @property
    def producer(self) -> str:
        """What writes the results file, for messages: ``run baseline.ipynb top to bottom``."""
        return f"run {self.notebooks[0]} top to bottom"

    @property
    def nav_title(self) -> str:
        """``1. Baseline``: the project's entry in the site's navigation."""
        return f"{self.number}. {self.title}"


def read_manifest(folder: Path) -> Project:
    """The manifest of the project folder ``folder``, checked against the folder itself."""
    path = folder / MANIFEST
    match = FOLDER.match(folder.name)
    if match is None:
        raise ManifestError(f"{folder}: a project folder is named p<number>_<name>, like p1_baseline.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path} is missing: every project folder has a manifest.") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read it ({exc}).") from None
    try:
        project = Project(**data, folder=folder.name)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ManifestError(f"{path}: {problems}.") from None
    expected = {"id": match.group(1), "number": int(match.group(1)[1:])}
    for key, value in expected.items():
        if getattr(project, key) != value:
            raise ManifestError(f"{path}: {key} is {getattr(project, key)!r}, the folder says {value!r}.")
    missing = [name for name in (project.package, *project.notebooks) if not (folder / name).exists()]
    if missing:
        raise ManifestError(f"{path} names {', '.join(missing)}, which the project folder does not have.")
    return project


@functools.cache
def _load(folder: Path) -> tuple[Project, ...]:
    if not folder.is_dir():
        raise ManifestError(f"{folder} does not exist: there are no projects to read.")
    folders = sorted(p for p in folder.iterdir() if p.is_dir() and FOLDER.match(p.name))
    projects = tuple(read_manifest(folder) for folder in folders)
    return tuple(sorted(projects, key=lambda project: project.number))


def load_projects(root: Path | None = None) -> tuple[Project, ...]:
    """Every project of the course at ``root`` (default: this repository), in number order."""
    from course.paths import manifests_dir

    return _load(manifests_dir(root).resolve())


def project_names(root: Path | None = None) -> tuple[str, ...]:
    """The project folder names, in number order: ``("p1_baseline", ...)``."""
    return tuple(project.folder for project in load_projects(root))


def get_project(name: str, root: Path | None = None) -> Project:
    """The manifest of ``name`` (``p1``, ``1`` or ``p1_baseline``)."""
    from course.paths import resolve_project

    folder = resolve_project(name, root)
    return next(project for project in load_projects(root) if project.folder == folder)
