"""The promotion gate, a pure function: two models' metrics on the same data in, decision and reasons out."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from churn_lifecycle.policy import Policy

REQUIRED = ("pr_auc", "calibration_error", "worst_slice_recall")


@dataclass(frozen=True)
class GateDecision:
    """Whether the challenger replaces the champion, and every reason, in words with the numbers."""

    promote: bool
    reasons: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for a registry tag: ``PROMOTE: reason; reason`` or ``REFUSE: ...``."""
        return ("PROMOTE: " if self.promote else "REFUSE: ") + "; ".join(self.reasons)


def gate_decision(
    champion: Mapping[str, float] | None, challenger: Mapping[str, float], policy: Policy | None = None
) -> GateDecision:
    """Decide whether ``challenger`` may replace ``champion``; both measured on the same evaluation data.

    Promote only if the challenger's primary metric (``policy.primary_metric``) is at least
    ``policy.promotion_margin`` above the champion's AND no guardrail regresses: the calibration error rises
    by at most ``policy.max_calibration_increase`` and the worst-slice recall falls by at most
    ``policy.max_slice_recall_drop``. With no champion (``None``) the first valid model is promoted. Every
    check adds one reason that quotes both values; a refusal lists every failed check.
    """
    policy = policy or Policy()
    keys = (policy.primary_metric, *REQUIRED[1:])
    for name, metrics in (("challenger", challenger), ("champion", champion or {})):
        if champion is None and name == "champion":
            continue
        missing = [k for k in keys if k not in metrics or not math.isfinite(float(metrics[k]))]
        if missing:
            raise ValueError(f"the {name}'s metrics lack finite values for {missing}")
    # BEGIN SOLUTION
    # HINT: one check for the primary metric with the margin, one per guardrail; promote only if all pass.
    if champion is None:
        return GateDecision(True, ["no champion yet: the first valid candidate becomes champion"])
    key = policy.primary_metric
    checks: list[tuple[bool, str]] = []
    gain = challenger[key] - champion[key]
    checks.append(
        (
            gain >= policy.promotion_margin,
            f"{key} {challenger[key]:.4f} vs champion {champion[key]:.4f} (gain {gain:+.4f}, "
            f"margin {policy.promotion_margin:.4f})",
        )
    )
    rise = challenger["calibration_error"] - champion["calibration_error"]
    checks.append(
        (
            rise <= policy.max_calibration_increase,
            f"calibration_error {challenger['calibration_error']:.4f} vs {champion['calibration_error']:.4f} "
            f"(change {rise:+.4f}, allowed +{policy.max_calibration_increase:.4f})",
        )
    )
    drop = champion["worst_slice_recall"] - challenger["worst_slice_recall"]
    checks.append(
        (
            drop <= policy.max_slice_recall_drop,
            f"worst_slice_recall {challenger['worst_slice_recall']:.4f} vs "
            f"{champion['worst_slice_recall']:.4f} "
            f"(drop {drop:+.4f}, allowed {policy.max_slice_recall_drop:.4f})",
        )
    )
    promote = all(ok for ok, _ in checks)
    reasons = [("ok: " if ok else "FAILED: ") + text for ok, text in checks]
    return GateDecision(promote, reasons)
    # END SOLUTION
