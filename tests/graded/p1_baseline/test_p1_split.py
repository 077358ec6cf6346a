"""Graded: out-of-time test, grouped validation, immature labels excluded (property tests with hypothesis).

Each test first checks one fixed example (so a failure reads plainly), then the property on random panels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True, database=None)
PANELS = st.tuples(
    st.integers(0, 10_000), st.integers(8, 40), st.integers(5, 10), st.integers(0, 2), st.integers(1, 2)
)


def _check_out_of_time(split, df: pd.DataFrame, k: int) -> None:
    train, test = split.out_of_time_split(df, "period", "y", test_periods=k)
    mature = sorted(df.loc[df["y"].notna(), "period"].unique())
    assert sorted(test["period"].unique()) == mature[-k:], (
        f"With test_periods={k} the test set should hold the latest {k} mature periods {mature[-k:]}, "
        f"got {sorted(test['period'].unique())}."
    )
    assert train["period"].max() < test["period"].min(), (
        "A training period comes at or after a test period: hold out the LATEST periods, train on the "
        "earlier ones."
    )
    assert len(train) + len(test) == int(df["y"].notna().sum()), (
        "Train and test together should hold every row with a known label, once."
    )


def _check_immature(split, df: pd.DataFrame, k: int) -> None:
    mature = split.mature_rows(df, "y", "period")
    assert mature["y"].notna().all() and len(mature) == int(df["y"].notna().sum()), (
        "mature_rows should keep exactly the rows whose label is known (here whole periods are unknown)."
    )
    train, test = split.out_of_time_split(df, "period", "y", test_periods=k)
    used = pd.concat([train, test])
    assert used["y"].notna().all(), (
        "The split returned rows with an unknown (NaN) label: an immature label is not 'no churn'; drop it."
    )
    immature_periods = set(df.loc[df["y"].isna(), "period"])
    assert not immature_periods & set(used["period"]), (
        f"Periods {sorted(immature_periods)} have no known label yet and must not appear in train or test."
    )


def _check_grouped(split, df: pd.DataFrame, n_splits: int, seed: int) -> None:
    folds = split.grouped_folds(df, "cid", n_splits=n_splits, seed=seed)
    assert len(folds) == n_splits, f"grouped_folds returned {len(folds)} folds, expected n_splits={n_splits}."
    seen = np.zeros(len(df), dtype=int)
    for train_idx, val_idx in folds:
        both = set(df["cid"].iloc[train_idx]) & set(df["cid"].iloc[val_idx])
        assert not both, (
            f"{len(both)} customers are in both train and validation of a fold: group by customer."
        )
        seen[np.asarray(val_idx)] += 1
    assert (seen == 1).all(), "Every row must be in exactly one validation fold."
    fit, val = split.grouped_holdout(df, "cid", val_share=0.3, seed=seed)
    overlap = set(fit["cid"]) & set(val["cid"])
    assert not overlap, f"grouped_holdout puts {len(overlap)} customers on both sides: split by customer."
    assert len(fit) + len(val) == len(df) and len(val) > 0, "grouped_holdout must use every row exactly once."


@pytest.mark.rubric("p1.split.out_of_time", points=2)
def test_out_of_time_split_holds_out_the_latest_mature_periods(project_module, make_panel):
    """The test set is the latest mature periods; no test period comes before a training period."""
    split = project_module("churn_baseline.split")
    _check_out_of_time(split, make_panel(0, 30, 8, 2), 2)

    @SETTINGS
    @given(PANELS)
    def prop(spec):
        seed, n, months, immature, k = spec
        _check_out_of_time(split, make_panel(seed, n, months, immature), k)

    prop()


@pytest.mark.rubric("p1.split.immature_excluded", points=2)
def test_immature_labels_never_used(project_module, make_panel):
    """Rows whose label is not yet known are in neither set, and are not turned into "no churn"."""
    split = project_module("churn_baseline.split")
    _check_immature(split, make_panel(1, 30, 8, 2), 1)

    @SETTINGS
    @given(PANELS)
    def prop(spec):
        seed, n, months, immature, k = spec
        _check_immature(split, make_panel(seed, n, months, max(immature, 1)), k)

    prop()


@pytest.mark.rubric("p1.split.immature_excluded", points=1)
def test_partly_labelled_period_dropped_whole(project_module, make_panel):
    """A period whose labels are only partly known (the early churners) is dropped whole, not half-used."""
    split = project_module("churn_baseline.split")
    df = make_panel(4, 60, 8, 1)  # period 7 has no known label yet
    partial = df.index[df["period"] == 6]
    # in period 6 only the customers who already left are known: a sample of churners, not of customers
    df.loc[partial, "y"] = np.where(np.arange(len(partial)) % 3 == 0, 1.0, np.nan)
    mature = split.mature_rows(df, "y", "period")
    assert 6 not in set(mature["period"]), (
        f"mature_rows kept {int((mature['period'] == 6).sum())} rows of period 6, where only the early "
        "churners are known yet: with a time column, drop every period that has any unknown label (its "
        "known labels are all churners, a biased sample)."
    )
    train, test = split.out_of_time_split(df, "period", "y", test_periods=2)
    assert sorted(test["period"].unique()) == [4, 5] and 6 not in set(train["period"]), (
        "With period 6 only partly labelled, the test set should be periods [4, 5] (the latest complete "
        f"ones) and period 6 in neither set; got test periods {sorted(test['period'].unique())}."
    )


@pytest.mark.rubric("p1.split.grouped_by_customer", points=2)
def test_validation_is_grouped_by_customer(project_module, make_panel):
    """Validation folds and the hold-out never put one customer on both sides."""
    split = project_module("churn_baseline.split")
    _check_grouped(split, make_panel(2, 30, 8, 0).reset_index(drop=True), 3, 0)

    @SETTINGS
    @given(PANELS, st.integers(2, 4))
    def prop(spec, n_splits):
        seed, n, months, immature, _ = spec
        _check_grouped(split, make_panel(seed, n, months, immature).reset_index(drop=True), n_splits, seed)

    prop()


@pytest.mark.rubric("p1.split.no_time_column", points=2)
def test_random_holdout_for_data_without_time(project_module):
    """Without a time column: a stratified random hold-out that drops unknown labels."""
    split = project_module("churn_baseline.split")
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"churn": (rng.random(2000) < 0.25).astype(float), "x": rng.normal(size=2000)})
    df.loc[:49, "churn"] = np.nan
    train, test = split.random_holdout(df, "churn", test_share=0.25, seed=0)
    assert len(train) + len(test) == 1950, (
        "random_holdout should drop the 50 unknown labels and keep the rest."
    )
    assert abs(len(test) - 0.25 * 1950) <= 2, f"test share should be 25 %, got {len(test) / 1950:.1%}."
    rates = train["churn"].mean(), test["churn"].mean()
    assert abs(rates[0] - rates[1]) < 0.005, (
        f"Churn rates differ between train and test ({rates[0]:.3f} vs {rates[1]:.3f}): "
        "stratify on the label."
    )
