"""The split every rung shares: labelled tickets from before the family-plan launch to learn from, and the
adjudicated gold tickets from the launch on to test on (new category, new phrasing: the hard case)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from course.worlds import DEFAULT_ID
from ticket_triage.labels import majority_label


@dataclass(frozen=True)
class Split:
    """Training tickets (majority label and each annotator's), test tickets (gold labels), the tickets
    world they come from, and whose world it is (``learner``: the learner id, ``default`` for the default
    world)."""

    train: pd.DataFrame
    test: pd.DataFrame
    categories: tuple[str, ...]
    world: object
    learner: str = DEFAULT_ID


def load_split(seed: int = 0, n_train: int = 1600, n_test: int = 240) -> Split:
    """``n_train`` non-gold tickets before the launch with their labels, ``n_test`` gold tickets after it,
    in your world (``learner.toml``; the default world without it: ``course.worlds.current()``)."""
    from course import worlds
    from course.data import tickets

    mine = worlds.current()
    world = mine.tickets(seed=seed)
    launch = world.launch_date
    wide = world.annotations.pivot(index="ticket_id", columns="annotator", values="category")
    frame = world.tickets.set_index("ticket_id").join(wide).join(majority_label(world.annotations))
    gold = world.gold.set_index("ticket_id")
    before = frame[(frame["created_at"] < launch) & ~frame.index.isin(gold.index)]
    train = before.sample(n=min(n_train, len(before)), random_state=seed).reset_index()
    after = frame.loc[gold.index.intersection(frame.index[frame["created_at"] >= launch])]
    after = after.drop(columns=["category"]).join(gold[["category", "urgency"]])
    test = after.sample(n=min(n_test, len(after)), random_state=seed).sort_index().reset_index()
    return Split(train, test, tuple(tickets.CATEGORIES), world, mine.learner)
