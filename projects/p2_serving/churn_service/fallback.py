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
    # HINT: check what is there, field by field, and convert nothing: an int or a float that is not a bool,
    # HINT: compared with 0 and 1 (a NaN or an infinity fails that comparison; an int of any size does not
    # HINT: overflow it), a policy from POLICIES, an object, a list of strings. Return a short reason.
    raise NotImplementedError("rule_record_problem: check what is there, field by field, and convert nothing: an int or a float that is not a bool, compared with 0 and 1 (a NaN or an infinity fails that comparison; an int of any size does not overflow it), a policy from POLICIES, an object, a list of strings. Return a short reason.")


def read_rule_threshold(artifact_dir: Path) -> RuleThreshold:
    """The rule's threshold for ``artifact_dir``: the one training fitted (:data:`FALLBACK_FILE`), else the
    documented constant with the reason (no file; a file that is not JSON or not a complete record)."""
    # HINT: no file -> the constant, source "constant", and a detail saying training writes the file; a file
    # HINT: that does not parse, or is not an object, or whose "value" is not a finite number in [0, 1] (a
    # HINT: bool or a string is not one), whose policy is not profit/capacity, whose decision is not an
    # HINT: object or whose fitted_on.months is not a non-empty list -> the constant too, with a detail naming
    # HINT: the file and what is wrong. Never convert what is there; a file too large, too deep or not UTF-8
    # HINT: to parse is unreadable, not a crash at start-up.
    raise NotImplementedError('read_rule_threshold: no file -> the constant, source "constant", and a detail saying training writes the file; a file that does not parse, or is not an object, or whose "value" is not a finite number in [0, 1] (a bool or a string is not one), whose policy is not profit/capacity, whose decision is not an object or whose fitted_on.months is not a non-empty list -> the constant too, with a detail naming the file and what is wrong. Never convert what is there; a file too large, too deep or not UTF-8 to parse is unreadable, not a crash at start-up.')


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
    # HINT: compare the fitted record with what the served version says about its own rule threshold (its
    # HINT: world, policy, costs and capacity; the whole record when the version keeps one); on any
    # HINT: difference: the constant, source "constant", a detail that names the file and what differs.
    raise NotImplementedError('vet_rule_threshold: compare the fitted record with what the served version says about its own rule threshold (its world, policy, costs and capacity; the whole record when the version keeps one); on any difference: the constant, source "constant", a detail that names the file and what differs.')


def rule_score(frame):
    """Return the rule-based churn probability of every row of ``frame`` (a numpy array)."""
    # HINT: vectorised numpy over the frame's columns, exactly the formula in the module docstring.
    raise NotImplementedError("rule_score: vectorised numpy over the frame's columns, exactly the formula in the module docstring.")
