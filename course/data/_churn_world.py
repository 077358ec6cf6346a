"""The churn world's parameters: what a learner's world (``course.worlds``) varies in the planted lessons.

- ``base_logit``: the base of the monthly churn log-odds, so the base rate (the default -4.45 gives about
  4.9 % a month; the range gives about 4.1 % to 6.0 %, a realistic monthly churn for a subscription).
- ``drift_month``: the month index of the price rise and the new acquisition channel (default 12, January
  2025; a learner's world draws 11 or 12: project 7 learns uplift on January 2025's randomised log and
  targets February's customers, so the rise must come no later than January, and no earlier than 90 days
  before February, or the two months would not share the price-sensitive segment; with the rise in
  February itself the January uplift model loses money in February).
- ``drift_price``: the ``standard`` plan's price from the drift month (default 17.99 from 14.99: +20 %;
  a learner's world draws 16.99 to 19.99, +13 % to +33 %).
- ``leaks``: the CRM fields of the monthly export, filled on the export date rather than at the month start,
  as ``{kind: column name}``. The default world has four kinds under their default names; a learner's world
  draws four of the six kinds in :data:`LEAK_KINDS`, each under one of its plausible names, always with at
  least one field that dates the cancellation to the day (``SHARP_KINDS``), so that a model fed the leaks
  looks too good to be true.

Every drawn value keeps every lesson planted (``tests/toolkit/test_worlds.py`` checks it world by world):
the leaks leak, the drift shifts price and mix after its month, the base rate stays in its range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from course.data._churn_laws import BASE_LOGIT, DRIFT_PRICE
from course.errors import CourseError


class ChurnWorldError(CourseError, ValueError):
    """World parameters of the churn generator that are malformed; the message names the parameter."""


@dataclass(frozen=True)
class LeakKind:
    """One kind of CRM field filled on the export date: its plausible names (the first is the default
    world's), the pandas dtype it has and what the data dictionary says it holds."""

    names: tuple[str, ...]
    dtype: str
    meaning: str


LEAK_KINDS: dict[str, LeakKind] = {
    "status": LeakKind(
        ("account_status", "subscription_status", "crm_status"),
        "string",
        "`active` or `cancelled` on the export date",
    ),
    "last_login": LeakKind(
        ("last_login_date", "last_seen_date", "last_active_date"),
        "datetime64",
        "the customer's last day with a session up to the export date",
    ),
    "offer": LeakKind(
        ("retention_offer_accepted", "save_offer_accepted", "winback_offer_accepted"),
        "boolean (nullable)",
        "outcome of the customer's latest retention offer made up to the export date; missing if none",
    ),
    "reason": LeakKind(
        ("cancellation_reason", "churn_reason", "exit_reason"),
        "string",
        "the reason recorded at cancellation, for customers cancelled by the export date; missing otherwise",
    ),
    "end_date": LeakKind(
        ("cancellation_date", "contract_end_date", "closed_date"),
        "datetime64",
        "the day the subscription ended, for customers cancelled by the export date; missing otherwise",
    ),
    "refund": LeakKind(
        ("refund_amount", "prorated_refund", "final_credit"),
        "float",
        "the refund paid at cancellation for the unused days of the cancellation month, at the signup "
        "price, for customers cancelled by the export date; 0 otherwise",
    ),
}
"""Every kind of export-date CRM field a world can carry, in the order they appear in the export."""
DEFAULT_LEAKS = {kind: LEAK_KINDS[kind].names[0] for kind in ("status", "last_login", "offer", "reason")}
SHARP_KINDS = ("last_login", "end_date")
"""Kinds that date the cancellation to the day: a world carries at least one."""
N_LEAKS = 4
DEFAULT_DRIFT_MONTH = 12
BASE_LOGIT_RANGE = (-4.75, -4.15)
DRIFT_MONTH_RANGE = (11, 12)
DRIFT_PRICES = (16.99, 17.49, 17.99, 18.49, 18.99, 19.49, 19.99)
KEYS = ("base_logit", "drift_month", "drift_price", "leaks")


@dataclass(frozen=True)
class ChurnLaws:
    """The churn world's parameters besides the calendar (``drift_month`` is a generator argument)."""

    base_logit: float = BASE_LOGIT
    drift_price: float = DRIFT_PRICE
    leaks: tuple[tuple[str, str], ...] = tuple(DEFAULT_LEAKS.items())

    @property
    def is_default(self) -> bool:
        return self == ChurnLaws()

    @property
    def leak_columns(self) -> dict[str, str]:
        """``{column name: kind}`` of the export-date CRM fields, in export order."""
        return {name: kind for kind, name in self.leaks}

    def to_params(self) -> dict[str, Any]:
        """The parameters that rebuild these laws (JSON-ready: part of the cache key)."""
        return {"base_logit": self.base_logit, "drift_price": self.drift_price, "leaks": dict(self.leaks)}


def laws_of(params: dict[str, Any] | None) -> ChurnLaws:
    """The laws of a world's stored parameters (``ChurnWorld.params``; no ``"world"``: the default's)."""
    world = (params or {}).get("world")
    if not world:
        return ChurnLaws()
    return ChurnLaws(float(world["base_logit"]), float(world["drift_price"]), tuple(world["leaks"].items()))


def check_world(world: dict[str, Any] | None) -> tuple[int | None, ChurnLaws]:
    """``(drift_month or None, laws)`` from world parameters as :func:`sample_churn` draws them (``{}`` or
    ``None``: the default world); a bad value raises :class:`ChurnWorldError` naming it."""
    world = dict(world or {})
    unknown = sorted(set(world) - set(KEYS))
    if unknown:
        raise ChurnWorldError(f"unknown churn world parameters {unknown}; known: {list(KEYS)}.")
    drift_month = world.get("drift_month")
    if drift_month is not None and (not isinstance(drift_month, int | np.integer) or drift_month < 1):
        raise ChurnWorldError(f"world drift_month must be an integer of at least 1, got {drift_month!r}.")
    base_logit = world.get("base_logit", BASE_LOGIT)
    if not isinstance(base_logit, int | float) or not -8.0 <= base_logit <= -1.0:
        raise ChurnWorldError(f"world base_logit must be a number between -8 and -1, got {base_logit!r}.")
    drift_price = world.get("drift_price", DRIFT_PRICE)
    if not isinstance(drift_price, int | float) or not 0 < drift_price < 1000:
        raise ChurnWorldError(f"world drift_price must be a positive price, got {drift_price!r}.")
    leaks = world.get("leaks", DEFAULT_LEAKS)
    if not isinstance(leaks, dict) or not leaks:
        raise ChurnWorldError(f"world leaks must be a non-empty {{kind: column name}}, got {leaks!r}.")
    bad = sorted(set(leaks) - set(LEAK_KINDS))
    if bad:
        raise ChurnWorldError(f"world leaks name unknown kinds {bad}; known: {list(LEAK_KINDS)}.")
    names = list(leaks.values())
    if len(set(names)) != len(names) or not all(isinstance(n, str) and n.isidentifier() for n in names):
        raise ChurnWorldError(f"world leaks need distinct column names (identifiers), got {names!r}.")
    ordered = tuple((kind, leaks[kind]) for kind in LEAK_KINDS if kind in leaks)
    laws = ChurnLaws(round(float(base_logit), 4), round(float(drift_price), 2), ordered)
    return (None if drift_month is None else int(drift_month)), laws


def sample_churn(rng: np.random.Generator) -> dict[str, Any]:
    """A learner world's churn parameters, drawn within the ranges above."""
    base_logit = round(float(rng.uniform(*BASE_LOGIT_RANGE)), 2)
    drift_month = int(rng.integers(DRIFT_MONTH_RANGE[0], DRIFT_MONTH_RANGE[1] + 1))
    drift_price = float(DRIFT_PRICES[int(rng.integers(len(DRIFT_PRICES)))])
    kinds = list(LEAK_KINDS)
    while True:
        chosen = set(rng.choice(len(kinds), N_LEAKS, replace=False).tolist())
        if any(kinds.index(kind) in chosen for kind in SHARP_KINDS):
            break
    leaks = {}
    for i, kind in enumerate(kinds):
        if i in chosen:
            names = LEAK_KINDS[kind].names
            leaks[kind] = names[int(rng.integers(len(names)))]
    return {"base_logit": base_logit, "drift_month": drift_month, "drift_price": drift_price, "leaks": leaks}
