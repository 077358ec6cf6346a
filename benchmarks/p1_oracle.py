"""Project 1 against the oracle: the solution model's out-of-time log-loss and PR-AUC over the true ones.

The churn world knows each customer-month's true churn probability. On the out-of-time test months the
solution's boosting model (trained exactly as in ``baseline.ipynb``: same world, split and parameters, from
``params.toml``) must reach a log-loss within 10 % of the oracle's and a PR-AUC of at least 85 % of it.

    .venv/bin/python benchmarks/p1_oracle.py [--project solutions/p1_baseline]

Prints both ratios; the last line is ``p1_oracle_pass: 1`` (or 0). Exit status 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

LOG_LOSS_BUDGET = 1.10  # model log-loss / oracle log-loss, at most
PR_AUC_BUDGET = 0.85  # model PR-AUC / oracle PR-AUC, at least


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--project", type=Path, default=root / "solutions" / "p1_baseline")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.project.resolve()))

    from churn_baseline import baselines, data, features, leakage, metrics, split
    from churn_baseline.config import load_config
    from threadpoolctl import threadpool_limits

    from course.data import churn

    threadpool_limits(1)
    cfg = load_config(args.project / "params.toml")
    world = churn.load_world(seed=cfg.data.seed, n_customers=cfg.data.n_customers, months=cfg.data.months)
    snapshot = churn.monthly_snapshot(world, cfg.data.export_date)
    clean = leakage.drop_leaky(snapshot, leakage.leaky_columns())
    train, test = split.out_of_time_split(clean, data.TIME_COL, data.LABEL_COL, cfg.split.test_months)
    fit, _ = split.grouped_holdout(train, data.ID_COL, cfg.split.val_share, seed=0)
    numeric, categorical = features.feature_columns(clean, exclude=data.NOT_FEATURES)
    model = baselines.make_boosting(numeric, categorical, seed=0)
    model.fit(fit[numeric + categorical], fit[data.LABEL_COL].astype(int))

    keys = [data.ID_COL, data.TIME_COL]
    truth = test[keys].merge(world.oracle, on=keys, how="left")["churn_probability"]
    if len(truth) != len(test) or truth.isna().any():
        print("the oracle table does not cover every test customer-month", file=sys.stderr)
        return 2
    truth = truth.to_numpy()
    y = test[data.LABEL_COL].astype(int).to_numpy()
    p = model.predict_proba(test[numeric + categorical])[:, 1]
    ll_model, ll_oracle = metrics.log_loss(y, p), metrics.log_loss(y, truth)
    ap_model, ap_oracle = metrics.pr_auc(y, p), metrics.pr_auc(y, truth)
    months = sorted(test[data.TIME_COL].dt.strftime("%Y-%m").unique())
    print(f"world: {cfg.data.n_customers} customers x {cfg.data.months} months")
    print(f"test months: {months[0]}..{months[-1]}")
    print(f"test rows: {len(y)}, churners: {int(y.sum())}")
    print(f"log-loss  model {ll_model:.4f}  oracle {ll_oracle:.4f}")
    print(f"PR-AUC    model {ap_model:.4f}  oracle {ap_oracle:.4f}")
    ll_ratio, ap_ratio = ll_model / ll_oracle, ap_model / ap_oracle
    ok = ll_ratio <= LOG_LOSS_BUDGET and ap_ratio >= PR_AUC_BUDGET
    print(f"p1_logloss_over_oracle: {ll_ratio:.3f} (budget <= {LOG_LOSS_BUDGET})")
    print(f"p1_prauc_over_oracle: {ap_ratio:.3f} (budget >= {PR_AUC_BUDGET})")
    print(f"p1_oracle_pass: {int(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
