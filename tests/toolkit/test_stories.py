"""``course stories``: drafts quote a project's own results, refuse clearly, and never lose edits."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from mkdocs.exceptions import PluginError
from typer.testing import CliRunner

from course import stories
from course.cli import app
from course.paths import projects_dir, repo_root, solutions_dir

P1 = "p1_baseline"


def _metrics() -> dict:
    return json.loads((solutions_dir() / P1 / "reports" / "metrics.json").read_text(encoding="utf-8"))


@pytest.fixture
def p1_copy(tmp_path: Path) -> Path:
    """A project folder named p1_baseline with the solution's README and results only."""
    folder = tmp_path / P1
    (folder / "reports").mkdir(parents=True)
    shutil.copyfile(solutions_dir() / P1 / "README.md", folder / "README.md")
    shutil.copyfile(solutions_dir() / P1 / "reports" / "metrics.json", folder / "reports" / "metrics.json")
    return folder


@pytest.fixture
def starter_copy(tmp_path: Path) -> Path:
    """A copy of the untouched starter projects/p1_baseline, which has no reports/ yet."""
    return Path(shutil.copytree(projects_dir() / P1, tmp_path / "starter" / P1))


def _hook() -> ModuleType:
    """The stories hook, loaded by path as mkdocs loads it."""
    path = repo_root() / "docs" / "hooks" / "stories.py"
    spec = importlib.util.spec_from_file_location("docs_hook_stories", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_p1_draft_quotes_the_numbers_of_its_metrics() -> None:
    metrics = _metrics()
    draft = stories.draft_stories(solutions_dir() / P1, P1)
    expected = [
        stories.format_score(metrics["headline"]["value"]),
        stories.format_score(metrics["headline"]["ci_low"]),
        stories.format_score(metrics["headline"]["ci_high"]),
        stories.format_score(metrics["models"]["logistic"]["pr_auc"]),
        stories.format_score(metrics["leakage"]["pr_auc_with_leaks"]),
        stories.format_score(metrics["threshold"]["value"]),
        stories.format_share(metrics["threshold"]["share_contacted"]),
        stories.format_amount(metrics["models"]["rule"]["expected_profit"]),
        stories.format_amount(metrics["data"]["n_test"]),
    ]
    assert [value for value in expected if value not in draft] == []


def test_p1_draft_tells_its_three_stories_in_star_form() -> None:
    draft = stories.draft_stories(solutions_dir() / P1, P1)
    assert re.findall(r"^## (.+)$", draft, re.MULTILINE) == [
        "Baseline story",
        "Data story",
        "Evaluation story",
    ]
    assert draft.count("**Situation.**") == draft.count("**Result.**") == 3


@pytest.mark.parametrize("project", list(stories.project_specs()))
def test_every_solution_drafts_without_unfilled_fields(project: str) -> None:
    draft = stories.draft_stories(solutions_dir() / project, project)
    assert draft.startswith(f"# Interview stories: {project}\n")
    assert re.findall(r"\{\w+\}", draft) == []
    assert draft.count("### Follow-up questions to prepare") == len(stories.stories_for(project))


def test_a_starter_without_results_gets_a_clear_refusal(starter_copy: Path) -> None:
    with pytest.raises(stories.StoriesError) as caught:
        stories.draft_stories(starter_copy, P1)
    message = str(caught.value)
    assert message.startswith("reports/metrics.json not found in ")
    assert message.endswith(": run baseline.ipynb top to bottom first.")


def test_an_unanswered_readme_question_is_named_not_quoted(starter_copy: Path, p1_copy: Path) -> None:
    shutil.copytree(p1_copy / "reports", starter_copy / "reports")
    draft = stories.draft_stories(starter_copy, P1)
    assert "“3. Which baseline does the model beat”: not answered yet" in draft
    assert "_Your answer here._" not in draft


def test_malformed_json_names_the_file(p1_copy: Path) -> None:
    (p1_copy / "reports" / "metrics.json").write_text('{"schema_version": 1,', encoding="utf-8")
    with pytest.raises(stories.StoriesError, match=r"reports/metrics\.json in .* is not valid JSON \(line 1"):
        stories.draft_stories(p1_copy, P1)


def test_a_missing_key_names_the_file_and_the_key(p1_copy: Path) -> None:
    path = p1_copy / "reports" / "metrics.json"
    metrics = json.loads(path.read_text(encoding="utf-8"))
    del metrics["calibration"]["ece_raw"]
    path.write_text(json.dumps(metrics), encoding="utf-8")
    with pytest.raises(
        stories.StoriesError, match=r"reports/metrics\.json in .* has no key 'calibration\.ece_raw'"
    ):
        stories.draft_stories(p1_copy, P1)


def test_the_command_writes_stories_md_into_the_target(p1_copy: Path) -> None:
    result = CliRunner().invoke(app, ["stories", "p1", "--target", str(p1_copy)])
    assert result.exit_code == 0, result.output
    written = (p1_copy / "STORIES.md").read_text(encoding="utf-8")
    assert written == stories.draft_stories(p1_copy, P1)
    assert [path.name for path in p1_copy.iterdir() if path.name.endswith(".tmp")] == []


def test_the_command_refuses_to_overwrite_without_force(p1_copy: Path) -> None:
    (p1_copy / "STORIES.md").write_text("my edits\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["stories", "p1", "--target", str(p1_copy)])
    assert result.exit_code == 2
    assert "STORIES.md already exists" in result.output and "--force" in result.output
    assert (p1_copy / "STORIES.md").read_text(encoding="utf-8") == "my edits\n"


def test_force_replaces_an_existing_draft(p1_copy: Path) -> None:
    (p1_copy / "STORIES.md").write_text("my edits\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["stories", "p1_baseline", "--target", str(p1_copy), "--force"])
    assert result.exit_code == 0, result.output
    assert (p1_copy / "STORIES.md").read_text(encoding="utf-8").startswith("# Interview stories: p1_baseline")


def test_stdout_prints_the_draft_without_writing(p1_copy: Path) -> None:
    result = CliRunner().invoke(app, ["stories", "p1", "--target", str(p1_copy), "--stdout"])
    assert result.exit_code == 0, result.output
    assert result.stdout == stories.draft_stories(p1_copy, P1)
    assert not (p1_copy / "STORIES.md").exists()


def test_the_command_refuses_a_starter_with_exit_2(starter_copy: Path) -> None:
    result = CliRunner().invoke(app, ["stories", "p1", "--target", str(starter_copy)])
    assert result.exit_code == 2
    assert "reports/metrics.json not found" in result.output and "baseline.ipynb" in result.output
    assert not (starter_copy / "STORIES.md").exists()


def test_the_hook_replaces_markers_and_leaves_fenced_code_alone() -> None:
    hook = _hook()
    fenced = "```markdown\n<!-- story-example: p1 baseline -->\n```"
    page = hook.replace_markers(
        f"# Baseline\n\n{fenced}\n\n<!-- story-example: p1 baseline -->\n", "docs/x.md"
    )
    assert page.startswith(f"# Baseline\n\n{fenced}\n\n> **They ask:**")
    assert stories.format_score(_metrics()["headline"]["value"]) in page
    assert page.count("story-example") == 1


def test_the_hook_fails_the_build_on_an_unknown_story() -> None:
    with pytest.raises(PluginError, match=r"docs/x\.md: cannot render .*p2_serving has no 'baseline' story"):
        _hook().replace_markers("<!-- story-example: p2 baseline -->", "docs/x.md")


def test_the_draft_names_the_learners_world(p1_copy: Path) -> None:
    (p1_copy / "learner.toml").write_text('id = "alice"\n')
    metrics = p1_copy / "reports" / "metrics.json"
    metrics.write_text(json.dumps({**json.loads(metrics.read_text()), "world": "alice"}))
    assert "World: learner `alice`" in stories.draft_stories(p1_copy, P1)


def test_the_draft_warns_when_the_results_come_from_another_world(p1_copy: Path) -> None:
    (p1_copy / "learner.toml").write_text('id = "alice"\n')
    metrics = p1_copy / "reports" / "metrics.json"
    metrics.write_text(json.dumps({**json.loads(metrics.read_text()), "world": "default"}))
    draft = stories.draft_stories(p1_copy, P1)
    assert "was written in the world of `default`" in draft and "names `alice`" in draft


def test_a_draft_in_the_default_world_says_so(p1_copy: Path) -> None:
    assert "World: the default world" in stories.draft_stories(p1_copy, P1)
