"""A project's rubric, read from the rubric marks of its graded tests and from its ``rubric.toml``.

The test files are parsed, never imported, so building a rubric is fast and safe: the docs build calls
``load_rubric(project).to_markdown()``. A test's points count once per parameter case; a notebook item
earns its points only when every cell of the notebook runs.
"""

from __future__ import annotations

import ast
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from course.errors import CourseError
from course.paths import graded_tests_dir, resolve_project

RUBRIC_FILE = "rubric.toml"
#: Where the runner puts ``--extra-tests`` inside a project's tests; rubric keys carry the same prefix.
EXTRA_TESTS_DIRNAME = "hidden_tests"
NOTEBOOK_KEYS = ("path", "id", "points", "text")
NOTEBOOK_OPTIONAL_KEYS = ("writes",)  # files the notebook must write in the grading run
RUBRIC_FILE_KEYS = ("beside_notebooks", "notebook", "isolation", "reads_other_projects")
ISOLATION_MODES = ("process", "worker")


class RubricError(CourseError):
    """Raised when a rubric mark or ``rubric.toml`` cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class RubricTest:
    """One graded test function: ``key`` is ``file.py::[Class::]name`` relative to the project's tests."""

    key: str
    points: float
    cases: int = 1

    @property
    def total(self) -> float:
        """Points over all parameter cases."""
        return self.points * self.cases


@dataclass(frozen=True)
class NotebookEntry:
    """One ``[[notebook]]`` table of ``rubric.toml``; ``path`` is relative to the project folder."""

    path: str
    id: str
    points: float
    text: str
    writes: tuple[str, ...] = ()  # files (relative to the project folder) the run must leave behind


@dataclass
class RubricItem:
    """One line of the rubric: the tests and notebooks that earn its points."""

    id: str
    text: str
    tests: list[RubricTest] = field(default_factory=list)
    notebooks: list[NotebookEntry] = field(default_factory=list)

    @property
    def points(self) -> float:
        """Maximum points of the item."""
        return sum(test.total for test in self.tests) + sum(nb.points for nb in self.notebooks)


@dataclass
class Rubric:
    """A project's rubric items in the order the tests define them, notebooks last.

    ``beside_notebooks``: test files (relative to the project's tests) that do not read what the notebooks
    write, so the runner may run them in a second process while the notebooks run.
    ``reads_other_projects``: the project reads the other projects' results files (project 8, the
    portfolio), so the runner copies their manifests and results files beside the submission's copy.
    """

    project: str
    items: list[RubricItem]
    warnings: list[str] = field(default_factory=list)
    beside_notebooks: list[str] = field(default_factory=list)
    reads_other_projects: bool = False

    @property
    def max_score(self) -> float:
        """Total points of the project."""
        return sum(item.points for item in self.items)

    @property
    def notebooks(self) -> list[NotebookEntry]:
        """Every notebook the grader runs, in ``rubric.toml`` order."""
        return [nb for item in self.items for nb in item.notebooks]

    def item(self, item_id: str) -> RubricItem:
        """The item with this id (``KeyError`` names the known ids otherwise)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"no rubric item {item_id!r} in {self.project}")

    def to_dict(self) -> dict:
        """A JSON-ready view: project, max_score, items with their tests and notebooks."""
        return {
            "project": self.project,
            "max_score": number(self.max_score),
            "items": [
                {
                    "id": item.id,
                    "text": item.text,
                    "points": number(item.points),
                    "tests": [
                        {"name": t.key, "points": number(t.points), "cases": t.cases} for t in item.tests
                    ],
                    "notebooks": [{"path": nb.path, "points": number(nb.points)} for nb in item.notebooks],
                }
                for item in self.items
            ],
        }

    def to_json(self) -> str:
        """The rubric as indented JSON."""
        return json.dumps(self.to_dict(), indent=2)

    def to_markdown(self) -> str:
        """A Markdown table: item id, points, the text the learner sees; a total row last."""
        lines = ["| Rubric item | Points | What earns the points |", "|---|---:|---|"]
        for item in self.items:
            lines.append(f"| `{item.id}` | {format_points(item.points)} | {markdown_cell(item.text)} |")
        lines.append(f"| **Total** | **{format_points(self.max_score)}** | |")
        return "\n".join(lines) + "\n"


def number(value: float) -> int | float:
    """``3.0`` -> ``3`` so that JSON shows whole points as integers."""
    return int(value) if float(value).is_integer() else round(value, 4)


def format_points(value: float) -> str:
    """``3.0`` -> ``3``, ``2.5`` -> ``2.5``."""
    return f"{number(value):g}"


def markdown_cell(text: str) -> str:
    """Text that is safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", "<br>")


def load_rubric(project: str, root: Path | None = None, extra_tests: Path | None = None) -> Rubric:
    """The rubric of ``project`` (``p1`` or ``p1_baseline``) from ``tests/graded/<project>/``.

    ``extra_tests`` adds an instructor's hidden tests, keyed under ``hidden_tests/`` as the runner puts them.
    """
    name = resolve_project(project, root)
    tests_dir = graded_tests_dir(root) / name
    if not tests_dir.is_dir():
        raise RubricError(f"No graded tests for {name}: {tests_dir} does not exist.")
    return read_rubric(name, tests_dir, extra_tests=extra_tests)


def read_rubric(project: str, tests_dir: Path, extra_tests: Path | None = None) -> Rubric:
    """Build the rubric from the test files under ``tests_dir`` (and ``extra_tests``) and rubric.toml."""
    items: dict[str, RubricItem] = {}
    warnings: list[str] = []
    sources = [(tests_dir, "")]
    if extra_tests is not None:
        if not Path(extra_tests).is_dir():
            raise RubricError(f"--extra-tests {extra_tests}: not a folder.")
        sources.append((Path(extra_tests), f"{EXTRA_TESTS_DIRNAME}/"))
    for folder, prefix in sources:
        for path in find_test_files(folder):
            key_prefix = prefix + path.relative_to(folder).as_posix()
            for marked in parse_test_file(path, key_prefix, warnings):
                item = items.setdefault(marked.id, RubricItem(id=marked.id, text=marked.text))
                item.tests.append(RubricTest(key=marked.key, points=marked.points, cases=marked.cases))
    path = tests_dir / RUBRIC_FILE
    data = read_rubric_file(path)
    for entry in notebook_entries(data, path):
        item = items.setdefault(entry.id, RubricItem(id=entry.id, text=entry.text))
        item.notebooks.append(entry)
    known = [p.relative_to(tests_dir).as_posix() for p in find_test_files(tests_dir)]
    beside = beside_notebooks(data, path, known)
    others = data.get("reads_other_projects", False)
    if not isinstance(others, bool):
        raise RubricError(f"{path}: reads_other_projects is {others!r}; write true or false.")
    return Rubric(
        project=project,
        items=list(items.values()),
        warnings=warnings,
        beside_notebooks=beside,
        reads_other_projects=others,
    )


def find_test_files(folder: Path) -> list[Path]:
    """pytest's default test files under ``folder``, sorted."""
    found = {p for pattern in ("test_*.py", "*_test.py") for p in folder.rglob(pattern)}
    return sorted(p for p in found if "__pycache__" not in p.parts)


@dataclass(frozen=True)
class _Marked:
    key: str
    id: str
    points: float
    cases: int
    text: str


def parse_test_file(path: Path, key_prefix: str, warnings: list[str]) -> list[_Marked]:
    """The rubric-marked tests of one file, read from its syntax tree."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        raise RubricError(f"{path}:{exc.lineno}: cannot parse the test file: {exc.msg}") from exc
    lists = _literal_lists(tree)
    found: list[_Marked] = []

    def visit(body: list[ast.stmt], scope: str, inherited: list[list[ast.expr]]) -> None:
        marks = [*inherited, _pytestmark(body)]
        for node in body:
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                visit(node.body, f"{scope}{node.name}::", [*marks, node.decorator_list])
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                key = f"{key_prefix}::{scope}{node.name}"
                levels = [*marks, node.decorator_list]
                marked = _marked_test(key, node, levels, lists, f"{path}:{node.lineno}", warnings)
                if marked is not None:
                    found.append(marked)

    visit(tree.body, "", [])
    return found


def _marked_test(
    key: str,
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    levels: list[list[ast.expr]],
    lists: dict[str, int],
    where: str,
    warnings: list[str],
) -> _Marked | None:
    rubric_call = None
    for decorators in reversed(levels):  # the closest mark wins, as in pytest
        calls = _mark_calls(decorators, "rubric")
        if len(calls) > 1:
            raise RubricError(f"{where}: {key} carries {len(calls)} rubric marks; give it exactly one.")
        if calls:
            rubric_call = calls[0]
            break
    if rubric_call is None:
        warnings.append(f"{key} has no rubric mark: it is not scored.")
        return None
    item_id, points = _rubric_args(rubric_call, where)
    cases = math.prod(
        _count_cases(call, lists, where) for level in levels for call in _mark_calls(level, "parametrize")
    )
    doc = ast.get_docstring(node)
    if doc and doc.strip():
        text = doc.strip().splitlines()[0].strip()
    else:
        warnings.append(f"{key} has no docstring: its first line is the rubric text.")
        text = node.name.replace("_", " ")
    return _Marked(key=key, id=item_id, points=points, cases=cases, text=text)


def _pytestmark(body: list[ast.stmt]) -> list[ast.expr]:
    """The marks assigned to ``pytestmark`` in a module or class body."""
    for node in body:
        value = None
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            value = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            value = node.value if node.target.id == "pytestmark" else None
        if value is not None:
            return list(value.elts) if isinstance(value, ast.List | ast.Tuple) else [value]
    return []


def _mark_calls(decorators: list[ast.expr], name: str) -> list[ast.Call]:
    """Calls of ``pytest.mark.<name>(...)`` or ``mark.<name>(...)`` among ``decorators``."""
    calls = []
    for dec in decorators:
        if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr == name):
            continue
        owner = dec.func.value
        if (isinstance(owner, ast.Attribute) and owner.attr == "mark") or (
            isinstance(owner, ast.Name) and owner.id == "mark"
        ):
            calls.append(dec)
    return calls


def _rubric_args(call: ast.Call, where: str) -> tuple[str, float]:
    keywords = {kw.arg: kw.value for kw in call.keywords}
    id_node = call.args[0] if call.args else keywords.get("id")
    points_node = call.args[1] if len(call.args) > 1 else keywords.get("points")
    usage = 'write it as @pytest.mark.rubric("p1.split.no_customer_overlap", points=3)'
    try:
        item_id = ast.literal_eval(id_node) if id_node is not None else None
        points = ast.literal_eval(points_node) if points_node is not None else None
    except ValueError as exc:
        raise RubricError(f"{where}: the rubric mark needs a literal id and points; {usage}.") from exc
    if not isinstance(item_id, str) or not item_id.strip():
        raise RubricError(f"{where}: the rubric id must be a non-empty string; {usage}.")
    if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
        raise RubricError(f"{where}: rubric {item_id!r} needs positive points; {usage}.")
    return item_id, float(points)


def _literal_lists(tree: ast.Module) -> dict[str, int]:
    """Module-level names bound to a literal list, tuple, set or dict (or to one of those names)."""
    lengths: dict[str, int] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        length = _length(value, lengths) if value is not None else None
        for target in targets:
            if isinstance(target, ast.Name) and length is not None:
                lengths[target.id] = length
    return lengths


_SAME_LENGTH = ("list", "tuple", "sorted", "reversed", "enumerate", "set", "frozenset")


def _length(node: ast.expr, lengths: dict[str, int]) -> int | None:
    """The number of values ``node`` iterates over, when it can be known without running anything."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return None if any(isinstance(e, ast.Starred) for e in node.elts) else len(node.elts)
    if isinstance(node, ast.Dict):
        return None if any(key is None for key in node.keys) else len(node.keys)
    if isinstance(node, ast.Name):
        return lengths.get(node.id)
    if not isinstance(node, ast.Call) or node.keywords:
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in ("keys", "values", "items") and not node.args:
        return _length(func.value, lengths)
    if not isinstance(func, ast.Name):
        return None
    if func.id in _SAME_LENGTH and len(node.args) == 1:
        return _length(node.args[0], lengths)
    if func.id == "zip" and node.args:
        found = [_length(arg, lengths) for arg in node.args]
        return None if None in found else min(found)
    if func.id == "range" and all(
        isinstance(a, ast.Constant) and isinstance(a.value, int) for a in node.args
    ):
        return len(range(*(a.value for a in node.args)))
    return None


def _count_cases(call: ast.Call, lists: dict[str, int], where: str) -> int:
    keywords = {kw.arg: kw.value for kw in call.keywords}
    values = call.args[1] if len(call.args) > 1 else keywords.get("argvalues")
    length = _length(values, lists) if values is not None else None
    if length is None:
        raise RubricError(
            f"{where}: cannot count the cases of this parametrize without running the tests; give the values "
            "as a literal list, tuple or dict (or a module-level name bound to one, optionally wrapped in "
            "list(), sorted(), zip() or .items()) so that the rubric can be built."
        )
    return length


def read_rubric_file(path: Path) -> dict:
    """The parsed ``rubric.toml`` (empty when the file does not exist); unknown keys are an error."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - set(RUBRIC_FILE_KEYS))
    if unknown:
        raise RubricError(
            f"{path}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(RUBRIC_FILE_KEYS)}."
        )
    return data


def beside_notebooks(data: dict, path: Path, test_files: list[str]) -> list[str]:
    """``beside_notebooks`` of the parsed ``rubric.toml`` at ``path``: files among ``test_files``."""
    listed = data.get("beside_notebooks", [])
    if not isinstance(listed, list) or not all(isinstance(name, str) for name in listed):
        raise RubricError(f'{path}: write beside_notebooks as a list of test files: ["test_split.py"].')
    for name in listed:
        if name not in test_files:
            raise RubricError(
                f"{path}: beside_notebooks names {name!r}, which is not a test file of {path.parent.name} "
                f"(its test files: {', '.join(test_files) or 'none'})."
            )
    duplicates = sorted({name for name in listed if listed.count(name) > 1})
    if duplicates:
        raise RubricError(f"{path}: beside_notebooks lists {', '.join(duplicates)} more than once.")
    return list(listed)


def read_isolation(path: Path) -> str:
    """``isolation`` of a ``rubric.toml``: ``worker`` (the submission runs in a worker process, the tests
    reach it through ``project_module``) or ``process`` (the default: imported into the test process)."""
    mode = read_rubric_file(path).get("isolation", "process")
    if mode not in ISOLATION_MODES:
        raise RubricError(f"{path}: isolation is {mode!r}; allowed: {', '.join(ISOLATION_MODES)}.")
    return mode


def read_notebook_entries(path: Path) -> list[NotebookEntry]:
    """The ``[[notebook]]`` tables of a ``rubric.toml`` (none when the file does not exist)."""
    return notebook_entries(read_rubric_file(path), path)


def notebook_entries(data: dict, path: Path) -> list[NotebookEntry]:
    """The ``[[notebook]]`` tables of the parsed ``rubric.toml`` at ``path``."""
    tables = data.get("notebook", [])
    if not isinstance(tables, list):
        raise RubricError(f"{path}: write notebooks as [[notebook]] tables.")
    entries = []
    for number_, table in enumerate(tables, start=1):
        where = f"{path}: [[notebook]] #{number_}"
        missing = [key for key in NOTEBOOK_KEYS if key not in table]
        extra = sorted(set(table) - set(NOTEBOOK_KEYS) - set(NOTEBOOK_OPTIONAL_KEYS))
        if missing or extra:
            problem = f"missing {', '.join(missing)}" if missing else f"unknown key(s) {', '.join(extra)}"
            raise RubricError(f"{where}: {problem} (keys: {', '.join(NOTEBOOK_KEYS)}).")
        rel = PurePosixPath(str(table["path"]))
        if rel.is_absolute() or ".." in rel.parts or rel.suffix != ".ipynb":
            raise RubricError(f"{where}: path must be a .ipynb file relative to the project folder: {rel}.")
        points = table["points"]
        if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
            raise RubricError(f"{where}: points must be a positive number, got {points!r}.")
        if not isinstance(table["id"], str) or not table["id"].strip() or not isinstance(table["text"], str):
            raise RubricError(f"{where}: id and text must be non-empty strings.")
        writes = table.get("writes", [])
        if not isinstance(writes, list) or not all(_relative_file(w) for w in writes):
            raise RubricError(f"{where}: writes must list files relative to the project folder: {writes!r}.")
        entry = NotebookEntry(str(rel), table["id"], float(points), table["text"].strip(), tuple(writes))
        entries.append(entry)
    return entries


def _relative_file(value: object) -> bool:
    """Whether ``value`` is a relative POSIX path inside the project folder."""
    if not isinstance(value, str) or not value:
        return False
    path = PurePosixPath(value)
    return not path.is_absolute() and ".." not in path.parts
