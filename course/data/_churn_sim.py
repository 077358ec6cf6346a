"""The churn world's simulation: customers, a day-by-day loop over usage, invoices and tickets, monthly churn.

Vectorised over customers, looping over days.  Each customer's engagement is a mean-reverting random walk
on the log scale, knocked down by failed payments, support tickets and spontaneous bad spells; at every
month start the true churn probability is computed from the start-of-month features
(:func:`course.data._churn_laws.churn_probability`) and the churners of the month are drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course.data import _churn_laws as laws

NEVER = np.iinfo(np.int64).max // 2
STOCK_SHARE = 0.5
ENGAGEMENT_PULL = 0.03
ENGAGEMENT_NOISE = 0.06
FADE_DAYS = 14.0


class _State:
    """Mutable simulation state: per-customer arrays and the dense day x customer matrices."""

    def __init__(self, n_days: int, n: int) -> None:
        shape = (n_days, n)
        self.sessions = np.zeros(shape, dtype=np.int16)
        self.deciminutes = np.zeros(shape, dtype=np.int32)  # minutes x 10, summed exactly as integers
        self.failed = np.zeros(shape, dtype=np.int8)
        self.tickets = np.zeros(shape, dtype=np.int8)
        self.shock = np.zeros(n)  # engagement change applied the next day
        self.churn_day = np.full(n, NEVER, dtype=np.int64)
        self.last_active = np.full(n, -1, dtype=np.int64)
        self.boost_until = np.full(n, -1, dtype=np.int64)  # more (billing) tickets after a failed payment
        self.offer_day = np.full(n, -1, dtype=np.int64)
        self.reason = np.full(n, -1, dtype=np.int8)
        self.invoices: list[tuple[np.ndarray, ...]] = []
        self.ticket_rows: list[tuple[np.ndarray, ...]] = []
        self.labels: list[tuple[np.ndarray, ...]] = []


def _draw_customers(rng: np.random.Generator, n: int, cal: laws.Calendar, drift_month: int) -> dict:
    """Signup days (sorted) and attributes, plus the unobservable traits that drive behaviour."""
    starts = cal.month_starts
    n_stock = round(n * STOCK_SHARE)
    # tenure of the stock: exponential with a 540-day mean, truncated at five years
    u = rng.random(n_stock) * (1.0 - np.exp(-5 * 365 / 540.0))
    stock_days = cal.history_days - 1 - np.floor(-540.0 * np.log1p(-u)).astype(np.int64)
    per_month = np.full(cal.months, (n - n_stock) // cal.months)
    per_month[: (n - n_stock) % cal.months] += 1
    new_days = np.concatenate([rng.integers(starts[m], starts[m + 1], k) for m, k in enumerate(per_month)])
    signup_day = np.sort(np.concatenate([stock_days, new_days]), kind="stable")

    plan = rng.choice(3, n, p=[0.45, 0.38, 0.17])
    annual = rng.random(n) < np.array([0.2, 0.3, 0.45])[plan]
    after_drift = signup_day >= (starts[drift_month] if drift_month < cal.months else NEVER)
    channel = np.where(
        after_drift,
        rng.choice(5, n, p=[0.3, 0.22, 0.12, 0.11, 0.25]),
        rng.choice(5, n, p=[0.4, 0.3, 0.15, 0.15, 0.0]),
    )
    mu = 0.1 + rng.normal(0.0, 0.5, n) + np.array([-0.15, 0.0, 0.2])[plan]
    signup_dates = cal.dates(signup_day)
    return {
        "signup_day": signup_day,
        "signup_dom": (signup_dates - signup_dates.astype("datetime64[M]")).astype(np.int64) + 1,
        "plan": plan,
        "annual": annual,
        "channel": channel,
        "country": rng.choice(6, n, p=[0.45, 0.15, 0.12, 0.1, 0.1, 0.08]),
        "age_band": rng.choice(6, n, p=[0.15, 0.3, 0.25, 0.15, 0.1, 0.05]),
        "mu": mu,
        "minutes_per_session": 12.0 * np.exp(rng.normal(0.0, 0.35, n)),
        "pay_risk": np.where(rng.random(n) < 0.15, 0.10, 0.012),
        "ticket_rate": 0.0015 * np.exp(rng.normal(0.0, 0.5, n)),
        "engagement": mu + rng.normal(0.0, 0.3, n),
    }


def _month_start(
    rng: np.random.Generator, st: _State, c: dict, cal: laws.Calendar, m: int, drift_day: int, world: dict
) -> None:
    """Draw who churns during month ``m`` from the start-of-month features."""
    s, s_next = int(cal.month_starts[m]), int(cal.month_starts[m + 1])
    idx = np.flatnonzero((c["signup_day"] < s) & (st.churn_day == NEVER))
    f = laws.month_features(
        cal=cal,
        month=m,
        drift_day=drift_day,
        signup_day=c["signup_day"][idx],
        plan=c["plan"][idx],
        annual=c["annual"][idx],
        sessions=st.sessions,
        deciminutes=st.deciminutes,
        failed=st.failed,
        tickets=st.tickets,
        last_active=st.last_active[idx],
        cols=idx,
        drift_price=world["drift_price"],
    )
    for key in ("plan", "channel", "country", "age_band"):
        f[key] = c[key][idx]
    f["contract"] = c["annual"][idx].astype(np.int64)
    p = laws.churn_probability(f, world["base_logit"])
    churned = rng.random(idx.size) < p
    day = s + (rng.random(idx.size) * (s_next - s)).astype(np.int64)
    st.churn_day[idx[churned]] = day[churned]
    st.labels.append((np.full(idx.size, m), idx, churned.astype(np.int8), p))

    weights = np.column_stack(
        [
            1.0 + 40.0 * f["price_change_pct_90d"] + 0.05 * (f["monthly_price"] - 15.0),
            1.0 + 3.0 * np.clip(-f["usage_trend_28d"], 0, 1) + 2.0 * (f["days_since_last_activity"] >= 21),
            0.3 + 3.0 * (f["failed_payments_90d"] > 0),
            np.ones(idx.size),
            np.full(idx.size, 0.7),
        ]
    )
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    reason = (rng.random(idx.size)[:, None] > cum).sum(axis=1).clip(0, 4)
    st.reason[idx[churned]] = reason[churned]
    saved = ~churned & (rng.random(idx.size) < 0.004)
    st.offer_day[idx[saved]] = day[saved]
    st.offer_day[idx[churned]] = day[churned]


def _day(
    rng: np.random.Generator,
    st: _State,
    c: dict,
    d: int,
    dom: int,
    weekend: bool,
    drift_day: int,
    drift_price: float,
) -> None:
    """One day: engagement moves, usage is drawn, invoices are issued, tickets are opened."""
    idx = np.flatnonzero((c["signup_day"] <= d) & (d < st.churn_day))
    if idx.size == 0:
        return
    e = c["engagement"]
    e[idx] += ENGAGEMENT_PULL * (c["mu"][idx] - e[idx]) + ENGAGEMENT_NOISE * rng.normal(size=idx.size)
    e[idx] += st.shock[idx]
    st.shock[idx] = 0.0
    u = rng.random(idx.size)
    bad, good = u < 0.006, u > 0.997
    st.shock[idx[bad]] -= rng.uniform(0.6, 1.6, bad.sum())
    st.shock[idx[good]] += rng.uniform(0.2, 0.5, good.sum())

    fade = np.clip((st.churn_day[idx] - d) / FADE_DAYS, 0.15, 1.0)
    lam = np.exp(e[idx]) * (0.8 if weekend else 1.0) * fade
    sessions = np.minimum(rng.poisson(lam), 60)
    act = sessions > 0
    who = idx[act]
    minutes = rng.gamma(2.0 * sessions[act], c["minutes_per_session"][who] / 2.0)
    st.sessions[d, idx] = sessions
    st.deciminutes[d, who] = np.maximum(np.round(minutes * 10.0), 1).astype(np.int32)
    st.last_active[who] = d

    sd = c["signup_day"][idx]
    bill_dom = np.minimum(c["signup_dom"][idx], 28)
    b = idx[((bill_dom == dom) & (sd < d)) | (sd == d)]
    if b.size:
        amount = laws.price_on(c["plan"][b], c["annual"][b], d, drift_day, drift_price)
        fail = rng.random(b.size) < c["pay_risk"][b]
        st.invoices.append((np.full(b.size, d), b, amount, fail))
        st.failed[d, b[fail]] = 1
        st.shock[b[fail]] -= 0.35
        st.boost_until[b[fail]] = d + 7

    boosted = st.boost_until[idx] >= d
    low = e[idx] < c["mu"][idx] - 0.5
    rate = c["ticket_rate"][idx] * (1.0 + 8.0 * boosted) * (1.0 + 1.5 * low)
    opened = rng.random(idx.size) < rate
    t = idx[opened]
    if t.size:
        other = rng.choice(4, t.size, p=[0.45, 0.2, 0.2, 0.15])
        billing = boosted[opened] & (rng.random(t.size) < 0.75)
        category = np.where(billing, 1, other)
        second = rng.integers(8 * 3600, 20 * 3600, t.size)
        st.ticket_rows.append((np.full(t.size, d), t, second, category))
        st.tickets[d, t] = 1
        st.shock[t] -= 0.2


def simulate(
    seed: int,
    n_customers: int,
    start: str,
    months: int,
    drift_month: int,
    label_delay_days: int,
    base_logit: float = laws.BASE_LOGIT,
    drift_price: float = laws.DRIFT_PRICE,
) -> dict[str, pd.DataFrame]:
    """Run the world and return its tables (see :mod:`course.data.churn` for their meaning).

    ``base_logit`` and ``drift_price`` are world parameters (:mod:`course.data._churn_world`)."""
    world = {"base_logit": base_logit, "drift_price": drift_price}
    rng = np.random.default_rng(seed)
    cal = laws.Calendar(np.datetime64(start, "D"), months)
    drift_day = int(cal.month_starts[drift_month]) if drift_month < months else NEVER
    c = _draw_customers(rng, n_customers, cal, drift_month)
    st = _State(cal.n_days, n_customers)

    all_dates = cal.dates(np.arange(cal.n_days))
    doms = (all_dates - all_dates.astype("datetime64[M]")).astype(np.int64) + 1
    weekday = (all_dates.astype(np.int64) + 3) % 7
    month_of_day = {int(s): m for m, s in enumerate(cal.month_starts[:-1])}
    for d in range(cal.n_days):
        if d in month_of_day:
            _month_start(rng, st, c, cal, month_of_day[d], drift_day, world)
        _day(rng, st, c, d, int(doms[d]), bool(weekday[d] >= 5), drift_day, drift_price)
    return _tables(st, c, cal, label_delay_days, drift_day, drift_price)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``C000001``-style identifiers as an object array (shared string objects keep tables small)."""
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _tables(
    st: _State, c: dict, cal: laws.Calendar, label_delay_days: int, drift_day: int, drift_price: float
) -> dict:
    n = c["plan"].size
    customer_id = _ids("C", n, max(6, len(str(n))))

    def dates(days: np.ndarray, known: np.ndarray | None = None) -> np.ndarray:
        out = cal.dates(days).astype("datetime64[ns]")
        return out if known is None else np.where(known, out, np.datetime64("NaT", "ns"))

    churned = st.churn_day != NEVER
    offer = st.offer_day >= 0
    reason = np.array(laws.CANCELLATION_REASONS, dtype=object)[st.reason.clip(0)]
    customers = pd.DataFrame(
        {
            "customer_id": customer_id,
            "signup_date": dates(c["signup_day"]),
            "plan": np.array(laws.PLANS, dtype=object)[c["plan"]],
            "monthly_price": laws.price_on(c["plan"], c["annual"], c["signup_day"], drift_day, drift_price),
            "contract": np.array(laws.CONTRACTS, dtype=object)[c["annual"].astype(int)],
            "country": np.array(laws.COUNTRIES, dtype=object)[c["country"]],
            "age_band": np.array(laws.AGE_BANDS, dtype=object)[c["age_band"]],
            "channel": np.array(laws.CHANNELS, dtype=object)[c["channel"]],
            "churn_date": dates(np.where(churned, st.churn_day, 0), churned),
            "cancellation_reason": np.where(churned, reason, None),
            "retention_offer_date": dates(np.where(offer, st.offer_day, 0), offer),
        }
    )

    day_idx, cust_idx = np.nonzero(st.sessions)
    usage = pd.DataFrame(
        {
            "customer_id": customer_id[cust_idx],
            "date": dates(day_idx),
            "sessions": st.sessions[day_idx, cust_idx].astype(np.int32),
            "minutes": (st.deciminutes[day_idx, cust_idx] / 10.0).astype(np.float32),
        }
    )

    inv = [np.concatenate(parts) for parts in zip(*st.invoices, strict=True)]
    invoices = pd.DataFrame(
        {
            "invoice_id": _ids("I", inv[0].size, 8),
            "customer_id": customer_id[inv[1]],
            "invoice_date": dates(inv[0]),
            "amount": inv[2],
            "status": np.where(inv[3], "failed", "paid").astype(object),
        }
    )

    tk = [np.concatenate(parts) for parts in zip(*st.ticket_rows, strict=True)]
    tickets = pd.DataFrame(
        {
            "ticket_id": _ids("T", tk[0].size, 7),
            "customer_id": customer_id[tk[1]],
            "opened_at": dates(tk[0]) + tk[2].astype("timedelta64[s]"),
            "category": np.array(laws.TICKET_CATEGORIES, dtype=object)[tk[3]],
        }
    )

    lab = [np.concatenate(parts) for parts in zip(*st.labels, strict=True)]
    month_start = cal.month_starts[lab[0]]
    month_end = cal.month_starts[lab[0] + 1] - 1
    keys = {"customer_id": customer_id[lab[1]], "month": dates(month_start)}
    labels = pd.DataFrame(
        {**keys, "churned": lab[2], "label_known_date": dates(month_end + label_delay_days)}
    )
    oracle = pd.DataFrame({**keys, "churn_probability": lab[3]})
    return {
        "customers": customers,
        "usage": usage,
        "invoices": invoices,
        "tickets": tickets,
        "labels": labels,
        "oracle": oracle,
    }
