"""``course.portfolio``: evidence from the results files, PORTFOLIO.md checked against it, the static page.

Everything runs on a copy of the solutions' manifests and results files (``copy_other_results``, as the
grader copies them), so a test can break one project's results without touching the repository.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from course.cli import app
from course.grading.rubric import RubricError, read_rubric
from course.grading.targets import copy_other_results
from course.paths import solutions_dir
from course.portfolio import doc
from course.portfolio.evidence import collect_evidence
from course.portfolio.page import HEADLINES, build_page, format_value, keep_resolving_links

PORTFOLIO = "p8_portfolio"


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """A folder of projects holding only the solutions' manifests, results files and PORTFOLIO.md."""
    source = solutions_dir() / PORTFOLIO
    copy = tmp_path / "projects" / PORTFOLIO
    copy.mkdir(parents=True)
    copy_other_results(source, copy)
    for name in ("project.toml", "PORTFOLIO.md"):
        shutil.copyfile(source / name, copy / name)
    return copy.parent


def test_the_grader_copies_manifests_and_results_files_only(results: Path) -> None:
    copied = sorted(p.relative_to(results).as_posix() for p in results.rglob("*") if p.is_file())
    assert "p1_baseline/reports/metrics.json" in copied
    assert "p1_baseline/project.toml" in copied
    assert not [p for p in copied if p.endswith((".py", ".ipynb", ".png"))], copied


def test_every_project_gives_evidence_with_its_world_and_intervals(results: Path) -> None:
    evidence = collect_evidence(results, exclude=(PORTFOLIO,))
    assert not evidence.missing
    assert set(evidence.projects) == set(HEADLINES)
    headline = evidence.get("p1_baseline", "headline.value")
    assert headline is not None and headline.interval is not None
    low, high = headline.interval
    assert low < headline.value < high
    assert evidence.get("p3_pipeline", "auc_point_in_time").interval == (0.793, 0.882)
    assert set(evidence.worlds().values()) == {"default"}


def test_missing_and_broken_results_are_listed_not_raised(results: Path) -> None:
    (results / "p3_pipeline" / "reports" / "pipeline.json").unlink()
    (results / "p4_design" / "reports" / "decision.json").write_text("{broken", encoding="utf-8")
    evidence = collect_evidence(results, exclude=(PORTFOLIO,))
    assert sorted(evidence.missing) == ["p3_pipeline", "p4_design"]
    assert "reports/pipeline.json" in evidence.missing["p3_pipeline"]
    assert "reports/decision.json" in evidence.missing["p4_design"]
    assert not evidence.of("p3_pipeline")


def test_the_solution_portfolio_passes_every_check(results: Path) -> None:
    text = (results / PORTFOLIO / "PORTFOLIO.md").read_text(encoding="utf-8")
    evidence = collect_evidence(results, exclude=(PORTFOLIO,))
    checks = [
        doc.check_sections(text),
        doc.check_role(text),
        doc.check_jobs(text),
        doc.check_translations(text),
    ]
    checks += [doc.check_requirements(text, evidence), doc.check_bullets(text, evidence)]
    assert [f.message for found in checks for f in found] == []


def test_a_number_not_in_the_results_fails_and_is_named(results: Path) -> None:
    text = (results / PORTFOLIO / "PORTFOLIO.md").read_text(encoding="utf-8")
    evidence = collect_evidence(results, exclude=(PORTFOLIO,))
    made_up = text.replace("| p3 | 2,910 |", "| p3 | 3,250 |")
    assert made_up != text
    findings = doc.check_requirements(made_up, evidence)
    assert len(findings) == 1 and "3,250 is not a number in your p3_pipeline results" in findings[0].message


def test_a_number_from_another_project_fails(results: Path) -> None:
    text = (results / PORTFOLIO / "PORTFOLIO.md").read_text(encoding="utf-8")
    evidence = collect_evidence(results, exclude=(PORTFOLIO,))
    moved = text.replace("| p2 | 397 |", "| p3 | 397 |")
    assert [f.kind for f in doc.check_requirements(moved, evidence)] == ["mismatch"]


def test_the_page_shows_every_headline_and_says_which_project_has_no_results(
    results: Path, tmp_path: Path
) -> None:
    (results / "p6_triage" / "reports" / "ladder.json").unlink()
    index = build_page(results, tmp_path / "site")
    page = index.read_text(encoding="utf-8")
    evidence = collect_evidence(results, exclude=(PORTFOLIO,))
    for project, keys in HEADLINES.items():
        item = evidence.get(project, keys[0][0])
        if project != "p6_triage":
            assert f'data-key="{keys[0][0]}">{format_value(item.value)}<' in page, project
    assert "p6_triage: no results yet: reports/ladder.json does not exist" in page
    assert (tmp_path / "site" / "portfolio.html").is_file()
    assert (tmp_path / "site" / "projects" / "p1_baseline.html").is_file()
    assert page.count("<h3>") == 5, "the five interview stories"


def test_a_relative_link_that_does_not_resolve_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "here.html").write_text("x", encoding="utf-8")
    page = '<a href="here.html">kept</a> <a href="../docs/x.md">dropped</a> <a href="https://a.org">web</a>'
    page += '<img src="gone.png" alt="gone">'
    kept = keep_resolving_links(page, tmp_path, tmp_path)
    assert '<a href="here.html">kept</a>' in kept and "<span>dropped</span>" in kept
    assert 'href="https://a.org"' in kept and "gone.png" not in kept


def test_the_command_writes_the_page_and_refuses_a_missing_folder(results: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["portfolio", "--target", str(results), "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "out" / "index.html").is_file()
    missing = runner.invoke(app, ["portfolio", "--target", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_reads_other_projects_must_be_a_boolean(tmp_path: Path) -> None:
    (tmp_path / "rubric.toml").write_text('reads_other_projects = "yes"\n', encoding="utf-8")
    with pytest.raises(RubricError, match="reads_other_projects"):
        read_rubric("p8_portfolio", tmp_path)


def test_the_portfolio_json_of_the_solution_lists_its_headlines() -> None:
    written = json.loads((solutions_dir() / PORTFOLIO / "reports" / "portfolio.json").read_text())
    assert written["missing"] == {} and written["headlines"]
    assert all(row["evidence"] for row in written["requirements"])


def test_the_default_worlds_number_fails_when_the_learners_world_differs(results: Path) -> None:
    path = results / "p7_online" / "reports" / "online.json"
    online = json.loads(path.read_text(encoding="utf-8"))
    online["world"] = "bob"
    peeking = online["peeking"]
    peeking["fpr_naive"], peeking["fpr_end_only"], peeking["fpr_msprt"] = 0.3377, 0.0512, 0.0141
    path.write_text(json.dumps(online), encoding="utf-8")
    text = (results / PORTFOLIO / "PORTFOLIO.md").read_text(encoding="utf-8")
    evidence = collect_evidence(results, exclude=(PORTFOLIO,))
    assert evidence.worlds()["p7_online"] == "bob"
    findings = doc.check_requirements(text, evidence)
    assert [f.kind for f in findings] == ["mismatch"] and "0.2814" in findings[0].message


@pytest.mark.parametrize("results_path", ["/etc/hostname", "reports/../../secret.json", "../secret.json"])
def test_a_sibling_manifest_cannot_name_a_file_outside_its_reports(tmp_path: Path, results_path: str) -> None:
    (tmp_path / "secret.json").write_text('{"token": "s3cret"}')
    sibling, own = tmp_path / "class" / "p1_x", tmp_path / "class" / "p8_portfolio"
    sibling.mkdir(parents=True)
    own.mkdir()
    (sibling / "project.toml").write_text(f'results = "{results_path}"\n')
    copy = tmp_path / "run" / "p8_portfolio"
    copy.mkdir(parents=True)
    copy_other_results(own, copy)
    copied = sorted(p.relative_to(tmp_path / "run") for p in (tmp_path / "run").rglob("*") if p.is_file())
    assert copied == [Path("p1_x/project.toml")], copied
