"""Responsible ML: a fairness view of the contact policy, its mitigation, and global explanations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, selection_rate
from fairlearn.postprocessing import ThresholdOptimizer
from sklearn.base import BaseEstimator
from sklearn.inspection import permutation_importance
from sklearn.metrics import recall_score

from churn_baseline.config import DecisionConfig
from churn_baseline.metrics import customer_resamples, expected_profit
from churn_baseline.thresholds import threshold_for_profit


def _recall(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(recall_score(y_true, y_pred, zero_division=0.0))


def fairness_report(y_true: object, selected: object, groups: object) -> dict[str, object]:
    """Selection rate and recall of the contact policy by group, with Fairlearn's ``MetricFrame``.

    Returns ``{"by_group": DataFrame (index: group; columns: selection_rate, recall, count),
    "gaps": {metric: max - min across groups}, "largest_gap": {"metric", "gap", "low_group", "high_group"}}``.
    """
    # BEGIN SOLUTION
    # HINT: one row per group with its selection rate, recall and count (fairlearn computes metrics per
    # HINT: group), then each metric's gap = max - min over the groups, and the largest of those gaps.
    y = np.asarray(y_true, dtype=int)
    pred = np.asarray(selected, dtype=int)
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate, "recall": _recall, "count": lambda t, p: float(len(t))},
        y_true=y,
        y_pred=pred,
        sensitive_features=pd.Series(np.asarray(groups), name="group"),
    )
    by_group = frame.by_group
    gaps = {name: float(value) for name, value in frame.difference().items() if name != "count"}
    metric = max(gaps, key=lambda name: gaps[name])
    column = by_group[metric]
    largest = {
        "metric": metric,
        "gap": gaps[metric],
        "low_group": str(column.idxmin()),
        "high_group": str(column.idxmax()),
    }
    return {"by_group": by_group, "gaps": gaps, "largest_gap": largest}
    # END SOLUTION


def permutation_importance_table(
    model: object,
    X: pd.DataFrame,
    y: object,
    scoring: str | Callable[..., float] = "average_precision",
    n_repeats: int = 3,
    seed: int = 0,
) -> pd.DataFrame:
    """Permutation importance of each input column of a fitted ``model`` on (test) data.

    Columns: ``feature``, ``importance`` (mean drop of the score when the column is shuffled), ``std``;
    sorted from most to least important.
    """
    # BEGIN SOLUTION
    # HINT: shuffle one column at a time in held-out data and measure how much the score drops, n_repeats
    # HINT: times, seeded; scikit-learn's inspection module does the shuffling for you.
    result = permutation_importance(
        model, X, np.asarray(y), scoring=scoring, n_repeats=n_repeats, random_state=seed
    )
    table = pd.DataFrame(
        {"feature": list(X.columns), "importance": result.importances_mean, "std": result.importances_std}
    )
    return table.sort_values("importance", ascending=False, ignore_index=True)
    # END SOLUTION


class _Scores(BaseEstimator):
    """A pre-fitted "estimator" whose prediction is its single input column: a model's scores."""

    def fit(self, X: object, y: object) -> _Scores:
        return self

    def predict(self, X: object) -> np.ndarray:
        return np.asarray(X, dtype=float).reshape(len(X), -1)[:, 0]

    def __sklearn_is_fitted__(self) -> bool:
        return True


def _recall_gap(y: np.ndarray, selected: np.ndarray, groups: np.ndarray) -> float:
    """Largest minus smallest recall across the groups that hold at least one positive."""
    recalls = [
        selected[(groups == g) & (y == 1)].mean() for g in np.unique(groups) if (y[groups == g] == 1).any()
    ]
    return float(max(recalls) - min(recalls)) if recalls else 0.0


def mitigation_frontier(
    val: pd.DataFrame,
    test: pd.DataFrame,
    label_col: str,
    score_col: str,
    group_col: str,
    decision: DecisionConfig,
    tolerances: Sequence[float] = (0.2, 0.1, 0.05, 0.0),
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """The contact policy's profit against its recall gap between groups, unmitigated and mitigated.

    The unmitigated policy contacts test rows whose score reaches the profit threshold fitted on ``val``
    (``thresholds.threshold_for_profit``). Each mitigated policy is Fairlearn's ``ThresholdOptimizer``
    (group-specific thresholds, true-positive-rate parity relaxed to ``tol``, objective: the contact's
    profit) fitted on ``val`` only and applied to ``test``. Returns ``{"frontier": DataFrame with one row
    per setting (``setting``, ``tol``, ``contacted``, ``share_contacted``, ``expected_profit``,
    ``recall_gap``), "selected": DataFrame of booleans, one column per setting, test rows in order}``;
    every figure is measured on ``test``, the unmitigated row first.
    """
    # BEGIN SOLUTION
    # HINT: Fairlearn's post-processing learns one threshold per group under a parity constraint on the
    # HINT: true-positive rate; fit it on the validation rows only and predict the test rows. Its objective
    # HINT: is an accuracy: repeat rows in proportion to what a right decision is worth to make it the profit.
    y_val, s_val = val[label_col].to_numpy(dtype=int), val[score_col].to_numpy(dtype=float)
    y_test, s_test = test[label_col].to_numpy(dtype=int), test[score_col].to_numpy(dtype=float)
    g_val, g_test = val[group_col].astype(str).to_numpy(), test[group_col].astype(str).to_numpy()
    selected = {"unmitigated": s_test >= threshold_for_profit(y_val, s_val, decision)["threshold"]}
    # accuracy on rows repeated in proportion to what a right decision is worth is the profit:
    # a contacted churner earns gain - cost, a non-churner left alone saves cost
    ratio = Fraction((decision.gain_per_churner - decision.contact_cost) / decision.contact_cost)
    ratio = ratio.limit_denominator(20)
    repeat = np.where(y_val == 1, ratio.numerator, ratio.denominator)
    scores = pd.DataFrame({"score": np.repeat(s_val, repeat)})
    for tol in tolerances:
        optimizer = ThresholdOptimizer(
            estimator=_Scores(),
            constraints="true_positive_rate_parity",
            objective="accuracy_score",
            prefit=True,
            predict_method="predict",
            tol=tol if tol > 0 else None,
        )
        optimizer.fit(scores, np.repeat(y_val, repeat), sensitive_features=np.repeat(g_val, repeat))
        chosen = optimizer.predict(
            pd.DataFrame({"score": s_test}), sensitive_features=g_test, random_state=seed
        )
        selected[f"tol={tol:g}"] = np.asarray(chosen, dtype=bool)
    rows = []
    for (setting, chosen), tol in zip(selected.items(), (np.nan, *tolerances), strict=True):
        rows.append(
            {
                "setting": setting,
                "tol": tol,
                "contacted": int(chosen.sum()),
                "share_contacted": float(chosen.mean()),
                "expected_profit": expected_profit(y_test, chosen, decision),
                "recall_gap": _recall_gap(y_test, chosen, g_test),
            }
        )
    return {"frontier": pd.DataFrame(rows), "selected": pd.DataFrame(selected, index=test.index)}
    # END SOLUTION


def recall_gap_intervals(
    y_true: object,
    selected: pd.DataFrame,
    groups: object,
    customers: object,
    baseline: str = "unmitigated",
    n_boot: int = 200,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """The recall gap of each policy (a column of ``selected``) and its change against ``baseline``, with
    percentile intervals from one bootstrap by customer shared by every policy (paired).

    Returns one row per policy: ``setting``, ``recall_gap``, ``ci_low``, ``ci_high``, ``change`` (gap
    minus the baseline's gap), ``change_low``, ``change_high``.
    """
    # BEGIN SOLUTION
    # HINT: one metrics.customer_resamples loop; in each draw compute every policy's gap on the SAME rows,
    # HINT: and the change as the difference of two gaps of that draw.
    y = np.asarray(y_true, dtype=int)
    g = np.asarray(groups).astype(str)
    flags = {name: selected[name].to_numpy(dtype=bool) for name in selected.columns}
    draws: dict[str, list[float]] = {name: [] for name in flags}
    for rows in customer_resamples(customers, len(y), n_boot, seed):
        for name, chosen in flags.items():
            draws[name].append(_recall_gap(y[rows], chosen[rows], g[rows]))
    base = np.asarray(draws[baseline])
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    out = []
    for name, chosen in flags.items():
        values = np.asarray(draws[name])
        gap, base_gap = _recall_gap(y, chosen, g), _recall_gap(y, flags[baseline], g)
        low, high = np.percentile(values, q)
        change_low, change_high = np.percentile(values - base, q)
        out.append(
            {
                "setting": name,
                "recall_gap": gap,
                "ci_low": float(low),
                "ci_high": float(high),
                "change": gap - base_gap,
                "change_low": float(change_low),
                "change_high": float(change_high),
            }
        )
    return pd.DataFrame(out)
    # END SOLUTION
