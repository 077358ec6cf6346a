"""The documented rule-based score the service answers from when no verified model can be used.

    logit = -3.0
            + 1.0  if contract == "monthly"
            + 0.8  if tenure_days < 180
            + 0.7 * min(failed_payments_90d, 3)
            + 0.4 * min(tickets_30d, 3)
            + 0.8  if days_since_last_activity >= 14
            + 1.5 * clip(-usage_trend_28d, 0, 1)
    churn_probability = 1 / (1 + exp(-logit))

A customer with none of the risk signals scores about 0.05; a new monthly customer with three failed
payments, three tickets, two silent weeks and halving usage scores about 0.97. The rule is deliberately
simple: it is a safe default while the model is away, not a competitor to it.

Its decision threshold is its own, :data:`FALLBACK_THRESHOLD`: project 1's profit policy (the default costs
and a 5 % capacity) applied to the rule's scores on the default world's labelled months before the test
months chose 0.45233 (112 contacts in 14,585 customer-months); the rule learns nothing from data, so none of
those months is in-sample for it. ``serving.ipynb`` recomputes it. The constant is that value rounded down
to four decimals, which contacts the same customers. The rule's probabilities are not the model's, so the
model's threshold never applies to them.
"""

from __future__ import annotations

FALLBACK_VERSION = "fallback-rules-v1"
FALLBACK_THRESHOLD = 0.4523


def rule_score(frame):
    """Return the rule-based churn probability of every row of ``frame`` (a numpy array)."""
    # HINT: vectorised numpy over the frame's columns, exactly the formula in the module docstring.
    raise NotImplementedError("rule_score: vectorised numpy over the frame's columns, exactly the formula in the module docstring.")
