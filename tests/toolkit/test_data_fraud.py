"""The fraud world: determinism, fraud rate, label delay, informative but imperfect model score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course.data import fraud
from course.data.cache import digest_tables

SMALL = {"n_transactions": 50_000, "days": 30}


@pytest.fixture(scope="module")
def tx() -> pd.DataFrame:
    return fraud.generate(seed=0, **SMALL).transactions


def test_columns_and_types(tx: pd.DataFrame) -> None:
    assert list(tx.columns) == [
        "transaction_id", "timestamp", "customer_id", "amount", "merchant_category", "hour",
        "is_new_device", "device_age_days", "country", "is_foreign", "distance_from_home_km",
        "model_score", "is_fraud", "chargeback_date",
    ]  # fmt: skip
    assert tx["transaction_id"].is_unique and tx["timestamp"].is_monotonic_increasing
    assert (tx["hour"] == tx["timestamp"].dt.hour).all()
    assert set(tx["is_fraud"].unique()) == {0, 1}


def test_same_seed_same_data_and_different_seed_different_data(tx: pd.DataFrame) -> None:
    assert digest_tables({"tx": fraud.generate(seed=0, **SMALL).transactions}) == digest_tables({"tx": tx})
    assert digest_tables({"tx": fraud.generate(seed=1, **SMALL).transactions}) != digest_tables({"tx": tx})


def test_default_world_fraud_rate_is_rare() -> None:
    rate = fraud.generate(seed=0).transactions["is_fraud"].mean()
    assert 0.002 <= rate <= 0.005


def test_fraud_becomes_known_only_after_a_chargeback_delay(tx: pd.DataFrame) -> None:
    is_fraud = tx["is_fraud"] == 1
    assert tx.loc[~is_fraud, "chargeback_date"].isna().all()
    assert tx.loc[is_fraud, "chargeback_date"].notna().all()
    delay = (tx.loc[is_fraud, "chargeback_date"] - tx.loc[is_fraud, "timestamp"]).dt.days
    assert (delay >= 2).all() and 10 <= delay.median() <= 40


def test_fraud_amounts_are_larger(tx: pd.DataFrame) -> None:
    medians = tx.groupby("is_fraud")["amount"].median()
    assert medians[1] > 2 * medians[0] and (tx["amount"] > 0).all()


def test_model_score_is_informative_but_imperfect(tx: pd.DataFrame) -> None:
    score, y = tx["model_score"].to_numpy(), tx["is_fraud"].to_numpy()
    assert ((score >= 0) & (score <= 1)).all()
    order = np.argsort(-score, kind="stable")
    top = y[order[: len(y) // 100]].mean()  # precision in the top 1 %
    assert 5 * y.mean() < top < 0.9


def test_bad_parameters_are_named() -> None:
    with pytest.raises(ValueError, match="n_transactions"):
        fraud.generate(n_transactions=10)
    with pytest.raises(ValueError, match="days"):
        fraud.generate(days=0)


def test_load_world_is_cached(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    first = fraud.load_world(seed=2, **SMALL)
    second = fraud.load_world(seed=2, **SMALL)
    assert [p.name[:6] for p in (tmp_path / "cache").iterdir()] == ["fraud-"]
    pd.testing.assert_frame_equal(first.transactions, second.transactions)
