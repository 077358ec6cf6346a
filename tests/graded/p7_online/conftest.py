"""Shared fixtures of project 7's graded tests: the learner's world, its February population and oracle.

The oracle stays in the grader's process; the submission receives only what a learner could observe (arrays
of outcomes, experiment logs), so its methods are graded against a truth it never sees.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def churn_world():
    """The churn world of the learner being graded (``course.worlds``: the grader sets the learner), with
    that world's offer laws; the default world when none is set (cached by course.data)."""
    from course import worlds

    return worlds.current().churn()


@pytest.fixture(scope="session")
def february(churn_world):
    """February's population (pre-period features) and its oracle, rows in the same order."""
    from course.data import offers

    return offers.population(churn_world, offers.EXPERIMENT_MONTH), offers.oracle(
        churn_world, offers.EXPERIMENT_MONTH
    )
