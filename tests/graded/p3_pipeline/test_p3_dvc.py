"""Graded: DVC drives the pipeline: `dvc repro` runs it, then does nothing, then re-runs what changed."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from course import worlds

STAGES = ["ingest", "validate", "features", "labels", "train", "score"]
DVC_CONFIG = "[core]\n    no_scm = true\n    check_update = false\n    analytics = false\n"


def _dvc(project_module, root: Path, *args: str) -> tuple[int, str]:
    """``python -m dvc ARGS`` in ``root``, run where your code runs; (exit status, its output)."""
    subprocess = project_module("subprocess")
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "DVC_NO_ANALYTICS": "true",
        "HOME": str(root),
        "PYTHONHASHSEED": "0",
        "COURSE_LEARNER": worlds.current().learner,  # ingest exports the learner's world, as in the run
    }
    done = subprocess.run(
        [sys.executable, "-m", "dvc", *args], cwd=str(root), env=env, capture_output=True, text=True
    )
    return int(done.returncode), f"{done.stdout}\n{done.stderr}"


def _ran(output: str) -> list[str]:
    return re.findall(r"Running stage '([a-z_]+)'", output)


@pytest.fixture(scope="module")
def reproduced(project_dir, project_module, tmp_path_factory, p3_params) -> tuple[Path, int, str]:
    """A copy of your project with the small world's params.yaml, after one ``dvc repro``."""
    root = tmp_path_factory.mktemp("dvc") / "project"
    shutil.copytree(
        project_dir, root, ignore=shutil.ignore_patterns("data", "artifacts", "reports", ".dvc", "dvc.lock")
    )
    (root / "params.yaml").write_text(p3_params, encoding="utf-8")
    (root / ".dvc").mkdir()
    (root / ".dvc" / "config").write_text(DVC_CONFIG, encoding="utf-8")
    status, output = _dvc(project_module, root, "repro")
    return root, status, output


@pytest.mark.rubric("p3.dvc.repro", points=2)
def test_dvc_repro_runs_every_stage_and_writes_the_lock(reproduced):
    """`dvc repro` runs the six stages in order, writes the scores and a dvc.lock that pins every stage"""
    root, status, output = reproduced
    assert status == 0, f"`dvc repro` failed (exit status {status}); its last lines:\n{output[-1500:]}"
    assert _ran(output) == STAGES, f"`dvc repro` ran {_ran(output)}; dvc.yaml's DAG runs {STAGES} in order."
    assert list((root / "data" / "scores").glob("*.parquet")), "`dvc repro` wrote no scores in data/scores."
    lock = yaml.safe_load((root / "dvc.lock").read_text(encoding="utf-8"))
    locked = sorted(lock.get("stages", {}))
    assert locked == sorted(STAGES), f"dvc.lock pins {locked}: every stage records its deps' and outs' hashes"


@pytest.mark.rubric("p3.dvc.noop", points=2)
def test_second_dvc_repro_runs_nothing(reproduced, project_module):
    """A second `dvc repro` runs no stage, and `dvc status` reports the pipeline up to date"""
    root, status, output = reproduced
    assert status == 0, f"the first `dvc repro` failed, so nothing can be re-run:\n{output[-800:]}"
    status, output = _dvc(project_module, root, "repro")
    assert status == 0 and _ran(output) == [], (
        f"a second `dvc repro` with nothing changed ran {_ran(output)}: a stage whose outputs change between "
        "runs (a timestamp, an unsorted row order) or that writes its own dependencies is never up to date."
    )
    status, output = _dvc(project_module, root, "status")
    assert status == 0 and "up to date" in output, f"`dvc status` after a no-op repro says:\n{output[-800:]}"


@pytest.mark.rubric("p3.dvc.param_change", points=2)
def test_a_train_parameter_change_reruns_only_train_and_score(reproduced, project_module, tmp_path):
    """Changing train.c in params.yaml makes `dvc repro` run train and score, and no other stage"""
    root, status, output = reproduced
    assert status == 0, f"the first `dvc repro` failed, so nothing can be re-run:\n{output[-800:]}"
    copy = Path(shutil.copytree(root, tmp_path / "project", symlinks=True))
    params = (copy / "params.yaml").read_text(encoding="utf-8").replace("c: 1.0", "c: 0.5")
    (copy / "params.yaml").write_text(params, encoding="utf-8")
    status, output = _dvc(project_module, copy, "repro")
    assert status == 0, f"`dvc repro` after the change failed:\n{output[-1500:]}"
    assert _ran(output) == ["train", "score"], (
        f"after changing train.c `dvc repro` ran {_ran(output)}: train reads the parameter and score reads "
        "the model, so exactly those two re-run (dvc.yaml lists each stage's params and deps)."
    )
