"""A learner's world: ``course init`` and ``learner.toml``, the parameters derived from the id, and the
offers' world (project 7), which plants every lesson in every learner's world with different strengths."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
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


def test_worlds_check_grades_p1_p2_p4_p7_in_every_world_and_p3_p5_p6_in_one_rotating(monkeypatch) -> None:
    """worlds-check keeps p1, p2, p4 and p7 in the three worlds; p3, p5 and p6 take one learner's world per
    landing, the commit count modulo 3 (``WORLDS_CHECK_ROTATION`` overrides it)."""
    check = _worlds_check()
    for rotation, learner in (("0", "alice"), ("4", "bob"), ("8", "carol")):
        monkeypatch.setenv("WORLDS_CHECK_ROTATION", rotation)
        pairs = check.plan()
        assert [p for p in pairs if p[0] in ("p1", "p2", "p4", "p7")] == [
            (project, name) for project in ("p1", "p2", "p4", "p7") for name in check.LEARNERS
        ]
        assert [p for p in pairs if p[0] in ("p3", "p5", "p6")] == [
            ("p3", learner),
            ("p5", learner),
            ("p6", learner),
        ]
    monkeypatch.setenv("WORLDS_CHECK_ROTATION", "all")
    assert len(check.plan()) == 7 * len(check.LEARNERS)
    monkeypatch.delenv("WORLDS_CHECK_ROTATION")
    assert len(check.plan()) == 4 * len(check.LEARNERS) + 3
    assert set(check.PROSE_ITEMS) == {*check.EVERY_WORLD, *check.ROTATING}


# The fraud world (project 4): every learner's world plants project 4's lessons, with different strengths.

FRAUD_SIZE = {"n_transactions": 400_000, "days": 120}  # project 4's notebook draws this world


def _p4_policy():
    """Project 4's cost and capacity assumptions, read from the reference solution's assumptions.toml."""
    import tomllib

    from course.data._fraud_world import Policy
    from course.paths import repo_root

    raw = tomllib.loads((repo_root() / "solutions" / "p4_design" / "assumptions.toml").read_text())
    return Policy(
        review_usd=raw["costs"]["review_usd"],
        false_decline_usd=raw["costs"]["false_decline_usd"],
        daily_transactions=raw["volume"]["daily_transactions"],
        review_capacity_per_day=raw["volume"]["review_capacity_per_day"],
    )


@pytest.fixture(scope="module")
def fraud_lessons() -> dict[str, dict[str, float]]:
    """Project 4's lessons in the default world and in each learner's fraud world."""
    from course.data._fraud_world import lessons

    policy = _p4_policy()
    return {
        learner: lessons(worlds.World(learner).fraud(**FRAUD_SIZE).transactions, policy)
        for learner in ("default", *IDS)
    }


def test_the_default_fraud_world_takes_no_parameters() -> None:
    from course.data import fraud

    world = worlds.World(worlds.DEFAULT_ID).fraud(n_transactions=5_000)
    assert "world" not in world.params and world.params == fraud.generate(n_transactions=5_000).params


def test_a_learners_fraud_world_is_built_with_their_parameters() -> None:
    params = worlds.World("bob").params("fraud")
    world = worlds.World("bob").fraud(n_transactions=20_000, days=30)
    assert world.params["world"] == params and world.params["fraud_rate"] == params["fraud_rate"]


def test_a_learners_fraud_parameters_stay_in_their_ranges() -> None:
    from course.data import _fraud_world as fw

    for learner in IDS:
        drawn = worlds.World(learner).params("fraud")
        assert fw.FRAUD_RATE_RANGE[0] <= drawn["fraud_rate"] <= fw.FRAUD_RATE_RANGE[1], learner
        assert fw.AMOUNT_MEDIAN_RANGE[0] <= drawn["fraud_amount_median"] <= fw.AMOUNT_MEDIAN_RANGE[1]
        assert fw.CHARGEBACK_SCALE_RANGE[0] <= drawn["chargeback_scale_days"] <= fw.CHARGEBACK_SCALE_RANGE[1]
        assert set(drawn["fraud_categories"]) <= set(fw.PEAK_CATEGORIES), learner


def test_a_fraud_world_rebuilds_from_its_params_after_a_json_round_trip() -> None:
    import json

    from course.data import fraud

    world = worlds.World("carol").fraud(n_transactions=20_000, days=30)
    again = fraud.load_world(**json.loads(json.dumps(world.params)))
    assert again.params == world.params
    pd.testing.assert_frame_equal(again.transactions, world.transactions)


def test_a_learners_fraud_peaks_in_their_categories() -> None:
    world = worlds.World("alice").fraud(n_transactions=100_000, days=30)
    peaks = world.params["world"]["fraud_categories"]
    tx = world.transactions
    top = tx.loc[tx["is_fraud"] == 1, "merchant_category"].value_counts().index[:2].tolist()
    assert top == peaks


def test_every_fraud_world_plants_the_label_maturity_lesson(fraud_lessons) -> None:
    for learner, found in fraud_lessons.items():
        assert found["recent_known_share"] < 0.5, learner  # the last month looks safer than it is
        assert found["matured_known_share"] >= 0.995, learner  # the matured window's labels are complete
        assert found["matured_days"] >= 30, learner  # enough days to calibrate on half, compare on half


def test_every_fraud_world_plants_the_capacity_lessons(fraud_lessons) -> None:
    for learner, found in fraud_lessons.items():
        assert found["capacity_ratio"] > 2, learner  # the capacity, not the costs, sets the threshold
        assert found["analyst_value"] > 2, learner  # the next analyst pays for themselves
        assert found["rule_reviews"] > 1.5 * _p4_policy().review_capacity_per_day, learner  # rule overflows
        assert found["expected_loss_saving"] > 0, learner  # score x amount beats the score within capacity


def test_learners_fraud_worlds_differ_in_the_lessons_not_only_in_the_noise(fraud_lessons) -> None:
    lessons = {
        learner: (round(found["matured_days"]), round(found["capacity_ratio"], 1))
        for learner, found in fraud_lessons.items()
    }
    # how long the labels take to mature, and how far the cheapest threshold overflows the review team
    assert len(set(lessons.values())) == len(lessons), lessons


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("fraud_rate", 0.5),
        ("fraud_categories", ["travel", "travel"]),
        ("fraud_categories", ["travel", "casino"]),
        ("chargeback_scale_days", -1.0),
        ("fraud_amount_median", "140"),
        ("fraud_mix", 1),
    ],
)
def test_a_bad_fraud_world_parameter_is_refused_by_name(key: str, bad: object) -> None:
    from course.data import fraud

    with pytest.raises(ValueError, match=key):
        fraud.generate(n_transactions=1_000, world={key: bad})


def test_a_fraud_rate_given_twice_must_agree() -> None:
    from course.data import fraud

    with pytest.raises(ValueError, match="fraud_rate"):
        fraud.generate(n_transactions=1_000, fraud_rate=0.01, world={"fraud_rate": 0.004})


def test_the_weakest_corner_of_the_fraud_ranges_still_plants_the_lessons() -> None:
    """The lowest rate and amount with the longest delay, whichever two categories fraud peaks in."""
    import itertools

    from course.data import _fraud_world as fw
    from course.data import fraud

    policy = _p4_policy()
    for pair in itertools.combinations(fw.PEAK_CATEGORIES, 2):  # the lessons do not depend on the order
        corner = {
            "fraud_rate": fw.FRAUD_RATE_RANGE[0],
            "fraud_amount_median": fw.AMOUNT_MEDIAN_RANGE[0],
            "chargeback_scale_days": fw.CHARGEBACK_SCALE_RANGE[1],
            "fraud_categories": list(pair),
        }
        found = fw.lessons(fraud.generate(**FRAUD_SIZE, world=corner).transactions, policy)
        assert found["matured_days"] >= 30 and found["matured_known_share"] >= 0.995, pair
        assert found["capacity_ratio"] > 2 and found["analyst_value"] > 2, pair
        assert found["expected_loss_saving"] > 0, pair
