"""The tickets world's parameters: what a learner's world (``course.worlds``) varies in project 6's lessons.

- ``category_mix``: the share of each of the five categories before the family-plan launch (default
  billing 25 %, access 20 %, bug 22 %, cancellation intent 13 %, feature requests 20 %). A learner's world
  scales each default share by a factor drawn from 0.6 to 1.6 and renormalises, so the balance of the
  classes changes (which class is largest, how rare cancellations are) and with it every per-class F1
  that macro-F1 averages; every share stays within 5 % to 50 % (at the extremes of the factors, 5.3 % for
  cancellations and 47 % for billing), so each class keeps tens of training labels in the ladder's 1,600
  and tens of test tickets in its gold set.
- ``new_category_share``: the share of tickets about the family plan from its launch on (default 12 %; a
  learner's world draws 8 % to 16 %). It sets how much of the post-launch test set no model trained
  before the launch can get right: the lesson of the zero-shot rung and of the answer that changes.
- ``casual_share``: the share of the shifted categories' English tickets written casually from the launch
  on (default 55 %; a learner's world draws 45 % to 65 %). It sets the size of the vocabulary shift that
  TF-IDF misses and the pre-trained encoder bridges.

What stays as in the default world, by design: the category list (the new category is the same product
launch), the annotators' confusion matrices, the PII, the injections and the help centre.

Every drawn value keeps every lesson of project 6 planted (:func:`lessons` measures them;
``tests/toolkit/test_worlds_tickets.py`` checks them world by world and at the corners of the ranges).
The default world (``{}``) is byte-identical to the generator before it took parameters.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from course.data._tickets_text import (
    CATEGORIES,
    CATEGORY_MIX,
    NEW_CATEGORY,
    NEW_CATEGORY_SHARE,
    SHIFTED_CATEGORIES,
)
from course.data._world_params import number, parameters
from course.errors import CourseError

OLD_CATEGORIES = tuple(c for c in CATEGORIES if c != NEW_CATEGORY)
"""The categories that exist before the launch, in ``CATEGORIES`` order."""
DEFAULT_MIX = tuple(CATEGORY_MIX[c] for c in OLD_CATEGORIES)
DEFAULT_CASUAL_SHARE = 0.55
MIX_FACTOR_RANGE = (0.6, 1.6)
MIX_SHARE_RANGE = (0.05, 0.5)
NEW_SHARE_RANGE = (0.08, 0.16)
CASUAL_SHARE_RANGE = (0.45, 0.65)
KEYS = ("category_mix", "new_category_share", "casual_share")


class TicketsWorldError(CourseError, ValueError):
    """World parameters of the tickets generator that are malformed; the message names the parameter."""


@dataclass(frozen=True)
class TicketsLaws:
    """The tickets world's parameters: the pre-launch mix (``OLD_CATEGORIES`` order), the new category's
    share after the launch, the casual share of the shifted categories after it."""

    category_mix: tuple[float, ...] = DEFAULT_MIX
    new_category_share: float = NEW_CATEGORY_SHARE
    casual_share: float = DEFAULT_CASUAL_SHARE

    def before_and_after(self) -> tuple[np.ndarray, np.ndarray]:
        """P(category) before and after the launch, in ``CATEGORIES`` order (the new one 0 before)."""
        mix = dict(zip(OLD_CATEGORIES, self.category_mix, strict=True))
        before = np.array([mix.get(c, 0.0) for c in CATEGORIES])
        before = before / before.sum()
        after = before * (1 - self.new_category_share)
        after[CATEGORIES.index(NEW_CATEGORY)] = self.new_category_share
        return before, after


DEFAULT_LAWS = TicketsLaws()


def check_world(world: object) -> TicketsLaws:
    """The laws of world parameters as :func:`sample_tickets` draws them (``{}`` or ``None``: the default
    world); a bad value raises :class:`TicketsWorldError` naming it."""
    world = parameters(world, KEYS, TicketsWorldError, "tickets")
    mix = world.get("category_mix", dict(zip(OLD_CATEGORIES, DEFAULT_MIX, strict=True)))
    if not isinstance(mix, Mapping) or set(mix) != set(OLD_CATEGORIES):
        raise TicketsWorldError(
            f"world category_mix must give a share to each of {list(OLD_CATEGORIES)} (the family plan has "
            f"none before its launch), got {mix!r}."
        )
    shares = tuple(
        number(mix[c], f"category_mix[{c!r}]", *MIX_SHARE_RANGE, TicketsWorldError) for c in OLD_CATEGORIES
    )
    if not math.isclose(sum(shares), 1.0, abs_tol=1e-6):
        raise TicketsWorldError(f"world category_mix must sum to 1, got {sum(shares):.6f}.")
    new = number(
        world.get("new_category_share", NEW_CATEGORY_SHARE),
        "new_category_share",
        0.01,
        0.5,
        TicketsWorldError,
    )
    casual = number(
        world.get("casual_share", DEFAULT_CASUAL_SHARE), "casual_share", 0.0, 1.0, TicketsWorldError
    )
    return TicketsLaws(shares, new, casual)


def sample_tickets(rng: np.random.Generator) -> dict[str, Any]:
    """A learner world's tickets parameters, drawn within the ranges above (JSON-ready)."""
    raw = np.array(DEFAULT_MIX) * rng.uniform(*MIX_FACTOR_RANGE, size=len(DEFAULT_MIX))
    shares = np.round(raw / raw.sum(), 3)
    shares[int(np.argmax(shares))] += round(1.0 - float(shares.sum()), 3)  # sum exactly 1 after rounding
    return {
        "category_mix": {c: round(float(s), 3) for c, s in zip(OLD_CATEGORIES, shares, strict=True)},
        "new_category_share": round(float(rng.uniform(*NEW_SHARE_RANGE)), 2),
        "casual_share": round(float(rng.uniform(*CASUAL_SHARE_RANGE)), 2),
    }


def vocabulary_jaccard(joined: pd.DataFrame, launch: pd.Timestamp) -> dict[str, float]:
    """Per old category, the Jaccard overlap of the English tickets' vocabularies (subject and body, words
    seen at least twice) before and after the launch: low where customers changed register."""
    english = joined[joined["language"] == "en"]
    late = english["created_at"] >= launch

    def vocabulary(texts: pd.Series) -> set[str]:
        counts = Counter(w for text in texts for w in re.findall(r"[a-z]+", text.lower()))
        return {w for w, n in counts.items() if n >= 2}

    text = english["subject"] + " " + english["body"]
    jaccard = {}
    for category in OLD_CATEGORIES:
        rows = english["category"] == category
        early, after = vocabulary(text[rows & ~late]), vocabulary(text[rows & late])
        jaccard[category] = len(early & after) / max(1, len(early | after))
    return jaccard


def lessons(tickets: pd.DataFrame, truth: pd.DataFrame, launch: pd.Timestamp) -> dict[str, float]:
    """Project 6's planted lessons of the category mix and the shift, measured on one world's tables.

    ``new_before``: family-plan tickets before the launch (0: the category is new); ``new_after``: their
    share from the launch on; ``casual_before``: casual tickets before the launch (0); ``casual_after``:
    the casual share of the shifted categories' English tickets from the launch on; ``smallest_class`` and
    ``largest_class``: the smallest and largest pre-launch category shares; ``recall_drop``: how much
    lower a TF-IDF + logistic-regression model trained on the English tickets before the launch recalls
    the shifted categories after it than the other old categories (mean recall, stable minus shifted;
    above 0: the new phrasing costs a lexical model where it was planted).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    joined = tickets.merge(truth, on="ticket_id", validate="one_to_one")
    after = joined["created_at"] >= launch
    english = joined["language"] == "en"
    shifted = joined["category"].isin(SHIFTED_CATEGORIES)
    casual = joined["register"] == "casual"
    shares = joined.loc[~after, "category"].value_counts(normalize=True)
    text = joined["subject"] + ". " + joined["body"]
    train = english & ~after
    test = english & after & (joined["category"] != NEW_CATEGORY)
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2).fit(text[train])
    model = LogisticRegression(C=10.0, max_iter=2000).fit(
        vectorizer.transform(text[train]), joined["category"][train]
    )
    hit = pd.Series(model.predict(vectorizer.transform(text[test])) == joined["category"][test].to_numpy())
    recall = hit.groupby(joined["category"][test].to_numpy()).mean()
    stable = [c for c in OLD_CATEGORIES if c not in SHIFTED_CATEGORIES]
    return {
        "new_before": float((joined.loc[~after, "category"] == NEW_CATEGORY).sum()),
        "new_after": float((joined.loc[after, "category"] == NEW_CATEGORY).mean()),
        "casual_before": float((casual & ~after).sum()),
        "casual_after": float(casual[after & english & shifted].mean()),
        "smallest_class": float(shares.reindex(list(OLD_CATEGORIES)).fillna(0.0).min()),
        "largest_class": float(shares.max()),
        "recall_drop": float(recall[stable].mean() - recall[list(SHIFTED_CATEGORIES)].mean()),
    }
