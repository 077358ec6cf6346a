"""The fraud world: card transactions, a rare fraud label that arrives late, and an existing model's score.

>>> from course.data import fraud
>>> world = fraud.load_world(seed=0)
>>> tx = world.transactions   # one row per transaction, sorted by timestamp

Fraud is drawn first (about 0.3 % of transactions); the signals are then drawn given the label, so each
one is informative but none is decisive.  ``chargeback_date`` is when a fraud becomes known (days to weeks
after the transaction); legitimate transactions never get one.  ``model_score`` is the score of the model
already in production: informative, imperfect, and not calibrated.

A learner's world (``course.worlds``) passes ``world=``: the base fraud rate, the two merchant categories
fraud peaks in, the chargeback delay's scale and the fraud amounts' median (see
:mod:`course.data._fraud_world`); without it, the default world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from course.data._fraud_world import CATEGORIES, DEFAULT_FRAUD_RATE, FraudLaws, FraudWorldError, check_world

GENERATOR_VERSION = 1
MERCHANT_CATEGORIES = CATEGORIES
LEGIT_CATEGORY_P = (0.3, 0.2, 0.12, 0.1, 0.05, 0.06, 0.07, 0.1)
FRAUD_CATEGORY_P = (0.04, 0.04, 0.04, 0.1, 0.16, 0.3, 0.27, 0.05)
COUNTRIES = ("US", "GB", "DE", "FR", "CA", "AU")
COUNTRY_P = (0.5, 0.14, 0.12, 0.1, 0.08, 0.06)
LEGIT_HOUR_P = np.array([1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 8, 9, 8, 7, 7, 7, 7, 8, 8, 7, 5, 3, 2], float)
FRAUD_HOUR_P = np.array([6, 7, 7, 7, 6, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5], float)


@dataclass(frozen=True)
class FraudWorld:
    """The transactions of one fraud world and the parameters that generated it."""

    transactions: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"transactions": self.transactions}


SIMULATION_MODULES = ("course.data.fraud", "course.data._fraud_world")


def _check(
    seed: int,
    n_transactions: int,
    days: int,
    start: str,
    fraud_rate: float | None,
    world: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The generator's parameters, checked and JSON-ready (``world`` only for a learner's world)."""
    laws = check_world(world)
    if laws.fraud_rate is not None:
        if fraud_rate is not None and float(fraud_rate) != laws.fraud_rate:
            raise FraudWorldError(
                f"fraud_rate is given twice: {fraud_rate} as an argument and {laws.fraud_rate} in world."
            )
        fraud_rate = laws.fraud_rate
    fraud_rate = DEFAULT_FRAUD_RATE if fraud_rate is None else fraud_rate
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    if n_transactions < 1_000:
        raise ValueError(f"n_transactions must be at least 1000, got {n_transactions}.")
    if not 1 <= days <= 3_650:
        raise ValueError(f"days must be between 1 and 3650, got {days}.")
    if not 0.0 < fraud_rate < 0.2:
        raise ValueError(f"fraud_rate must be between 0 and 0.2, got {fraud_rate}.")
    try:
        day = pd.Timestamp(start)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"start must be a date like '2024-03-01', got {start!r}.") from exc
    params = {
        "seed": int(seed),
        "n_transactions": int(n_transactions),
        "days": int(days),
        "start": day.strftime("%Y-%m-%d"),
        "fraud_rate": float(fraud_rate),
    }
    if world:
        params["world"] = {
            "fraud_rate": float(fraud_rate),
            "fraud_categories": list(laws.fraud_categories),
            "chargeback_scale_days": laws.chargeback_scale_days,
            "fraud_amount_median": laws.fraud_amount_median,
        }
    return params


def _laws(params: dict[str, Any]) -> FraudLaws:
    """The laws of checked parameters (the default world's without ``"world"``)."""
    return check_world(params.get("world"))


def generate(
    seed: int = 0,
    n_transactions: int = 200_000,
    days: int = 60,
    start: str = "2024-03-01",
    fraud_rate: float | None = None,
    world: dict[str, Any] | None = None,
) -> FraudWorld:
    """Simulate ``n_transactions`` card transactions over ``days`` days from ``start`` (no cache).

    ``fraud_rate`` defaults to 0.003 (or the world's); ``world`` is a learner's world parameters
    (:func:`course.data._fraud_world.sample_fraud`; ``None`` or ``{}``: the default world)."""
    params = _check(seed, n_transactions, days, start, fraud_rate, world)
    core = {k: v for k, v in params.items() if k != "world"}
    return FraudWorld(transactions=_simulate(**core, laws=_laws(params)), params=params)


def load_world(seed: int = 0, n_transactions: int = 200_000, days: int = 60, **kw: Any) -> FraudWorld:
    """Like :func:`generate`, cached as Parquet under ``course.paths.data_dir() / "cache"``.

    ``kw``: ``start``, ``fraud_rate`` and ``world`` (the world parameters, part of the cache key); the
    returned ``params`` rebuild the same world: ``load_world(**world.params)``."""
    from course.data.cache import cached_tables, code_fingerprint

    unknown = set(kw) - {"start", "fraud_rate", "world"}
    if unknown:
        raise TypeError(f"load_world() got unexpected arguments: {sorted(unknown)}.")
    start, fraud_rate = kw.get("start", "2024-03-01"), kw.get("fraud_rate")
    params = _check(seed, n_transactions, days, start, fraud_rate, kw.get("world"))
    key = {**params, "version": GENERATOR_VERSION, "code": code_fingerprint(*SIMULATION_MODULES)}
    tables = cached_tables("fraud", key, lambda: generate(**params).tables())
    return FraudWorld(transactions=tables["transactions"], params=params)


def _simulate(
    seed: int, n_transactions: int, days: int, start: str, fraud_rate: float, laws: FraudLaws
) -> pd.DataFrame:
    """The transactions of one world (the default world's draws when ``laws`` are the defaults)."""
    rng = np.random.default_rng(seed)
    n = n_transactions
    n_customers = max(100, n // 40)
    home = rng.choice(len(COUNTRIES), n_customers, p=COUNTRY_P)
    spend = np.exp(rng.normal(np.log(35.0), 0.5, n_customers))
    risk = np.exp(rng.normal(0.0, 0.7, n_customers))
    customer = rng.integers(0, n_customers, n)
    p_fraud = np.clip(fraud_rate * risk[customer] / risk.mean(), 0.0, 0.5)
    fraud = rng.random(n) < p_fraud

    hour = np.where(
        fraud,
        rng.choice(24, n, p=FRAUD_HOUR_P / FRAUD_HOUR_P.sum()),
        rng.choice(24, n, p=LEGIT_HOUR_P / LEGIT_HOUR_P.sum()),
    )
    second = rng.integers(0, days, n) * 86_400 + hour * 3_600 + rng.integers(0, 3_600, n)
    amount = np.where(
        fraud,
        np.exp(rng.normal(np.log(laws.fraud_amount_median), 1.0, n)),
        spend[customer] * np.exp(rng.normal(0.0, 0.9, n)),
    )
    category = np.where(
        fraud,
        rng.choice(len(MERCHANT_CATEGORIES), n, p=laws.fraud_category_p(FRAUD_CATEGORY_P)),
        rng.choice(len(MERCHANT_CATEGORIES), n, p=LEGIT_CATEGORY_P),
    )
    new_device = rng.random(n) < np.where(fraud, 0.45, 0.04)
    device_age = np.where(
        new_device, 0, np.floor(rng.exponential(np.where(fraud, 40.0, 400.0))).astype(np.int64) + 1
    )
    foreign = rng.random(n) < np.where(fraud, 0.35, 0.04)
    abroad = (home[customer] + rng.integers(1, len(COUNTRIES), n)) % len(COUNTRIES)
    country = np.where(foreign, abroad, home[customer])
    distance = np.where(
        foreign,
        np.exp(rng.normal(np.log(1500.0), 0.7, n)),
        np.exp(rng.normal(np.where(fraud, np.log(80.0), np.log(8.0)), 1.1, n)),
    )
    delay = 3.0 + rng.gamma(2.0, laws.chargeback_scale_days, n)

    z = (
        -6.6
        + 0.55 * np.log(amount / 35.0)
        + 1.6 * new_device
        + 1.2 * foreign
        + 0.25 * np.log1p(distance / 10.0)
        + 0.9 * np.isin(category, laws.peak_indices)
        + rng.normal(0.0, 1.1, n)
    )
    score = np.round(1.0 / (1.0 + np.exp(-z)), 4)

    order = np.argsort(second, kind="stable")
    t0 = pd.Timestamp(start)
    timestamp = t0 + pd.to_timedelta(second[order], unit="s")
    chargeback = (timestamp + pd.to_timedelta(delay[order], unit="D")).normalize()
    fraud = fraud[order]
    ids = np.array([f"A{i:06d}" for i in range(1, n_customers + 1)], dtype=object)
    return pd.DataFrame(
        {
            "transaction_id": np.array([f"TX{i:08d}" for i in range(1, n + 1)], dtype=object),
            "timestamp": timestamp.astype("datetime64[ns]"),
            "customer_id": ids[customer[order]],
            "amount": np.round(np.maximum(amount[order], 0.5), 2),
            "merchant_category": np.array(MERCHANT_CATEGORIES, dtype=object)[category[order]],
            "hour": hour[order].astype(np.int8),
            "is_new_device": new_device[order],
            "device_age_days": device_age[order].astype(np.int32),
            "country": np.array(COUNTRIES, dtype=object)[country[order]],
            "is_foreign": foreign[order],
            "distance_from_home_km": np.round(distance[order], 1),
            "model_score": score[order],
            "is_fraud": fraud.astype(np.int8),
            "chargeback_date": chargeback.where(fraud).astype("datetime64[ns]"),
        }
    )
