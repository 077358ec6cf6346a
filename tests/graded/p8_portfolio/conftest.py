"""Shared fixtures of project 8's graded tests: a folder of made-up projects, and the learner's evidence.

The made-up projects exercise the package on shapes the real results files use. The learner's evidence is
read by the toolkit (``course.portfolio``) in the judge's process, from the other projects' results files
beside the graded project folder, so PORTFOLIO.md is checked against numbers the submission's own code did
not compute.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PROJECT = "p8_portfolio"


def _project(root: Path, folder: str, results: str, content: str | None) -> None:
    (root / folder / "reports").mkdir(parents=True)
    (root / folder / "project.toml").write_text(f'id = "{folder[:2]}"\nresults = "{results}"\n')
    if content is not None:
        (root / folder / results).write_text(content)


@pytest.fixture(scope="session")
def made_up_projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of projects: p1 and p4 with results, p2 without, p3 with broken JSON, p8 itself, notes/."""
    root = tmp_path_factory.mktemp("projects")
    p1 = {"headline": {"metric": "pr_auc", "value": 0.3796, "ci_low": 0.3393, "ci_high": 0.4308}}
    p1 |= {"expected_profit": 1966.0, "chosen": "boosting", "credible": True}
    _project(root, "p1_alpha", "reports/metrics.json", json.dumps(p1))
    _project(root, "p2_beta", "reports/beta.json", None)
    _project(root, "p3_gamma", "reports/gamma.json", "{not json")
    p4 = {"world": "bob", "auc_point_in_time": 0.839, "auc_intervals": {"point_in_time": [0.793, 0.882]}}
    _project(root, "p4_delta", "reports/delta.json", json.dumps(p4))
    _project(root, PROJECT, "reports/portfolio.json", json.dumps({"n_evidence": 5}))
    (root / "notes").mkdir()
    return root


@pytest.fixture(scope="session")
def evidence(request: pytest.FixtureRequest):
    """The toolkit's reading of the other projects' results, beside the graded project folder."""
    from course.grading.session import grading
    from course.portfolio.evidence import collect_evidence

    folder = grading(request.config).project_folder(PROJECT)
    found = collect_evidence(folder.parent, exclude=(PROJECT,))
    if not found.items:
        missing = "; ".join(f"{p}: {why}" for p, why in found.missing.items()) or "no project folders"
        pytest.fail(
            f"None of your other projects has results yet ({missing}): run their notebooks first, "
            "then write PORTFOLIO.md with their numbers.",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="session")
def portfolio_text(project_dir: Path) -> str:
    """The learner's PORTFOLIO.md."""
    path = project_dir / "PORTFOLIO.md"
    if not path.is_file():
        pytest.fail(
            "PORTFOLIO.md is missing from the project folder: write it from the template.", pytrace=False
        )
    return path.read_text(encoding="utf-8")
