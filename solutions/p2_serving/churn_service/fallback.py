"""The documented rule-based score the service answers from when no verified model can be used.

    logit = -3.0
            + 1.0  if contract == "monthly"
            + 0.8  if tenure_days < 180
            + 0.7 * min(failed_payments_90d, 3)
            + 0.4 * min(tickets_30d, 3)
            + 0.8  if days_since_last_activity >= 14
            + 1.5 * clip(-usage_trend_28d, 0, 1)
    churn_probability = 1 / (1 + exp(-logit))

A customer with none of the risk signals scores about 0.05; a new monthly customer with three failed
payments, three tickets, two silent weeks and halving usage scores about 0.97. The rule is deliberately
simple: it is a safe default while the model is away, not a competitor to it.

Its decision threshold is its own, and it belongs to the world the service runs in: training applies project
1's contact policy (the one it applies to the model) to the rule's scores on the labelled months before the
test months. The record (the value, the policy and its costs, the months it was fitted on and the world) is
kept in the version's ``metadata.json`` (``fallback_rule``) and in ``<artifact_dir>/fallback.json``
(:data:`FALLBACK_FILE`), next to the version folders and outside them, so that it is readable when the model
is missing or fails its checksum; :func:`~churn_service.artifacts.set_current` (training, a rollback)
removes that file, moves ``CURRENT``, then writes the file from the version ``CURRENT`` now names. The rule
learns nothing from data, so every labelled month before the test is out of sample for it: the policy sees
all of them. The rule's probabilities are not the model's, so the model's threshold never applies to them.

:func:`read_rule_threshold` reads that file at start-up and :func:`vet_rule_threshold` checks it against the
served version's metadata. Whenever the artifact folder has no usable ``fallback.json`` (no file; a file
that is not a complete record; a record that differs from the one the version ``CURRENT`` names keeps, in
value, policy, costs, months or world, or for a version without one in world, policy or costs; or a
``CURRENT`` naming a version whose metadata cannot be read) the service decides with
:data:`FALLBACK_THRESHOLD`, the documented constant: the default world's threshold
(project 1's profit policy with the default costs and a 5 % capacity chose 0.45233 there, 112 contacts in
14,585 customer-months, rounded down to four decimals, which contacts the same customers). A file is never
half-trusted: the constant is used and ``/ready`` names the file and the problem
(``fallback_threshold_source: constant``, ``fallback_threshold_detail``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from churn_service.artifacts import FALLBACK_FILE, RULE_KEY, write_text_atomic

FALLBACK_VERSION = "fallback-rules-v1"
FALLBACK_THRESHOLD = 0.4523
POLICIES = ("profit", "capacity")
DECISION_KEYS = ("capacity", "contact_cost", "saved_value", "save_rate")


@dataclass(frozen=True)
class RuleThreshold:
    """The threshold the rule's scores are decided with, where it came from, and why, when it is not fitted.

    ``source`` is ``fitted`` (training wrote it to :data:`FALLBACK_FILE` for this artifact folder) or
    ``constant`` (:data:`FALLBACK_THRESHOLD`, the default world's); ``detail`` says why the constant is used.
    """

    value: float
    source: Literal["fitted", "constant"]
    detail: str | None = None
    record: dict[str, Any] | None = None


def save_rule_threshold(artifact_dir: Path, record: dict[str, Any]) -> Path:
    """Write ``record`` (``value``, ``policy``, ``decision``, ``fitted_on``, ``world``) as the artifact
    folder's :data:`FALLBACK_FILE`, atomically; return its path."""
    artifact_dir = Path(artifact_dir)
    artifact_dir.mkdir(parents=True, exist_ok=True)
    path = artifact_dir / FALLBACK_FILE
    write_text_atomic(path, json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def _show(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters; never raises (an int of more than 4300 digits does)."""
    try:
        text = repr(value)
    except ValueError:
        return f"<{type(value).__name__} too large to print>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rule_record_problem(record: Any) -> str | None:
    """What makes ``record`` unusable as the rule's threshold record, or None when it is complete.

    Complete: a JSON object whose ``value`` is a finite number in [0, 1] (not a bool, not a string),
    ``policy`` is ``"profit"`` or ``"capacity"``, ``decision`` is an object and ``fitted_on.months`` a
    non-empty list of month strings.
    """
    # BEGIN SOLUTION
    # HINT: check what is there, field by field, and convert nothing: an int or a float that is not a bool,
    # HINT: compared with 0 and 1 (a NaN or an infinity fails that comparison; an int of any size does not
    # HINT: overflow it), a policy from POLICIES, an object, a list of strings. Return a short reason.
    if not isinstance(record, dict):
        return f"it holds a JSON {type(record).__name__}, not an object"
    value = record.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"value {_show(value)} is not a number"
    if not 0.0 <= value <= 1.0:  # False for NaN and the infinities; exact for an int of any size
        return f"value {_show(value)} is not in [0, 1]"
    if record.get("policy") not in POLICIES:
        return f"policy {_show(record.get('policy'))} is not one of {POLICIES}"
    if not isinstance(record.get("decision"), dict):
        return f"decision {_show(record.get('decision'))} is not an object with the costs and capacity"
    fitted_on = record.get("fitted_on")
    months = fitted_on.get("months") if isinstance(fitted_on, dict) else None
    if not isinstance(months, list) or not months or not all(isinstance(m, str) for m in months):
        return f"fitted_on.months {_show(months)} is not a non-empty list of months"
    return None
    # END SOLUTION


def read_rule_threshold(artifact_dir: Path) -> RuleThreshold:
    """The rule's threshold for ``artifact_dir``: the one training fitted (:data:`FALLBACK_FILE`), else the
    documented constant with the reason (no file; a file that is not JSON or not a complete record)."""
    # BEGIN SOLUTION
    # HINT: no file -> the constant, source "constant", and a detail saying training writes the file; a file
    # HINT: that does not parse, or is not an object, or whose "value" is not a finite number in [0, 1] (a
    # HINT: bool or a string is not one), whose policy is not profit/capacity, whose decision is not an
    # HINT: object or whose fitted_on.months is not a non-empty list -> the constant too, with a detail naming
    # HINT: the file and what is wrong. Never convert what is there; a file too large, too deep or not UTF-8
    # HINT: to parse is unreadable, not a crash at start-up.
    path = Path(artifact_dir) / FALLBACK_FILE
    if not path.is_file():
        return RuleThreshold(
            FALLBACK_THRESHOLD,
            "constant",
            f"no {FALLBACK_FILE} in the artifact folder: the documented constant (the default world's); "
            "training fits the rule's threshold in your world and writes the file",
        )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: not JSON, not UTF-8, a huge int
        detail = f"{FALLBACK_FILE} is unreadable ({type(exc).__name__}: {str(exc)[:120]}): retrain"
        return RuleThreshold(FALLBACK_THRESHOLD, "constant", detail)
    problem = rule_record_problem(record)
    if problem is not None:
        detail = f"{FALLBACK_FILE} holds no usable threshold ({problem}): the documented constant; retrain"
        return RuleThreshold(FALLBACK_THRESHOLD, "constant", detail)
    return RuleThreshold(float(record["value"]), "fitted", None, record)
    # END SOLUTION


def _decision(record: Any) -> dict[str, Any]:
    """The costs and capacity of a decision record (its policy, if it carries one, is compared apart)."""
    return {k: record.get(k) for k in DECISION_KEYS} if isinstance(record, dict) else {}


def vet_rule_threshold(rule: RuleThreshold, metadata: dict[str, Any] | None) -> RuleThreshold:
    """``rule`` if its record belongs to the version ``CURRENT`` names (``metadata``, read even when the
    model fails its checksum), else the constant with a detail naming :data:`FALLBACK_FILE` and the mismatch.

    The version's own record (``metadata["fallback_rule"]``) must be the file's (value, policy, costs,
    months, world); a version trained before that record was kept is compared by world, policy and costs
    with its ``training_data`` and ``threshold``. A mismatch (a rollback that left the newer run's file, a
    file copied by hand) is not half-trusted either: the constant decides, and retraining or ``set_current``
    rewrites the file. ``metadata`` is None only when there is no ``CURRENT`` at all: there is nothing to
    compare then, and ``rule`` stands (a ``CURRENT`` whose metadata cannot be read is the caller's to
    refuse: see :func:`~churn_service.predict.load_model_state`).
    """
    # BEGIN SOLUTION
    # HINT: compare the fitted record with what the served version says about its own rule threshold (its
    # HINT: world, policy, costs and capacity; the whole record when the version keeps one); on any
    # HINT: difference: the constant, source "constant", a detail that names the file and what differs.
    if rule.source != "fitted" or rule.record is None or not isinstance(metadata, dict):
        return rule
    record = rule.record
    own = metadata.get(RULE_KEY)

    def compared(rec: dict[str, Any]) -> dict[str, Any]:
        fitted_on = rec.get("fitted_on")
        months = fitted_on.get("months") if isinstance(fitted_on, dict) else None
        return {k: rec.get(k) for k in ("value", "policy", "world")} | {
            "decision": _decision(rec.get("decision")),
            "months": months,
        }

    if isinstance(own, dict):
        mine, theirs = compared(own), compared(record)
    else:
        threshold = metadata.get("threshold") if isinstance(metadata.get("threshold"), dict) else {}
        training = metadata.get("training_data") if isinstance(metadata.get("training_data"), dict) else {}
        mine = {
            "policy": threshold.get("policy"),
            "decision": _decision(threshold.get("decision")),
            "world": training.get("world"),
        }
        theirs = {"policy": record.get("policy"), "decision": _decision(record.get("decision")),
                  "world": record.get("world")}  # fmt: skip
    differs = sorted(k for k in mine if mine[k] != theirs[k])
    if not differs:
        return rule
    version = metadata.get("version")
    version = version if isinstance(version, str) else "the CURRENT version"
    detail = (
        f"{FALLBACK_FILE} belongs to another run than {version} ({', '.join(differs)} differ: "
        f"{_show({k: theirs[k] for k in differs}, 300)} in the file, "
        f"{_show({k: mine[k] for k in differs}, 300)} for {version}): "
        "the documented constant; point CURRENT with set_current/rollback (they rewrite the file) or retrain"
    )
    return RuleThreshold(FALLBACK_THRESHOLD, "constant", detail)
    # END SOLUTION


def rule_score(frame):
    """Return the rule-based churn probability of every row of ``frame`` (a numpy array)."""
    # BEGIN SOLUTION
    # HINT: vectorised numpy over the frame's columns, exactly the formula in the module docstring.
    import numpy as np

    logit = np.full(len(frame), -3.0)
    logit += 1.0 * (frame["contract"].to_numpy() == "monthly")
    logit += 0.8 * (frame["tenure_days"].to_numpy(dtype=float) < 180)
    logit += 0.7 * np.minimum(frame["failed_payments_90d"].to_numpy(dtype=float), 3)
    logit += 0.4 * np.minimum(frame["tickets_30d"].to_numpy(dtype=float), 3)
    logit += 0.8 * (frame["days_since_last_activity"].to_numpy(dtype=float) >= 14)
    logit += 1.5 * np.clip(-frame["usage_trend_28d"].to_numpy(dtype=float), 0.0, 1.0)
    return 1.0 / (1.0 + np.exp(-logit))
    # END SOLUTION
