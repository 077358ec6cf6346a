"""Graded: the leaky columns are named with reasons, dropped, found by a screen, and absent from the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.mark.rubric("p1.leakage.named", points=1)
def test_leaky_columns_named_with_reasons(project_module, leaky_names):
    """Your world's four export-time columns are named as leaky, each with a one-line reason."""
    leakage = project_module("churn_baseline.leakage")
    named = leakage.leaky_columns()
    assert isinstance(named, dict), "leaky_columns() must return a dict {column: reason}."
    missing = [c for c in leaky_names if c not in named]
    assert not missing, (
        f"leaky_columns() misses {missing}: read your world's data dictionary (data.crm_fields(), "
        "docs/reference/data.md) and find every column the CRM fills on the export date rather than at the "
        "month start; your world (learner.toml) has its own names."
    )
    for column in leaky_names:
        reason = str(named[column]).strip()
        assert len(reason.split()) >= 4 and "\n" not in reason, (
            f"The reason for {column!r} is {reason!r}: write one line (at least four words) saying why its "
            "value is not known when the prediction is made."
        )


@pytest.mark.rubric("p1.leakage.dropped", points=2)
def test_drop_leaky_removes_only_those(project_module):
    """drop_leaky removes the named columns, keeps the rest and leaves the input untouched."""
    leakage = project_module("churn_baseline.leakage")
    df = pd.DataFrame({"a": [1, 2], "leak": [0, 1], "b": ["x", "y"]})
    out = leakage.drop_leaky(df, ["leak", "not_there"])
    assert list(out.columns) == ["a", "b"], (
        f"drop_leaky(df, ['leak', 'not_there']) kept {list(out.columns)}; drop the named columns (ignore "
        "names that are absent) and keep the others in order."
    )
    assert "leak" in df.columns, "drop_leaky changed its input: return a new frame instead."


@pytest.mark.rubric("p1.leakage.screen", points=2)
def test_single_feature_screen_flags_a_planted_leak(project_module):
    """The single-feature AUC screen ranks a planted leak (numeric or categorical) above honest features."""
    leakage = project_module("churn_baseline.leakage")
    rng = np.random.default_rng(7)
    n = 600
    y = (rng.random(n) < 0.2).astype(float)
    df = pd.DataFrame(
        {
            "target": y,
            "honest": y * 0.5 + rng.normal(size=n),
            "noise": rng.normal(size=n),
            "status": np.where(y == 1, "closed", np.where(rng.random(n) < 0.02, "closed", "open")),
            "inverse_leak": -y + rng.normal(scale=0.05, size=n),
        }
    )
    df.loc[:9, "target"] = np.nan  # unknown labels must be ignored, not crash the screen
    scores = leakage.single_feature_auc(df, "target")
    assert "target" not in scores.index, "The screen must not score the label column itself."
    top = set(scores.sort_values(ascending=False).index[:2])
    assert top == {"status", "inverse_leak"}, (
        f"The two planted leaks ('status', categorical, and 'inverse_leak', negatively related) should "
        f"top the "
        f"screen; got {scores.round(3).to_dict()}. Score categories by their churn rate and fold the AUC "
        "(max(auc, 1 - auc))."
    )
    assert scores["inverse_leak"] > 0.95 and 0.4 < scores["noise"] < 0.62, (
        f"AUCs look wrong: {scores.round(3).to_dict()}; a perfect inverse predictor scores near 1.0, "
        "noise near 0.5."
    )


@pytest.mark.rubric("p1.leakage.screen", points=1)
def test_screen_does_not_flag_a_high_cardinality_code(project_module):
    """Categories are scored out of fold: an id-like column with no signal stays near 0.5, a leak near 1."""
    leakage = project_module("churn_baseline.leakage")
    rng = np.random.default_rng(12)
    n = 800
    y = (rng.random(n) < 0.25).astype(float)
    df = pd.DataFrame(
        {
            "target": y,
            "postcode": [f"P{i:04d}" for i in rng.integers(0, 400, n)],  # about 2 rows per code, no signal
            "status": np.where(y == 1, "closed", "open"),
        }
    )
    scores = leakage.single_feature_auc(df, "target")
    assert scores["status"] > 0.95, f"A categorical leak must still score near 1; got {scores['status']:.3f}."
    assert scores["postcode"] < 0.65, (
        f"'postcode' has about two rows per code and no relation to the label, yet it scores "
        f"{scores['postcode']:.3f}: each row's category rate includes its own label. Encode each row with "
        "its category's rate on the *other* folds (out-of-fold target encoding)."
    )


@pytest.mark.rubric("p1.leakage.model_features", points=2)
def test_model_features_exclude_leaks(read_metrics, leaky_names):
    """The model's features exclude every leaky column, and the notebook showed the too-good score."""
    metrics_json = read_metrics("the features your model uses")
    used = metrics_json.get("data", {}).get("features", [])
    assert used, "metrics.json data.features must list the columns the model uses."
    stems = tuple(name.removesuffix("_date") for name in leaky_names)  # last_login_date -> last_login_days
    leaked = [c for c in used if c in leaky_names or c.startswith(stems)]
    assert not leaked, f"The model uses leaky columns {leaked}: drop them before training."
    leak = metrics_json.get("leakage", {})
    assert leak.get("pr_auc_with_leaks", 0) > leak.get("pr_auc_without", 1) + 0.2, (
        "metrics.json leakage should show the too-good-to-be-true PR-AUC with the leaky columns "
        "(pr_auc_with_leaks) well above the honest one (pr_auc_without)."
    )
