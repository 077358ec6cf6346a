"""The promotion gate: challenger and champion scored on the SAME customers, judged with paired intervals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from churn_lifecycle.metrics import expected_calibration_error, paired_difference, slice_recall_differences
from churn_lifecycle.policy import Policy


@dataclass(frozen=True)
class GateDecision:
    """Whether the challenger replaces the champion, every reason in words with the numbers, the evidence."""

    promote: bool
    reasons: list[str] = field(default_factory=list)
    evidence: dict = field(default_factory=dict)

    def summary(self) -> str:
        """One line for a registry tag: ``PROMOTE: reason; reason`` or ``REFUSE: ...``."""
        return ("PROMOTE: " if self.promote else "REFUSE: ") + "; ".join(self.reasons)


def gate_decision(
    y_true: Sequence[int],
    champion_scores: Sequence[float] | None,
    challenger_scores: Sequence[float],
    slices: Sequence[object],
    policy: Policy | None = None,
) -> GateDecision:
    """Decide whether the challenger may replace the champion, both scored on the same evaluation customers.

    - **primary metric** (PR-AUC): a paired, customer-level bootstrap of ``challenger - champion``
      (:func:`~churn_lifecycle.metrics.paired_difference`, ``policy.n_boot`` resamples, seeded with
      ``policy.bootstrap_seed``); it passes only when the interval's lower end is above
      ``policy.promotion_margin`` (0: the interval excludes 0 in the challenger's favour).
      A point-estimate gain alone never promotes.
    - **calibration guardrail**: the expected calibration error rises by at most
      ``policy.max_calibration_increase``.
    - **slice guardrail**: per slice of ``slices`` with at least ``policy.min_slice_positives`` churners, the
      recall of the contact decision; it fails only when a slice's whole paired interval of
      ``challenger - champion`` lies below ``-policy.max_slice_recall_drop``. Smaller slices are reported
      as too small to judge.

    With no champion (``None``) the first model is promoted. Every check adds one reason (``ok: ...`` or
    ``FAILED: ...``, the primary metric first); ``evidence`` holds the intervals.
    """
    policy = policy or Policy()
    y = np.asarray(y_true, dtype=int)
    b = np.asarray(challenger_scores, dtype=float)
    if len(b) != len(y) or len(slices) != len(y):
        raise ValueError("labels, scores and slices must have one row per evaluation customer")
    if len(np.unique(y)) < 2:
        raise ValueError(
            "the evaluation labels hold a single class: evaluate on rows with churners and stayers"
        )
    if champion_scores is None:
        return GateDecision(True, ["no champion yet: the first valid candidate becomes champion"])
    a = np.asarray(champion_scores, dtype=float)
    boot = {"n_boot": policy.n_boot, "level": policy.interval_level, "seed": policy.bootstrap_seed}
    # BEGIN SOLUTION
    # HINT: one paired interval for the primary metric; promote only if its LOWER end clears the margin.
    primary = paired_difference(y, a, b, **boot)
    pct = f"{policy.interval_level:.0%}"
    checks = [
        (
            primary["low"] > policy.promotion_margin,
            f"{policy.primary_metric} {primary['challenger']:.4f} vs champion {primary['champion']:.4f}: "
            f"paired difference {primary['difference']:+.4f}, {pct} interval [{primary['low']:+.4f}, "
            f"{primary['high']:+.4f}] over {policy.n_boot} resamples of {len(y)} customers: "
            f"{primary['verdict']}",
        )
    ]
    cal_a, cal_b = expected_calibration_error(y, a), expected_calibration_error(y, b)
    checks.append(
        (
            cal_b - cal_a <= policy.max_calibration_increase,
            f"calibration_error {cal_b:.4f} vs {cal_a:.4f} "
            f"(change {cal_b - cal_a:+.4f}, allowed +{policy.max_calibration_increase:.4f})",
        )
    )
    by_slice = slice_recall_differences(
        y, a, b, slices, contact_share=policy.contact_share, min_positives=policy.min_slice_positives, **boot
    )
    judged = {k: v for k, v in by_slice.items() if v["judged"]}
    small = [f"{k} ({v['positives']})" for k, v in by_slice.items() if not v["judged"]]
    worse = {k: v for k, v in judged.items() if v["high"] < -policy.max_slice_recall_drop}
    if judged:
        name = min(judged, key=lambda k: judged[k]["high"])
        s = judged[name]
        text = (
            f"slice recall: {name} {s['challenger']:.4f} vs {s['champion']:.4f}, difference "
            f"{s['difference']:+.4f}, {pct} interval [{s['low']:+.4f}, {s['high']:+.4f}]"
        )
    else:
        text = "slice recall: no slice has enough churners to judge"
    text += f" (fails below -{policy.max_slice_recall_drop:.4f}; {len(judged)} slices judged"
    text += (
        f"; too small to judge, < {policy.min_slice_positives} churners: {', '.join(small)})"
        if small
        else ")"
    )
    checks.append((not worse, text))
    promote = all(ok for ok, _ in checks)
    reasons = [("ok: " if ok else "FAILED: ") + text for ok, text in checks]
    evidence = {
        "primary": primary,
        "calibration": {"champion": cal_a, "challenger": cal_b},
        "slices": by_slice,
    }
    return GateDecision(promote, reasons, evidence)
    # END SOLUTION
