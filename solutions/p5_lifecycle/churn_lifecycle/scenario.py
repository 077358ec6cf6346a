"""A gradual drift built from months the course already generates, and the delay before a test notices it.

The world's drift is abrupt: every ``standard`` customer pays the new price from the drift month on. A
gradual rollout mixes, month by month, a rising share of customers from the drifted world with the rest
from a world without the drift (the same customers and history up to the drift month).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from churn_lifecycle.features import ID


def mix_month(
    unaffected: pd.DataFrame, affected: pd.DataFrame, share: float, *, seed: int = 0, key: str = ID
) -> pd.DataFrame:
    """One month of a gradual rollout: ``affected`` rows for about ``share`` of customers, the rest as before.

    A customer is affected when its own uniform draw (a hash of ``seed`` and its id, the same every month)
    is below ``share``, so a customer reached by the rollout stays reached as the share rises. Customers
    present in only one of the frames keep the row they have when they fall on that frame's side.
    Returns the rows in ``key`` order with the ``unaffected`` columns.
    """
    if not 0 <= share <= 1:
        raise ValueError(f"share must be between 0 and 1, got {share}")
    # BEGIN SOLUTION
    # HINT: a per-customer uniform draw that depends on the id only (hash it), compared with share.
    ids = pd.Series(np.union1d(unaffected[key].astype(str), affected[key].astype(str)))
    draw = pd.util.hash_pandas_object(f"{seed}:" + ids, index=False).to_numpy() / 2.0**64
    reached = set(ids[draw < share])
    take_affected = affected[key].astype(str).isin(reached)
    take_unaffected = ~unaffected[key].astype(str).isin(reached)
    rows = pd.concat([unaffected[take_unaffected], affected.loc[take_affected, unaffected.columns]])
    return rows.sort_values(key, kind="mergesort").reset_index(drop=True)
    # END SOLUTION


def detection_delay(alarms: Sequence[bool]) -> int | None:
    """Months from the drift's start (``alarms[0]``) to the first alarm; ``None`` when none fired."""
    # BEGIN SOLUTION
    # HINT: the index of the first True.
    for month, alarm in enumerate(alarms):
        if alarm:
            return month
    return None
    # END SOLUTION


def evidently_drift(
    reference: pd.DataFrame, current: pd.DataFrame, columns: Sequence[str]
) -> dict[str, object]:
    """Evidently's default drift test (``DataDriftPreset()``): its per-column verdicts and the dataset's.

    Returns ``drifted`` (columns whose drift score reaches the column's threshold under Evidently's default
    method for it), ``scores`` (``{column: score}``) and ``dataset_drift`` (Evidently's own verdict: the
    share of drifted columns reaches its ``drift_share``, 0.5 by default).
    """
    from evidently import Report
    from evidently.presets import DataDriftPreset

    snapshot = Report([DataDriftPreset(columns=list(columns))]).run(
        current[list(columns)], reference[list(columns)]
    )
    scores: dict[str, float] = {}
    drifted: list[str] = []
    dataset_drift = False
    for metric in snapshot.dict()["metrics"]:
        config = metric.get("config", {})
        kind = config.get("type", "")
        if kind.endswith("ValueDrift"):
            scores[config["column"]] = float(metric["value"])
            if float(metric["value"]) >= float(config["threshold"]):
                drifted.append(config["column"])
        elif kind.endswith("DriftedColumnsCount"):
            dataset_drift = float(metric["value"]["share"]) >= float(config["drift_share"])
    return {"drifted": drifted, "scores": scores, "dataset_drift": dataset_drift}
