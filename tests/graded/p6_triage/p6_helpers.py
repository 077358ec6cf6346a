"""Helpers of project 6's graded tests (a unique module name: every project's tests share one session)."""

from __future__ import annotations

LABELS = ["billing", "access", "bug", "cancellation_intent", "feature_request", "family_plan"]
URGENCY = ("low", "normal", "high", "urgent")


def delta(after: dict, before: dict) -> dict:
    """The ledger's change between two readings."""
    return {key: after[key] - before[key] for key in before}
