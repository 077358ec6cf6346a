"""The tickets world (project 6) in a learner's world: built with their parameters, every lesson planted in
every world, with different strengths."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from course import worlds
from course.data import _tickets_world as tw
from course.data import tickets
from course.data.cache import digest_tables

IDS = ("alice", "bob", "carol")
SMALL = {"n_tickets": 1_500, "months": 6, "launch_month": 3}


@pytest.fixture(scope="module")
def ticket_lessons() -> dict[str, dict[str, float]]:
    """Project 6's lessons in the default world and in each learner's tickets world (the full size)."""
    found = {}
    for learner in ("default", *IDS):
        world = tickets.generate(world=worlds.World(learner).params("tickets"))
        found[learner] = tw.lessons(world.tickets, world.truth, world.launch_date)
    return found


def test_the_default_tickets_world_takes_no_parameters() -> None:
    world = tickets.generate(**SMALL, world={})
    assert "world" not in world.params
    assert digest_tables(world.tables()) == digest_tables(tickets.generate(**SMALL).tables())


def test_a_learners_tickets_world_is_built_with_their_parameters(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    params = worlds.World("bob").params("tickets")
    world = worlds.World("bob").tickets(**SMALL)
    assert world.params["world"] == params
    assert digest_tables(world.tables()) != digest_tables(tickets.load_world(**SMALL).tables())


def test_a_learners_tickets_parameters_stay_in_their_ranges() -> None:
    for learner in (*IDS, *(f"learner-{i}" for i in range(20))):
        drawn = worlds.World(learner).params("tickets")
        mix = drawn["category_mix"]
        assert list(mix) == list(tw.OLD_CATEGORIES) and sum(mix.values()) == pytest.approx(1.0, abs=1e-9)
        assert all(tw.MIX_SHARE_RANGE[0] <= v <= tw.MIX_SHARE_RANGE[1] for v in mix.values()), learner
        assert tw.NEW_SHARE_RANGE[0] <= drawn["new_category_share"] <= tw.NEW_SHARE_RANGE[1], learner
        assert tw.CASUAL_SHARE_RANGE[0] <= drawn["casual_share"] <= tw.CASUAL_SHARE_RANGE[1], learner


def test_a_tickets_world_rebuilds_from_its_params_after_a_json_round_trip(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    world = worlds.World("carol").tickets(**SMALL)
    again = tickets.load_world(**json.loads(json.dumps(world.params)))
    assert again.params == world.params
    assert digest_tables(again.tables()) == digest_tables(world.tables())


def test_a_learners_category_mix_is_the_one_drawn() -> None:
    params = worlds.World("alice").params("tickets")
    world = tickets.generate(world=params)
    joined = world.tickets.merge(world.truth, on="ticket_id")
    before = joined.loc[joined["created_at"] < world.launch_date, "category"].value_counts(normalize=True)
    for category, share in params["category_mix"].items():
        assert before[category] == pytest.approx(share, abs=0.025), (category, before.to_dict())


def test_every_tickets_world_plants_the_new_category_and_the_shift(ticket_lessons) -> None:
    for learner, found in ticket_lessons.items():
        assert found["new_before"] == 0 and found["casual_before"] == 0, learner  # both start at the launch
        assert 0.06 < found["new_after"] < 0.18, learner  # the family plan is a real share of the test set
        assert 0.3 < found["casual_after"] < 0.75, learner  # casual phrasing in the shifted categories
        assert found["recall_drop"] > 0.04, (learner, found)  # it costs a lexical model where it was planted
        assert found["smallest_class"] > 0.05, learner  # every class keeps tens of labels in 1,600


def test_learners_tickets_worlds_differ_in_the_lessons_not_only_in_the_noise(ticket_lessons) -> None:
    lessons = {
        learner: (
            round(found["new_after"], 2),
            round(found["smallest_class"], 2),
            round(found["largest_class"], 2),
        )
        for learner, found in ticket_lessons.items()
    }
    # how much of the test set is the new category, and how unbalanced the classes are
    assert len(set(lessons.values())) == len(lessons), lessons


def _corner_mix(shifted_factor: float, other_factor: float) -> dict[str, float]:
    """The pre-launch mix with the shifted categories' default shares times one factor, the others' times
    the other, renormalised."""
    raw = {
        c: share * (shifted_factor if c in tickets.SHIFTED_CATEGORIES else other_factor)
        for c, share in zip(tw.OLD_CATEGORIES, tw.DEFAULT_MIX, strict=True)
    }
    total = sum(raw.values())
    return {c: v / total for c, v in raw.items()}


@pytest.mark.parametrize("shifted_rare", [True, False], ids=["shifted-rare", "shifted-common"])
def test_the_corners_of_the_tickets_ranges_still_plant_the_shift(shifted_rare: bool) -> None:
    """The least casual phrasing and the rarest family plan, with the shifted categories at their rarest
    (each is learned from fewest labels) or at their most common (the stable ones learned from fewest)."""
    low, high = tw.MIX_FACTOR_RANGE
    mix = _corner_mix(low, high) if shifted_rare else _corner_mix(high, low)
    corner = {
        "category_mix": mix,
        "new_category_share": tw.NEW_SHARE_RANGE[0],
        "casual_share": tw.CASUAL_SHARE_RANGE[0],
    }
    world = tickets.generate(world=corner)
    found = tw.lessons(world.tickets, world.truth, world.launch_date)
    assert found["recall_drop"] > 0.04 and found["new_after"] > 0.06 and found["new_before"] == 0, found


def test_the_extremes_of_the_sampler_pass_the_parameter_checks() -> None:
    """One category at the highest factor and the others at the lowest (and the reverse), for each
    category: the drawn shares stay within the range the generator accepts."""
    low, high = tw.MIX_FACTOR_RANGE
    for i in range(len(tw.OLD_CATEGORIES)):
        for up, down in ((high, low), (low, high)):
            raw = [share * (up if j == i else down) for j, share in enumerate(tw.DEFAULT_MIX)]
            mix = {c: v / sum(raw) for c, v in zip(tw.OLD_CATEGORIES, raw, strict=True)}
            tw.check_world({"category_mix": mix})  # raises when a share leaves the accepted range


@pytest.mark.parametrize("bad", ["alice", ["category_mix"], 0.5])
def test_a_world_that_is_not_a_mapping_is_refused_by_name(bad: object) -> None:
    from course.data import fraud

    with pytest.raises(ValueError, match="world must be the tickets world parameters"):
        tickets.generate(**SMALL, world=bad)
    with pytest.raises(ValueError, match="world must be the fraud world parameters"):
        fraud.generate(n_transactions=1_000, world=bad)


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("category_mix", {"billing": 1.0}),
        ("category_mix", dict.fromkeys(tw.OLD_CATEGORIES, 0.3)),
        ("category_mix", {**dict.fromkeys(tw.OLD_CATEGORIES, 0.2), "billing": "0.2"}),
        ("new_category_share", 0.9),
        ("casual_share", True),
        ("launch_share", 0.1),
    ],
)
def test_a_bad_tickets_world_parameter_is_refused_by_name(key: str, bad: object) -> None:
    with pytest.raises(ValueError, match=key):
        tickets.generate(**SMALL, world={key: bad})


def test_the_split_of_project_6_follows_the_learners_world(tmp_path, monkeypatch) -> None:
    """Project 6's ``load_split`` reads ``course.worlds.current()``: the grader's ``COURSE_LEARNER``."""
    from course.paths import solutions_dir

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.syspath_prepend(str(solutions_dir() / "p6_triage"))
    from ticket_triage.dataset import load_split

    monkeypatch.setenv("COURSE_LEARNER", "carol")
    split = load_split(n_train=200, n_test=40)
    assert split.learner == "carol" and split.world.params["world"] == worlds.World("carol").params("tickets")
    assert isinstance(split.test, pd.DataFrame) and len(split.test) == 40
