"""The latency budget: component latencies summed and checked against the end-to-end budget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LatencyBudget:
    """A latency budget: the parts, their sum, and what is left."""

    components_ms: dict[str, float] = field(repr=False)
    total_ms: float
    budget_ms: float
    headroom_ms: float
    within_budget: bool


def latency_budget(components_ms: Mapping[str, float], budget_ms: float) -> LatencyBudget:
    """Sum the components on the synchronous path and check the sum against ``budget_ms``.

    The components run one after another, so their latencies add. The plan is ``within_budget`` when
    ``total_ms <= budget_ms``; ``headroom_ms = budget_ms - total_ms`` (negative when over budget).

    Raises ``ValueError`` naming the component if any latency is negative or not a number, if there are
    no components, or if ``budget_ms`` is not positive.
    """
    # BEGIN SOLUTION
    # HINT: total = sum of the components; headroom = budget - total; within budget when total <= budget.
    if not budget_ms > 0:
        raise ValueError(f"budget_ms must be > 0, got {budget_ms}.")
    if not components_ms:
        raise ValueError("components_ms is empty: list the components on the request path.")
    parts: dict[str, float] = {}
    for name, value in components_ms.items():
        try:
            number = float(value)
        except (TypeError, ValueError) as error:
            raise ValueError(f"Latency of component {name!r} is not a number: {value!r}.") from error
        if not number >= 0:
            raise ValueError(f"Latency of component {name!r} must be >= 0 ms, got {value!r}.")
        parts[name] = number
    total = sum(parts.values())
    return LatencyBudget(
        components_ms=parts,
        total_ms=total,
        budget_ms=float(budget_ms),
        headroom_ms=float(budget_ms) - total,
        within_budget=total <= budget_ms,
    )
    # END SOLUTION
