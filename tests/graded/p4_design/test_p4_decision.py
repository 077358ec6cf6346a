"""Graded: reports/decision.json, the record the design doc quotes."""

from __future__ import annotations

import json
import tomllib

import pandas as pd
import pytest

KEYS = ("threshold", "expected_cost_per_day", "reviews_per_day", "peak_qps", "latency_budget")
WINDOW_KEYS = ("world", "as_of", "first_day", "last_day", "n_transactions")
MATURED_SHARE = 0.995  # the share of a window's fraud that must be charged back by as_of


@pytest.mark.rubric("p4.report.decision_json", points=4)
def test_decision_json_is_complete_and_feasible(project_dir):
    """reports/decision.json holds a feasible operating point, the peak QPS and a latency budget that fits."""
    path = project_dir / "reports" / "decision.json"
    assert path.is_file(), "reports/decision.json is missing: run cost_and_capacity.ipynb to write it."
    decision = json.loads(path.read_text(encoding="utf-8"))
    missing = [key for key in KEYS if key not in decision]
    assert not missing, f"reports/decision.json lacks {missing}: the notebook must write all of {list(KEYS)}."
    assumptions = tomllib.loads((project_dir / "assumptions.toml").read_text(encoding="utf-8"))
    volume = assumptions["volume"]
    assert 0 < float(decision["threshold"]) <= 1, (
        f"threshold {decision['threshold']} is not a score in (0, 1]."
    )
    assert float(decision["reviews_per_day"]) <= volume["review_capacity_per_day"], (
        f"{decision['reviews_per_day']} reviews a day exceed the capacity of "
        f"{volume['review_capacity_per_day']} "
        "in assumptions.toml: choose the threshold subject to the review capacity."
    )
    expected_qps = volume["daily_transactions"] / 86_400 * volume["peak_factor"]
    assert float(decision["peak_qps"]) == pytest.approx(expected_qps, rel=0.01), (
        f"peak_qps {decision['peak_qps']} does not follow from assumptions.toml "
        "(daily volume / 86,400 x peak "
        f"factor = {expected_qps:.1f}): re-run the notebook after changing the assumptions."
    )
    saving = decision.get("saving_vs_rule_per_day")
    assert isinstance(saving, dict) and saving.get("resampled_by") == "day", (
        "decision.json saving_vs_rule_per_day must give the saving over today's rule with its interval "
        "from resampling days (usd, ci_low, ci_high, resampled_by: day; see the README)."
    )
    assert saving["ci_low"] <= saving["usd"] <= saving["ci_high"], (
        f"The saving {saving['usd']} must lie inside its interval [{saving['ci_low']}, {saving['ci_high']}]."
    )
    budget = decision["latency_budget"]
    assert isinstance(budget, dict) and {"budget_ms", "total_ms"} <= budget.keys(), (
        "latency_budget must be an object with budget_ms and total_ms (see the README)."
    )
    assert budget["total_ms"] <= budget["budget_ms"], (
        f"The components sum to {budget['total_ms']} ms, over the {budget['budget_ms']} ms budget: "
        "trim a component "
        "or change the design before you sign the doc."
    )
    assert float(decision["expected_cost_per_day"]) > 0, (
        "expected_cost_per_day should be a positive dollar amount."
    )


def read_decision(project_dir) -> dict:
    path = project_dir / "reports" / "decision.json"
    if not path.is_file():
        pytest.fail(
            "reports/decision.json is missing: run cost_and_capacity.ipynb to write it.", pytrace=False
        )
    return json.loads(path.read_text(encoding="utf-8"))


def rebuild_window(evaluation: dict) -> tuple[pd.DataFrame, pd.Timestamp, pd.Timestamp]:
    """The costed transactions named by the decision's ``evaluation``, the data's last day and ``as_of``."""
    from course.data.fraud import load_world

    try:
        world = load_world(**evaluation["world"]).transactions
        as_of = pd.Timestamp(evaluation["as_of"])
        first, last = pd.Timestamp(evaluation["first_day"]), pd.Timestamp(evaluation["last_day"])
    except (TypeError, ValueError) as error:
        pytest.fail(
            f"The evaluation record of reports/decision.json does not name a world and days: {error}. "
            "Let the notebook write it with fraud_design.report.describe_evaluation.",
            pytrace=False,
        )
    days = world["timestamp"].dt.normalize()
    return world[(days >= first) & (days <= last)], days.max(), as_of


def check_world(decision: dict, evaluation: dict) -> None:
    """The decision was written in the world the learner is graded in, and costed on that world's data."""
    from course import worlds

    graded_in = worlds.current()
    assert decision.get("world") == graded_in.learner, (
        f"reports/decision.json says it was written in world {decision.get('world')!r}, and you are graded "
        f"in world {graded_in.learner!r}: run cost_and_capacity.ipynb in your world (learner.toml; "
        "worlds.current().fraud(...) draws its transactions) and keep decision['world']."
    )
    generated = evaluation["world"] if isinstance(evaluation.get("world"), dict) else {}
    assert generated.get("world", {}) == graded_in.params("fraud"), (
        "The evaluation record names transactions of another world than yours: draw them with "
        "worlds.current().fraud(...) and describe them with describe_evaluation(..., world.params)."
    )


@pytest.mark.rubric("p4.report.matured_costs", points=5)
def test_costs_come_from_a_matured_window(project_dir):
    """The decision's costs come from a window whose fraud was charged back, at the assumptions' costs."""
    decision = read_decision(project_dir)
    evaluation = decision.get("evaluation")
    assert isinstance(evaluation, dict) and set(WINDOW_KEYS) <= evaluation.keys(), (
        f"reports/decision.json needs an 'evaluation' object with {list(WINDOW_KEYS)}: which transactions "
        "were costed, as of which day. The notebook's last cell writes it with describe_evaluation(...)."
    )
    check_world(decision, evaluation)
    window, data_ends, as_of = rebuild_window(evaluation)
    assert as_of <= data_ends + pd.Timedelta(days=1), (
        f"as_of {as_of:%Y-%m-%d} is after the data ends ({data_ends:%Y-%m-%d}): stand on the day after the "
        "last transaction, when the latest chargebacks have not arrived yet."
    )
    assert len(window) == int(evaluation["n_transactions"]), (
        f"The days {evaluation['first_day']} to {evaluation['last_day']} hold {len(window):,} transactions, "
        f"but the record says {int(evaluation['n_transactions']):,} were costed: cost whole days of one "
        "contiguous window and describe that frame."
    )
    fraud = window["is_fraud"].astype(bool)
    known = float((window.loc[fraud, "chargeback_date"] <= as_of).mean()) if fraud.any() else 1.0
    assert known >= MATURED_SHARE, (
        f"Only {known:.1%} of the fraud between {evaluation['first_day']} and {evaluation['last_day']} had "
        f"been charged back by {as_of:%Y-%m-%d}: costs on labels that have not matured count unreported "
        "fraud as legitimate and flatter every threshold. Cost only transactions older than the chargeback "
        f"delay's 99th percentile (at least {MATURED_SHARE:.1%} of their fraud known)."
    )
    assumptions = tomllib.loads((project_dir / "assumptions.toml").read_text(encoding="utf-8"))
    costs, daily = assumptions["costs"], assumptions["volume"]["daily_transactions"]
    threshold = float(decision["threshold"])
    held = window["model_score"].to_numpy(dtype=float) >= threshold
    is_fraud = fraud.to_numpy()
    scale = daily / len(window)
    reviews = held.sum() * scale
    cost = scale * (
        window["amount"].to_numpy(dtype=float)[is_fraud & ~held].sum()
        + held.sum() * costs["review_usd"]
        + (held & ~is_fraud).sum() * costs["false_decline_usd"]
    )
    stated = float(decision["reviews_per_day"]), float(decision["expected_cost_per_day"])
    assert stated == pytest.approx((reviews, cost), abs=1.0), (
        f"At threshold {threshold} the window named in 'evaluation', at the costs of assumptions.toml, is "
        f"{reviews:,.0f} reviews and ${cost:,.0f} a day; reports/decision.json says {stated[0]:,.0f} and "
        f"${stated[1]:,.0f}. Cost exactly the matured window you describe, with review_usd and "
        "false_decline_usd from assumptions.toml, scaled to daily_transactions."
    )
