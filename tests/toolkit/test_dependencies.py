"""Declared = imported: every third-party import is declared in pyproject.toml, and every declared
dependency is imported somewhere or has a stated reason to be installed without an import.

Scanned: the toolkit, the solutions (package code and notebooks), the tests, the benchmarks and the docs
hooks. A module maps to its distribution through the installed metadata.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import json
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

from course.paths import repo_root

ROOT = repo_root()
SCANNED = ("course", "solutions", "tests", "benchmarks", "docs/hooks")
#: Installed for what they do, not imported: each with the reason.
USED_WITHOUT_IMPORT = {
    "dvc": "project 3's pipeline tool: dvc.yaml and the `dvc` command",
    "schemathesis": "project 2's HTTP test runs its command line (`python -m schemathesis.cli run`)",
    "uvicorn": "the ASGI server that runs project 2's service (`uvicorn --factory ...`)",
    "httpx": "FastAPI's TestClient and schemathesis send requests through it",
    "httpx2": "FastAPI's TestClient uses it when installed, without a deprecation warning",
    "jupyterlab": "`make start` opens it",
    "ipykernel": "the notebooks' kernel (nbval and JupyterLab start it)",
    "nbclient": "executes the notebooks for nbval and mkdocs-jupyter",
    "pytest-timeout": "a pytest plugin: the grader's per-test timeout",
    "pytest-xdist": "a pytest plugin: `make test` runs tests in two processes",
    "ruff": "`make lint`",
    "mkdocs-material": "the site's theme",
    "mkdocs-jupyter": "renders the worked solutions on the site",
}
#: Folders whose modules are the course's own (project packages, test helpers), not distributions.
LOCAL = {"course", "conftest", "tinypkg"} | {f"p{n}_helpers" for n in range(1, 10)}


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [
        *project["dependencies"],
        *(r for extra in project["optional-dependencies"].values() for r in extra),
    ]
    return {canonical(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]) for requirement in requirements}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sources() -> Iterator[tuple[Path, str]]:
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "fixtures" not in path.parts:
                yield path, path.read_text(encoding="utf-8")
        for path in sorted((ROOT / folder).rglob("*.ipynb")):
            if "fixtures" in path.parts:
                continue
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                if cell["cell_type"] == "code":
                    lines = "".join(cell["source"]).splitlines()
                    yield path, "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def imported_modules() -> dict[str, Path]:
    """Top-level third-party modules imported anywhere, each with a file that imports it."""
    projects = {p.name for p in (ROOT / "solutions").glob("*/*") if (p / "__init__.py").is_file()}
    projects |= {p.stem for p in (ROOT / "tests" / "toolkit").glob("test_*.py")}  # shared test helpers
    found: dict[str, Path] = {}
    for path, text in sources():
        for node in ast.walk(ast.parse(text)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in LOCAL | projects:
                    found.setdefault(top, path)
    return found


def test_every_imported_module_is_declared() -> None:
    distributions = metadata.packages_distributions()
    wanted = declared()
    missing = {}
    for module, path in imported_modules().items():
        names = {canonical(d) for d in distributions.get(module, [module])}
        if not names & wanted:
            missing[module] = f"{sorted(names)} (imported in {path.relative_to(ROOT)})"
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_every_declared_dependency_is_imported_or_has_a_reason() -> None:
    distributions = metadata.packages_distributions()
    used = {canonical(d) for module in imported_modules() for d in distributions.get(module, [module])}
    unused = sorted(declared() - used - set(USED_WITHOUT_IMPORT))
    assert not unused, f"declared but never imported, and no reason given in USED_WITHOUT_IMPORT: {unused}"
    stale = sorted(set(USED_WITHOUT_IMPORT) - declared())
    assert not stale, f"USED_WITHOUT_IMPORT names what pyproject.toml no longer declares: {stale}"


def test_the_lock_pins_every_declared_dependency_within_its_range() -> None:
    from packaging.requirements import Requirement

    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonical(name)] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for extra in project["optional-dependencies"].values() for r in extra]
    problems = []
    for requirement in map(Requirement, [*project["dependencies"], *extras]):
        version = pins.get(canonical(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement} (locked: {version})")
    assert not problems, f"requirements.lock disagrees with pyproject.toml, run `make lock`: {problems}"
