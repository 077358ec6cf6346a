"""The laws of the retention-offer layer: who each offer persuades, who it wakes, what it costs.

Every customer active at the start of an assignment month has a potential outcome under no contact and
under each offer, over the 90 days that follow. The monthly churn hazard under no contact is the churn
world's oracle probability for that month; an offer shifts its log-odds by an amount that depends on the
customer (the heterogeneity a retention team meets):

- **persuadables**: price-sensitive customers (their price rose in the last 90 days, or a monthly basic
  plan) respond to the discount; customers with recent support tickets respond to a call; heavy users
  respond to a free upgrade;
- **sure things**: a low hazard stays low whatever is done (the shift moves a tiny probability);
- **lost causes**: monthly customers who used the product on 6 days or fewer of the last 28 have mostly
  left already and barely respond (a fifth of the shift);
- **sleeping dogs**: annual customers mid-term who hardly use the product; any contact reminds them what
  they pay for, and their hazard rises.

How strongly each offer moves whom is a world parameter (:class:`Laws`): the default world uses the values
below; a learner's world (``course.worlds``) draws them with :func:`sample_laws`, in ranges that keep every
lesson planted (the call is the best offer for customers with recent tickets and the discount overall,
contacting a sleeping dog raises their churn, lost causes do not move).

All arithmetic is numpy on float64, rounded where it is stored, so the same seed gives the same bytes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

ARMS = ("none", "discount", "call", "upgrade")
"""The control (no contact) and the three retention offers, in this order everywhere."""
OFFERS = ARMS[1:]
CONTACT_COST = {"none": 0.0, "discount": 1.0, "call": 8.0, "upgrade": 1.0}
"""What one contact costs the company (email and tooling, or an agent's time), in currency units."""
DISCOUNT = 0.2
"""The discount offer: 20 % off the next invoice (the first of the window)."""
WINDOW_MONTHS = 3
WINDOW_DAYS = 90
LOST_CAUSE_ACTIVE_DAYS = 9
HEAVY_MINUTES_28D = 600.0
SLEEPING_DOG_ACTIVE_DAYS = 8

BASE_SHIFT = {"discount": -0.25, "call": -0.15, "upgrade": -0.10}
PERSUADABLE_SHIFT = {"discount": -1.8, "call": -2.4, "upgrade": -0.7}
SLEEPING_DOG_SHIFT = 1.6
LOST_CAUSE_FACTOR = 0.0
COMPLAINT_BASE = 0.02
COMPLAINT_TICKETS = 0.03
COMPLAINT_SHIFT = {"none": 0.0, "discount": 0.0, "call": -0.01, "upgrade": 0.035}
USAGE_LIFT = {"none": 1.0, "discount": 1.05, "call": 1.1, "upgrade": 1.3}
"""Minutes in the 28 days after assignment, relative to before: the offers change usage too."""


@dataclass(frozen=True)
class Laws:
    """The offers' effects on the monthly churn log-odds: everyone's (``base_shift``), the persuaded
    segment's extra (``persuadable_shift``) and a contacted sleeping dog's (``sleeping_dog_shift``)."""

    base_shift: dict[str, float] = field(default_factory=lambda: dict(BASE_SHIFT))
    persuadable_shift: dict[str, float] = field(default_factory=lambda: dict(PERSUADABLE_SHIFT))
    sleeping_dog_shift: float = SLEEPING_DOG_SHIFT

    @classmethod
    def from_params(cls, params: dict[str, Any] | None) -> Laws:
        """The laws of a world's parameters (``{}`` or ``None``: the default world's)."""
        return cls(**params) if params else cls()

    def to_params(self) -> dict[str, Any]:
        """The parameters that rebuild these laws."""
        return asdict(self)


DEFAULT_LAWS = Laws()
# Ranges of a learner's world: each keeps its lesson (the persuaded segment's best offer stays its own,
# the call stays the costly offer that pays only for recent tickets, sleeping dogs always leave when woken).
PERSUADABLE_RANGE = {"discount": (-2.2, -1.4), "call": (-2.9, -2.0), "upgrade": (-0.9, -0.5)}
BASE_RANGE = {"discount": (-0.35, -0.15), "call": (-0.2, -0.1), "upgrade": (-0.15, -0.05)}
SLEEPING_DOG_RANGE = (1.2, 2.0)


def sample_laws(rng: np.random.Generator) -> dict[str, Any]:
    """A learner world's offer parameters, drawn uniformly within the ranges above (rounded to 0.01)."""

    def draw(low: float, high: float) -> float:
        return round(float(rng.uniform(low, high)), 2)

    return Laws(
        base_shift={arm: draw(*BASE_RANGE[arm]) for arm in OFFERS},
        persuadable_shift={arm: draw(*PERSUADABLE_RANGE[arm]) for arm in OFFERS},
        sleeping_dog_shift=draw(*SLEEPING_DOG_RANGE),
    ).to_params()


def segments(f: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Boolean masks of the customer types that drive each offer's effect."""
    price_sensitive = (f["price_change_pct_90d"] > 0) | (
        (f["plan"] == "basic") & (f["contract"] == "monthly")
    )
    return {
        "price_sensitive": price_sensitive,
        "recent_tickets": f["tickets_90d"] > 0,
        "heavy_user": f["minutes_28d"] >= HEAVY_MINUTES_28D,
        "lost_cause": (f["contract"] == "monthly") & (f["active_days_28d"] <= LOST_CAUSE_ACTIVE_DAYS),
        "sleeping_dog": (f["contract"] == "annual")
        & (f["months_to_renewal"] > 0)
        & (f["active_days_28d"] <= SLEEPING_DOG_ACTIVE_DAYS),
    }


def logit_shift(arm: str, seg: dict[str, np.ndarray], laws: Laws = DEFAULT_LAWS) -> np.ndarray:
    """The change in the monthly churn log-odds that ``arm`` causes, customer by customer."""
    n = seg["price_sensitive"].shape[0]
    if arm == "none":
        return np.zeros(n)
    persuaded = {"discount": "price_sensitive", "call": "recent_tickets", "upgrade": "heavy_user"}[arm]
    shift = laws.base_shift[arm] + laws.persuadable_shift[arm] * seg[persuaded]
    shift = np.where(seg["lost_cause"], shift * LOST_CAUSE_FACTOR, shift)
    return np.where(seg["sleeping_dog"], laws.sleeping_dog_shift, shift)


def monthly_hazard(
    p_none: np.ndarray, arm: str, seg: dict[str, np.ndarray], laws: Laws = DEFAULT_LAWS
) -> np.ndarray:
    """Monthly churn probability under ``arm``: the no-contact probability moved on the log-odds scale."""
    p = np.clip(p_none, 1e-6, 1 - 1e-6)
    z = np.log(p / (1 - p)) + logit_shift(arm, seg, laws)
    return 1.0 / (1.0 + np.exp(-z))


def revenue(monthly_price: np.ndarray, months_paid: np.ndarray, arm: str) -> np.ndarray:
    """Invoices paid in the window: the first at assignment (discounted under the discount offer), then one
    a month while still a customer. ``months_paid`` may be an expectation."""
    first = monthly_price * (1.0 - DISCOUNT) if arm == "discount" else monthly_price
    return first + monthly_price * (months_paid - 1.0)


def expected_months_paid(hazard: np.ndarray) -> np.ndarray:
    """Expected invoices in the window: the first is paid at assignment, each next one if still a customer."""
    survive = 1.0 - hazard
    return sum(survive**k for k in range(WINDOW_MONTHS))


def complaint_probability(seg: dict[str, np.ndarray], arm: str) -> np.ndarray:
    """Chance of a complaint ticket in the window under ``arm``."""
    base = COMPLAINT_BASE + COMPLAINT_TICKETS * seg["recent_tickets"]
    return np.clip(base + COMPLAINT_SHIFT[arm], 0.0, 1.0)
