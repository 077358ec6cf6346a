"""Project 3's ``dvc.yaml`` lists every file each stage's code reads, derived from the imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from course.paths import repo_root

PROJECT = repo_root() / "solutions" / "p3_pipeline"
PACKAGE = "churn_pipeline"
ENTRY = ("__init__", "__main__", "stages")
"""What ``python -m churn_pipeline stage NAME`` imports before it reaches the stage's own module."""


def _imports(module: str, top_level_only: bool) -> set[str]:
    """The project's modules that ``module`` imports (at module level only, or anywhere)."""
    tree = ast.parse((PROJECT / PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        found |= {name.split(".")[1] for name in names if name.startswith(f"{PACKAGE}.")}
    return found


def _closure(roots: set[str], top_level_only: bool) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(_imports(module, top_level_only))
    return seen


def _stages() -> dict[str, dict]:
    return yaml.safe_load((PROJECT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


@pytest.mark.parametrize("stage", list(_stages()))
def test_every_stage_lists_the_code_it_runs(stage: str) -> None:
    spec = _stages()[stage]
    assert spec["cmd"] == f"python -m {PACKAGE} stage {stage}", f"{stage}: dvc.yaml calls the stage entry"
    needed = _closure(set(ENTRY), top_level_only=True) | _closure({stage}, top_level_only=False)
    listed = {Path(dep).stem for dep in spec["deps"] if dep.startswith(f"{PACKAGE}/")}
    assert needed <= listed, f"{stage}: dvc.yaml misses {sorted(needed - listed)}"
    assert listed <= needed, f"{stage}: dvc.yaml lists {sorted(listed - needed)}, never imported by the stage"


def test_stage_modules_do_not_import_the_orchestration() -> None:
    stages = set(_stages())
    for stage in stages:
        reached = _closure({stage}, top_level_only=False)
        assert not reached & {"run", "stages", "__main__"}, f"{stage} imports the orchestration: a cycle"


def test_the_stage_entry_knows_every_dvc_stage() -> None:
    source = (PROJECT / PACKAGE / "stages.py").read_text(encoding="utf-8")
    declared = next(
        node.value
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "STAGES"
    )
    assert tuple(ast.literal_eval(declared)) == tuple(_stages()), "STAGES and dvc.yaml list the same stages"
