"""``course assign``: build the learner's starters in ``projects/`` from the reference ``solutions/``.

``solutions/<project>/`` is the single source. Each source file is carried to ``projects/<project>/``:
``.py`` files and notebooks lose their solution blocks, Markdown answers become ``_Your answer here._``,
notebooks lose their outputs, everything else is copied byte for byte. Generated folders (``data/``,
``reports/``, ``mlruns/``, caches, …) are never carried and never deleted. A project may list files that must
not reach the starter in ``solutions/<project>/.assign.toml`` (``exclude = ["notes/*.md"]``).
The result is deterministic: a second run writes nothing, and ``--check`` reports any drift.

``projects/.starters.json`` records the SHA-256 of every file the last run wrote. A file in ``projects/``
whose content matches neither the new starter nor that record was edited by hand (a learner's work): assign
refuses to overwrite or delete it unless ``--force``, and names the files.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from course.errors import CourseError
from course.files import is_generated, is_generated_dir
from course.solution_markers import MarkerError, has_markers, strip_markdown, strip_python

CONFIG_FILE = ".assign.toml"
RECORD_FILE = ".starters.json"
"""In ``projects/``: the SHA-256 of every starter file the last ``assign`` wrote, by project and path."""
# Files a learner writes with the toolkit: never carried from solutions/, never deleted from projects/.
LEARNER_FILES = ("STORIES.md",)
GITIGNORE_HEADER = "# Written by `course assign`: what your code and notebooks generate stays out of git."
GITIGNORE_LINES = (
    "/data/",
    "/reports/",
    "/artifacts/",
    "mlruns/",
    "mlartifacts/",
    "*.db",
    "*.db-journal",
    "__pycache__/",
    "*.pyc",
    ".ipynb_checkpoints/",
    ".pytest_cache/",
    "*.egg-info/",
    "/.dvc/cache/",
    "/.dvc/tmp/",
)
KEPT_CELL_METADATA = ("tags",)
DEFAULT_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class AssignError(CourseError):
    """The solutions cannot be turned into starters (bad markers, bad config, unknown project)."""


@dataclass
class ProjectResult:
    """What ``assign`` did to one project folder (paths relative to the project)."""

    name: str
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class AssignReport:
    """The outcome of one ``assign`` run, one entry per project."""

    projects: list[ProjectResult] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether any file was written or removed."""
        return any(p.written or p.removed for p in self.projects)


def is_carried(relpath: str) -> bool:
    """Whether ``course assign`` carries a path of a project folder (POSIX, relative): not generated output
    and not a file the learner writes with the toolkit."""
    name = relpath.rsplit("/", 1)[-1]
    return not is_generated(relpath) and not any(fnmatch.fnmatchcase(name, p) for p in LEARNER_FILES)


def _walk(folder: Path) -> list[str]:
    """Every non-generated file under ``folder`` as a sorted POSIX path relative to it."""
    found: list[str] = []
    for current, dirs, files in os.walk(folder):
        rel_dir = Path(current).relative_to(folder).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirs[:] = sorted(d for d in dirs if not is_generated_dir(f"{prefix}{d}"))
        found.extend(f"{prefix}{name}" for name in files if is_carried(f"{prefix}{name}"))
    return sorted(found)


def _load_excludes(project: Path) -> tuple[str, ...]:
    config_path = project / CONFIG_FILE
    if not config_path.is_file():
        return ()
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise AssignError(f"{config_path}: not valid TOML ({error}).") from None
    unknown = sorted(set(config) - {"exclude"})
    if unknown:
        raise AssignError(f"{config_path}: unknown key(s) {', '.join(unknown)}; the only key is 'exclude'.")
    exclude = config.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(item, str) for item in exclude):
        raise AssignError(f"{config_path}: 'exclude' must be a list of glob strings, e.g. [\"notes/*.md\"].")
    return tuple(item.rstrip("/") for item in exclude)


def _excluded(relpath: str, patterns: tuple[str, ...]) -> bool:
    parts = relpath.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatchcase(prefix, pattern) for pattern in patterns for prefix in prefixes)


def starter_notebook(data: bytes, where: str) -> bytes:
    """The starter version of a notebook: solutions stripped, outputs cleared, metadata minimal."""
    import nbformat

    try:
        raw: dict[str, Any] = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AssignError(f"{where}: not a readable notebook ({error}).") from None
    if raw.get("nbformat") != 4:
        raise AssignError(f"{where}: nbformat {raw.get('nbformat')} is not supported; save it as nbformat 4.")
    for index, cell in enumerate(raw.get("cells", []), start=1):
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        cell_where = f"{where}, cell {index}"
        if cell.get("cell_type") == "code":
            text = strip_python(text, cell_where, notebook=True)
            cell["outputs"], cell["execution_count"] = [], None
        elif cell.get("cell_type") == "markdown":
            text = strip_markdown(text, cell_where)
        elif has_markers(text):
            raise MarkerError(f"{cell_where}: solution markers only work in code and Markdown cells.")
        cell["source"] = text
        cell["metadata"] = {
            key: cell["metadata"][key] for key in KEPT_CELL_METADATA if key in cell["metadata"]
        }
        if raw.get("nbformat_minor", 0) >= 5:
            cell.setdefault("id", f"cell-{index}")
    kernelspec = raw.get("metadata", {}).get("kernelspec") or DEFAULT_KERNELSPEC
    raw["metadata"] = {
        "kernelspec": {
            key: kernelspec[key] for key in ("display_name", "language", "name") if key in kernelspec
        },
        "language_info": {"name": "python"},
    }
    notebook = nbformat.from_dict(raw)
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise AssignError(f"{where}: the starter notebook is not valid: {error.message}") from None
    text = nbformat.writes(notebook)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def starter_file(relpath: str, data: bytes, where: str) -> bytes:
    """The starter bytes of one source file (``where`` names it in errors)."""
    suffix = Path(relpath).suffix
    if suffix == ".ipynb":
        return starter_notebook(data, where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    if suffix == ".py":
        return strip_python(text, where).encode("utf-8")
    if suffix == ".md":
        return strip_markdown(text, where).encode("utf-8")
    if has_markers(text):
        raise MarkerError(f"{where}: solution markers only work in .py, .ipynb and .md files.")
    return data


def _gitignore(solution: Path) -> bytes:
    lines = [GITIGNORE_HEADER, *GITIGNORE_LINES]
    own = solution / ".gitignore"
    if own.is_file():
        extra = [line for line in own.read_text(encoding="utf-8").splitlines() if line.strip()]
        lines.extend(line for line in extra if line not in lines)
    return ("\n".join(lines) + "\n").encode("utf-8")


def build_starter(solution: Path, label: str | None = None) -> dict[str, bytes]:
    """Every file of one project's starter, keyed by POSIX path relative to the project folder."""
    label = label or solution.name
    excludes = _load_excludes(solution)
    files: dict[str, bytes] = {}
    for relpath in _walk(solution):
        if relpath in (CONFIG_FILE, ".gitignore") or _excluded(relpath, excludes):
            continue
        try:
            data = (solution / relpath).read_bytes()
        except FileNotFoundError:  # a transient file (a journal, a temp file) vanished while we walked
            continue
        files[relpath] = starter_file(relpath, data, f"{label}/{relpath}")
    files[".gitignore"] = _gitignore(solution)
    return files


def _project_names(solutions: Path, only: Iterable[str] | None) -> list[str]:
    if not solutions.is_dir():
        raise AssignError(f"{solutions} does not exist: there is nothing to build starters from.")
    available = sorted(
        p.name for p in solutions.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )
    if only is None:
        return available
    names = list(only)
    missing = [name for name in names if name not in available]
    if missing:
        raise AssignError(
            f"No project {', '.join(missing)} in {solutions}; available: {', '.join(available) or 'none'}."
        )
    return names


def _orphans(solutions: Path, projects: Path) -> list[str]:
    """Project folders in ``projects/`` whose source is gone from ``solutions/``."""
    if not projects.is_dir():
        return []
    return sorted(
        p.name
        for p in projects.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and not (solutions / p.name).is_dir()
    )


def _remove_empty_dirs(folder: Path) -> None:
    for current, _dirs, _files in sorted(os.walk(folder), key=lambda item: len(item[0]), reverse=True):
        path = Path(current)
        rel = path.relative_to(folder).as_posix()
        if path != folder and not is_generated_dir(rel) and not any(path.iterdir()):
            path.rmdir()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_record(projects: Path) -> dict[str, dict[str, str]]:
    """The hashes the last run wrote (empty when there is no record)."""
    path = projects / RECORD_FILE
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AssignError(f"{path} is not a valid record ({exc}): restore it from git.") from exc


def record_text(record: dict[str, dict[str, str]]) -> str:
    """The record as written: sorted keys, one entry per line, deterministic."""
    return json.dumps({k: dict(sorted(v.items())) for k, v in sorted(record.items()) if v}, indent=1) + "\n"


def hand_edits(
    name: str, expected: dict[str, bytes], target: Path, record: dict[str, dict[str, str]]
) -> list[str]:
    """Files of ``projects/<name>`` that assign would overwrite or delete although nobody generated their
    current content: neither the new starter nor the last recorded one (a learner's edits)."""
    known = record.get(name, {})
    edited = []
    for relpath in _walk(target) if target.is_dir() else []:
        data = (target / relpath).read_bytes()
        if expected.get(relpath) == data:
            continue
        if known.get(relpath) != _digest(data):
            edited.append(f"projects/{name}/{relpath}")
    return edited


def _sync_project(name: str, expected: dict[str, bytes], source: Path | None, target: Path) -> ProjectResult:
    result = ProjectResult(name)
    existing = set(_walk(target)) if target.is_dir() else set()
    for relpath, content in expected.items():
        path = target / relpath
        if relpath in existing and path.read_bytes() == content:
            result.unchanged.append(relpath)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        if source is not None and (source / relpath).is_file():
            path.chmod((source / relpath).stat().st_mode & 0o777)
        result.written.append(relpath)
    for relpath in sorted(existing - set(expected)):
        (target / relpath).unlink()
        result.removed.append(relpath)
    if result.removed and target.is_dir():
        _remove_empty_dirs(target)
    return result


def assign(
    solutions: Path, projects: Path, only: Iterable[str] | None = None, force: bool = False
) -> AssignReport:
    """Write the starters of every project (or of ``only``) from ``solutions`` into ``projects``.

    Files that already match are not touched; files with no source in ``solutions`` are removed, except
    generated output (``reports/``, ``data/``, …), which is never deleted. A file edited by hand (its content
    is neither the new starter nor the one recorded in ``projects/.starters.json``) is never overwritten or
    deleted: ``AssignError`` names them all, unless ``force``.
    """
    names = _project_names(solutions, only)
    starters = {name: build_starter(solutions / name, f"solutions/{name}") for name in names}
    orphans = _orphans(solutions, projects) if only is None else []
    record = read_record(projects)
    if not force:
        edited = [
            path
            for name in [*names, *orphans]
            for path in hand_edits(name, starters.get(name, {}), projects / name, record)
        ]
        if edited:
            shown = "\n  ".join(edited[:20]) + ("\n  …" if len(edited) > 20 else "")
            raise AssignError(
                f"{len(edited)} file(s) in projects/ were edited by hand and would be overwritten or "
                f"deleted:\n  {shown}\nCommit or move your work first, or pass --force to discard it."
            )
    report = AssignReport()
    for name in names:
        report.projects.append(_sync_project(name, starters[name], solutions / name, projects / name))
        record[name] = {relpath: _digest(data) for relpath, data in starters[name].items()}
    for name in orphans:
        report.projects.append(_sync_project(name, {}, None, projects / name))
        record.pop(name, None)
    if projects.is_dir():
        (projects / RECORD_FILE).write_text(record_text(record), encoding="utf-8")
    return report


def check(solutions: Path, projects: Path, only: Iterable[str] | None = None) -> list[str]:
    """Differences between ``projects`` and what :func:`assign` would write (empty when in sync)."""
    names = _project_names(solutions, only)
    differences: list[str] = []
    wanted: dict[str, dict[str, str]] = {}
    for name in names:
        expected = build_starter(solutions / name, f"solutions/{name}")
        wanted[name] = {relpath: _digest(data) for relpath, data in expected.items()}
        target = projects / name
        existing = set(_walk(target)) if target.is_dir() else set()
        for relpath, content in expected.items():
            if relpath not in existing:
                differences.append(f"projects/{name}/{relpath}: missing")
            elif (target / relpath).read_bytes() != content:
                differences.append(
                    f"projects/{name}/{relpath}: differs from the starter built from solutions/"
                )
        differences.extend(
            f"projects/{name}/{relpath}: has no source in solutions/{name}"
            for relpath in sorted(existing - set(expected))
        )
    if only is None:
        differences.extend(
            f"projects/{name}/{relpath}: project no longer exists in solutions/"
            for name in _orphans(solutions, projects)
            for relpath in _walk(projects / name)
        )
        path = projects / RECORD_FILE
        if not path.is_file() or path.read_text(encoding="utf-8") != record_text(wanted):
            differences.append(f"projects/{RECORD_FILE}: does not record the starters (run `course assign`)")
    return differences


def _print_report(report: AssignReport) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="course assign: projects/ built from solutions/")
    for column in ("project", "written", "unchanged", "removed"):
        table.add_column(column, justify="left" if column == "project" else "right")
    for project in report.projects:
        table.add_row(
            project.name, str(len(project.written)), str(len(project.unchanged)), str(len(project.removed))
        )
    Console().print(table)


def assign_command(
    check_only: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 and list the differences if projects/ is out of date."
        ),
    ] = False,
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Only this project (p1 … p7 or its folder name).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files in projects/ that were edited by hand.")
    ] = False,
) -> None:
    """Build the learners' starters in projects/ from solutions/ (a maintainers' command).

    Solution blocks are replaced by NotImplementedError stubs and answer prompts, notebook outputs are
    cleared, generated folders are skipped. Files edited by hand in projects/ are kept: assign refuses and
    names them unless --force. Exit status: 0 done (or in sync), 1 projects/ is out of date (--check), 2 bad
    solution markers, hand-edited files, or bad options.
    """
    from rich.console import Console

    from course.paths import projects_dir, require_solutions, resolve_project, solutions_dir

    require_solutions("course assign")

    console = Console(stderr=True)
    only = [resolve_project(project)] if project else None
    if not check_only:
        _print_report(assign(solutions_dir(), projects_dir(), only, force=force))
        return
    differences = check(solutions_dir(), projects_dir(), only)
    if differences:
        for line in differences:
            console.print(f"  {line}", highlight=False, soft_wrap=True)
        console.print(
            f"[red]projects/ is out of date ({len(differences)} difference(s)).[/red] "
            "Run `course assign` and commit projects/ together with solutions/.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    Console().print("projects/ is in sync with solutions/.")
