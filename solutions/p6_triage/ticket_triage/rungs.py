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

    # BEGIN SOLUTION
    # HINT: shuffle once with the seed; take order[:n] for each n (nested subsets).
    order = np.random.default_rng(seed).permutation(len(y_train))
    y_train, y_test = np.asarray(y_train, dtype=object), list(y_test)
    rows = []
    for name, fn in fit_predict.items():
        for n in sizes:
            idx = order[: min(n, len(order))]
            if len(set(y_train[idx])) < 2:
                continue
            pred = fn(idx, np.arange(len(y_test)))
            rows.append({"rung": name, "labels": len(idx), "macro_f1": macro_f1(y_test, pred, labels)})
    return pd.DataFrame(rows)
    # END SOLUTION


def choose_rung(ladder: Sequence[Mapping[str, object]]) -> str:
    """The rung to ship, from the ladder as ``reports/ladder.json`` records it.

    Each row holds ``rung``, ``macro_f1``, ``macro_f1_ci``, ``cost_per_1k_usd``, ``labels`` and
    ``data_leaves`` (whether ticket text leaves the company). The support team's constraint: ticket text
    stays in the company. Returns the name of the rung to ship; between equally good rungs, the one that
    needs fewer labels.
    """
    # BEGIN SOLUTION
    # HINT: first rule out what the constraint forbids, however well it scores; then which of the rest is
    # HINT: best on the metric every rung was scored on, and how do you break a tie?
    allowed = [row for row in ladder if not row["data_leaves"]]
    if not allowed:
        raise ValueError("no rung keeps the ticket text in the company")
    best = max(allowed, key=lambda row: (row["macro_f1"], -row["labels"]))
    return str(best["rung"])
    # END SOLUTION
