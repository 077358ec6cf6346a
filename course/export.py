"""``course export DIR``: the learner repository, with no answer in it.

The export is every file git tracks in the course repository except what only the course's authors need
(:data:`EXCLUDED`: ``solutions/``, the mutant catalogues, the toolkit's own tests, the worked-solution
pages, benchmarks and tools), with the learner overlay ``learner/`` laid over it: its ``Makefile``,
``README.md`` and ``course.toml`` (``kind = "learner"``) replace the course's. Markdown pages lose their
``<!-- BEGIN COURSE ONLY -->`` ... ``<!-- END COURSE ONLY -->`` blocks, and their ``<!-- LEARNER ONLY ...
-->`` comments become text.

Two checks guard it. Before: ``projects/`` must be exactly what ``course assign`` writes from
``solutions/`` (a stale starter may hold an answer). After: :func:`find_leaks` searches the export for every
line of every solution block and written answer in ``solutions/``, for notebook outputs and for the
excluded paths; one finding fails the export. The export is built in a temporary folder beside ``DIR`` and
moved into place only when clean, and ``DIR`` must not exist or be empty: nothing is overwritten.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from course.errors import CourseError
from course.paths import MARKER, projects_dir, repo_root, require_solutions
from course.solution_markers import has_markers, solution_lines, strip_markdown, strip_python

OVERLAY = "learner"
"""The folder whose files replace or add to the export's (the learner's Makefile, README and marker)."""
EXCLUDED = (
    "solutions/*",
    "tests/toolkit/*",
    "tests/mutants/*",
    "tests/browser/*",
    "tests/notebooks.ini",
    "benchmarks/*",
    "tools/*",
    ".ci/*",
    f"{OVERLAY}/*",
    "docs/worked/*",
    "CONTRIBUTING.md",
    "projects/.starters.json",
)
SOURCE_SUFFIXES = (".py", ".md", ".ipynb")
SHARED = ("course", "tests/graded")
"""Code both repositories hold by design, whose lines are not answers (see :func:`answers`)."""
MIN_LEAK_CHARS = 24
"""Solution lines shorter than this (``return frame``, ``)``) are too common to prove a leak."""
COURSE_ONLY = re.compile(
    r"^[ \t]*<!--[ \t]*BEGIN COURSE ONLY[ \t]*-->[ \t]*\n"
    r".*?^[ \t]*<!--[ \t]*END COURSE ONLY[ \t]*-->[ \t]*\n?",
    re.MULTILINE | re.DOTALL,
)
LEARNER_ONLY = re.compile(r"^[ \t]*<!--[ \t]*LEARNER ONLY[ \t]*\n(?P<text>.*?)^[ \t]*-->[ \t]*$", re.M | re.S)


class ExportError(CourseError):
    """The learner repository cannot be written, or would carry an answer; the message says which."""


@dataclass(frozen=True)
class Leak:
    """An answer found in the export: the file, the line (1-based, 0 for the whole file) and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


def is_excluded(relpath: str) -> bool:
    """Whether the course file ``relpath`` (POSIX, from the root) stays out of the learner repository."""
    return any(fnmatch.fnmatch(relpath, pattern) for pattern in EXCLUDED)


def tracked_files(root: Path) -> list[str]:
    """The files git tracks or would track (not ignored) under ``root``, as POSIX paths relative to it."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ExportError(
            f"course export copies the files git tracks, and `git ls-files` failed in {root} ({exc}): "
            "run it in a git clone of the course."
        ) from None
    return sorted(path for path in done.stdout.split("\0") if path and (root / path).is_file())


def learner_markdown(text: str) -> str:
    """``text`` as the learner repository shows it: course-only blocks dropped, learner-only text shown."""
    return LEARNER_ONLY.sub(lambda match: match["text"].rstrip("\n"), COURSE_ONLY.sub("", text))


def export_files(root: Path) -> dict[str, bytes]:
    """Every file of the learner repository, by relative path, with its content."""
    files: dict[str, bytes] = {}
    for relpath in tracked_files(root):
        if is_excluded(relpath):
            continue
        data = (root / relpath).read_bytes()
        if relpath.endswith(".md"):
            data = learner_markdown(data.decode("utf-8")).encode("utf-8")
        files[relpath] = data
    overlay = root / OVERLAY
    if not overlay.is_dir():
        raise ExportError(f"{overlay} is missing: it holds the learner repository's Makefile and README.")
    for path in sorted(p for p in overlay.rglob("*") if p.is_file()):
        files[path.relative_to(overlay).as_posix()] = path.read_bytes()
    if MARKER not in files:
        raise ExportError(f"{overlay} has no {MARKER}: the learner repository needs its marker.")
    return files


def _cells(path: Path, kind: str) -> Iterator[str]:
    """The sources of ``path``'s notebook cells of ``kind`` (``code`` or ``markdown``)."""
    for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
        if cell.get("cell_type") == kind:
            source = cell.get("source", "")
            yield "".join(source) if isinstance(source, list) else source


def _sources(path: Path) -> list[tuple[str, bool]]:
    """``(source, is_markdown)`` of a ``.py`` or ``.md`` file, or of each cell of a notebook."""
    if path.suffix == ".ipynb":
        return [(s, False) for s in _cells(path, "code")] + [(s, True) for s in _cells(path, "markdown")]
    return [(path.read_text(encoding="utf-8"), path.suffix == ".md")]


def answers(solutions: Path, shared: Iterable[Path]) -> dict[str, str]:
    """Every telling line of a solution block or written answer in ``solutions/``, mapped to its file.

    Telling: at least :data:`MIN_LEAK_CHARS` long, not an import, and found neither in a starter (a line
    the starter carries anyway, outside the blocks) nor in the Python code of the ``shared`` folders: the
    toolkit (an idiom such as ``path.parent.mkdir(parents=True, exist_ok=True)`` proves nothing) and the
    public graded tests, whose oracles are public by design (what must stay private is a hidden test).
    """
    found: dict[str, str] = {}
    common: set[str] = set()
    for path in sorted(solutions.rglob("*")):
        if not path.is_file() or path.suffix not in SOURCE_SUFFIXES or ".ipynb_checkpoints" in path.parts:
            continue
        where = path.relative_to(solutions.parent).as_posix()
        for source, markdown in _sources(path):
            if not has_markers(source):
                common |= {line.strip() for line in source.splitlines()}
                continue
            for line in solution_lines(source, where, markdown=markdown):
                if len(line) >= MIN_LEAK_CHARS and not line.startswith(("import ", "from ")):
                    found.setdefault(line, where)
            notebook = path.suffix == ".ipynb"
            starter = (
                strip_markdown(source, where) if markdown else strip_python(source, where, notebook=notebook)
            )
            common |= {line.strip() for line in starter.splitlines()}
    for folder in shared:
        for path in sorted(folder.rglob("*.py")):
            common |= {line for _, line in _text_lines(path)}
    return {line: where for line, where in found.items() if line not in common}


def _text_lines(path: Path) -> Iterable[tuple[int, str]]:
    """``(line number, stripped line)`` of a text file, or of a notebook's cell sources; nothing if binary."""
    if path.suffix == ".ipynb":
        number = 0
        for kind in ("code", "markdown"):
            for source in _cells(path, kind):
                for line in source.splitlines():
                    number += 1
                    yield number, line.strip()
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        yield number, line.strip()


def _outputs(path: Path) -> bool:
    """Whether the notebook at ``path`` carries stored outputs or execution counts."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return any(
        c.get("outputs") or c.get("execution_count") is not None for c in cells if c["cell_type"] == "code"
    )


def find_leaks(folder: Path, solutions: Path) -> list[Leak]:
    """What in the learner repository at ``folder`` gives an answer away: a solution line, a notebook with
    stored outputs, a results file, or a path that only the course repository may hold."""
    known = answers(solutions, [solutions.parent / folder for folder in SHARED])
    leaks: list[Leak] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".git" not in p.parts):
        relpath = path.relative_to(folder).as_posix()
        if is_excluded(relpath) and not relpath.startswith(f"{OVERLAY}/"):
            leaks.append(Leak(relpath, 0, "only the course repository may hold this path"))
            continue
        if path.suffix == ".ipynb" and _outputs(path):
            leaks.append(Leak(relpath, 0, "a notebook with stored outputs (the reference run's results)"))
        if "reports" in Path(relpath).parts[:-1]:
            leaks.append(Leak(relpath, 0, "a stored results file"))
        for number, line in _text_lines(path):
            if line in known:
                leaks.append(Leak(relpath, number, f"a line of the answer in {known[line]}: {line[:60]!r}"))
    return leaks


def export(root: Path, target: Path, *, git: bool = False) -> int:
    """Write the learner repository of the course at ``root`` to ``target`` and return how many files it
    has; raises :class:`ExportError` naming each leak. ``git`` makes ``target`` a repository with one
    commit."""
    from course.assign import check

    solutions = require_solutions("course export", root)
    drift = check(solutions, projects_dir(root))
    if drift:
        raise ExportError(
            "projects/ is not what `course assign` writes from solutions/ (a stale starter may hold an "
            f"answer): {'; '.join(drift[:5])}. Run `course assign` first."
        )
    target = target.expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExportError(f"{target} exists and is not an empty folder: export to a new folder.")
    files = export_files(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for relpath, data in files.items():
            path = staging / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if os.access(root / relpath, os.X_OK) and (root / relpath).is_file():
                path.chmod(0o755)
        leaks = find_leaks(staging, solutions)
        if leaks:
            listed = "\n  ".join(map(str, leaks[:20]))
            more = f"\n  ... and {len(leaks) - 20} more" if len(leaks) > 20 else ""
            raise ExportError(f"the export would carry answers; nothing was written:\n  {listed}{more}")
        if git:
            _commit(staging, root)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return len(files)


def _commit(folder: Path, root: Path) -> None:
    """Make ``folder`` a git repository with one commit naming the course commit it was exported from."""
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": os.environ.get("GIT_AUTHOR_NAME", "course export"),
        "GIT_AUTHOR_EMAIL": os.environ.get("GIT_AUTHOR_EMAIL", "course-export@localhost"),
        "GIT_COMMITTER_NAME": os.environ.get("GIT_COMMITTER_NAME", "course export"),
        "GIT_COMMITTER_EMAIL": os.environ.get("GIT_COMMITTER_EMAIL", "course-export@localhost"),
    }
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "-m", f"Course export of {head}"],
    ):
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise ExportError(f"git {' '.join(args)} failed in the export: {done.stderr.strip()}")


def export_command(
    target: Annotated[Path, typer.Argument(help="The new folder to write the learner repository to.")],
    git: Annotated[
        bool, typer.Option("--git", help="Make it a git repository with one commit, ready to push.")
    ] = False,
) -> None:
    """Course authors: write the learner repository (starters, public tests, docs; no solutions) to TARGET.

    Refuses when projects/ is stale or when an answer would reach the export, naming what and where.
    """
    written = export(repo_root(), target, git=git)
    typer.echo(
        f"Wrote the learner repository to {target.expanduser().resolve()} ({written} files, no answers)."
    )
