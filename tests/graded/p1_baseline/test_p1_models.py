"""Graded: the baselines, the model pipelines, and the model beating every baseline out of time."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score


def _frame(seed: int, n: int = 1500) -> tuple[pd.DataFrame, np.ndarray]:
    """Any binary-label table: numbers with gaps, a category, a nonlinear signal."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "usage": rng.gamma(2.0, 10.0, n),
            "tickets": rng.poisson(0.5, n).astype(float),
            "tier": rng.choice(["gold", "silver", "bronze"], n),
        }
    )
    logit = -2 + 1.5 * (df["usage"] < 8) + 0.8 * df["tickets"] + np.where(df["tier"] == "bronze", 1.0, 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    df.loc[df.sample(frac=0.05, random_state=seed).index, "usage"] = np.nan
    return df, y


@pytest.mark.rubric("p1.baselines.prior_and_rule", points=2)
def test_prior_and_rule_baselines(project_module):
    """The prior predicts the base rate; the hand rule flags rows by its conditions and learns their rates."""
    baselines = project_module("churn_baseline.baselines")
    X = pd.DataFrame(
        {"failed": [0, 2, 0, 1, 0, 0, 0, 0], "trend": [0.1, 0.0, -0.6, 0.2, 0.0, 0.3, -0.1, 0.0]}
    )
    y = np.array([0, 1, 1, 0, 0, 0, 0, 0])
    prior = baselines.PriorClassifier().fit(X, y)
    p = prior.predict_proba(X)
    assert p.shape == (8, 2) and np.allclose(p[:, 1], 0.25), (
        f"PriorClassifier should give every row the training base rate 0.25 in column 1; got {p[:, 1]}."
    )
    rule = baselines.RuleClassifier({"failed": (">", 0), "trend": ("<", -0.3)}).fit(X, y)
    flagged = rule.predict_proba(X)[:, 1]
    # flagged rows: 1, 2, 3 (2 of 3 churned); others: 0 of 5
    assert np.allclose(flagged, [0, 2 / 3, 2 / 3, 2 / 3, 0, 0, 0, 0]), (
        "RuleClassifier({'failed': ('>', 0), 'trend': ('<', -0.3)}) should flag rows 1, 2, 3 and predict the "
        f"churn rate of flagged rows (2/3) and of the others (0); got {np.round(flagged, 3)}."
    )
    gaps = pd.DataFrame({"tenure": [2.0, np.nan, 30.0, np.nan]})
    flags = baselines.RuleClassifier({"tenure": ("<", 12)}).predict(gaps)
    assert list(np.asarray(flags, dtype=int)) == [1, 0, 0, 0], (
        "RuleClassifier({'tenure': ('<', 12)}) should flag only the known short tenure: a missing value "
        f"never flags (do not fill it with 0); got {list(flags)} for tenures [2, NaN, 30, NaN]."
    )


@pytest.mark.rubric("p1.baselines.pipelines", points=2)
def test_model_pipelines_work_on_any_table(project_module):
    """Logistic regression and boosting pipelines fit any table with gaps, categories and unseen values."""
    baselines = project_module("churn_baseline.baselines")
    df, y = _frame(1)
    test_df, test_y = _frame(2)
    test_df.loc[:5, "tier"] = "platinum"  # a category never seen in training
    for name, model in [
        ("make_logistic", baselines.make_logistic(["usage", "tickets"], ["tier"])),
        ("make_boosting", baselines.make_boosting(["usage", "tickets"], ["tier"], seed=0)),
    ]:
        model.fit(df, y)
        p = model.predict_proba(test_df)[:, 1]
        assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all(), (
            f"{name}: probabilities must be in [0, 1]."
        )
        auc = roc_auc_score(test_y, p)
        assert auc > 0.7, (
            f"{name}'s model reaches ROC-AUC {auc:.2f} on a learnable table: impute gaps, encode the "
            "category "
            "(ignoring unseen values) inside the pipeline."
        )
    steps = baselines.make_logistic(["usage"], ["tier"])
    assert any(type(s).__name__ == "ColumnTransformer" for _, s in getattr(steps, "steps", [])), (
        "make_logistic should return a Pipeline whose first step is a ColumnTransformer."
    )


@pytest.mark.rubric("p1.baselines.pipelines", points=1)
def test_boosting_uses_the_callers_parameters(project_module):
    """make_boosting passes the caller's parameters (max_iter, learning_rate, class_weight) to the model."""
    baselines = project_module("churn_baseline.baselines")
    df, y = _frame(3)
    test_df, _ = _frame(4)
    usual = baselines.make_boosting(["usage", "tickets"], ["tier"], seed=0).fit(df, y)
    one_step = baselines.make_boosting(["usage", "tickets"], ["tier"], seed=0, max_iter=1, learning_rate=0.01)
    p_usual = usual.predict_proba(test_df)[:, 1]
    p_step = one_step.fit(df, y).predict_proba(test_df)[:, 1]
    assert np.ptp(p_step) < 0.05 < np.ptp(p_usual), (
        "make_boosting(..., max_iter=1, learning_rate=0.01) should give almost the same probability to every "
        f"row (one tiny step from the base rate); its probabilities span {np.ptp(p_step):.3f}, like the "
        "default model's. Let the caller's parameters override your defaults."
    )
    balanced = baselines.make_boosting(["usage", "tickets"], ["tier"], seed=0, class_weight="balanced")
    p_balanced = balanced.fit(df, y).predict_proba(test_df)[:, 1]
    assert p_balanced.mean() > p_usual.mean() + 0.1, (
        "make_boosting(..., class_weight='balanced') should weigh the rare class up and raise the average "
        f"probability; got {p_balanced.mean():.3f} against {p_usual.mean():.3f} without it. Pass the extra "
        "parameters on to HistGradientBoostingClassifier."
    )


@pytest.mark.rubric("p1.results.beats_baselines", points=3)
def test_model_beats_every_baseline_out_of_time(read_metrics, project_dir, grading_note):
    """The chosen model beats every baseline (prior, rule, logistic) on out-of-time PR-AUC and log-loss."""
    metrics_json = read_metrics("your model against the baselines")
    _oracle_note(project_dir, grading_note)  # informative, shown whatever the result below
    models = metrics_json.get("models", {})
    chosen = metrics_json.get("chosen_model")
    assert chosen in models, f"chosen_model {chosen!r} must name one of the models in metrics.json."
    for baseline in ("prior", "rule", "logistic"):
        if baseline == chosen:
            continue
        assert baseline in models, f"metrics.json models must include the {baseline!r} baseline."
        assert models[chosen]["pr_auc"] > models[baseline]["pr_auc"], (
            f"Your model ({chosen}) does not beat the {baseline} baseline on PR-AUC: "
            f"{models[chosen]['pr_auc']:.3f} vs {models[baseline]['pr_auc']:.3f}."
        )
        assert models[chosen]["log_loss"] < models[baseline]["log_loss"], (
            f"Your model ({chosen}) has a worse log-loss than the {baseline} baseline: check calibration."
        )


def _oracle_note(project_dir, grading_note) -> None:
    """Informative: the model's out-of-time PR-AUC and log-loss as a fraction of the true probabilities'."""
    try:
        from sklearn.metrics import average_precision_score, log_loss

        from course import worlds

        params = tomllib.loads((project_dir / "params.toml").read_text())["data"]
        world = worlds.current().churn(
            seed=params["seed"], n_customers=params["n_customers"], months=params["months"]
        )
        pred = pd.read_csv(project_dir / "reports" / "test_predictions.csv", parse_dates=["month"])
        oracle = pred.merge(world.oracle, on=["customer_id", "month"], how="inner")
        if len(oracle) < 0.99 * len(pred) or oracle.empty:
            return
        y = oracle["churned"].astype(int)
        pr = average_precision_score(y, oracle["score"]) / average_precision_score(
            y, oracle["churn_probability"]
        )
        ll = log_loss(y, oracle["churn_probability"]) / log_loss(y, oracle["score"].clip(1e-6, 1 - 1e-6))
        grading_note(
            f"Your model reaches {pr:.2f} of the best possible PR-AUC and {ll:.2f} of the best possible "
            f"log-loss on the out-of-time months (1.00 = the world's true churn probabilities)."
        )
    except Exception:  # informative only: never costs points
        return
