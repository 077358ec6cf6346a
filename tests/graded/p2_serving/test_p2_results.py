"""Graded: what serving.ipynb wrote (reports/serving.json) was written in the learner's own world."""

from __future__ import annotations

import json
import math
import tomllib

import pytest

from course import worlds


def _rule_scores(frame):
    """The README's fallback formula, computed by the grader, vectorised."""
    import numpy as np

    logit = np.full(len(frame), -3.0)
    logit += 1.0 * (frame["contract"].to_numpy() == "monthly")
    logit += 0.8 * (frame["tenure_days"].to_numpy(dtype=float) < 180)
    logit += 0.7 * np.minimum(frame["failed_payments_90d"].to_numpy(dtype=float), 3)
    logit += 0.4 * np.minimum(frame["tickets_30d"].to_numpy(dtype=float), 3)
    logit += 0.8 * (frame["days_since_last_activity"].to_numpy(dtype=float) >= 14)
    logit += 1.5 * np.clip(-frame["usage_trend_28d"].to_numpy(dtype=float), 0.0, 1.0)
    return 1.0 / (1.0 + np.exp(-logit))


def _profit_threshold(y, p, decision: dict) -> float:
    """Project 1's policies on the rule's scores (capacity: the k-th highest; profit: the best top-k)."""
    import numpy as np

    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    order = np.argsort(-p, kind="stable")
    k_max = max(1, math.floor(decision.get("capacity", 0.05) * len(p) + 1e-9))
    if decision.get("policy", "profit") == "capacity":
        return float(p[order][k_max - 1])
    gain = decision.get("save_rate", 0.30) * decision.get("saved_value", 120.0)
    profit = np.cumsum(y[order])[:k_max] * gain - np.arange(1, k_max + 1) * decision.get("contact_cost", 10.0)
    k = int(np.argmax(profit)) + 1
    return 1.0 if profit[k - 1] <= 0 else float(p[order][k - 1])


@pytest.mark.rubric("p2.results.world", points=1)
def test_serving_json_is_written_in_your_world(project_dir):
    """reports/serving.json names your world, and its fallback rule threshold is the one fitted in it."""
    import pandas as pd

    from course.data import churn

    path = project_dir / "reports" / "serving.json"
    if not path.is_file():
        pytest.fail("reports/serving.json is missing: run serving.ipynb, which writes it.", pytrace=False)
    report = json.loads(path.read_text())
    graded_in = worlds.current()
    assert report.get("world") == graded_in.learner, (
        f"reports/serving.json says it was written in world {report.get('world')!r}, and you are graded in "
        f"world {graded_in.learner!r}: run serving.ipynb in your world (learner.toml; train.train draws "
        "worlds.current().churn(...)) and keep report['world']."
    )
    record = report.get("threshold", {})
    months = record.get("fallback_rule_fitted_on_months") or []
    value = record.get("fallback_rule")
    assert months and isinstance(value, int | float), (
        "reports/serving.json's threshold needs fallback_rule (the rule's threshold the service loaded) and "
        f"fallback_rule_fitted_on_months (the months training fitted it on); it has {sorted(record)}."
    )
    config = tomllib.loads((project_dir / "train.toml").read_text())
    world = graded_in.churn(seed=config.get("seed", 0), n_customers=config.get("n_customers", 2000),
                            months=config.get("months", 18))  # fmt: skip
    snapshot = churn.monthly_snapshot(world)
    rows = snapshot[snapshot["month"].isin(pd.to_datetime(pd.Series(months))) & snapshot["churned"].notna()]
    want = _profit_threshold(rows["churned"].astype(int), _rule_scores(rows), config.get("decision", {}))
    assert value == pytest.approx(want, abs=1e-6), (
        f"reports/serving.json says the fallback rule's threshold is {value}, but train.toml's policy gives "
        f"{want:.6f} on the rule's scores of those months in your world: report the threshold training "
        "fitted and wrote to the artifact folder's fallback.json, not a constant of the default world."
    )
