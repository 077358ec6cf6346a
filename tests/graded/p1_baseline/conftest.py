"""Shared fixtures of project 1's graded tests: the learner's results file and small hand-made frames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest


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
    """The churn export's columns filled on the export date, in the world the learner is graded in (the
    grader sets it: ``course.worlds.current()``); each world has its own names."""
    from course import worlds
    from course.data import churn

    return tuple(churn.crm_columns(worlds.current().params("churn")))


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


def _paired_reference(y, a, b, groups, metric, n_boot: int = 400, seed: int = 1, paired: bool = True):
    """The grader's own bootstrap of ``metric(a) - metric(b)`` by customer: 95 % percentile interval.

    ``paired=False`` draws the customers of ``a`` and ``b`` independently (what a paired test avoids), so a
    test can tell the two apart by width.
    """
    codes = pd.factorize(np.asarray(groups))[0]
    n_groups = int(codes.max()) + 1
    rng = np.random.default_rng(seed)

    def rows() -> np.ndarray:
        drawn = np.bincount(rng.integers(0, n_groups, n_groups), minlength=n_groups)
        return np.repeat(np.arange(len(codes)), drawn[codes])

    values = []
    for _ in range(n_boot):
        first = rows()
        second = first if paired else rows()
        if y[first].min() == y[first].max() or y[second].min() == y[second].max():
            continue
        values.append(metric(y[first], a[first]) - metric(y[second], b[second]))
    low, high = np.percentile(values, [2.5, 97.5])
    return float(metric(y, a) - metric(y, b)), float(low), float(high)


@pytest.fixture(scope="session")
def paired_reference():
    """``paired_reference(y, a, b, groups, metric, paired=True)``: the grader's bootstrap of a difference."""
    return _paired_reference
