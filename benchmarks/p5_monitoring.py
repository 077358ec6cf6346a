"""Project 5's monitor over many worlds: detection delay, false alarms, and the notebook's run time.

For each of ``--worlds`` churn worlds (different seeds, drift onsets between months 9 and 14), the solution's
monitor runs as in ``lifecycle.ipynb``: the champion is trained on months 0-2 and validated on month 3,
which is the reference; months 6-17 are monitored with ``monitor_month`` and the policy's PSI alarm.

- detection delay: months from the drift onset to the first alarm at or after it (target <= 1);
- false-alarm rate: alarms on stable months (before the onset) over stable months (target <= 5 %);
- notebook run time: ``lifecycle.ipynb`` executed on a copy of the project (target < 60 s).

    .venv/bin/python benchmarks/p5_monitoring.py [--worlds 20] [--customers 3000] [--skip-notebook]

Prints the figures; the last line is ``p5_monitoring_pass: 1`` (or 0). Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DELAY_TARGET = 1.0  # months, at most (the worst world)
FALSE_ALARM_TARGET = 0.05  # share of stable months, at most
NOTEBOOK_TARGET_S = 60.0
FIRST_MONITORED, LAST_MONTH = 6, 17


def monitor_world(seed: int, n_customers: int) -> tuple[int | None, int, int, int]:
    """(detection delay or None, drift onset, false alarms, stable months) of one world."""
    import numpy as np
    from churn_lifecycle import monitor, train
    from churn_lifecycle.features import FEATURES
    from churn_lifecycle.policy import Policy

    from course.data import churn

    onset = 9 + seed % 6
    world = churn.load_world(seed=seed, n_customers=n_customers, months=LAST_MONTH + 1, drift_month=onset)
    frame = churn.monthly_snapshot(world).drop(columns=["churned"])
    frame = frame.merge(world.labels[["customer_id", "month", "churned"]], on=["customer_id", "month"])
    months = sorted(frame["month"].unique())
    pick = {i: frame[frame["month"] == m].reset_index(drop=True) for i, m in enumerate(months)}
    training = frame[frame["month"] <= months[2]]
    model = train.build_model(seed=seed).fit(training[list(FEATURES)], training["churned"].astype(int))
    reference = pick[3]
    reference_scores = model.predict_proba(reference[list(FEATURES)])[:, 1]
    policy = Policy()
    delay, false_alarms, stable = None, 0, 0
    for t in range(FIRST_MONITORED, LAST_MONTH + 1):
        current = pick[t]
        scores = model.predict_proba(current[list(FEATURES)])[:, 1]
        row = monitor.monitor_month(
            reference, current, FEATURES, reference_scores=reference_scores, current_scores=scores,
            contact=np.zeros(len(current), dtype=bool), policy=policy,
        )  # fmt: skip
        if t < onset:
            stable += 1
            false_alarms += int(row["drift_alarm"])
        elif delay is None and row["drift_alarm"]:
            delay = t - onset
    return delay, onset, false_alarms, stable


def notebook_seconds(project: Path) -> tuple[float, float]:
    """Wall and CPU seconds (kernel included) of executing ``lifecycle.ipynb`` on a copy of ``project``."""
    jupyter = Path(sys.executable).parent / "jupyter"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / project.name
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns("mlflow.db", "mlartifacts", "reports"))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--output", "executed.ipynb",
             "lifecycle.ipynb"],
            cwd=copy, check=True, capture_output=True, env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"},
        )  # fmt: skip
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--project", type=Path, default=root / "solutions" / "p5_lifecycle")
    parser.add_argument("--worlds", type=int, default=20)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--skip-notebook", action="store_true")
    args = parser.parse_args(argv)
    if args.worlds < 1:
        parser.error("--worlds must be at least 1")
    sys.path.insert(0, str(args.project.resolve()))
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

    delays: list[float] = []
    false_alarms = stable = 0
    for seed in range(args.worlds):
        delay, onset, alarms, months = monitor_world(seed, args.customers)
        delays.append(float("inf") if delay is None else float(delay))
        false_alarms += alarms
        stable += months
        shown = "missed" if delay is None else f"{delay} month(s)"
        print(f"world seed={seed:2d} onset=month {onset:2d}: delay {shown}, false alarms {alarms}/{months}")
    worst = max(delays)
    mean = sum(delays) / len(delays)
    rate = false_alarms / stable if stable else 0.0
    ok = worst <= DELAY_TARGET and rate <= FALSE_ALARM_TARGET
    print(f"detection delay: mean {mean:.2f}, worst {worst:.0f} month(s), {len(delays)} worlds (target <= 1)")
    print(
        f"false-alarm rate: {rate:.3f} ({false_alarms}/{stable} stable months, target {FALSE_ALARM_TARGET})"
    )
    if not args.skip_notebook:
        wall, cpu = notebook_seconds(args.project)
        ok = ok and wall < NOTEBOOK_TARGET_S
        print(f"notebook: {wall:.1f} s wall, {cpu:.1f} s CPU (target < {NOTEBOOK_TARGET_S:.0f} s wall)")
        print(f"p5_notebook_s: {wall:.1f}")
    print(f"p5_detection_delay_worst_months: {worst:.0f}")
    print(f"p5_false_alarm_rate: {rate:.3f}")
    print(f"p5_monitoring_pass: {int(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
