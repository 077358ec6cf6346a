"""The fraud world's parameters: what a learner's world (``course.worlds``) varies in project 4's lessons.

- ``fraud_rate``: the base rate of fraud per transaction (default 0.003; a learner's world draws 0.003 to
  0.005, within what card issuers report). The more fraud, the more a review catches and the lower the
  threshold where a review stops paying for itself; from 0.3 % up the cheapest threshold sends several
  times more payments to review than the team can handle (the capacity, not the costs, sets the operating
  point) and the next analyst pays for themselves several times over. Below 0.3 % (at the lowest amounts)
  the analyst's value falls within the noise of one matured window, so the range stops there.
- ``fraud_categories``: the two merchant categories where fraud peaks (30 % and 27 % of fraud, against 6 %
  to 7 % of legitimate payments) and where the production model's score gets its category bump (default
  ``["electronics", "digital_goods"]``; a learner's world draws an ordered pair of the card-not-present
  categories in :data:`PEAK_CATEGORIES`). Where the fraud is changes which payments the threshold holds,
  not whether a threshold works: the score stays informative in every pair.
- ``chargeback_scale_days``: the scale of the gamma(2) chargeback delay, in days after the 3-day minimum
  (default 10: a median of about 20 days and a 99th percentile of about 70; a learner's world draws 8 to
  12, a 99th percentile of about 56 to 83 days). It drives the label-maturity lesson: the last month's
  fraud is mostly not charged back by the day after the data end, and the window older than the delay's
  99th percentile still holds more than a month of matured days in 120 days of data (the notebook
  calibrates on its first half and compares on the second).
- ``fraud_amount_median``: the median amount of a fraudulent payment in dollars (default 140, about four
  times a legitimate payment's; a learner's world draws 140 to 200, in steps of 5). It sets what a missed
  fraud costs, so the unconstrained optimum, what one more analyst is worth, and how much ranking by
  expected loss (score x amount) saves over the score alone; over the range the next analyst pays for the
  $400 a day they cost, and the expected-loss ranking beats the score (below $140 at 0.3 % fraud the
  capacity stops binding clearly, so the range starts at the default).

The default world is the weakest corner of the rate and amount ranges. What the generator does not keep
planted, by design: whether the model within capacity costs less than today's rule on one matured window
(in the default world the saving's interval spans zero; in a learner's world its point estimate may be
negative too: the lesson is that the saving cannot be claimed before the A/B test).

Every drawn value keeps every lesson of project 4 planted (:func:`lessons` measures them;
``tests/toolkit/test_worlds.py`` checks them world by world). The default world (``{}``) is byte-identical
to the generator before it took parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from course.data._world_params import number, parameters
from course.errors import CourseError

CATEGORIES = (
    "grocery",
    "restaurants",
    "gas",
    "fashion",
    "travel",
    "electronics",
    "digital_goods",
    "other",
)
"""The merchant categories, in the generator's order (``course.data.fraud.MERCHANT_CATEGORIES``)."""
DEFAULT_CATEGORIES = ("electronics", "digital_goods")
PEAK_CATEGORIES = ("fashion", "travel", "electronics", "digital_goods")
"""Card-not-present categories a learner's fraud may peak in (two of them, in order)."""
DEFAULT_FRAUD_RATE = 0.003
DEFAULT_CHARGEBACK_SCALE = 10.0
DEFAULT_AMOUNT_MEDIAN = 140.0
FRAUD_RATE_RANGE = (0.003, 0.005)
CHARGEBACK_SCALE_RANGE = (8.0, 12.0)
AMOUNT_MEDIAN_RANGE = (140.0, 200.0)
KEYS = ("fraud_rate", "fraud_categories", "chargeback_scale_days", "fraud_amount_median")


class FraudWorldError(CourseError, ValueError):
    """World parameters of the fraud generator that are malformed; the message names the parameter."""


@dataclass(frozen=True)
class FraudLaws:
    """The fraud world's parameters (``fraud_rate`` ``None``: the generator's argument decides)."""

    fraud_rate: float | None = None
    fraud_categories: tuple[str, str] = DEFAULT_CATEGORIES
    chargeback_scale_days: float = DEFAULT_CHARGEBACK_SCALE
    fraud_amount_median: float = DEFAULT_AMOUNT_MEDIAN

    @property
    def peak_indices(self) -> list[int]:
        """The indices (in :data:`CATEGORIES`) of the two peak categories, the first carrying more fraud."""
        return [CATEGORIES.index(name) for name in self.fraud_categories]

    def fraud_category_p(self, default_p: tuple[float, ...]) -> tuple[float, ...]:
        """The fraud's category mix: ``default_p`` with its two peaks moved to :attr:`fraud_categories`
        (the default world's mix unchanged); the categories they displace take the peaks' old shares."""
        first, second = (CATEGORIES.index(name) for name in DEFAULT_CATEGORIES)
        a, b = self.peak_indices
        mix = list(default_p)
        mix[a], mix[b] = default_p[first], default_p[second]
        freed = [i for i in (first, second) if i not in (a, b)]
        displaced = [default_p[i] for i in (a, b) if i not in (first, second)]
        for slot, share in zip(freed, displaced, strict=True):
            mix[slot] = share
        return tuple(mix)


def _number(world: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    return number(world.get(key, default), key, low, high, FraudWorldError)


def check_world(world: object) -> FraudLaws:
    """The laws of world parameters as :func:`sample_fraud` draws them (``{}`` or ``None``: the default
    world); a bad value raises :class:`FraudWorldError` naming it."""
    world = parameters(world, KEYS, FraudWorldError, "fraud")
    rate = _number(world, "fraud_rate", DEFAULT_FRAUD_RATE, 1e-4, 0.1) if "fraud_rate" in world else None
    pair = world.get("fraud_categories", list(DEFAULT_CATEGORIES))
    if (
        not isinstance(pair, list | tuple)
        or len(pair) != 2
        or len(set(pair)) != 2
        or not all(name in CATEGORIES for name in pair)
    ):
        raise FraudWorldError(
            f"world fraud_categories must be two different merchant categories of {list(CATEGORIES)}, "
            f"got {pair!r}."
        )
    scale = _number(world, "chargeback_scale_days", DEFAULT_CHARGEBACK_SCALE, 1.0, 60.0)
    median = _number(world, "fraud_amount_median", DEFAULT_AMOUNT_MEDIAN, 1.0, 10_000.0)
    return FraudLaws(rate, (str(pair[0]), str(pair[1])), scale, median)


def sample_fraud(rng: np.random.Generator) -> dict[str, Any]:
    """A learner world's fraud parameters, drawn within the ranges above (JSON-ready)."""
    rate = round(float(rng.uniform(*FRAUD_RATE_RANGE)), 4)
    order = rng.choice(len(PEAK_CATEGORIES), 2, replace=False)
    scale = round(float(rng.uniform(*CHARGEBACK_SCALE_RANGE)), 1)
    median = float(round(rng.uniform(*AMOUNT_MEDIAN_RANGE) / 5) * 5)
    return {
        "fraud_rate": rate,
        "fraud_categories": [PEAK_CATEGORIES[int(i)] for i in order],
        "chargeback_scale_days": scale,
        "fraud_amount_median": median,
    }


@dataclass(frozen=True)
class Policy:
    """Project 4's cost and capacity assumptions (its ``assumptions.toml``), as the lessons use them."""

    review_usd: float = 4.0
    false_decline_usd: float = 15.0
    daily_transactions: float = 1_500_000
    review_capacity_per_day: float = 1_500
    analyst_reviews: float = 60
    analyst_usd: float = 400.0


def _daily_costs(tx: pd.DataFrame, rank: np.ndarray, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    """Reviews and cost a day when the top-k payments by ``rank`` are held, for every k."""
    order = np.argsort(-rank, kind="stable")
    fraud = tx["is_fraud"].to_numpy().astype(bool)[order]
    amount = tx["amount"].to_numpy(dtype=float)[order]
    scale = policy.daily_transactions / len(tx)
    held_cost = np.cumsum(policy.review_usd + np.where(fraud, 0.0, policy.false_decline_usd))
    missed = (amount * fraud).sum() - np.cumsum(amount * fraud)
    reviews = np.arange(1, len(tx) + 1) * scale
    return reviews, (held_cost + missed) * scale


def lessons(tx: pd.DataFrame, policy: Policy = Policy()) -> dict[str, float]:
    """Project 4's planted lessons, measured on one world's transactions (the notebook's steps, in numpy).

    ``recent_known_share``: the share of the last 30 days' fraud charged back by the day after the data
    end (low: recent labels flatter every threshold); ``matured_days`` and ``matured_known_share``: the
    days older than the delay's 99th percentile and their fraud's known share; on that window,
    ``capacity_ratio``: the unconstrained optimum's reviews over the capacity (above 1: the capacity sets
    the threshold); ``analyst_value``: what 60 more reviews a day save, on the step from the capacity to
    twice it, over an analyst's cost (above 1: hire); ``rule_reviews``: today's rule's reviews a day (it
    overflows the capacity); ``model_vs_rule``: the rule's cost a day minus the model's within capacity
    (its sign is not planted); ``expected_loss_saving``: the score's cost minus score x amount's, both
    within capacity. Held payments are the top k by each ranking, so ties count one by one.
    """
    as_of = tx["timestamp"].max().normalize() + pd.Timedelta(days=1)
    fraud = tx[tx["is_fraud"] == 1]
    recent = fraud["timestamp"] >= as_of - pd.Timedelta(days=30)
    delay = (fraud["chargeback_date"] - fraud["timestamp"].dt.normalize()).dt.days
    maturity = int(np.ceil(delay.quantile(0.99)))
    mature = tx[tx["timestamp"] < as_of - pd.Timedelta(days=maturity)].reset_index(drop=True)
    matured_fraud = mature[mature["is_fraud"] == 1]
    score = mature["model_score"].to_numpy(dtype=float)
    reviews, cost = _daily_costs(mature, score, policy)
    within = reviews <= policy.review_capacity_per_day
    best = int(np.argmin(cost))
    wider = reviews <= 2 * policy.review_capacity_per_day
    per_analyst = policy.analyst_reviews / policy.review_capacity_per_day
    rule = (mature["is_new_device"] & mature["is_foreign"]).to_numpy()
    rule_reviews, rule_cost = _daily_costs(mature, rule.astype(float), policy)
    _, loss_cost = _daily_costs(mature, score * mature["amount"].to_numpy(dtype=float), policy)
    return {
        "recent_known_share": float((fraud.loc[recent, "chargeback_date"] <= as_of).mean()),
        "matured_days": float(mature["timestamp"].dt.normalize().nunique()),
        "matured_known_share": float((matured_fraud["chargeback_date"] <= as_of).mean()),
        "capacity_ratio": float(reviews[best] / policy.review_capacity_per_day),
        "analyst_value": float((cost[within].min() - cost[wider].min()) * per_analyst / policy.analyst_usd),
        "model_vs_rule": float(rule_cost[int(rule.sum()) - 1] - cost[within].min()),
        "rule_reviews": float(rule_reviews[int(rule.sum()) - 1]),
        "expected_loss_saving": float(cost[within].min() - loss_cost[within].min()),
    }
