"""Label quality: agreement between annotators (Cohen's and Fleiss' kappa), majority labels and
adjudication, and the tickets most likely mislabelled (``cleanlab``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa of two annotators' labels on the same items: (p_o - p_e) / (1 - p_e).

    ``p_o`` is the observed agreement and ``p_e`` the agreement expected by chance from each annotator's
    own label shares. Returns 1.0 when both give one and the same label everywhere.
    """
    # BEGIN SOLUTION
    # HINT: chance agreement multiplies the two annotators' marginal shares of each label.
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if len(a) != len(b) or len(a) == 0:
        raise ValueError("cohen_kappa needs two label lists of the same, non-zero length")
    observed = float(np.mean(a == b))
    labels = set(a) | set(b)
    expected = sum(float(np.mean(a == lab)) * float(np.mean(b == lab)) for lab in labels)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)
    # END SOLUTION


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss' kappa of an items x categories table of counts (every row sums to the same raters n)."""
    # BEGIN SOLUTION
    # HINT: P_i = (sum_j n_ij^2 - n) / (n (n - 1)); P_e = sum_j p_j^2 with p_j the category shares.
    counts = np.asarray(counts, dtype=float)
    n = counts.sum(axis=1)
    if not np.allclose(n, n[0]) or n[0] < 2:
        raise ValueError("every item needs the same number (>= 2) of ratings")
    n = n[0]
    per_item = (np.square(counts).sum(axis=1) - n) / (n * (n - 1))
    shares = counts.sum(axis=0) / counts.sum()
    p_bar, p_e = per_item.mean(), float(np.square(shares).sum())
    return float((p_bar - p_e) / (1 - p_e))
    # END SOLUTION


def annotation_table(annotations: pd.DataFrame) -> pd.DataFrame:
    """One row per ticket, one column per annotator, the labels as values."""
    return annotations.pivot(index="ticket_id", columns="annotator", values="category")


def count_table(annotations: pd.DataFrame, categories: Sequence[str]) -> np.ndarray:
    """Items x categories counts of the annotators' labels (for :func:`fleiss_kappa`)."""
    wide = annotation_table(annotations)
    return np.stack([(wide == c).sum(axis=1).to_numpy() for c in categories], axis=1)


def majority_label(annotations: pd.DataFrame, tie_breaker: str = "a1") -> pd.Series:
    """The most frequent label per ticket; a three-way tie goes to ``tie_breaker``'s label."""
    wide = annotation_table(annotations)
    mode = wide.mode(axis=1)
    two_or_more = wide.apply(lambda row: row.value_counts().iloc[0] >= 2, axis=1)
    return mode[0].where(two_or_more, wide[tie_breaker]).rename("category")


def adjudicate(annotations: pd.DataFrame, gold: pd.DataFrame) -> pd.Series:
    """The gold label where an expert adjudicated the ticket, else the majority label."""
    majority = majority_label(annotations)
    return gold.set_index("ticket_id")["category"].combine_first(majority).rename("category")


def likely_mislabelled(labels: Sequence[str], pred_probs: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """Indices of the examples whose label ``cleanlab`` flags, most suspicious first.

    ``pred_probs`` must be out-of-sample (cross-validated) probabilities in the order of ``classes``.
    """
    from cleanlab.filter import find_label_issues

    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    return find_label_issues(y, pred_probs, return_indices_ranked_by="self_confidence")
