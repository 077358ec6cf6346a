"""Shared fixtures of project 1's graded tests: the learner's results file and small hand-made frames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

LEAKY = ("account_status", "last_login_date", "retention_offer_accepted", "cancellation_reason")
"""The churn export's columns filled on the export date (see docs/reference/data.md)."""


@pytest.fixture(scope="session")
def read_metrics(project_dir: Path):
    """``read_metrics("what is checked")``: ``reports/metrics.json`` as the learner's notebook wrote it."""

    def read(purpose: str) -> dict[str, Any]:
        path = project_dir / "reports" / "metrics.json"
        if not path.is_file():
            pytest.fail(
                f"reports/metrics.json not found, so {purpose} cannot be checked: run baseline.ipynb top to "
                "bottom; its last section writes the file.",
                pytrace=False,
            )
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            pytest.fail(
                f"reports/metrics.json is not valid JSON ({exc}): let the notebook write it.", pytrace=False
            )

    return read


@pytest.fixture
def decision(project_module):
    """A DecisionConfig with round numbers: a saved churner is worth 0.5 * 100 = 50, a contact costs 10."""
    config = project_module("churn_baseline.config")
    return config.DecisionConfig(capacity=0.2, contact_cost=10.0, saved_value=100.0, save_rate=0.5)


@pytest.fixture(scope="session")
def leaky_names() -> tuple[str, ...]:
    """The churn export's columns filled on the export date."""
    return LEAKY


@pytest.fixture(scope="session")
def make_panel():
    """``make_panel(seed, n_customers, months, immature)``: a small customer-month panel."""
    return panel


def panel(seed: int, n_customers: int = 60, months: int = 8, immature: int = 2) -> pd.DataFrame:
    """A customer-month panel with other column names: ``cid``, ``period``, ``y`` (NaN in the last months)."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        first = int(rng.integers(0, months - 1))
        last = int(rng.integers(first, months))
        for m in range(first, last + 1):
            rows.append({"cid": f"K{c:03d}", "period": m, "x": rng.normal(), "y": float(rng.random() < 0.2)})
    df = pd.DataFrame(rows)
    df.loc[df["period"] >= months - immature, "y"] = np.nan
    return df
