"""Calibration: the reliability table, expected calibration error, and a calibrator fitted on validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

STRATEGIES = ("quantile", "uniform")


def _bins(p: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    """The bin index of each probability.

    ``uniform``: equal-width bins ``[0, 1/n), ..., [(n-1)/n, 1]``. ``quantile``: equal-mass bins whose
    edges are the ``k / n_bins`` quantiles of ``p`` (numpy's default, linear interpolation); a probability
    on an edge opens the next bin, so equal probabilities always share a bin.
    """
    if strategy == "uniform":
        return np.minimum((p * n_bins).astype(int), n_bins - 1)
    if strategy == "quantile":
        edges = np.quantile(p, np.arange(1, n_bins) / n_bins)
        return np.searchsorted(edges, p, side="right")
    raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")


def reliability_table(
    y_true: object, y_prob: object, n_bins: int = 10, strategy: str = "quantile"
) -> pd.DataFrame:
    """Per probability bin: ``bin``, ``count``, ``mean_predicted``, ``observed_rate``; empty bins left out.

    ``strategy="quantile"`` (the default) makes bins of equal mass: on rare-event scores, where most
    probabilities are small, equal-width bins put nearly every row in the first bin and measure nothing
    where the decision is made. ``strategy="uniform"``: bin ``i`` covers ``[i / n_bins, (i + 1) / n_bins)``
    and the last one includes 1.
    """
    # HINT: uniform: bin = min(floor(p * n_bins), n_bins - 1); quantile: edges = np.quantile(p, k / n_bins)
    # HINT: for k = 1..n_bins-1 and bin = np.searchsorted(edges, p, side="right"); then group by bin.
    raise NotImplementedError('reliability_table: uniform: bin = min(floor(p * n_bins), n_bins - 1); quantile: edges = np.quantile(p, k / n_bins) for k = 1..n_bins-1 and bin = np.searchsorted(edges, p, side="right"); then group by bin.')


def expected_calibration_error(
    y_true: object, y_prob: object, n_bins: int = 10, strategy: str = "quantile"
) -> float:
    """ECE: the count-weighted mean of ``|mean_predicted - observed_rate|`` over the reliability bins."""
    # HINT: from the reliability table: sum(count * |mean_predicted - observed_rate|) / total count.
    raise NotImplementedError("expected_calibration_error: from the reliability table: sum(count * |mean_predicted - observed_rate|) / total count.")


def calibration_near(y_true: object, y_prob: object, low: float, high: float) -> dict[str, float]:
    """Calibration where a decision is made: rows with ``low <= p < high`` (for example around a threshold).

    Returns ``count``, ``mean_predicted``, ``observed_rate`` and ``gap`` (predicted minus observed).
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    inside = (p >= low) & (p < high)
    if not inside.any():
        nan = float("nan")
        return {"count": 0, "mean_predicted": nan, "observed_rate": nan, "gap": nan}
    predicted, observed = float(p[inside].mean()), float(y[inside].mean())
    return {
        "count": int(inside.sum()),
        "mean_predicted": predicted,
        "observed_rate": observed,
        "gap": predicted - observed,
    }


@dataclass
class Calibrator:
    """Maps raw scores to calibrated probabilities; fitted on held-out (validation) data only."""

    method: str
    model: object

    def transform(self, y_score: object) -> np.ndarray:
        """Calibrated probabilities for raw scores."""
        s = np.asarray(y_score, dtype=float)
        if self.method == "isotonic":
            return np.clip(self.model.predict(s), 1e-6, 1 - 1e-6)
        logit = np.log(np.clip(s, 1e-6, 1 - 1e-6) / np.clip(1 - s, 1e-6, 1))
        return self.model.predict_proba(logit.reshape(-1, 1))[:, 1]


def fit_calibrator(y_true: object, y_score: object, method: str = "isotonic") -> Calibrator:
    """Fit a calibrator on validation labels and raw scores.

    ``method`` is ``"isotonic"`` or ``"sigmoid"`` (Platt scaling on the logit of the score).
    """
    # HINT: isotonic: IsotonicRegression(out_of_bounds="clip").fit(score, y);
    # HINT: sigmoid: LogisticRegression fitted on logit(score).
    raise NotImplementedError('fit_calibrator: isotonic: IsotonicRegression(out_of_bounds="clip").fit(score, y); sigmoid: LogisticRegression fitted on logit(score).')


def plot_reliability(curves: dict[str, pd.DataFrame], path: str | None = None) -> object:
    """Reliability diagram of several models (``{name: reliability_table}``); saved to ``path`` if given."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4))
    top = max(float(t["mean_predicted"].max()) for t in curves.values())
    top = max(top, max(float(t["observed_rate"].max()) for t in curves.values()))
    ax.plot([0, top], [0, top], color="grey", linestyle="--", label="perfect")
    for name, table in curves.items():
        ax.plot(table["mean_predicted"], table["observed_rate"], marker="o", label=name)
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed churn rate")
    ax.legend()
    fig.tight_layout()
    if path:
        fig.savefig(path, metadata={"Software": None}, dpi=80)
    return fig
