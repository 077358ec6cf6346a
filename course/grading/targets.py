"""Where a submission's project folder is, and how to copy it without what the grader must not run.

Shared by the pytest plugin and the runner; standard library only (the plugin loads in every pytest run).
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
from pathlib import Path

from course.errors import CourseError
from course.files import is_generated
from course.paths import projects_dir, require_solutions

#: Files that would let a submission configure pytest or Python itself; the runner drops them.
UNTRUSTED_FILES = (
    "conftest.py",
    "pytest.ini",
    "tox.ini",
    "setup.cfg",
    "sitecustomize.py",
    "usercustomize.py",
    "*.pth",
)
KEYWORD_TARGETS = ("solutions", "projects")
OUTPUTS_DIR = "reports"  # what the notebooks write; kept in a trusted copy (see copy_project)


class TargetError(CourseError):
    """Raised when a ``--target`` does not lead to a project folder."""


def resolve_target(target: str | Path | None, project: str, root: Path | None = None) -> Path:
    """Return the project folder that ``target`` designates for ``project``.

    ``target`` is ``solutions`` (the default), ``projects``, or a path: a repository root (a learner's clone,
    graded from ``projects/<project>``), a folder holding ``<project>/``, or one project folder (any name).
    """
    value = str(target) if target not in (None, "") else "solutions"
    if value in KEYWORD_TARGETS:
        base = require_solutions("--target solutions", root) if value == "solutions" else projects_dir(root)
        folder = base / project
        if not folder.is_dir():
            raise TargetError(f"--target {value}: there is no folder {folder}.")
        return folder.resolve()
    path = Path(value).expanduser().resolve()
    if not path.exists():
        raise TargetError(f"--target {path}: the folder does not exist.")
    if not path.is_dir():
        raise TargetError(f"--target {path}: this is a file; give a repository root or a project folder.")
    for candidate in (path / "projects" / project, path / project):
        if candidate.is_dir():
            return candidate
    if path.name == project:
        return path
    if (path / "projects").is_dir() or (path / "solutions").is_dir():
        raise TargetError(
            f"--target {path}: this looks like a course repository but has no projects/{project}/ folder."
        )
    return path


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def copy_project(src: Path, dst: Path, *, untrusted: bool = False) -> list[str]:
    """Copy the project folder ``src`` to ``dst`` without generated data, caches and version control.

    What a project generates (``course.files.is_generated``) is not copied, except ``reports/`` when
    ``untrusted`` is false: graded tests run on ``solutions/`` without the notebooks read the stored
    results there. With ``untrusted=True`` (the runner), ``reports/`` is left out too, so tests read only
    what this run's notebooks write, and so are files that configure pytest or Python (``conftest.py``,
    ``pytest.ini``, ``*.pth``, ...) and symbolic links. Returns the relative paths left out for those
    last reasons, so that the report can say so.
    """

    def generated(rel: str) -> bool:
        return is_generated(rel) and (untrusted or not rel.startswith(f"{OUTPUTS_DIR}/"))

    dropped: list[str] = []
    dst.mkdir(parents=True, exist_ok=True)
    for folder, dirnames, filenames in os.walk(src, followlinks=False):
        here = Path(folder)
        rel_dir = here.relative_to(src)
        keep_dirs = []
        for name in sorted(dirnames):
            child = here / name
            if generated(f"{(rel_dir / name).as_posix()}/x"):
                continue
            if child.is_symlink():
                if untrusted:
                    dropped.append((rel_dir / name).as_posix())
                else:
                    os.symlink(os.readlink(child), dst / rel_dir / name)
                continue
            keep_dirs.append(name)
            (dst / rel_dir / name).mkdir(exist_ok=True)
        dirnames[:] = keep_dirs
        for name in sorted(filenames):
            child = here / name
            rel = (rel_dir / name).as_posix()
            if generated(rel):
                continue
            if untrusted and (_matches(name, UNTRUSTED_FILES) or child.is_symlink()):
                dropped.append(rel)
                continue
            if child.is_symlink():
                os.symlink(os.readlink(child), dst / rel_dir / name)
                continue
            shutil.copyfile(child, dst / rel_dir / name)
    return dropped


RESULTS = re.compile(r"reports/[^/]+")
"""What a sibling's manifest may name as its results file (as ``course.projects.Project.results``)."""


def copy_other_results(folder: Path, dst: Path) -> list[Path]:
    """Copy the other projects' manifests and results files beside ``folder`` to beside ``dst``.

    For a project that reads its siblings' results (project 8, the portfolio): each folder next to
    ``folder`` that has a ``project.toml`` gets its manifest and the results file the manifest names (when
    it exists) copied into ``dst``'s parent, and nothing else (no code, no notebooks, no symbolic links).
    Returns the folders written, for the worker's view.
    """
    import tomllib

    written: list[Path] = []
    for sibling in sorted(p for p in folder.parent.iterdir() if p.is_dir() and p.name != folder.name):
        manifest = sibling / "project.toml"
        if sibling.is_symlink() or not manifest.is_file() or manifest.is_symlink():
            continue
        try:
            results = tomllib.loads(manifest.read_text(encoding="utf-8")).get("results")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        target = dst.parent / sibling.name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(manifest, target / "project.toml")
        # the manifest's own rule (reports/<file>): never an absolute path or one that climbs out
        source = sibling / results if isinstance(results, str) and RESULTS.fullmatch(results) else None
        if source is not None and source.is_file() and not source.is_symlink():
            (target / results).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / results)
        written.append(target)
    return written
