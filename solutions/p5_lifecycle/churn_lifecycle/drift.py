"""Input and prediction drift: the Population Stability Index, written by hand, and Evidently's report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

EPSILON = 1e-4
"""Share given to an empty bin so that the logarithm stays finite (Evidently uses the same 0.0001)."""


def is_categorical(values: pd.Series, max_numeric_levels: int = 20) -> bool:
    """True when ``values`` is binned per category: non-numeric, or numeric with few distinct values.

    Evidently bins a numeric column per value when the reference holds at most 20 distinct values.
    """
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return True
    return values.nunique(dropna=True) <= max_numeric_levels


def bin_shares(
    reference: pd.Series, current: pd.Series, *, bins: int = 10, binning: str = "quantile"
) -> tuple[np.ndarray, np.ndarray]:
    """Share of the reference and of the current sample in each bin (missing values dropped).

    Parameters
    ----------
    bins
        Number of quantile bins for numeric columns (``binning="quantile"``).
    binning
        ``"quantile"``: edges at the reference's quantiles, the outer edges open (``-inf``/``+inf``) so
        current values outside the reference range land in the first or last bin. ``"sturges"``:
        Evidently's rule, ``np.histogram_bin_edges`` of reference and current together with ``"sturges"``.
        Categorical columns (see :func:`is_categorical`) get one bin per value seen in either sample.
    """
    if binning not in {"quantile", "sturges"}:
        raise ValueError(f"binning must be 'quantile' or 'sturges', not {binning!r}")
    if bins < 2:
        raise ValueError(f"bins must be at least 2, got {bins}")
    ref = reference.dropna()
    cur = current.dropna()
    if ref.empty or cur.empty:
        raise ValueError(f"column {reference.name!r}: the reference and current samples must not be empty")
    # BEGIN SOLUTION
    # HINT: categorical -> value_counts over the union of values; numeric -> reference quantiles as edges.
    if is_categorical(ref):
        keys = pd.Index(pd.unique(pd.concat([ref, cur], ignore_index=True)))
        ref_share = ref.value_counts().reindex(keys, fill_value=0).to_numpy() / len(ref)
        cur_share = cur.value_counts().reindex(keys, fill_value=0).to_numpy() / len(cur)
        return ref_share.astype(float), cur_share.astype(float)
    if binning == "sturges":
        edges = np.histogram_bin_edges(np.concatenate([ref.to_numpy(float), cur.to_numpy(float)]), "sturges")
        ref_counts = np.histogram(ref.to_numpy(float), edges)[0]
        cur_counts = np.histogram(cur.to_numpy(float), edges)[0]
    else:
        inner = np.unique(np.quantile(ref.to_numpy(float), np.linspace(0, 1, bins + 1)[1:-1]))
        ref_counts = np.bincount(
            np.searchsorted(inner, ref.to_numpy(float), side="right"), minlength=len(inner) + 1
        )
        cur_counts = np.bincount(
            np.searchsorted(inner, cur.to_numpy(float), side="right"), minlength=len(inner) + 1
        )
    return ref_counts / len(ref), cur_counts / len(cur)
    # END SOLUTION


def psi(
    reference: pd.Series | Sequence[float],
    current: pd.Series | Sequence[float],
    *,
    bins: int = 10,
    binning: str = "quantile",
    epsilon: float = EPSILON,
) -> float:
    """Population Stability Index of ``current`` against ``reference``.

    ``PSI = sum_i (r_i - c_i) * ln(r_i / c_i)`` over the bins of :func:`bin_shares`, where an empty bin's
    share is replaced by ``epsilon``. 0 means identical distributions; 0.1 is a moderate, 0.2 a large shift.
    """
    ref = reference if isinstance(reference, pd.Series) else pd.Series(reference)
    cur = current if isinstance(current, pd.Series) else pd.Series(current)
    # BEGIN SOLUTION
    # HINT: replace zero shares by epsilon before taking the logarithm.
    ref_share, cur_share = bin_shares(ref, cur, bins=bins, binning=binning)
    ref_share = np.where(ref_share == 0, epsilon, ref_share)
    cur_share = np.where(cur_share == 0, epsilon, cur_share)
    return float(np.sum((ref_share - cur_share) * np.log(ref_share / cur_share)))
    # END SOLUTION


def feature_psi(
    reference: pd.DataFrame, current: pd.DataFrame, columns: Sequence[str], *, bins: int = 10
) -> dict[str, float]:
    """PSI of every column in ``columns`` (quantile bins from the reference), as ``{column: psi}``."""
    missing = [c for c in columns if c not in reference.columns or c not in current.columns]
    if missing:
        raise KeyError(f"columns missing from the reference or current frame: {missing}")
    return {column: psi(reference[column], current[column], bins=bins) for column in columns}


def evidently_psi(
    reference: pd.DataFrame, current: pd.DataFrame, columns: Sequence[str], html_path: Path | None = None
) -> dict[str, float]:
    """Evidently's PSI per column (``DataDriftPreset(method="psi")``); writes its HTML report if asked."""
    from evidently import Report
    from evidently.presets import DataDriftPreset

    report = Report([DataDriftPreset(columns=list(columns), method="psi")])
    snapshot = report.run(current[list(columns)], reference[list(columns)])
    if html_path is not None:
        Path(html_path).parent.mkdir(parents=True, exist_ok=True)
        snapshot.save_html(str(html_path))
    scores: dict[str, float] = {}
    for metric in snapshot.dict()["metrics"]:
        column = metric.get("config", {}).get("column")
        if column is not None and metric["config"].get("type", "").endswith("ValueDrift"):
            scores[column] = float(metric["value"])
    return scores
