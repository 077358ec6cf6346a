"""The laws of the churn world: vocabularies, prices, the calendar, point-in-time features and the hazard.

The simulation and ``monthly_snapshot`` share this module, so the features that drive the true churn
probability are exactly the features a learner receives.  Everything is plain numpy arithmetic on
integers and float64, rounded where it is stored, so that the same seed gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PLANS = ("basic", "standard", "premium")
CONTRACTS = ("monthly", "annual")
CHANNELS = ("organic", "paid_search", "referral", "partner", "affiliate")
COUNTRIES = ("US", "GB", "DE", "FR", "CA", "AU")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
TICKET_CATEGORIES = ("technical", "billing", "account", "how_to")
CANCELLATION_REASONS = ("price", "not_using", "payment_problem", "competitor", "other")
INVOICE_STATUSES = ("paid", "failed")

LIST_PRICE = {"basic": 9.99, "standard": 14.99, "premium": 24.99}
DRIFT_PLAN = "standard"
DRIFT_PRICE = 17.99
ANNUAL_DISCOUNT = 0.85
HISTORY_DAYS = 91
"""Days of usage, invoice and ticket history simulated before ``start``, so month one has full features."""

FEATURE_COLUMNS = (
    "plan",
    "contract",
    "channel",
    "country",
    "age_band",
    "monthly_price",
    "price_change_pct_90d",
    "tenure_days",
    "months_to_renewal",
    "sessions_7d",
    "minutes_7d",
    "sessions_28d",
    "minutes_28d",
    "minutes_prev_28d",
    "active_days_28d",
    "usage_trend_28d",
    "days_since_last_activity",
    "failed_payments_90d",
    "tickets_30d",
    "tickets_90d",
)
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "plan": PLANS,
    "contract": CONTRACTS,
    "channel": CHANNELS,
    "country": COUNTRIES,
    "age_band": AGE_BANDS,
}
CATEGORICAL_FEATURES = tuple(VOCABULARIES)
NUMERIC_FEATURES = tuple(name for name in FEATURE_COLUMNS if name not in VOCABULARIES)

# Hazard coefficients (log-odds of churning during a month), all applied to start-of-month features.
BASE_LOGIT = -4.45
NEW_CUSTOMER = 1.5
CONTRACT_EFFECT = {"annual_mid_term": -2.4, "annual_renewal": -0.1}
PLAN_EFFECT = np.array([0.15, 0.0, -0.25])
CHANNEL_EFFECT = np.array([0.0, 0.1, -0.35, 0.1, 1.0])
COUNTRY_EFFECT = np.array([0.0, 0.05, -0.1, 0.05, 0.0, 0.1])
AGE_EFFECT = np.array([0.25, 0.1, 0.0, -0.05, -0.1, -0.15])


@dataclass(frozen=True)
class Calendar:
    """Day indices: day 0 is ``start - HISTORY_DAYS``; month ``m`` starts on day ``month_starts[m]``."""

    start: np.datetime64
    months: int
    history_days: int = HISTORY_DAYS

    @property
    def day0(self) -> np.datetime64:
        return self.start - np.timedelta64(self.history_days, "D")

    @property
    def month_starts(self) -> np.ndarray:
        month = self.start.astype("datetime64[M]") + np.arange(self.months + 1)
        return (month.astype("datetime64[D]") - self.day0).astype(np.int64)

    @property
    def n_days(self) -> int:
        return int(self.month_starts[-1])

    def dates(self, days: np.ndarray) -> np.ndarray:
        """Day indices -> ``datetime64[D]``."""
        return self.day0 + np.asarray(days).astype("timedelta64[D]")

    def days(self, dates: np.ndarray) -> np.ndarray:
        """``datetime64`` values -> day indices (int64)."""
        return (np.asarray(dates).astype("datetime64[D]") - self.day0).astype(np.int64)

    def calendar_month(self, days: np.ndarray) -> np.ndarray:
        """Calendar month number of each day index (months since 1970-01; only differences matter)."""
        return self.dates(days).astype("datetime64[M]").astype(np.int64)


def price_on(
    plan: np.ndarray,
    annual: np.ndarray,
    day: np.ndarray | int,
    drift_day: int,
    drift_price: float = DRIFT_PRICE,
) -> np.ndarray:
    """Monthly price (currency units, 2 decimals) of plan codes on a day: the list price, 15 % off annual;
    the ``DRIFT_PLAN`` costs ``drift_price`` from ``drift_day`` on."""
    prices = np.array([LIST_PRICE[p] for p in PLANS])
    base = np.broadcast_to(prices[plan], np.broadcast(plan, day).shape).copy()
    raised = (plan == PLANS.index(DRIFT_PLAN)) & (np.asarray(day) >= drift_day)
    base[raised] = drift_price
    return np.round(np.where(annual, base * ANNUAL_DISCOUNT, base), 2)


def month_features(
    *,
    cal: Calendar,
    month: int,
    drift_day: int,
    signup_day: np.ndarray,
    plan: np.ndarray,
    annual: np.ndarray,
    sessions: np.ndarray,
    deciminutes: np.ndarray,
    failed: np.ndarray,
    tickets: np.ndarray,
    last_active: np.ndarray,
    cols: np.ndarray,
    drift_price: float = DRIFT_PRICE,
) -> dict[str, np.ndarray]:
    """Numeric features at the start of ``month`` for the customers in columns ``cols``.

    ``sessions``, ``deciminutes``, ``failed`` and ``tickets`` are day x customer matrices (only the 90
    days before the month start are read); ``signup_day``, ``plan``, ``annual`` and ``last_active`` (each
    customer's last day with a session before the month start, -1 when none) are already restricted to
    ``cols``.
    """
    s = int(cal.month_starts[month])
    tenure = s - signup_day

    def window(matrix: np.ndarray, lo: int, hi: int) -> np.ndarray:
        return matrix[max(lo, 0) : max(hi, 0)][:, cols].sum(axis=0, dtype=np.int64)

    minutes_28 = window(deciminutes, s - 28, s)
    minutes_prev = window(deciminutes, s - 56, s - 28)
    price_now = price_on(plan, annual, s, drift_day, drift_price)
    price_then = price_on(plan, annual, np.maximum(s - 90, signup_day), drift_day, drift_price)
    known_from = np.maximum(signup_day, 0)
    inactive = np.where(last_active >= 0, s - last_active, s - known_from)
    signup_month = cal.calendar_month(signup_day)
    this_month = cal.calendar_month(np.array([s]))[0]
    renewal = np.where(annual, (signup_month - this_month) % 12, 0)
    return {
        "monthly_price": price_now,
        "price_change_pct_90d": np.round(price_now / price_then - 1.0, 4),
        "tenure_days": tenure.astype(np.int32),
        "months_to_renewal": renewal.astype(np.int8),
        "sessions_7d": window(sessions, s - 7, s).astype(np.int32),
        "minutes_7d": window(deciminutes, s - 7, s) / 10.0,
        "sessions_28d": window(sessions, s - 28, s).astype(np.int32),
        "minutes_28d": minutes_28 / 10.0,
        "minutes_prev_28d": minutes_prev / 10.0,
        "active_days_28d": (sessions[max(s - 28, 0) : s][:, cols] > 0).sum(axis=0).astype(np.int32),
        "usage_trend_28d": np.round((minutes_28 - minutes_prev) / (minutes_prev + 600.0), 4),
        "days_since_last_activity": np.minimum(inactive, tenure).astype(np.int32),
        "failed_payments_90d": window(failed, s - 90, s).astype(np.int32),
        "tickets_30d": window(tickets, s - 30, s).astype(np.int32),
        "tickets_90d": window(tickets, s - 90, s).astype(np.int32),
    }


def churn_logit(f: dict[str, np.ndarray], base_logit: float = BASE_LOGIT) -> np.ndarray:
    """Log-odds of churning during the month, from start-of-month features (codes for categoricals).

    ``base_logit`` sets the world's base rate (a world parameter: :mod:`course.data._churn_world`).

    Nonlinear on purpose: tenure decays hyperbolically, annual contracts churn only at renewal, the usage
    decline matters twice as much on monthly contracts, inactivity acts through thresholds, failed
    payments hurt new customers more and tickets hurt more when usage is already falling.
    """
    tenure_months = f["tenure_days"] / 30.4375
    annual = f["contract"] == CONTRACTS.index("annual")
    renewal = f["months_to_renewal"] == 0
    decline = np.clip(-f["usage_trend_28d"], 0.0, 1.0)
    daily_minutes = f["minutes_28d"] / 28.0
    inactive = f["days_since_last_activity"]
    failed = np.minimum(f["failed_payments_90d"], 3)
    tickets = np.minimum(f["tickets_30d"], 3)
    z = np.full(tenure_months.shape, float(base_logit))
    z += NEW_CUSTOMER / (1.0 + tenure_months / 2.5)
    z += np.where(
        annual, np.where(renewal, CONTRACT_EFFECT["annual_renewal"], CONTRACT_EFFECT["annual_mid_term"]), 0.0
    )
    z += PLAN_EFFECT[f["plan"]] + CHANNEL_EFFECT[f["channel"]]
    z += COUNTRY_EFFECT[f["country"]] + AGE_EFFECT[f["age_band"]]
    z += 0.03 * (f["monthly_price"] - 15.0) + 3.5 * f["price_change_pct_90d"]
    z += -0.45 * (np.sqrt(daily_minutes) - 4.0)
    z += 3.0 * decline * np.where(annual, 0.4, 1.0)
    z += 0.8 * (inactive >= 5) + 1.0 * (inactive >= 14)
    z += 0.7 * failed * np.where(tenure_months < 6, 1.6, 1.0) * np.where(annual, 0.5, 1.0)
    z += 1.0 * (f["channel"] == CHANNELS.index("paid_search")) * (tenure_months < 3)
    z += 1.0 * (f["monthly_price"] > 16.0) * (f["active_days_28d"] < 12)
    z += 0.3 * tickets + 0.6 * ((tickets > 0) & (decline > 0.3))
    return z


def churn_probability(f: dict[str, np.ndarray], base_logit: float = BASE_LOGIT) -> np.ndarray:
    """The oracle: ``sigmoid(churn_logit)``, rounded to 6 decimals (rounding keeps bytes platform-stable)."""
    return np.round(1.0 / (1.0 + np.exp(-churn_logit(f, base_logit))), 6)
