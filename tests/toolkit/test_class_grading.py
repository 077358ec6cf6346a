"""Grading a class across machines: shards, their merge, lateness and similarity, on a throw-away project.

The class is 13 submissions of the template project (``fixtures/project_template``, as in
``test_new_project.py``) with its notebook left out of the rubric so that one grading takes about half a
second: solutions, starters, partial and broken ones, a hostile one that tries to overwrite its peers, an
empty folder, an independent alternative, and two that share a helper module. It is graded once on one
"machine" and once as three shards, and the merged gradebook must be byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from course.assign import assign
from course.cli import app
from course.grading import confine
from course.grading.shards import Shard, ShardError, parse_shard, select_shard

FIXTURES = Path(__file__).parent / "fixtures"
FOLDER, ID, PACKAGE = "p8_template", "p8", "template_kit"
DEADLINE = "2026-12-01T23:59:00+00:00"
LIMITS = ["--timeout", "30", "--wall", "120", "--memory", "2048", "--jobs", "2"]

PARTIAL = '''
def contact_share(contacted: int, customers: int) -> float:
    """No check for an empty customer base."""
    return contacted / customers
'''
BROKEN = "def contact_share(contacted, customers)\n    return contacted / customers\n"
ALTERNATIVE = '''
def contact_share(contacted: int, customers: int) -> float:
    """Written another way."""
    try:
        share = float(contacted) / float(customers)
    except ZeroDivisionError as error:
        raise ValueError("no customers") from error
    if customers < 0:
        raise ValueError("negative customers")
    return share
'''
PAIR_TWO = '''
def contact_share(contacted: int, customers: int) -> float:
    """Mine."""
    if not customers > 0:
        raise ValueError(f"{customers} customers")
    share = contacted * 1.0 / customers
    return share
'''
SHARED_HELPER = '''"""A helper two learners share."""


def weekly_contacts(events: list[dict], week: int, channel: str = "email") -> dict[str, int]:
    """Count the contacts per customer in one week and channel, skipping the opted-out."""
    counts: dict[str, int] = {}
    for event in events:
        if event.get("week") != week or event.get("channel") != channel:
            continue
        if event.get("opted_out"):
            continue
        customer = str(event["customer"])
        counts[customer] = counts.get(customer, 0) + 1
    return {customer: n for customer, n in sorted(counts.items()) if n > 0}
'''
OWN_HELPER = '''"""A helper of one learner's own."""

import statistics


def median_gap(days: list[float]) -> float:
    """The median gap between consecutive contact days, 0 for fewer than two."""
    ordered = sorted(days)
    gaps = [b - a for a, b in zip(ordered, ordered[1:])]
    return statistics.median(gaps) if gaps else 0.0
'''
HOSTILE = """
import glob as _glob

for _path in _glob.glob("{klass}/*/p8_template/template_kit/core.py"):
    if "/hostile/" not in _path:
        try:
            with open(_path, "a") as _handle:
                _handle.write("\\nraise SystemExit('damaged by a peer')\\n")
        except OSError:
            pass
"""


def git(folder: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@x", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env |= {"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date}
    subprocess.run(["git", "-C", str(folder), *args], env=env, check=True, capture_output=True)


def commit_all(folder: Path, date: str) -> None:
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "work", date=date)


def build_course(root: Path) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "new_project", Path(__file__).parent / "test_new_project.py"
    )
    new_project = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(new_project)
    instantiate = new_project.instantiate
    course = Path(shutil.copytree(FIXTURES / "sample_course", root / "course"))
    instantiate(FIXTURES / "project_template", course)
    assign(course / "solutions", course / "projects", only=[FOLDER])
    # worker isolation (a hostile peer cannot reach the others), no notebook item: ~0.5 s a grading
    (course / "tests" / "graded" / FOLDER / "rubric.toml").write_text('isolation = "worker"\n')
    return course


def build_class(course: Path, klass: Path, hostile: bool) -> None:
    solution, starter = course / "solutions" / FOLDER, course / "projects" / FOLDER

    def add(name: str, source: Path, core: str | None = None, extra: dict[str, str] | None = None) -> Path:
        folder = Path(
            shutil.copytree(source, klass / name / FOLDER, ignore=shutil.ignore_patterns("reports"))
        )
        if core is not None:
            (folder / PACKAGE / "core.py").write_text(core)
        for file, text in (extra or {}).items():
            (folder / PACKAGE / file).write_text(text)
        return folder

    for name in ("sol-a", "sol-b", "sol-c"):
        add(name, solution)
    add("starter-a", starter)
    add("starter-b", starter)
    add("partial-a", starter, PARTIAL)
    add("partial-b", starter, PARTIAL + "\n# my own comment\n")
    add("broken", starter, BROKEN)
    add("alternative", starter, ALTERNATIVE, {"gaps.py": OWN_HELPER})
    add("pair-one", solution, None, {"contacts.py": SHARED_HELPER})
    add("pair-two", starter, PAIR_TWO, {"contacts.py": SHARED_HELPER.replace("counts", "tally")})
    hostile_core = (solution / PACKAGE / "core.py").read_text() + HOSTILE.replace("{klass}", str(klass))
    add("hostile" if hostile else "broken-two", solution, hostile_core if hostile else BROKEN)
    (klass / "empty").mkdir()
    (klass / "empty" / "notes.txt").write_text("nothing submitted")
    (klass / "sol-a" / "learner.toml").write_text('id = "alice"\n')  # as the roster says
    (klass / "sol-b" / "learner.toml").write_text('id = "carol"\n')  # the roster says bob
    commit_all(klass / "sol-a", "2026-12-02T10:00:00+00:00")  # 10 h 1 min late
    commit_all(klass / "sol-b", "2026-11-30T08:00:00+01:00")  # on time


def digest(folder: Path) -> str:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and ".git" not in p.parts)
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


def course_cli(args: list[str]) -> Any:
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    return result


def grade_the_class(tmp: Path) -> dict[str, Any]:
    """The class graded on one machine (deadline, similarity) and as three shards, then merged."""
    course, klass, out = build_course(tmp), tmp / "class", tmp / "out"
    hostile = bool(confine.namespace_prefix()[0])  # only where the worker can be confined
    build_class(course, klass, hostile)
    before = {p.name: digest(p) for p in klass.iterdir() if p.name != "hostile"}
    roster = tmp / "roster.csv"  # sol-a as its learner.toml, sol-b not, pair-one without one, ghost absent
    roster.write_text(
        "submission,learner,email\nsol-a,alice,a@x\nsol-b,bob,b@x\npair-one,dave,\nghost,eve,\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_ROOT", str(course))
        common = ["grade", ID, "--submissions", str(klass), *LIMITS, "--deadline", DEADLINE]
        common += ["--roster", str(roster)]
        results = [course_cli([*common, "--similarity", "--out", str(out / "one")])]
        for k in range(3):
            results.append(course_cli([*common, "--shard", f"{k}/3", "--out", str(out / f"shard-{k}")]))
        shards = [str(out / f"shard-{k}") for k in range(3)]
        merge = ["gradebook", "merge", *shards, "--out", str(out / "merged"), "--submissions", str(klass)]
        results.append(course_cli(merge))
    after = {p.name: digest(p) for p in klass.iterdir() if p.name != "hostile"}
    outcomes = [{"exit_code": r.exit_code, "output": r.output} for r in results]
    return {"out": str(out), "class": str(klass), "results": outcomes, "intact": before == after}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """:func:`grade_the_class`, once per test session: xdist's workers share it through a locked folder."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # one folder per session
    record = shared / "class-grading" / "graded.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    with open(shared / "class-grading.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.is_file():
            record.write_text(json.dumps(grade_the_class(record.parent)))
    data = json.loads(record.read_text())
    return {**data, "out": Path(data["out"]), "class": Path(data["class"])}


def rows(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


@pytest.mark.slow
def test_every_run_completes(graded: dict[str, Any]) -> None:
    for result in graded["results"]:
        assert result["exit_code"] == 0, result["output"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["grades.csv", "grades.json", "similarity.json", "similarity.md"])
def test_merged_shards_are_byte_identical_to_one_machine(graded: dict[str, Any], name: str) -> None:
    out = graded["out"]
    assert (out / "merged" / name).read_bytes() == (out / "one" / name).read_bytes()


@pytest.mark.slow
def test_the_three_shards_partition_the_class(graded: dict[str, Any]) -> None:
    out, names = graded["out"], sorted(p.name for p in graded["class"].iterdir())
    graded_by = [set(rows(out / f"shard-{k}" / "grades.csv")) for k in range(3)]
    assert sorted(n for shard in graded_by for n in shard) == names
    assert [len(shard) for shard in graded_by] == [len(range(k, len(names), 3)) for k in range(3)]


@pytest.mark.slow
def test_scores_follow_the_kind_of_submission(graded: dict[str, Any]) -> None:
    book = rows(graded["out"] / "one" / "grades.csv")
    scores = {name: row["score"] for name, row in book.items()}
    assert {scores[n] for n in ("sol-a", "sol-b", "sol-c", "alternative", "pair-one", "pair-two")} == {"4"}
    assert {scores[n] for n in ("starter-a", "starter-b", "broken", "empty")} == {"0"}
    assert scores["partial-a"] == scores["partial-b"] == "3"


@pytest.mark.slow
def test_a_hostile_submission_damages_no_peer(graded: dict[str, Any]) -> None:
    if not (graded["class"] / "hostile").exists():
        pytest.skip("no mount namespace on this machine: the class has no hostile submission")
    assert graded["intact"], "the hostile submission changed a peer's files"


@pytest.mark.slow
def test_lateness_comes_from_the_last_commit(graded: dict[str, Any]) -> None:
    book = rows(graded["out"] / "one" / "grades.csv")
    late = {
        n: (book[n]["last_commit"], book[n]["late"], book[n]["late_by_hours"]) for n in ("sol-a", "sol-b")
    }
    assert late == {
        "sol-a": ("2026-12-02T10:00:00+00:00", "yes", "10.02"),
        "sol-b": ("2026-11-30T07:00:00+00:00", "no", ""),
    }
    assert (book["sol-c"]["last_commit"], book["sol-c"]["late"]) == ("unknown", "unknown")


@pytest.mark.slow
def test_similarity_flags_the_pair_that_shares_code(graded: dict[str, Any]) -> None:
    book = rows(graded["out"] / "one" / "grades.csv")
    flagged = {name: row["similar_to"] for name, row in book.items() if row["similar_to"]}
    assert set(flagged) == {"pair-one", "pair-two"}, flagged
    assert flagged["pair-one"].startswith("pair-two (")
    report = json.loads((graded["out"] / "one" / "similarity.json").read_text())
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("pair-one", "pair-two")]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3/3", "K must be between 0 and 2"),
        ("0/0", r"N \(the number of shards\) must be at least 1"),
        ("a/b", "write K/N with whole numbers"),
    ],
)
def test_a_bad_shard_is_refused_by_name(value: str, message: str) -> None:
    with pytest.raises(ShardError, match=message):
        parse_shard(value)


def test_the_cli_refuses_a_bad_shard_before_grading(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["grade", "p1", "--submissions", str(tmp_path), "--shard", "3/3"])
    assert result.exit_code == 2 and "--shard '3/3'" in result.output


def test_a_shard_needs_out(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["grade", "p1", "--submissions", str(tmp_path), "--shard", "0/2"])
    assert result.exit_code == 2 and "add --out DIR" in result.output


def test_the_shard_rule_ignores_the_order_of_folders() -> None:
    names = [f"learner-{n:02d}" for n in range(12)]
    shuffled = names[5:] + names[:5]
    for k in range(3):
        assert sorted(select_shard(names, names, Shard(k, 3))) == sorted(
            select_shard(shuffled, shuffled, Shard(k, 3))
        )


# --- merge refusals, on copies of the graded shards ---------------------------------------------------


def shard_copy(graded: dict[str, Any], tmp_path: Path, k: int, edit: dict[str, Any] | None = None) -> Path:
    copy = Path(shutil.copytree(graded["out"] / f"shard-{k}", tmp_path / f"copy-{k}"))
    if edit:
        manifest = json.loads((copy / "shard.json").read_text())
        manifest.update(edit)
        (copy / "shard.json").write_text(json.dumps(manifest))
    return copy


def merge(*folders: Path, out: Path) -> Any:
    return CliRunner().invoke(app, ["gradebook", "merge", *map(str, folders), "--out", str(out)])


@pytest.mark.slow
def test_merge_refuses_a_missing_shard(graded: dict[str, Any], tmp_path: Path) -> None:
    out = graded["out"]
    result = merge(out / "shard-0", out / "shard-1", out=tmp_path / "m")
    assert result.exit_code == 2 and "missing shard 2/3" in result.output


@pytest.mark.slow
def test_merge_refuses_the_same_submission_twice(graded: dict[str, Any], tmp_path: Path) -> None:
    out = graded["out"]
    impostor = shard_copy(graded, tmp_path, 0, {"shard": {"index": 1, "count": 3}})
    result = merge(out / "shard-0", impostor, out / "shard-2", out=tmp_path / "m")
    assert result.exit_code == 2 and "is in two shards" in result.output


@pytest.mark.slow
def test_merge_refuses_another_project(graded: dict[str, Any], tmp_path: Path) -> None:
    out = graded["out"]
    other = shard_copy(graded, tmp_path, 1, {"project": "p1_baseline"})
    result = merge(out / "shard-0", other, out / "shard-2", out=tmp_path / "m")
    assert result.exit_code == 2 and "differ in their project" in result.output


@pytest.mark.slow
def test_merge_refuses_another_rubric(graded: dict[str, Any], tmp_path: Path) -> None:
    out = graded["out"]
    other = shard_copy(graded, tmp_path, 1, {"rubric": [{"id": "p8.core.share", "points": 5}]})
    result = merge(out / "shard-0", other, out / "shard-2", out=tmp_path / "m")
    assert result.exit_code == 2 and "differ in their rubric" in result.output


@pytest.mark.slow
def test_merge_names_a_malformed_report(graded: dict[str, Any], tmp_path: Path) -> None:
    out = graded["out"]
    damaged = shard_copy(graded, tmp_path, 1)
    victim = next(damaged.glob("*/grade.json"))
    victim.write_text("{not json")
    result = merge(out / "shard-0", damaged, out / "shard-2", out=tmp_path / "m")
    assert result.exit_code == 2 and str(victim) in result.output.replace("\n", "")


def test_merge_refuses_a_folder_that_is_not_a_shard(tmp_path: Path) -> None:
    result = merge(tmp_path, out=tmp_path / "m")
    assert result.exit_code == 2 and "no shard.json" in result.output


@pytest.mark.slow
def test_the_roster_pins_each_world_and_flags_what_does_not_match(graded: dict[str, Any]) -> None:
    book = rows(graded["out"] / "one" / "grades.csv")
    assert {n: book[n]["learner"] for n in ("sol-a", "sol-b", "pair-one")} == {
        "sol-a": "alice",
        "sol-b": "bob",
        "pair-one": "dave",
    }, "a submission on the roster is graded in its learner's world, whatever its learner.toml says"
    assert book["sol-a"]["world_flags"] == "", "sol-a matches the roster: nothing to flag"
    assert "names learner 'carol'" in book["sol-b"]["world_flags"]
    assert "is missing" in book["pair-one"]["world_flags"]
    assert "not on the roster" in book["sol-c"]["world_flags"]
    assert "ghost" in graded["results"][0]["output"], "a roster name with no submission is reported"
