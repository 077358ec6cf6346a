"""Graded: what baseline.ipynb wrote: reports/metrics.json and the README answers that quote it."""

from __future__ import annotations

import json
import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from course import worlds

MODEL_METRICS = ("pr_auc", "roc_auc", "log_loss", "brier", "precision_at_capacity", "recall_at_capacity",
                 "expected_profit")  # fmt: skip


@pytest.mark.rubric("p1.mlp.comparison_reported", points=2)
def test_mlp_comparison_in_metrics_json(read_metrics):
    """metrics.json compares the MLP with boosting: quality, training time, per-row latency, conclusion."""
    metrics_json = read_metrics("the MLP comparison")
    comparison = metrics_json.get("mlp_vs_boosting", {})
    for model in ("mlp", "boosting"):
        entry = comparison.get(model, {})
        for key in ("pr_auc", "log_loss", "train_seconds", "latency_ms_per_row"):
            value = entry.get(key)
            assert isinstance(value, int | float) and math.isfinite(value) and value > 0, (
                f"metrics.json mlp_vs_boosting.{model}.{key} must be a positive number; got {value!r}."
            )
    assert len(str(comparison.get("conclusion", "")).split()) >= 8, (
        "metrics.json mlp_vs_boosting.conclusion should say, in a sentence, whether the MLP is worth it."
    )


@pytest.mark.rubric("p1.results.metrics_json", points=2)
def test_metrics_json_follows_schema(read_metrics, project_dir):
    """metrics.json holds all models' metrics, the threshold, the capacity, the profit and the worst slice."""
    metrics_json = read_metrics("its schema")
    graded_in = worlds.current().learner
    assert metrics_json.get("world") == graded_in, (
        f"reports/metrics.json says it was written in world {metrics_json.get('world')!r}, and you are "
        f"graded in world {graded_in!r}: run baseline.ipynb in your world (learner.toml, which "
        "data.load_snapshot reads) and keep payload['world']."
    )
    models = metrics_json.get("models", {})
    for name in ("prior", "rule", "logistic", "boosting", "mlp"):
        assert name in models, f"metrics.json models is missing {name!r} (see the schema in the README)."
        missing = [m for m in MODEL_METRICS if not isinstance(models[name].get(m), int | float)]
        assert not missing, f"metrics.json models.{name} lacks {missing}."
    params = tomllib.loads((project_dir / "params.toml").read_text())["decision"]
    assert metrics_json.get("decision", {}).get("capacity") == pytest.approx(params["capacity"]), (
        "metrics.json decision.capacity must equal the capacity in params.toml."
    )
    threshold = metrics_json.get("threshold", {})
    assert isinstance(threshold.get("value"), int | float) and threshold.get("policy"), (
        "metrics.json threshold needs the chosen policy and its value."
    )
    share = threshold.get("share_contacted", 2)
    assert 0 < share <= params["capacity"] + 1e-9, (
        f"The chosen policy contacts {share} of customers; it must contact someone and stay within capacity."
    )
    assert isinstance(metrics_json.get("expected_profit"), int | float), "metrics.json needs expected_profit."
    worst = metrics_json.get("worst_slice", {})
    assert {"slice", "value", "metric", "score"} <= set(worst), (
        f"worst_slice needs slice, value, metric, score: {worst}."
    )
    headline = metrics_json.get("headline", {})
    assert headline.get("ci_low", 1) <= headline.get("value", 0) <= headline.get("ci_high", -1), (
        "headline needs value inside [ci_low, ci_high] (the bootstrap interval by customer)."
    )


def _predictions(project_dir, part: str, purpose: str) -> pd.DataFrame:
    """``reports/<part>_predictions.csv`` as the notebook wrote it (test or validation rows)."""
    path = project_dir / "reports" / f"{part}_predictions.csv"
    if not path.is_file():
        pytest.fail(
            f"reports/{part}_predictions.csv not found, so {purpose} cannot be checked: run baseline.ipynb "
            "top to bottom; its last cell writes the file.",
            pytrace=False,
        )
    frame = pd.read_csv(path)
    missing = sorted({"customer_id", "month", "churned", "score", "raw_score"} - set(frame.columns))
    if missing:
        pytest.fail(
            f"reports/{part}_predictions.csv lacks the column(s) {missing}: let the notebook's last cell "
            "write it (see the README's schema).",
            pytrace=False,
        )
    return frame


@pytest.mark.rubric("p1.results.splits", points=3)
def test_notebook_splits_out_of_time_and_grouped(project_dir, read_metrics):
    """The notebook tests on the latest mature months and validates on whole customers of earlier months."""
    data = read_metrics("which months you tested on").get("data", {})
    train, test, immature = (
        sorted(data.get(k) or []) for k in ("train_months", "test_months", "immature_months")
    )
    assert train and test and immature, (
        "metrics.json data needs train_months, test_months and immature_months (lists of YYYY-MM)."
    )
    wanted = tomllib.loads((project_dir / "params.toml").read_text())["split"]["test_months"]
    assert len(test) == wanted and max(train) < min(test), (
        f"The test set should be the latest {wanted} mature months, all after the training months (an "
        f"out-of-time split); metrics.json says train {train[0]}..{train[-1]} and test {test}. Hold out the "
        "latest months, not a random share of customers or rows."
    )
    assert max(test) < min(immature), (
        f"Test months {test} reach into the immature months {immature}, whose labels are not known yet: "
        "an unknown label is not 'no churn'; drop those months before splitting."
    )
    predictions = _predictions(project_dir, "test", "the test months")
    months = sorted(set(predictions["month"].astype(str).str[:7]))
    assert months == test and len(predictions) == data.get("n_test"), (
        f"reports/test_predictions.csv should hold the {data.get('n_test')} rows of the test months {test}; "
        f"it holds {len(predictions)} rows of {months}."
    )
    validation = _predictions(project_dir, "validation", "the validation months")
    late = sorted(set(validation["month"].astype(str).str[:7]) - set(train))
    assert not late and len(validation) == data.get("n_validation"), (
        f"The validation customers' {data.get('n_validation')} rows must come from the training months; "
        f"reports/validation_predictions.csv holds {len(validation)} rows, and months {late} outside "
        "training."
    )
    # a customer is active in consecutive months, so a validation set of whole customers has no gaps
    month = pd.to_datetime(validation["month"])
    index = (month.dt.year * 12 + month.dt.month).groupby(validation["customer_id"])
    gaps = int(((index.max() - index.min() + 1) != index.count()).sum())
    assert gaps == 0, (
        f"{gaps} validation customers have only some of their training months in validation: the other "
        "months are in the fit set. Hold out whole customers (grouped_holdout), not rows."
    )


@pytest.mark.rubric("p1.results.fitted_on_validation", points=3)
def test_threshold_and_calibrator_fitted_on_validation(project_module, project_dir, read_metrics):
    """The threshold, the calibrator and the policy were chosen on validation customers, not test months."""
    metrics_json = read_metrics("what your threshold and calibrator were fitted on")
    validation = _predictions(project_dir, "validation", "the data your threshold was fitted on")
    test = _predictions(project_dir, "test", "the data your calibrator was applied to")
    config = project_module("churn_baseline.config")
    thresholds = project_module("churn_baseline.thresholds")
    calibration = project_module("churn_baseline.calibration")
    decision = config.load_config(project_dir / "params.toml").decision
    y_val, y_test = (part["churned"].to_numpy(dtype=int) for part in (validation, test))

    reported = metrics_json.get("threshold", {})
    on_validation = thresholds.threshold_for_profit(y_val, validation["score"].to_numpy(float), decision)
    profit = reported.get("profit")
    assert isinstance(profit, int | float) and math.isclose(
        profit, on_validation["threshold"], abs_tol=2e-4
    ), (
        f"metrics.json threshold.profit is {profit}, but the profit threshold of your model's validation "
        f"scores is {on_validation['threshold']:.4f}: choose the threshold on the validation customers "
        "(threshold_for_profit(y_val, p_val, ...)) and apply it unchanged to the test months."
    )
    if reported.get("policy") == "capacity":
        k = max(1, int(np.floor(decision.capacity * len(y_val) + 1e-9)))
        top = np.argsort(-validation["score"].to_numpy(float), kind="stable")[:k]
        capacity_profit = y_val[top].sum() * decision.gain_per_churner - k * decision.contact_cost
        assert capacity_profit >= on_validation["profit"] - 1e-6, (
            f"You chose the capacity policy, which earns {capacity_profit:.0f} on the validation customers "
            f"against {on_validation['profit']:.0f} for the profit policy: choose the policy on validation, "
            "not by which one earned more on the test months."
        )

    cal = metrics_json.get("calibration", {})
    raw_ece = calibration.expected_calibration_error(y_test, test["raw_score"].to_numpy(float))
    assert math.isclose(raw_ece, cal.get("ece_raw", -1.0), abs_tol=3e-4), (
        f"metrics.json calibration.ece_raw ({cal.get('ece_raw')}) should be the ECE of raw_score in "
        f"reports/test_predictions.csv ({raw_ece:.4f}), the uncalibrated scores of the model you calibrate."
    )
    fitted = calibration.fit_calibrator(
        y_val, validation["raw_score"].to_numpy(float), method=cal.get("method", "sigmoid")
    )
    calibrated = np.clip(
        np.asarray(fitted.transform(test["raw_score"].to_numpy(float)), float), 1e-15, 1 - 1e-15
    )
    ece = calibration.expected_calibration_error(y_test, calibrated)
    loss = float(-np.mean(y_test * np.log(calibrated) + (1 - y_test) * np.log(1 - calibrated)))
    reported_loss = (
        metrics_json.get("models", {}).get("boosting_balanced_calibrated", {}).get("log_loss", -1.0)
    )
    assert math.isclose(ece, cal.get("ece_calibrated", -1.0), abs_tol=3e-4) and math.isclose(
        loss, reported_loss, abs_tol=3e-4
    ), (
        f"metrics.json reports the calibrated model's ECE {cal.get('ece_calibrated')} and log-loss "
        f"{reported_loss}, but a {cal.get('method')} calibrator fitted on the validation customers' raw "
        f"scores gives {ece:.4f} and {loss:.4f} on the test months: fit the calibrator on validation "
        "(never on the test months or the training rows), then transform the test scores."
    )


@pytest.mark.rubric("p1.metrics.paired_comparison", points=1)
def test_model_choice_rests_on_a_paired_comparison(project_dir, read_metrics, paired_reference):
    """metrics.json compares boosting with logistic regression by a paired bootstrap of the difference on
    the test customers."""
    from sklearn.metrics import average_precision_score

    metrics_json = read_metrics("the model comparison")
    chosen = metrics_json.get("chosen_model")
    entries = [c for c in metrics_json.get("comparisons", []) if isinstance(c, dict)]
    versus = next(
        (c for c in entries if c.get("b") == "logistic" and c.get("a") in ("boosting", chosen)), None
    )
    assert versus is not None, (
        "metrics.json comparisons must hold the paired comparison of boosting (a) with logistic regression "
        "(b): a, b, metric, difference, ci_low, ci_high, credible (see the README schema)."
    )
    path = project_dir / "reports" / "test_predictions.csv"
    frame = pd.read_csv(path) if path.is_file() else pd.DataFrame()
    columns = {f"score_{versus['a']}", "score_logistic", "churned", "customer_id"}
    assert columns <= set(frame.columns), (
        f"reports/test_predictions.csv needs the columns {sorted(columns)} so the comparison can be re-run; "
        f"it has {sorted(frame.columns)}."
    )
    y = frame["churned"].to_numpy(dtype=int)
    a, b = frame[f"score_{versus['a']}"].to_numpy(float), frame["score_logistic"].to_numpy(float)
    difference, low, high = paired_reference(
        y, a, b, frame["customer_id"], average_precision_score, n_boot=200
    )
    _, split_low, split_high = paired_reference(
        y, a, b, frame["customer_id"], average_precision_score, n_boot=200, paired=False
    )
    got = [versus.get(k) for k in ("difference", "ci_low", "ci_high")]
    assert all(isinstance(v, int | float) for v in got) and math.isclose(got[0], difference, abs_tol=2e-4), (
        f"comparisons: the PR-AUC difference {versus['a']} - logistic on the test rows is {difference:.4f}; "
        f"metrics.json says {got[0]}."
    )
    width, paired_width, split_width = got[2] - got[1], high - low, split_high - split_low
    assert got[1] <= got[0] <= got[2] and abs(width - paired_width) < abs(width - split_width), (
        f"The interval [{got[1]}, {got[2]}] is {width:.4f} wide: a paired bootstrap by customer gives about "
        f"{paired_width:.4f} ([{low:.4f}, {high:.4f}]), two separate resamples {split_width:.4f}. Score both "
        "models on the same resampled customers."
    )
    credible = got[1] > 0 or got[2] < 0
    assert versus.get("credible") is credible, (
        f"credible must say whether the interval [{got[1]}, {got[2]}] excludes 0 ({credible})."
    )


@pytest.mark.rubric("p1.results.decisions", points=1)
def test_chosen_model_follows_the_recorded_comparison(read_metrics):
    """metrics.json's chosen_model is the one its own paired comparison with logistic regression supports"""
    metrics_json = read_metrics("the model you ship")
    chosen = metrics_json.get("chosen_model")
    entries = [c for c in metrics_json.get("comparisons", []) if isinstance(c, dict)]
    versus = next((c for c in entries if c.get("b") == "logistic" and c.get("a") != "mlp"), None)
    bounds = [versus.get(k) for k in ("ci_low", "ci_high")] if versus else []
    assert len(bounds) == 2 and all(isinstance(v, int | float) for v in bounds), (
        "metrics.json comparisons must hold the paired comparison of your candidate (a) with logistic "
        "regression (b), with its ci_low and ci_high (see the README schema): the model you ship follows "
        "from it."
    )
    low, high = bounds
    expected = versus["a"] if low > 0 else "logistic"
    assert chosen == expected, (
        f"chosen_model is {chosen!r}, but your own comparison says {versus['a']} - logistic has the "
        f"paired interval [{low}, {high}], so the model to ship is {expected!r}: keep the simpler logistic "
        "regression unless the other model's gain is credible (its paired interval excludes 0 on its side)."
    )


@pytest.mark.rubric("p1.results.fitted_on_validation", points=1)
def test_telco_model_and_threshold_chosen_on_validation(project_module, project_dir):
    """On IBM Telco too, the model and the profit threshold are chosen on the validation customers."""
    path = project_dir / "reports" / "telco_metrics.json"
    if not path.is_file():
        pytest.fail(
            "reports/telco_metrics.json not found: run real_data.ipynb; its last cell writes it.",
            pytrace=False,
        )
    telco = json.loads(path.read_text(encoding="utf-8"))
    validation = project_dir / "reports" / "telco_validation_predictions.csv"
    if not validation.is_file():
        pytest.fail(
            "reports/telco_validation_predictions.csv not found: run real_data.ipynb top to bottom.",
            pytrace=False,
        )
    frame = pd.read_csv(validation)
    choice = telco.get("model_choice") or {}
    needed = {"score_boosting", "score_logistic"}
    assert needed <= set(frame.columns) and choice.get("on") == "validation", (
        "telco_metrics.json model_choice must record the paired comparison of boosting with logistic "
        "regression on the validation customers (on: validation), and telco_validation_predictions.csv "
        f"both models' scores ({sorted(needed)}); it has {sorted(frame.columns)}."
    )
    y_val = frame["churn"].to_numpy(dtype=int)
    boosting, logistic = frame["score_boosting"].to_numpy(float), frame["score_logistic"].to_numpy(float)
    metrics = project_module("churn_baseline.metrics")
    gain = metrics.pr_auc(y_val, boosting) - metrics.pr_auc(y_val, logistic)
    low, high = choice.get("ci_low"), choice.get("ci_high")
    assert isinstance(low, int | float) and isinstance(high, int | float) and low <= gain <= high, (
        f"model_choice should give boosting's validation PR-AUC gain ({gain:.4f}) and its paired interval; "
        f"got {choice}."
    )
    expected = "boosting" if low > 0 else "logistic"
    assert telco.get("best_model") == expected, (
        f"telco_metrics.json names {telco.get('best_model')!r}, but boosting's gain on validation has the "
        f"paired interval [{low}, {high}]: keep the simpler logistic regression unless that interval "
        "excludes 0."
    )
    thresholds = project_module("churn_baseline.thresholds")
    decision = project_module("churn_baseline.config").load_config(project_dir / "params.toml").decision
    expected = thresholds.threshold_for_profit(
        frame["churn"].to_numpy(dtype=int), frame["score"].to_numpy(dtype=float), decision
    )["threshold"]
    value = telco.get("threshold", {}).get("value")
    assert isinstance(value, int | float) and math.isclose(value, expected, abs_tol=2e-4), (
        f"telco_metrics.json threshold.value is {value}, but the profit threshold of the best model's "
        f"validation scores is {expected:.4f}: fit the threshold on validation, then apply it to the test "
        "customers."
    )


def _readme_spec(doclint):
    S = doclint.SectionSpec
    return doclint.DocSpec(
        name="README.md",
        sections=[
            S("What decision does the prediction support", min_words=40,
              required_terms=[["contact"], ["capacity", "%"]],
              guidance="say who acts on the score, how many customers they can reach and what it costs"),
            S("Where do the features and labels come from", min_words=40,
              required_terms=[["label"], ["month start", "start of the month", "as of"], ["leak"]],
              guidance="say when features are measured, when labels become known, which columns you dropped"),
            S("Which baseline does the model beat", min_words=30,
              required_terms=[["baseline", "logistic", "rule"]],
              guidance="name the strongest baseline and give both PR-AUCs from metrics.json"),
            S("Which metric matches the decision", min_words=40,
              required_terms=[["PR-AUC", "precision"], ["profit"]],
              guidance="explain why this metric follows from the contact decision; quote the threshold"),
            S("Which errors matter most", min_words=40, required_terms=[["missed", "false negative"]],
              guidance="say which mistakes cost most and name the worst slice with its number"),
            S("Which data would you collect next", min_words=30,
              guidance="name the data and the error it would fix"),
        ],
    )  # fmt: skip


@pytest.mark.rubric("p1.readme.answers", points=5)
def test_readme_answers_present_and_match_results(project_dir, read_metrics):
    """The README answers all six questions with substance, quoting numbers that match metrics.json."""
    from course.grading import doclint

    text = (project_dir / "README.md").read_text(encoding="utf-8")
    findings = doclint.lint(text, _readme_spec(doclint))
    assert not findings, "README.md answers need work:\n" + doclint.format_findings(findings)
    metrics_json = read_metrics("the numbers your README quotes")
    models = metrics_json.get("models", {})
    chosen = metrics_json.get("chosen_model", "")
    baseline, metric, errors = (
        "Which baseline does the model beat",
        "Which metric matches",
        "Which errors matter",
    )
    versus = next(
        (c for c in metrics_json.get("comparisons", []) if isinstance(c, dict) and c.get("b") == "logistic"),
        {},
    )
    checks = [  # each figure must stand next to its name, not anywhere in the section
        (baseline, models.get(chosen, {}).get("pr_auc"), "your model's PR-AUC", ("PR-AUC", "PR AUC")),
        (baseline, models.get("logistic", {}).get("pr_auc"), "the logistic PR-AUC", ("logistic",)),
        (baseline, versus.get("difference"), "the paired difference", ("paired difference",)),
        (metric, metrics_json.get("threshold", {}).get("value"), "the chosen threshold", ("threshold",)),
        (
            errors,
            metrics_json.get("worst_slice", {}).get("score"),
            "the worst slice's score",
            ("worst slice",),
        ),
    ]
    for section, value, what, names in checks:
        if isinstance(value, int | float):
            where = f"{what} from reports/metrics.json"
            finding = doclint.cross_check(text, section, float(value), where, near=names)
            if finding is not None:
                findings.append(finding)
    assert not findings, "README.md answers need work:\n" + doclint.format_findings(findings)
