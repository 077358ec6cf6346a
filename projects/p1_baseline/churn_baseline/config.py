"""Configuration read in one place: ``params.toml`` next to the notebooks."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "params.toml"


@dataclass(frozen=True)
class DataConfig:
    """Which churn world to load and when it was exported."""

    seed: int = 0
    n_customers: int = 6000
    months: int = 18
    export_date: str | None = None


@dataclass(frozen=True)
class DecisionConfig:
    """The retention decision: how many customers can be contacted and what a contact is worth."""

    capacity: float = 0.05
    contact_cost: float = 10.0
    saved_value: float = 120.0
    save_rate: float = 0.30

    def __post_init__(self) -> None:
        if not 0 < self.capacity <= 1:
            raise ValueError(f"capacity must be in (0, 1], got {self.capacity}")
        if not 0 <= self.save_rate <= 1:
            raise ValueError(f"save_rate must be in [0, 1], got {self.save_rate}")
        if self.contact_cost < 0 or self.saved_value < 0:
            raise ValueError("contact_cost and saved_value must be non-negative")

    @property
    def gain_per_churner(self) -> float:
        """Expected value of contacting a true churner, before the contact cost."""
        return self.save_rate * self.saved_value

    @property
    def break_even_probability(self) -> float:
        """Churn probability above which a contact pays for itself (ignoring capacity)."""
        return self.contact_cost / self.gain_per_churner if self.gain_per_churner else 1.0


@dataclass(frozen=True)
class SplitConfig:
    """How the data are split and how many bootstrap resamples to draw."""

    test_months: int = 3
    val_share: float = 0.25
    n_bootstrap: int = 200


@dataclass(frozen=True)
class MLPConfig:
    """The small PyTorch MLP compared with gradient boosting."""

    hidden: tuple[int, ...] = (32, 16)
    epochs: int = 6
    batch_size: int = 512
    learning_rate: float = 0.003


@dataclass(frozen=True)
class Config:
    """All settings of project 1."""

    data: DataConfig = field(default_factory=DataConfig)
    decision: DecisionConfig = field(default_factory=DecisionConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    mlp: MLPConfig = field(default_factory=MLPConfig)


def load_config(path: str | Path | None = None) -> Config:
    """Read ``params.toml`` (default: the project's own) into a :class:`Config`."""
    source = Path(path) if path is not None else DEFAULT_PATH
    if not source.is_file():
        raise FileNotFoundError(f"Configuration file not found: {source}")
    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    known = {"data", "decision", "split", "mlp"}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"{source}: unknown sections {sorted(unknown)}; expected {sorted(known)}")
    try:
        mlp = dict(raw.get("mlp", {}))
        if "hidden" in mlp:
            mlp["hidden"] = tuple(mlp["hidden"])
        return Config(
            data=DataConfig(**raw.get("data", {})),
            decision=DecisionConfig(**raw.get("decision", {})),
            split=SplitConfig(**raw.get("split", {})),
            mlp=MLPConfig(**mlp),
        )
    except TypeError as err:
        raise ValueError(f"{source}: {err}") from err
