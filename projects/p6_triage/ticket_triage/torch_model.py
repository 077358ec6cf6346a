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
    # HINT: torch.manual_seed; a DataLoader over the training part; evaluate val loss every epoch.
    raise NotImplementedError("train_classifier: torch.manual_seed; a DataLoader over the training part; evaluate val loss every epoch.")


def predict(result: TrainResult, texts: Sequence[str]) -> list[str]:
    """Predicted labels for ``texts``."""
    with torch.no_grad():
        logits = result.model(torch.as_tensor(hash_features(texts)))
    return [result.classes[i] for i in logits.argmax(dim=1).tolist()]
