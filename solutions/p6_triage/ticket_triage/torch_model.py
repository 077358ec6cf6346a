"""A small text classifier trained from scratch in PyTorch: a Dataset, a DataLoader, a training loop and
early stopping on a validation split. Inputs are hashed bag-of-words vectors (no pre-trained anything)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

WORD = re.compile(r"[a-zà-ÿ']+")


def hash_features(texts: Sequence[str], n_features: int = 4096) -> np.ndarray:
    """Hashed word counts (log1p), one row per text."""
    out = np.zeros((len(texts), n_features), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in WORD.findall(text.lower()):
            out[i, zlib.crc32(word.encode()) % n_features] += 1.0
    return np.log1p(out)


class TicketDataset(Dataset):
    """Feature rows and integer labels as tensors."""

    def __init__(self, features: np.ndarray, targets: np.ndarray) -> None:
        self.x = torch.as_tensor(features, dtype=torch.float32)
        self.y = torch.as_tensor(targets, dtype=torch.long)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int):
        return self.x[i], self.y[i]


@dataclass
class TrainResult:
    """The fitted model, the classes, the loss curves and the epoch it stopped at."""

    model: nn.Module
    classes: list[str]
    train_loss: list[float]
    val_loss: list[float]
    best_epoch: int


def train_classifier(
    texts: Sequence[str], labels: Sequence[str], *, epochs: int = 30, patience: int = 3, lr: float = 3e-3,
    batch_size: int = 64, hidden: int = 64, val_share: float = 0.2, seed: int = 0,
) -> TrainResult:  # fmt: skip
    """Train an MLP on hashed words; stop when validation loss has not improved for ``patience`` epochs
    and restore the best weights."""
    # BEGIN SOLUTION
    # HINT: torch.manual_seed; a DataLoader over the training part; evaluate val loss every epoch.
    torch.manual_seed(seed)
    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    x = hash_features(texts)
    order = np.random.default_rng(seed).permutation(len(y))
    n_val = max(1, int(len(y) * val_share))
    val, train = order[:n_val], order[n_val:]
    loader = DataLoader(
        TicketDataset(x[train], y[train]),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    val_x, val_y = torch.as_tensor(x[val]), torch.as_tensor(y[val])
    model = nn.Sequential(
        nn.Linear(x.shape[1], hidden), nn.ReLU(), nn.Dropout(0.2), nn.Linear(hidden, len(classes))
    )
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    best, best_state, best_epoch, waited = float("inf"), None, 0, 0
    train_curve, val_curve = [], []
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            optimiser.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(yb)
        train_curve.append(total / len(train))
        model.eval()
        with torch.no_grad():
            val_loss = float(loss_fn(model(val_x), val_y))
        val_curve.append(val_loss)
        if val_loss < best - 1e-4:
            best, best_epoch, waited = val_loss, epoch, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            waited += 1
            if waited >= patience:
                break
    model.load_state_dict(best_state)
    model.eval()
    return TrainResult(model, classes, train_curve, val_curve, best_epoch)
    # END SOLUTION


def predict(result: TrainResult, texts: Sequence[str]) -> list[str]:
    """Predicted labels for ``texts``."""
    with torch.no_grad():
        logits = result.model(torch.as_tensor(hash_features(texts)))
    return [result.classes[i] for i in logits.argmax(dim=1).tolist()]
