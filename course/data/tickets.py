"""The tickets world: support tickets of the churn world's company, with the truth behind every lesson.

>>> from course.data import tickets
>>> world = tickets.load_world(seed=0)        # cached under course.paths.data_dir() / "cache"
>>> world.tickets.head()                      # subject and body text, language, date, customer
>>> world.annotations                         # three annotators' labels per ticket

Tables (see ``docs/reference/data.md`` for every column):

- ``tickets``: what the support tool shows: ``ticket_id``, ``customer_id``, ``created_at``,
  ``language``, ``subject``, ``body``.
- ``annotations``: three labels per ticket (annotators ``a1``, ``a2``, ``a3``), each with its own noise.
- ``gold``: a small adjudicated set (category and urgency) drawn at random over the whole period.
- ``pii_spans``: where each planted email, phone and card number sits in a body (character offsets).
- ``articles`` and ``relevance``: the help centre and graded judgements (0-3) for some English tickets.
- ``truth``: the world's truth per ticket: category, urgency, intent, register, planted injections
  (for tests and benchmarks; a project learns from ``annotations`` and ``gold``).
- ``annotator_confusion``: each annotator's P(label | true category).

The lessons planted on purpose: casual paraphrases of three categories from the launch date on (low
lexical overlap with earlier tickets), a category that exists only from the launch date on
(``family_plan``), annotators with known and different noise, PII next to look-alike numbers, and a few
prompt injections that ask for a lower urgency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from course.data._tickets_text import (
    CATEGORIES,
    CATEGORY_DESCRIPTIONS,
    LANGUAGES,
    NEW_CATEGORY,
    SHIFTED_CATEGORIES,
    URGENCIES,
)
from course.data._tickets_world import OLD_CATEGORIES, TicketsWorldError, check_world

__all__ = [
    "CATEGORIES",
    "CATEGORY_DESCRIPTIONS",
    "GENERATOR_VERSION",
    "LANGUAGES",
    "NEW_CATEGORY",
    "SHIFTED_CATEGORIES",
    "TABLES",
    "URGENCIES",
    "TicketsWorld",
    "TicketsWorldError",
    "generate",
    "launch_date",
    "load_world",
]

TABLES = (
    "tickets",
    "annotations",
    "gold",
    "pii_spans",
    "articles",
    "relevance",
    "truth",
    "annotator_confusion",
)
PUBLIC_TABLES = ("tickets", "annotations", "gold", "pii_spans", "articles", "relevance")
"""What ``course data`` writes; the truth tables stay in memory (tests and benchmarks only)."""
GENERATOR_VERSION = 1
"""Bump when the meaning of the tables changes (cached worlds also follow the code's fingerprint)."""
SIMULATION_MODULES = (
    "course.data.tickets",
    "course.data._tickets_sim",
    "course.data._tickets_text",
    "course.data._tickets_planted",
    "course.data._tickets_help",
    "course.data._tickets_world",
)


@dataclass(frozen=True)
class TicketsWorld:
    """The tables of one tickets world and the parameters that generated it."""

    tickets: pd.DataFrame
    annotations: pd.DataFrame
    gold: pd.DataFrame
    pii_spans: pd.DataFrame
    articles: pd.DataFrame
    relevance: pd.DataFrame
    truth: pd.DataFrame
    annotator_confusion: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in a fixed order."""
        return {name: getattr(self, name) for name in TABLES}

    @property
    def launch_date(self) -> pd.Timestamp:
        """The day the family plan launched: ``family_plan`` tickets exist from this day on."""
        return launch_date(self.params)


_DEFAULTS: dict[str, Any] = {
    "n_tickets": 6_000,
    "start": "2024-07-01",
    "months": 12,
    "launch_month": 6,
    "n_customers": 20_000,
}


def launch_date(params: dict[str, Any]) -> pd.Timestamp:
    """The launch date of a world's parameters: ``start`` + ``launch_month`` months."""
    return pd.Timestamp(params["start"]) + pd.DateOffset(months=params["launch_month"])


def _check_params(
    seed: int,
    n_tickets: int,
    start: str,
    months: int,
    launch_month: int,
    n_customers: int,
    world: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    if n_tickets < 500:
        raise ValueError(f"n_tickets must be at least 500, got {n_tickets}.")
    if months < 2:
        raise ValueError(f"months must be at least 2 (a period before and after the launch), got {months}.")
    if not 1 <= launch_month < months:
        raise ValueError(f"launch_month must be between 1 and months - 1 ({months - 1}), got {launch_month}.")
    if n_customers < 100:
        raise ValueError(f"n_customers must be at least 100, got {n_customers}.")
    try:
        day = pd.Timestamp(start)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"start must be a date like '2024-07-01', got {start!r}.") from exc
    if day.day != 1 or day != day.normalize():
        raise ValueError(f"start must be the first day of a month, got {start!r}.")
    laws = check_world(world)
    params: dict[str, Any] = {
        "seed": int(seed),
        "n_tickets": int(n_tickets),
        "start": day.strftime("%Y-%m-%d"),
        "months": int(months),
        "launch_month": int(launch_month),
        "n_customers": int(n_customers),
    }
    if world:
        params["world"] = {
            "category_mix": dict(zip(OLD_CATEGORIES, laws.category_mix, strict=True)),
            "new_category_share": laws.new_category_share,
            "casual_share": laws.casual_share,
        }
    return params


def generate(
    seed: int = 0,
    n_tickets: int = 6_000,
    start: str = "2024-07-01",
    months: int = 12,
    launch_month: int = 6,
    n_customers: int = 20_000,
    world: dict[str, Any] | None = None,
) -> TicketsWorld:
    """Simulate a tickets world from scratch (no cache).  Same arguments, same tables, on any machine.

    ``launch_month`` is the month index (0 = the month of ``start``) when the family plan launches;
    ``customer_id`` values are drawn from the churn world's ids ``C000001`` … ``n_customers``. ``world``
    is a learner's world parameters (:func:`course.data._tickets_world.sample_tickets`; ``None`` or
    ``{}``: the default world); the returned ``params`` rebuild the world: ``generate(**world.params)``.
    """
    from course.data._tickets_sim import simulate

    params = _check_params(seed, n_tickets, start, months, launch_month, n_customers, world)
    core = {k: v for k, v in params.items() if k != "world"}
    return TicketsWorld(**simulate(**core, laws=check_world(params.get("world"))), params=params)


def load_world(seed: int = 0, **kw: Any) -> TicketsWorld:
    """Like :func:`generate`, cached as Parquet under ``course.paths.data_dir() / "cache"`` (``world``,
    the world parameters, is part of the cache key)."""
    from course.data.cache import cached_tables, code_fingerprint

    unknown = set(kw) - {*_DEFAULTS, "world"}
    if unknown:
        raise TypeError(f"load_world() got unexpected arguments: {sorted(unknown)}.")
    params = _check_params(**{**_DEFAULTS, **kw, "seed": seed})

    def build() -> dict[str, pd.DataFrame]:
        return generate(**params).tables()

    key = {**params, "version": GENERATOR_VERSION, "code": code_fingerprint(*SIMULATION_MODULES)}
    tables = cached_tables("tickets", key, build)
    return TicketsWorld(**tables, params=params)
