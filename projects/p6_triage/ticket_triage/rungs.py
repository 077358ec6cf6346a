"""The rungs of the ladder that run on this machine: keyword rules, TF-IDF + logistic regression and
frozen pre-trained embeddings + logistic regression, and the learning curve of the trained ones."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

KEYWORDS = {
    "billing": ("charge", "charged", "refund", "invoice", "payment", "price", "card", "paid", "bill"),
    "access": ("password", "log in", "login", "sign in", "locked", "two-factor", "2fa", "code"),
    "bug": ("crash", "error", "broken", "bug", "sync", "slow", "freez", "not working"),
    "cancellation_intent": ("cancel", "close my account", "unsubscribe", "leave", "terminate"),
    "feature_request": ("would be great", "please add", "feature", "could you add", "wish", "dark mode"),
}


def text_of(tickets: pd.DataFrame) -> list[str]:
    """What every rung reads: the subject, a full stop, the body."""
    return (tickets["subject"].fillna("") + ". " + tickets["body"].fillna("")).tolist()


def keyword_rules(texts: Sequence[str], fallback: str = "bug") -> list[str]:
    """The label whose keywords occur most often in each text (``fallback`` when none occurs)."""
    out = []
    for text in texts:
        low = text.lower()
        hits = {label: sum(low.count(k) for k in words) for label, words in KEYWORDS.items()}
        best = max(hits, key=hits.get)
        out.append(best if hits[best] > 0 else fallback)
    return out


def fit_tfidf(texts: Sequence[str], labels: Sequence[str], seed: int = 0):
    """TF-IDF of words and bigrams + multinomial logistic regression, fitted."""
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
        LogisticRegression(max_iter=2000, C=10.0, random_state=seed),
    )
    return model.fit(list(texts), list(labels))


def fit_embeddings(vectors: np.ndarray, labels: Sequence[str], seed: int = 0) -> LogisticRegression:
    """Logistic regression on frozen sentence embeddings, fitted."""
    return LogisticRegression(max_iter=10_000, tol=1e-8, C=10.0, random_state=seed).fit(vectors, list(labels))


def learning_curve(
    fit_predict: dict[str, Callable[[np.ndarray, np.ndarray], Sequence[str]]],
    y_train: Sequence[str],
    y_test: Sequence[str],
    sizes: Sequence[int],
    labels: Sequence[str],
    seed: int = 0,
) -> pd.DataFrame:
    """Macro-F1 of each rung trained on the first ``n`` of one shuffled order of the training rows.

    ``fit_predict[name](train_index, test_index)`` fits on the training rows ``train_index`` and predicts
    the test rows. The same shuffled prefix is used for every rung and every size, so the sizes are nested.
    Returns one row per (rung, size): ``rung``, ``labels``, ``macro_f1``.
    """
    from ticket_triage.evaluate import macro_f1

    # HINT: shuffle once with the seed; take order[:n] for each n (nested subsets).
    raise NotImplementedError("learning_curve: shuffle once with the seed; take order[:n] for each n (nested subsets).")


def choose_rung(ladder: Sequence[Mapping[str, object]]) -> str:
    """The rung to ship, from the ladder as ``reports/ladder.json`` records it.

    Each row holds ``rung``, ``macro_f1``, ``macro_f1_ci``, ``cost_per_1k_usd``, ``labels`` and
    ``data_leaves`` (whether ticket text leaves the company). The support team's constraint: ticket text
    stays in the company. Returns the name of the rung to ship; between equally good rungs, the one that
    needs fewer labels.
    """
    # HINT: first rule out what the constraint forbids, however well it scores; then which of the rest is
    # HINT: best on the metric every rung was scored on, and how do you break a tie?
    raise NotImplementedError("choose_rung: first rule out what the constraint forbids, however well it scores; then which of the rest is best on the metric every rung was scored on, and how do you break a tie?")
