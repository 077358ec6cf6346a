"""Benchmark the churn world: generate, monthly_snapshot and export_raw of the default world (no cache).

    python benchmarks/world.py                 # timings and peak memory
    python benchmarks/world.py --learnability  # also: can a model trained on the snapshot reach the oracle?

The budget for generating the default world (20,000 customers, 18 months) is 20 s on 2 cores.  The last
line is machine-readable: ``world_generate_s: <seconds>``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

GENERATE_BUDGET_S = 20.0


def measure(fn: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """Run ``fn`` once: its result, wall seconds, CPU seconds and peak traced memory in MB."""
    tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return result, seconds, cpu, peak


def learnability(world: Any, snapshot: Any) -> dict[str, tuple[float, float]]:
    """Log-loss and PR-AUC on the last 3 mature months: oracle, gradient boosting, logistic regression, rule.

    Models are trained on the earlier mature months of the snapshot's feature columns only (no CRM export
    columns), as project 1 does.
    """
    import numpy as np
    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, log_loss
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from course.data._churn_laws import FEATURE_COLUMNS
    from course.data._churn_snapshot import CATEGORICAL

    data = snapshot.merge(world.oracle, on=["customer_id", "month"])
    data = data[data["churned"].notna()]
    test_months = sorted(data["month"].unique())[-3:]
    train, test = data[data["month"] < test_months[0]], data[data["month"] >= test_months[0]]
    y_train, y_test = train["churned"].astype(int), test["churned"].astype(int)
    cats = list(CATEGORICAL)
    nums = [c for c in FEATURE_COLUMNS if c not in CATEGORICAL]

    def typed(df: pd.DataFrame) -> pd.DataFrame:
        out = df[cats + nums].copy()
        for col, values in CATEGORICAL.items():
            out[col] = pd.Categorical(out[col], categories=list(values))
        return out

    hgb = HistGradientBoostingClassifier(
        categorical_features="from_dtype", learning_rate=0.05, max_iter=300, random_state=0
    )
    hgb.fit(typed(train), y_train)
    linear = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), cats), (StandardScaler(), nums)),
        LogisticRegression(max_iter=2000),
    )
    linear.fit(train[cats + nums], y_train)

    def flags(df: pd.DataFrame) -> pd.Series:
        return (
            (df["days_since_last_activity"] >= 5).astype(int)
            + (df["usage_trend_28d"] < -0.3)
            + (df["failed_payments_90d"] > 0)
            + (df["tenure_days"] < 90)
            + (df["contract"] == "monthly")
        )

    rule_rates = y_train.groupby(flags(train).to_numpy()).mean()
    scores = {
        "oracle": test["churn_probability"].to_numpy(),
        "gradient boosting": hgb.predict_proba(typed(test))[:, 1],
        "logistic regression": linear.predict_proba(test[cats + nums])[:, 1],
        "hand rule (5 flags)": flags(test).map(rule_rates).fillna(y_train.mean()).to_numpy(),
        "base rate": np.full(len(test), y_train.mean()),
    }
    return {
        name: (log_loss(y_test, np.clip(s, 1e-6, 1 - 1e-6)), average_precision_score(y_test, s))
        for name, s in scores.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learnability", action="store_true", help="also fit HGB/LR against the oracle")
    args = parser.parse_args(argv)

    from rich.console import Console
    from rich.table import Table

    from course.data import churn

    world, gen_s, gen_cpu, gen_mb = measure(churn.generate)
    snapshot, *snap = measure(lambda: churn.monthly_snapshot(world))
    with tempfile.TemporaryDirectory() as tmp:
        _, *export = measure(lambda: churn.export_raw(world, Path(tmp) / "raw"))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    table = Table(title="churn world, default parameters (20,000 customers, 18 months), no cache")
    for col in ("step", "wall s", "cpu s", "peak traced MB", "rows"):
        table.add_column(col, justify="left" if col == "step" else "right")
    rows = sum(len(t) for t in world.tables().values())
    for step, (wall, cpu, mb), n in [
        ("generate", (gen_s, gen_cpu, gen_mb), f"{rows:,}"),
        ("monthly_snapshot", snap, f"{len(snapshot):,}"),
        ("export_raw (v1)", export, ""),
    ]:
        table.add_row(step, f"{wall:.2f}", f"{cpu:.2f}", f"{mb:,.0f}", n)
    console = Console()
    console.print(table)
    rate = world.labels["churned"].mean()
    console.print(f"process peak RSS: {rss_mb:,.0f} MB; base monthly churn rate {rate:.2%}")

    if args.learnability:
        results = learnability(world, snapshot)
        oracle_ll, oracle_ap = results["oracle"]
        fit = Table(title="out-of-time test: the last 3 mature months")
        for col in ("model", "log-loss", "/ oracle", "PR-AUC", "/ oracle"):
            fit.add_column(col, justify="left" if col == "model" else "right")
        for name, (ll, ap) in results.items():
            fit.add_row(name, f"{ll:.4f}", f"{ll / oracle_ll:.3f}", f"{ap:.4f}", f"{ap / oracle_ap:.3f}")
        console.print(fit)
        hgb_ll, hgb_ap = results["gradient boosting"]
        print(f"hgb_logloss_over_oracle: {hgb_ll / oracle_ll:.3f}")
        print(f"hgb_prauc_over_oracle: {hgb_ap / oracle_ap:.3f}")

    print(f"world_generate_budget_ratio: {gen_s / GENERATE_BUDGET_S:.3f}")
    print(f"world_generate_s: {gen_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
