"""Is deep learning worth it? A small PyTorch MLP with a scikit-learn interface, and timing helpers."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


class MLPClassifierTorch(ClassifierMixin, BaseEstimator):
    """A feed-forward network (ReLU hidden layers, one logit output) trained with Adam on log-loss.

    Deterministic for a given ``seed`` on CPU with one thread. Input: a dense float array.
    """

    def __init__(
        self,
        hidden: Sequence[int] = (32, 16),
        epochs: int = 6,
        batch_size: int = 512,
        learning_rate: float = 3e-3,
        seed: int = 0,
    ) -> None:
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.seed = seed

    def fit(self, X: object, y: object) -> MLPClassifierTorch:
        """Train for ``epochs`` passes over shuffled mini-batches."""
        # BEGIN SOLUTION
        # HINT: torch.manual_seed(seed); nn.Sequential(Linear, ReLU, ..., Linear(., 1));
        # HINT: BCEWithLogitsLoss and Adam over shuffled mini-batches.
        import torch
        from torch import nn

        torch.set_num_threads(1)
        torch.manual_seed(self.seed)
        features = torch.as_tensor(np.asarray(X, dtype=np.float32))
        labels = torch.as_tensor(np.asarray(y, dtype=np.float32)).reshape(-1, 1)
        layers: list[nn.Module] = []
        width = features.shape[1]
        for size in self.hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        layers.append(nn.Linear(width, 1))
        net = nn.Sequential(*layers)
        with torch.no_grad():  # start at the base rate: faster, steadier training on rare positives
            rate = float(labels.mean().clamp(1e-4, 1 - 1e-4))
            net[-1].bias.fill_(float(np.log(rate / (1 - rate))))
        optimizer = torch.optim.Adam(net.parameters(), lr=self.learning_rate)
        loss_fn = nn.BCEWithLogitsLoss()
        generator = torch.Generator().manual_seed(self.seed)
        net.train()
        for _ in range(self.epochs):
            order = torch.randperm(len(features), generator=generator)
            for start in range(0, len(features), self.batch_size):
                batch = order[start : start + self.batch_size]
                optimizer.zero_grad()
                loss = loss_fn(net(features[batch]), labels[batch])
                loss.backward()
                optimizer.step()
        net.eval()
        self.net_ = net
        self.classes_ = np.array([0, 1])
        return self
        # END SOLUTION

    def predict_proba(self, X: object) -> np.ndarray:
        """Two columns: P(no churn), P(churn)."""
        # BEGIN SOLUTION
        # HINT: with torch.no_grad(): sigmoid of the network's output.
        import torch

        with torch.no_grad():
            logits = self.net_(torch.as_tensor(np.asarray(X, dtype=np.float32)))
            p = torch.sigmoid(logits).numpy().ravel().astype(float)
        return np.column_stack([1 - p, p])
        # END SOLUTION

    def predict(self, X: object) -> np.ndarray:
        """1 where P(churn) >= 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


def make_mlp(numeric: Sequence[str], categorical: Sequence[str], seed: int = 0, **params: object) -> Pipeline:
    """The MLP behind the logistic model's kind of preprocessing (scaled numerics, one-hot categories)."""
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(numeric)),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                list(categorical),
            ),
        ],
        sparse_threshold=0.0,
    )
    return Pipeline([("prep", pre), ("model", MLPClassifierTorch(seed=seed, **params))])


def fit_timed(model: object, X: pd.DataFrame, y: object) -> float:
    """Fit ``model`` and return the wall-clock training time in seconds."""
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def latency_per_row_ms(model: object, X: pd.DataFrame, n_rows: int = 100) -> float:
    """Median time to score one row at a time (milliseconds), over the first ``n_rows`` rows."""
    times = []
    for i in range(min(n_rows, len(X))):
        row = X.iloc[[i]]
        start = time.perf_counter()
        model.predict_proba(row)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)
