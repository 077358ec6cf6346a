"""Writing ``reports/decision.json`` and the cost-curve plot (infrastructure, not graded)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from fraud_design.capacity import CapacityEstimate
from fraud_design.latency import LatencyBudget


def describe_evaluation(
    transactions: pd.DataFrame, as_of: pd.Timestamp | str, world: dict[str, Any]
) -> dict[str, Any]:
    """Which transactions the costs were computed on, as of which day, from which generated world.

    ``transactions`` is the frame that was costed (the matured window), ``as_of`` the day we stand on, and
    ``world`` the parameters of the generated world (``FraudWorld.params``): enough for anyone to rebuild
    the window and re-derive the costs, and to see how many of its frauds were known by ``as_of``.
    """
    days = transactions["timestamp"].dt.normalize()
    fraud = transactions["is_fraud"].astype(bool)
    known = transactions.loc[fraud, "chargeback_date"] <= pd.Timestamp(as_of)
    return {
        "world": dict(world),
        "as_of": f"{pd.Timestamp(as_of):%Y-%m-%d}",
        "first_day": f"{days.min():%Y-%m-%d}",
        "last_day": f"{days.max():%Y-%m-%d}",
        "n_transactions": len(transactions),
        "fraud_known_share": round(float(known.mean()), 4) if len(known) else 1.0,
    }


def build_decision(
    chosen: pd.Series,
    unconstrained: pd.Series,
    review_capacity_per_day: float,
    capacity: CapacityEstimate,
    latency: LatencyBudget,
    evaluation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The decision record the design doc quotes, with numbers rounded as the doc prints them.

    ``evaluation`` (from :func:`describe_evaluation`) records which transactions were costed.
    """
    decision = {
        "policy": "model_score >= threshold -> hold the payment and queue it for manual review",
        "threshold": round(float(chosen["threshold"]), 3),
        "expected_cost_per_day": round(float(chosen["cost_per_day"])),
        "reviews_per_day": round(float(chosen["reviews_per_day"])),
        "review_capacity_per_day": int(review_capacity_per_day),
        "fraud_missed_per_day": round(float(chosen["fraud_missed_per_day"]), 1),
        "false_declines_per_day": round(float(chosen["false_declines_per_day"])),
        "cost_breakdown_per_day": {
            "missed_fraud_usd": round(float(chosen["missed_fraud_usd_per_day"])),
            "review_usd": round(float(chosen["review_usd_per_day"])),
            "friction_usd": round(float(chosen["friction_usd_per_day"])),
        },
        "unconstrained": {
            "threshold": round(float(unconstrained["threshold"]), 3),
            "expected_cost_per_day": round(float(unconstrained["cost_per_day"])),
            "reviews_per_day": round(float(unconstrained["reviews_per_day"])),
        },
        "daily_transactions": int(capacity.daily_transactions),
        "peak_qps": round(capacity.peak_qps, 1),
        "feature_reads_per_second": round(capacity.feature_reads_per_second),
        "storage_gb_per_day": round(capacity.storage_gb_per_day, 1),
        "storage_tb_retained": round(capacity.storage_tb_retained, 1),
        "latency_budget": {
            "budget_ms": latency.budget_ms,
            "total_ms": latency.total_ms,
            "headroom_ms": latency.headroom_ms,
            "within_budget": latency.within_budget,
            "components_ms": latency.components_ms,
        },
    }
    if evaluation is not None:
        decision["evaluation"] = evaluation
    return decision


def write_json(payload: dict[str, Any], path: str | Path) -> Path:
    """Write ``payload`` as indented JSON atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(payload, out, indent=2, sort_keys=False)
        out.write("\n")
    os.replace(tmp, path)
    return path


def plot_cost_curve(
    curve: pd.DataFrame,
    chosen: pd.Series,
    unconstrained: pd.Series,
    review_capacity_per_day: float,
    path: str | Path,
    max_threshold: float = 0.5,
):
    """Cost per day by component and reviews per day against the threshold; saved to ``path``."""
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    top.stackplot(
        curve["threshold"],
        curve["missed_fraud_usd_per_day"] / 1000,
        curve["review_usd_per_day"] / 1000,
        curve["friction_usd_per_day"] / 1000,
        labels=["missed fraud", "reviews", "false-decline friction"],
        alpha=0.7,
    )
    top.plot(curve["threshold"], curve["cost_per_day"] / 1000, color="black", lw=1.5, label="total")
    top.axvline(chosen["threshold"], color="tab:red", ls="--", label=f"chosen t = {chosen['threshold']:.3f}")
    top.axvline(
        unconstrained["threshold"],
        color="grey",
        ls=":",
        label=f"unconstrained t = {unconstrained['threshold']:.3f}",
    )
    top.set_ylabel("expected cost per day (k$)")
    shown = curve[curve["threshold"] <= max_threshold]
    top.set_ylim(0, 1.45 * float(shown["cost_per_day"].iloc[-1]) / 1000)
    top.legend(loc="upper right", fontsize=8, ncol=2)
    top.set_title("Expected daily cost of the review policy by threshold")
    bottom.plot(curve["threshold"], curve["reviews_per_day"], color="tab:blue")
    bottom.axhline(review_capacity_per_day, color="tab:red", ls="--", label="review capacity")
    bottom.axvline(chosen["threshold"], color="tab:red", ls="--")
    bottom.set_yscale("log")
    bottom.set_xlabel("threshold (hold for review when score >= t)")
    bottom.set_ylabel("reviews per day")
    bottom.legend(loc="upper right", fontsize=8)
    top.set_xlim(0, max_threshold)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})
    return fig
