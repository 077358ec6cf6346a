"""--target forms, the submission copy, and how class mode finds submissions."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from course.grading.classroom import find_submissions
from course.grading.runner import GradingError
from course.grading.targets import TargetError, copy_project, resolve_target

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path / "course"))


def project_folder(where: Path) -> Path:
    """A copy of the sample solution at ``where``."""
    return Path(shutil.copytree(SAMPLE / "solutions" / "p1_baseline", where))


def test_keywords_resolve_inside_the_course(course: Path) -> None:
    assert resolve_target("solutions", "p1_baseline", course) == course / "solutions" / "p1_baseline"
    assert resolve_target("projects", "p1_baseline", course) == course / "projects" / "p1_baseline"
    assert resolve_target(None, "p1_baseline", course) == course / "solutions" / "p1_baseline"


def test_a_clone_resolves_to_its_projects_folder(tmp_path: Path) -> None:
    clone = tmp_path / "alice"
    project_folder(clone / "projects" / "p1_baseline")
    assert resolve_target(clone, "p1_baseline") == clone / "projects" / "p1_baseline"


def test_a_folder_holding_the_project_resolves_to_it(tmp_path: Path) -> None:
    project_folder(tmp_path / "bob" / "p1_baseline")
    assert resolve_target(tmp_path / "bob", "p1_baseline") == tmp_path / "bob" / "p1_baseline"


def test_a_project_folder_with_any_name_is_itself(tmp_path: Path) -> None:
    folder = project_folder(tmp_path / "carol")
    assert resolve_target(folder, "p1_baseline") == folder


def test_a_missing_target_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="nope: the folder does not exist"):
        resolve_target(tmp_path / "nope", "p1_baseline")


def test_a_clone_without_the_project_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "dave" / "projects" / "p2_serving").mkdir(parents=True)
    with pytest.raises(TargetError, match="no projects/p1_baseline/ folder"):
        resolve_target(tmp_path / "dave", "p1_baseline")


def test_the_untrusted_copy_drops_configuration_links_and_data(tmp_path: Path) -> None:
    source = project_folder(tmp_path / "src")
    for name in ("conftest.py", "pytest.ini", "sitecustomize.py", "tinypkg/evil.pth", "data/raw.csv", "x.db"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("x")
    os.symlink("/etc/hostname", source / "link.txt")
    dropped = copy_project(source, tmp_path / "dst", untrusted=True)
    assert sorted(dropped) == [
        "conftest.py",
        "link.txt",
        "pytest.ini",
        "sitecustomize.py",
        "tinypkg/evil.pth",
    ]
    copied = sorted(p.relative_to(tmp_path / "dst").as_posix() for p in (tmp_path / "dst").rglob("*"))
    assert copied == [
        "analysis.ipynb",
        "project.toml",
        "tinypkg",
        "tinypkg/__init__.py",
        "tinypkg/mathops.py",
    ]


def test_the_graders_copy_leaves_shipped_results_behind_and_a_trusted_copy_keeps_them(tmp_path: Path) -> None:
    source = project_folder(tmp_path / "src")
    for name in ("reports/metrics.json", "artifacts/model.skops", "mlruns/0/meta.yaml", "tinypkg/data/x.csv"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("{}")
    copy_project(source, tmp_path / "graded", untrusted=True)
    copy_project(source, tmp_path / "trusted")
    assert not (tmp_path / "graded" / "reports").exists(), (
        "a stale results file would stand in for the notebook's"
    )
    assert (tmp_path / "trusted" / "reports" / "metrics.json").is_file()
    for copy in ("graded", "trusted"):
        assert not (tmp_path / copy / "artifacts").exists() and not (tmp_path / copy / "mlruns").exists()
        assert (tmp_path / copy / "tinypkg" / "data" / "x.csv").is_file(), (
            "only data/ at the root is generated"
        )


def test_class_mode_takes_clones_project_folders_and_class_folders(tmp_path: Path) -> None:
    project_folder(tmp_path / "alice" / "projects" / "p1_baseline")  # a clone
    project_folder(tmp_path / "class" / "bob")  # a class folder of project folders
    project_folder(tmp_path / "class" / "carol")
    subs = find_submissions([tmp_path / "alice", tmp_path / "class"], "p1_baseline")
    assert [(s.name, s.path.name) for s in subs] == [("alice", "alice"), ("bob", "bob"), ("carol", "carol")]


def test_class_mode_rejects_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(GradingError, match="neither a submission nor a folder of submissions"):
        find_submissions([tmp_path / "empty"], "p1_baseline")
