"""A learner's world: ``course init`` and ``learner.toml``, the parameters derived from the id, and the
offers' world (project 7), which plants every lesson in every learner's world with different strengths."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from course import worlds
from course.data import _offers_laws as laws
from course.data import offers

IDS = ("alice", "bob", "carol")


def test_the_default_world_is_the_generators_defaults() -> None:
    world = worlds.World(worlds.DEFAULT_ID)
    assert world.seed == 0 and world.params("offers") == {} and world.label == "default"
    assert world.params("churn") == {}
    assert laws.Laws.from_params(world.params("offers")) == laws.DEFAULT_LAWS


def test_an_id_always_gives_the_same_parameters_and_two_ids_differ() -> None:
    assert worlds.World("alice").params("offers") == worlds.World("alice").params("offers")
    assert worlds.World("alice").params("offers") != worlds.World("bob").params("offers")
    assert worlds.World("alice").params("churn") == worlds.World("alice").params("churn")
    assert worlds.World("alice").params("churn") != worlds.World("bob").params("churn")
    assert worlds.World("alice").seed != worlds.World("bob").seed


def test_a_learners_parameters_stay_in_their_ranges() -> None:
    for learner in IDS:
        drawn = laws.Laws.from_params(worlds.World(learner).params("offers"))
        for arm in laws.OFFERS:
            low, high = laws.PERSUADABLE_RANGE[arm]
            assert low <= drawn.persuadable_shift[arm] <= high
            low, high = laws.BASE_RANGE[arm]
            assert low <= drawn.base_shift[arm] <= high
        assert laws.SLEEPING_DOG_RANGE[0] <= drawn.sleeping_dog_shift <= laws.SLEEPING_DOG_RANGE[1]


@pytest.mark.parametrize("bad", ["", "Has Space", "-dash-first", "x" * 65, "é"])
def test_a_malformed_id_is_refused_by_name(bad: str) -> None:
    with pytest.raises(worlds.WorldError, match="learner id"):
        worlds.check_id(bad, "--id")


def test_init_writes_learner_toml_and_keeps_it(tmp_path: Path) -> None:
    world = worlds.init(tmp_path, "alice")
    assert world.learner == "alice" and worlds.read_learner(tmp_path) == world
    assert worlds.init(tmp_path).learner == "alice"  # a second `course init` keeps the world
    with pytest.raises(worlds.WorldError, match="--force"):
        worlds.init(tmp_path, "bob")
    assert worlds.init(tmp_path, "bob", force=True).learner == "bob"


def test_init_derives_an_id_from_git_without_storing_the_address(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "config", "user.email", "Ada@Example.org"], check=True)
    world = worlds.init(tmp_path)
    assert world.learner.startswith("u-") and "example" not in (tmp_path / worlds.LEARNER_FILE).read_text()
    assert world.learner == worlds.derived_id(tmp_path)


def test_current_reads_the_variable_then_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(worlds.ENV_VAR, raising=False)
    assert worlds.current(tmp_path).is_default
    worlds.init(tmp_path, "alice")
    assert worlds.current(tmp_path).learner == "alice"
    monkeypatch.setenv(worlds.ENV_VAR, "bob")
    assert worlds.current(tmp_path).learner == "bob"


def test_a_submission_s_world_is_found_from_its_project_folder(tmp_path: Path) -> None:
    folder = tmp_path / "projects" / "p7_online"
    folder.mkdir(parents=True)
    assert worlds.learner_of(folder).is_default
    worlds.init(tmp_path, "carol")
    assert worlds.learner_of(folder).learner == "carol"


@pytest.fixture(scope="module")
def people():
    """February's population in the default world."""
    return offers.population(worlds.World("default").churn(), offers.EXPERIMENT_MONTH)


@pytest.fixture(scope="module")
def planted(people) -> dict[str, dict[str, object]]:
    """Each world's lessons of project 7, in its own churn tables (each learner's churn world differs)."""
    truths = {
        "default": offers.oracle(worlds.World("default").churn(), offers.EXPERIMENT_MONTH, people=people)
    }
    for learner in IDS:
        world = worlds.World(learner).churn()
        truths[learner] = offers.oracle(world, offers.EXPERIMENT_MONTH)
    return {learner: offers.lessons(truth) for learner, truth in truths.items()}


def test_a_learners_churn_world_is_built_with_their_parameters() -> None:
    world = worlds.World("bob").churn(n_customers=300, months=14)
    params = worlds.World("bob").params("churn")
    assert world.params["drift_month"] == params["drift_month"]
    assert list(world.crm_columns()) == list(params["leaks"].values())
    assert world.params["offers"] == worlds.World("bob").params("offers")


def test_every_world_plants_every_lesson_of_project_7(planted: dict[str, dict[str, object]]) -> None:
    for learner, found in planted.items():
        assert found["best_overall"] == "discount", learner
        assert found["best_recent_tickets"] == "call", learner
        assert found["sleeping_dog_harm"] > 0.05, learner
        assert found["lost_cause_effect"] < 0.01, learner


def test_learners_worlds_differ_in_the_lessons_not_only_in_the_noise(
    planted: dict[str, dict[str, object]],
) -> None:
    harms = {learner: round(float(found["sleeping_dog_harm"]), 3) for learner, found in planted.items()}
    edges = {
        learner: round(
            found["retention_recent_tickets"]["call"] - found["retention_recent_tickets"]["discount"], 4
        )
        for learner, found in planted.items()
    }
    lessons = {learner: (harms[learner], edges[learner]) for learner in planted}
    # how much contact wakes a sleeping dog, and how much better the call does for recent tickets
    assert len(set(lessons.values())) == len(lessons), lessons


def test_the_weakest_corner_of_the_ranges_still_plants_the_call_lesson(people) -> None:
    corner = laws.Laws(
        base_shift={
            "discount": laws.BASE_RANGE["discount"][0],
            "call": laws.BASE_RANGE["call"][1],
            "upgrade": -0.1,
        },
        persuadable_shift={
            "discount": laws.PERSUADABLE_RANGE["discount"][0],
            "call": laws.PERSUADABLE_RANGE["call"][1],
            "upgrade": laws.PERSUADABLE_RANGE["upgrade"][0],
        },
        sleeping_dog_shift=laws.SLEEPING_DOG_RANGE[0],
    )
    base = worlds.World("default").churn()
    world = type(base)(**{**base.__dict__, "params": {**base.params, "offers": corner.to_params()}})
    found = offers.lessons(offers.oracle(world, offers.EXPERIMENT_MONTH, people=people))
    assert found["best_recent_tickets"] == "call" and found["best_overall"] == "discount", found


@pytest.mark.slow
def test_project_1_s_solution_earns_every_item_in_a_learners_world_but_the_prose_numbers() -> None:
    """Project 1 holds on a learner's world: only the written answers that quote the default world's
    numbers lose (``tools/worlds_check.py`` grades every world project in learners' worlds)."""
    import importlib.util

    from course.grading.runner import grade_submission
    from course.paths import repo_root

    spec = importlib.util.spec_from_file_location("worlds_check", repo_root() / "tools" / "worlds_check.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    report = grade_submission("p1", "solutions", learner="bob")
    prose = check.PROSE_ITEMS["p1"]
    short = {i.id: i.message for i in report.items if i.earned < i.points and i.id not in prose}
    assert not short, short
    assert all(i.earned < i.points for i in report.items if i.id in prose), "the prose kept its numbers"


def _worlds_check():
    import importlib.util

    from course.paths import repo_root

    spec = importlib.util.spec_from_file_location("worlds_check", repo_root() / "tools" / "worlds_check.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    return check


def test_worlds_check_grades_p1_and_p7_in_every_world_and_p3_p5_in_one_rotating(monkeypatch) -> None:
    """worlds-check keeps p1 and p7 in the three worlds; p3 and p5 take one learner's world per landing,
    the commit count modulo 3 (``WORLDS_CHECK_ROTATION`` overrides it)."""
    check = _worlds_check()
    for rotation, learner in (("0", "alice"), ("4", "bob"), ("8", "carol")):
        monkeypatch.setenv("WORLDS_CHECK_ROTATION", rotation)
        pairs = check.plan()
        assert [p for p in pairs if p[0] in ("p1", "p7")] == [
            (project, name) for project in ("p1", "p7") for name in check.LEARNERS
        ]
        assert [p for p in pairs if p[0] in ("p3", "p5")] == [("p3", learner), ("p5", learner)]
    monkeypatch.setenv("WORLDS_CHECK_ROTATION", "all")
    assert len(check.plan()) == 4 * len(check.LEARNERS)
    monkeypatch.delenv("WORLDS_CHECK_ROTATION")
    assert len(check.plan()) == 2 * len(check.LEARNERS) + 2
    assert set(check.PROSE_ITEMS) == {*check.EVERY_WORLD, *check.ROTATING}
