"""``reports/metrics.json``: its schema, a validator, and an atomic writer."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

MODEL_METRICS = (
    "pr_auc",
    "roc_auc",
    "log_loss",
    "brier",
    "precision_at_capacity",
    "recall_at_capacity",
    "expected_profit",
)
BASELINES = ("prior", "rule", "logistic")
REQUIRED_KEYS = (
    "schema_version",
    "data",
    "decision",
    "models",
    "chosen_model",
    "headline",
    "threshold",
    "expected_profit",
    "calibration",
    "worst_slice",
    "fairness",
    "mlp_vs_boosting",
    "leakage",
)


def validate_metrics(payload: dict[str, Any]) -> list[str]:
    """Problems with a metrics payload (an empty list when it follows the schema in the README)."""
    problems = [f"missing key {key!r}" for key in REQUIRED_KEYS if key not in payload]
    models = payload.get("models", {})
    for name in (*BASELINES, "boosting"):
        if name not in models:
            problems.append(f"models: missing model {name!r}")
    for name, values in models.items():
        for metric in MODEL_METRICS:
            value = values.get(metric) if isinstance(values, dict) else None
            if not isinstance(value, int | float) or not math.isfinite(value):
                problems.append(f"models.{name}.{metric} must be a finite number, got {value!r}")
    if payload.get("chosen_model") not in models:
        problems.append(f"chosen_model {payload.get('chosen_model')!r} is not one of models")
    return problems


def write_metrics(payload: dict[str, Any], path: str | Path) -> Path:
    """Validate ``payload`` and write it as indented JSON, atomically (temporary file, then rename)."""
    problems = validate_metrics(payload)
    if problems:
        raise ValueError("metrics.json does not follow its schema: " + "; ".join(problems))
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    return target


def rounded(value: Any, digits: int = 4) -> Any:
    """Round floats inside nested dicts/lists so the JSON stays readable and stable."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v, digits) for v in value]
    return value
