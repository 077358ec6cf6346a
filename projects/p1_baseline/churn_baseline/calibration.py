"""Calibration: the reliability table, expected calibration error, and a calibrator fitted on validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression


def _bins(p: np.ndarray, n_bins: int) -> np.ndarray:
    """Equal-width bin index of each probability: [0, 1/n), ..., [(n-1)/n, 1]."""
    return np.minimum((p * n_bins).astype(int), n_bins - 1)


def reliability_table(y_true: object, y_prob: object, n_bins: int = 10) -> pd.DataFrame:
    """Per equal-width probability bin: ``bin``, ``count``, ``mean_predicted``, ``observed_rate``.

    Empty bins are left out. Bin ``i`` covers ``[i / n_bins, (i + 1) / n_bins)``; the last one includes 1.
    """
    # HINT: bin = min(floor(p * n_bins), n_bins - 1); group by bin: count, mean of p, mean of y.
    raise NotImplementedError("reliability_table: bin = min(floor(p * n_bins), n_bins - 1); group by bin: count, mean of p, mean of y.")


def expected_calibration_error(y_true: object, y_prob: object, n_bins: int = 10) -> float:
    """ECE: the count-weighted mean of ``|mean_predicted - observed_rate|`` over equal-width bins."""
    # HINT: from the reliability table: sum(count * |mean_predicted - observed_rate|) / total count.
    raise NotImplementedError("expected_calibration_error: from the reliability table: sum(count * |mean_predicted - observed_rate|) / total count.")


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
