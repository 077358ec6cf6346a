"""Retention offers on the churn world: experiments whose every answer the world knows.

>>> from course.data import churn, offers
>>> world = churn.load_world(seed=0)
>>> people = offers.population(world, "2025-02-01")      # who can be assigned that month, pre-period only
>>> log = offers.experiment_log(world)                   # the retention team's last test (clean)
>>> bad = offers.experiment_log(world, kind="srm")       # the same test with an assignment bug
>>> result = offers.run_experiment(world, assignment, "2025-02-01")   # your design, observed outcomes

Each customer active at an assignment month's start has a potential outcome under no contact and under each
offer (``ARMS``) over the ``WINDOW_DAYS`` that follow: invoices paid (``revenue_90d``), still a customer at
the end (``retained_90d``), a complaint ticket (``complained``) and usage after the assignment
(``minutes_post_28d``). ``run_experiment`` reveals the outcome of the assigned arm only, known
``WINDOW_DAYS + label_delay_days`` after the month start. ``oracle`` holds every arm's outcome and
probabilities: for tests and benchmarks, never for a learner's analysis (like the churn oracle).

The laws (who each offer persuades, the sleeping dogs a contact wakes) are in ``_offers_laws``; a
learner's world (``course.worlds.current().churn()``) carries its own strengths of them, which every
function here reads from the churn world it is given (:func:`world_laws`), and :func:`lessons` says what
a world plants. The
pre-period covariates (``minutes_28d``, ``revenue_pre_90d``) are measured before the month starts and
correlate with the outcomes, which is what CUPED uses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course.data import _offers_laws as laws
from course.data._churn_laws import FEATURE_COLUMNS
from course.data.churn import ChurnWorld, monthly_snapshot

__all__ = [
    "ARMS",
    "CONTACT_COST",
    "DISCOUNT",
    "EXPERIMENT_MONTH",
    "LOG_MONTH",
    "OFFERS",
    "OUTCOMES",
    "SEGMENTS",
    "WINDOW_DAYS",
    "OfferBandit",
    "experiment_log",
    "oracle",
    "outcome_known_date",
    "population",
    "run_experiment",
]

ARMS = laws.ARMS
OFFERS = laws.OFFERS
CONTACT_COST = dict(laws.CONTACT_COST)
DISCOUNT = laws.DISCOUNT
WINDOW_DAYS = laws.WINDOW_DAYS
LOG_MONTH = "2025-01-01"
"""The month of the retention team's last test (``experiment_log``): control against the discount."""
EXPERIMENT_MONTH = "2025-02-01"
"""The month a learner's own experiment assigns by default."""
OUTCOMES = ("revenue_90d", "retained_90d", "complained", "minutes_post_28d")
SEGMENTS = ("price_sensitive", "recent_tickets", "heavy_user", "lost_cause", "sleeping_dog")
SRM_RARELY_ACTIVE_DAYS = 9
SRM_DROP_SHARE = 0.6
"""The planted assignment bug: 60 % of treated customers active on 9 days or fewer of the last 28 vanish."""


def _month(world: ChurnWorld, month: str | pd.Timestamp) -> tuple[pd.Timestamp, int]:
    try:
        day = pd.Timestamp(month)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"month must be a date like '2025-02-01', got {month!r}.") from exc
    start = pd.Timestamp(world.params["start"])
    index = (day.year - start.year) * 12 + day.month - start.month
    if day.day != 1 or day != day.normalize():
        raise ValueError(f"month must be the first day of a month, got {month!r}.")
    if not 1 <= index < world.params["months"]:
        last = start + pd.DateOffset(months=world.params["months"] - 1)
        raise ValueError(
            f"month {day.date()} is outside the world's months with history: "
            f"from {(start + pd.DateOffset(months=1)).date()} to {last.date()}."
        )
    return day, index


def _pre_revenue(world: ChurnWorld, day: pd.Timestamp) -> pd.Series:
    invoices = world.invoices
    window = (
        (invoices["invoice_date"] >= day - pd.Timedelta(days=WINDOW_DAYS))
        & (invoices["invoice_date"] < day)
        & (invoices["status"] == "paid")
    )
    return invoices[window].groupby("customer_id")["amount"].sum().round(2)


def population(world: ChurnWorld, month: str | pd.Timestamp = EXPERIMENT_MONTH) -> pd.DataFrame:
    """The customers active at ``month``'s start, with what is known before it (sorted by customer).

    Columns: ``customer_id``, ``month``, the churn snapshot's features (``churn.FEATURE_COLUMNS``) and
    ``revenue_pre_90d`` (invoices paid in the 90 days before the month start).
    """
    day, _ = _month(world, month)
    snap = monthly_snapshot(world)
    rows = snap[snap["month"] == day]
    frame = rows[["customer_id", "month", *FEATURE_COLUMNS]].reset_index(drop=True)
    revenue = _pre_revenue(world, day)
    frame["revenue_pre_90d"] = frame["customer_id"].map(revenue).fillna(0.0).astype(float)
    return frame.sort_values("customer_id", kind="stable").reset_index(drop=True)


def oracle(
    world: ChurnWorld, month: str | pd.Timestamp = EXPERIMENT_MONTH, *, people: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every arm's outcome for every customer of ``month``'s population (tests and benchmarks only).

    Per arm ``a``: ``p_churn_90d_a``, ``expected_revenue_a``, ``p_complaint_a`` (probabilities and the
    expectation the outcomes are drawn from) and the drawn ``revenue_90d_a``, ``retained_90d_a``,
    ``complained_a``, ``minutes_post_28d_a``; the segment flags (``SEGMENTS``) and the no-contact monthly
    hazard ``p_churn_month``. The draws share random numbers across arms (a customer who stays without
    contact and leaves when contacted is a sleeping dog, not noise), seeded by the world and the month.
    ``people`` is ``population(world, month)`` when the caller has it already (learners' worlds share the
    churn tables, so one population serves them all).
    """
    day, _ = _month(world, month)
    return _oracle_of(world, day, population(world, day) if people is None else people)


def world_laws(world: ChurnWorld) -> laws.Laws:
    """The offers' laws of ``world``: a learner's world carries its own (``course.worlds``), any other
    churn world has the default ones."""
    return laws.Laws.from_params(world.params.get("offers"))


def _oracle_of(world: ChurnWorld, day: pd.Timestamp, people: pd.DataFrame) -> pd.DataFrame:
    """``oracle`` for the population ``people`` of ``day`` (already built by the caller)."""
    _, index = _month(world, day)
    truth = world.oracle[world.oracle["month"] == day].set_index("customer_id")["churn_probability"]
    p_none = people["customer_id"].map(truth).to_numpy(dtype=float)
    features = {name: people[name].to_numpy() for name in FEATURE_COLUMNS}
    seg = laws.segments(features)
    rules = world_laws(world)
    seed = [int(world.params["seed"]), index, 7]
    if "learner_seed" in world.params:  # a learner's world draws its own outcomes too
        seed.append(int(world.params["learner_seed"]))
    rng = np.random.default_rng(seed)
    n = len(people)
    u_churn = rng.random((n, laws.WINDOW_MONTHS))
    u_complaint = rng.random(n)
    usage_noise = rng.standard_normal(n)
    out = people[["customer_id", "month"]].copy()
    out["p_churn_month"] = np.round(p_none, 6)
    for name in SEGMENTS:
        out[name] = seg[name]
    price = people["monthly_price"].to_numpy(dtype=float)
    minutes = people["minutes_28d"].to_numpy(dtype=float)
    for arm in ARMS:
        hazard = laws.monthly_hazard(p_none, arm, seg, rules)
        churned = u_churn < hazard[:, None]
        alive = ~np.cumsum(churned, axis=1).astype(bool)
        months_paid = 1 + alive[:, : laws.WINDOW_MONTHS - 1].sum(axis=1)
        complaint = laws.complaint_probability(seg, arm)
        lift = laws.USAGE_LIFT[arm] * np.where(churned[:, 0], 0.35, 1.0)
        out[f"p_churn_90d_{arm}"] = np.round(1.0 - (1.0 - hazard) ** laws.WINDOW_MONTHS, 6)
        out[f"expected_revenue_{arm}"] = np.round(
            laws.revenue(price, laws.expected_months_paid(hazard), arm), 4
        )
        out[f"p_complaint_{arm}"] = np.round(complaint, 4)
        out[f"revenue_90d_{arm}"] = np.round(laws.revenue(price, months_paid, arm), 2)
        out[f"retained_90d_{arm}"] = alive[:, -1].astype(np.int8)
        out[f"complained_{arm}"] = (u_complaint < complaint).astype(np.int8)
        out[f"minutes_post_28d_{arm}"] = np.round(minutes * lift * np.exp(0.35 * usage_noise - 0.06), 1)
    return out


def lessons(truth: pd.DataFrame) -> dict[str, object]:
    """What an oracle frame plants, from its expected outcomes: the offer that retains best overall and
    among customers with recent tickets, and how contact moves sleeping dogs' and lost causes' churn."""

    def retention(rows: pd.Series) -> dict[str, float]:
        return {arm: float(1 - truth.loc[rows, f"p_churn_90d_{arm}"].mean()) for arm in OFFERS}

    everyone = pd.Series(True, index=truth.index)
    overall, tickets = retention(everyone), retention(truth["recent_tickets"].astype(bool))
    dogs, lost = truth["sleeping_dog"].astype(bool), truth["lost_cause"].astype(bool)
    none = truth["p_churn_90d_none"]
    return {
        "best_overall": max(overall, key=overall.__getitem__),
        "best_recent_tickets": max(tickets, key=tickets.__getitem__),
        "retention_overall": overall,
        "retention_recent_tickets": tickets,
        "sleeping_dog_harm": min(float((truth[f"p_churn_90d_{a}"] - none)[dogs].mean()) for a in OFFERS),
        "lost_cause_effect": max(abs(float((truth[f"p_churn_90d_{a}"] - none)[lost].mean())) for a in OFFERS),
    }


def outcome_known_date(world: ChurnWorld, month: str | pd.Timestamp) -> pd.Timestamp:
    """When an experiment assigned at ``month``'s start can be read: the window, then the label delay."""
    day, _ = _month(world, month)
    return day + pd.Timedelta(days=WINDOW_DAYS + int(world.params["label_delay_days"]))


def _observe(
    world: ChurnWorld, day: pd.Timestamp, assignment: pd.DataFrame, population_of_day: pd.DataFrame
) -> pd.DataFrame:
    truth = _oracle_of(world, day, population_of_day).set_index("customer_id")
    people = population_of_day.set_index("customer_id")
    ids = assignment["customer_id"].to_numpy()
    arms = assignment["arm"].astype(str).to_numpy()
    log = pd.DataFrame({"customer_id": ids, "month": day, "arm": arms})
    log["minutes_pre_28d"] = people.loc[ids, "minutes_28d"].to_numpy()
    log["revenue_pre_90d"] = people.loc[ids, "revenue_pre_90d"].to_numpy()
    for outcome in OUTCOMES:
        table = truth.loc[ids, [f"{outcome}_{arm}" for arm in ARMS]].to_numpy()
        log[outcome] = table[np.arange(len(ids)), [ARMS.index(a) for a in arms]]
    log["outcome_known_date"] = outcome_known_date(world, day)
    return log


def run_experiment(
    world: ChurnWorld, assignment: pd.DataFrame, month: str | pd.Timestamp = EXPERIMENT_MONTH
) -> pd.DataFrame:
    """Assign customers to arms at ``month``'s start and observe each one's outcome under its arm.

    ``assignment`` has one row per customer: ``customer_id`` (active at the month start, see
    ``population``) and ``arm`` (one of ``ARMS``). Returns the experiment log: ``customer_id``, ``month``,
    ``arm``, the pre-period covariates ``minutes_pre_28d`` and ``revenue_pre_90d``, the outcomes
    (``OUTCOMES``) and ``outcome_known_date``.
    """
    if not isinstance(assignment, pd.DataFrame) or not {"customer_id", "arm"} <= set(assignment.columns):
        raise ValueError("assignment must be a DataFrame with the columns 'customer_id' and 'arm'.")
    if assignment.empty:
        raise ValueError("assignment is empty: assign at least one customer.")
    unknown_arms = sorted(set(assignment["arm"].astype(str)) - set(ARMS))
    if unknown_arms:
        raise ValueError(f"assignment names arms the world does not offer: {unknown_arms}; use {list(ARMS)}.")
    twice = assignment["customer_id"][assignment["customer_id"].duplicated()].unique()
    if len(twice):
        raise ValueError(f"{len(twice)} customers are assigned twice (e.g. {list(twice[:3])}): one arm each.")
    day, _ = _month(world, month)
    people = population(world, day)
    active = set(people["customer_id"])
    strangers = [c for c in assignment["customer_id"] if c not in active]
    if strangers:
        raise ValueError(
            f"{len(strangers)} customers were not active on {day.date()} (e.g. {strangers[:3]}): "
            "assign customers from offers.population(world, month)."
        )
    return _observe(world, day, assignment.reset_index(drop=True), people)


def experiment_log(
    world: ChurnWorld, kind: str = "clean", month: str | pd.Timestamp = LOG_MONTH
) -> pd.DataFrame:
    """The retention team's last test: each active customer to ``none`` or ``discount`` by a fair coin.

    ``kind="clean"`` is the log as it should be. ``kind="srm"`` carries an assignment bug: the discount
    e-mails to rarely active customers (9 active days or fewer in the last 28) bounced and the send log
    dropped most of those rows, so the treated arm is short of customers who were likely to leave (a
    sample-ratio mismatch, and a biased effect).
    """
    if kind not in ("clean", "srm"):
        raise ValueError(f"kind must be 'clean' or 'srm', got {kind!r}.")
    day, index = _month(world, month)
    people = population(world, day)
    rng = np.random.default_rng([int(world.params["seed"]), index, 11])
    arms = np.where(rng.random(len(people)) < 0.5, "discount", "none")
    log = _observe(world, day, pd.DataFrame({"customer_id": people["customer_id"], "arm": arms}), people)
    if kind == "srm":
        dormant = people["active_days_28d"].to_numpy() <= SRM_RARELY_ACTIVE_DAYS
        dropped = (arms == "discount") & dormant & (rng.random(len(people)) < SRM_DROP_SHARE)
        log = log[~dropped].reset_index(drop=True)
    return log


class OfferBandit:
    """Customers arrive one at a time; ``pull(arm)`` makes the offer to the next one and returns the reward.

    The rewards are potential outcomes (one row per arriving customer, one column per arm); a pull reveals
    the chosen arm's only. ``regret()`` compares the arms pulled so far with always pulling the arm of the
    highest true mean (the pseudo-regret: the sum of mean gaps), which is how the simulator grades a policy.
    """

    def __init__(self, rewards: np.ndarray, arms: tuple[str, ...], means: np.ndarray) -> None:
        rewards = np.asarray(rewards, dtype=float)
        if rewards.ndim != 2 or rewards.shape[1] != len(arms) or len(means) != len(arms):
            raise ValueError("rewards must be a (customers, arms) array with one mean per arm.")
        self._rewards, self._means = rewards, np.asarray(means, dtype=float)
        self.arms = tuple(arms)
        self.history: list[int] = []

    @classmethod
    def bernoulli(cls, means: list[float], n_rounds: int, seed: int = 0) -> OfferBandit:
        """A synthetic bandit: arm ``k`` pays 1 with probability ``means[k]``."""
        if not all(0.0 <= m <= 1.0 for m in means) or len(means) < 2:
            raise ValueError(f"means must be two or more probabilities, got {means!r}.")
        if n_rounds < 1:
            raise ValueError(f"n_rounds must be positive, got {n_rounds}.")
        u = np.random.default_rng(seed).random((n_rounds, len(means)))
        arms = tuple(f"arm{k}" for k in range(len(means)))
        return cls((u < np.asarray(means)).astype(float), arms, np.asarray(means, dtype=float))

    @classmethod
    def from_world(
        cls, world: ChurnWorld, month: str | pd.Timestamp = EXPERIMENT_MONTH, seed: int = 0
    ) -> OfferBandit:
        """The month's customers in a random order; the reward is ``retained_90d`` under each offer."""
        truth = oracle(world, month)
        order = np.random.default_rng(seed).permutation(len(truth))
        columns = [f"retained_90d_{arm}" for arm in OFFERS]
        means = 1.0 - truth[[f"p_churn_90d_{arm}" for arm in OFFERS]].to_numpy().mean(axis=0)
        return cls(truth[columns].to_numpy()[order], OFFERS, means)

    @property
    def n_arms(self) -> int:
        """How many arms there are."""
        return len(self.arms)

    @property
    def remaining(self) -> int:
        """How many customers have not arrived yet."""
        return len(self._rewards) - len(self.history)

    def pull(self, arm: int) -> float:
        """Offer arm ``arm`` (an index into ``arms``) to the next customer; return that customer's reward."""
        if not isinstance(arm, int | np.integer) or not 0 <= arm < self.n_arms:
            raise ValueError(f"arm must be an index from 0 to {self.n_arms - 1}, got {arm!r}.")
        if not self.remaining:
            raise ValueError(f"all {len(self._rewards)} customers have arrived: no pull is left.")
        reward = float(self._rewards[len(self.history), int(arm)])
        self.history.append(int(arm))
        return reward

    def regret(self) -> np.ndarray:
        """Cumulative pseudo-regret after each pull so far: sum of (best mean - mean of the pulled arm)."""
        gaps = self._means.max() - self._means
        return np.cumsum(gaps[np.asarray(self.history, dtype=int)]) if self.history else np.zeros(0)

    def best_arm(self) -> int:
        """The arm of the highest true mean (for grading; a policy must find it by pulling)."""
        return int(np.argmax(self._means))
