"""Whose world a submission is graded in: the class roster, and the flags for what does not match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course.grading import classroom
from course.grading.classroom import Submission, grade_class
from course.grading.reports import GradeReport, ItemResult, to_markdown
from course.grading.rubric import Rubric
from course.grading.world_check import world_flags
from course.grading.world_roster import WorldRosterError, read_world_roster
from course.worlds import World


def roster_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_roster_maps_submissions_to_learner_ids(tmp_path: Path) -> None:
    path = roster_file(tmp_path, "Name,Submission,Learner\nAda,ada-repo,Ada.L\n,,\nBo,bo-repo,bo\n")
    assert read_world_roster(path) == {"ada-repo": "ada.l", "bo-repo": "bo"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("submission,email\na,x\n", "missing learner"),
        ("submission,learner\na,alice\na,bob\n", "line 3: submission 'a' is listed twice"),
        ("submission,learner\na,not an id!\n", "line 2"),
        ("submission,learner\n,alice\n", "line 2: the submission is empty"),
        ("submission,learner\n", "lists no submission"),
    ],
)
def test_a_bad_roster_is_refused_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(WorldRosterError, match=message):
        read_world_roster(roster_file(tmp_path, text))


def test_a_missing_roster_is_named(tmp_path: Path) -> None:
    with pytest.raises(WorldRosterError, match="no such file"):
        read_world_roster(tmp_path / "nope.csv")


def submission(tmp_path: Path, learner: str | None, results_world: str | None) -> Path:
    """A clone with a project folder, an optional learner.toml and an optional results file."""
    folder = tmp_path / "clone" / "projects" / "p7_online"
    (folder / "reports").mkdir(parents=True)
    if learner is not None:
        (tmp_path / "clone" / "learner.toml").write_text(f'id = "{learner}"\n')
    if results_world is not None:
        (folder / "reports" / "online.json").write_text(json.dumps({"world": results_world, "x": 1}))
    return folder


def test_a_submission_in_its_own_world_has_no_flag(tmp_path: Path) -> None:
    folder = submission(tmp_path, "alice", "alice")
    assert world_flags(folder, World("alice"), pinned=True) == []
    assert world_flags(folder, World("alice"), pinned=False) == []


def test_another_learners_toml_is_flagged_when_the_world_is_pinned(tmp_path: Path) -> None:
    folder = submission(tmp_path, "carol", None)
    (flag,) = world_flags(folder, World("alice"), pinned=True)
    assert "names learner 'carol'" in flag and "'alice'" in flag


def test_a_results_file_from_the_default_world_is_flagged(tmp_path: Path) -> None:
    folder = submission(tmp_path, "alice", "default")
    (flag,) = world_flags(folder, World("alice"), pinned=False)
    assert flag.startswith("reports/online.json was written in the default world")


def test_a_missing_learner_toml_is_flagged_only_when_pinned(tmp_path: Path) -> None:
    folder = submission(tmp_path, None, None)
    assert world_flags(folder, World("default"), pinned=False) == []
    (flag,) = world_flags(folder, World("bob"), pinned=True)
    assert "is missing" in flag


def fake_grade(project: str, target: Path, **kw: object) -> GradeReport:
    learner = str(kw.get("learner") or "own")
    return GradeReport(project, str(target), [ItemResult("a", "a", 1, 1)], submission=str(kw["submission"]),
                       learner=learner)  # fmt: skip


def test_class_grading_pins_the_rosters_world_and_flags_the_unlisted(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(classroom, "grade_submission", fake_grade)
    subs = [Submission("ada", tmp_path / "ada"), Submission("zed", tmp_path / "zed")]
    rubric = Rubric(project="p7_online", items=[])
    reports = grade_class("p7_online", subs, rubric, jobs=1, roster={"ada": "ada-world"})
    assert [r.learner for r in reports] == ["ada-world", "own"]
    assert reports[0].world_flags == []
    assert "zed is not on the roster" in reports[1].world_flags[0]


def test_the_report_names_the_world_and_its_flags() -> None:
    report = GradeReport("p7_online", "/x", [ItemResult("a", "a", 1, 1)], learner="alice",
                         world_flags=["reports/online.json was written in the default world"])  # fmt: skip
    text = to_markdown(report)
    assert "world: `alice`" in text
    assert "## World" in text and "written in the default world" in text
    assert report.to_dict()["learner"] == "alice"
