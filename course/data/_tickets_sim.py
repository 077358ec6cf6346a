"""The tickets world's simulation: dates, categories, text with typos, PII and injections, annotators.

One ``numpy.random.Generator`` drives every draw in a fixed order, so the same parameters give the same
tables.  Text is assembled from segments so that the offsets of PII and injected text are known exactly.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from course.data import _tickets_planted as pl
from course.data import _tickets_text as tx
from course.data._tickets_help import articles_table, relevance_table
from course.data._tickets_world import DEFAULT_LAWS, TicketsLaws

INJECTION_RATE = 0.015
PII_RATE = 0.12
DECOY_RATE = 0.1
TYPO_FREE_SHARE = 0.55
N_GOLD = 600
N_JUDGED = 400
ANNOTATORS = ("a1", "a2", "a3")
_SLOT = re.compile(r"\{(\w+)\}")
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def _fill(rng: np.random.Generator, text: str, extra: dict[str, str] | None = None) -> str:
    """Replace each ``{slot}`` by a synonym (or by ``extra[slot]``)."""

    def one(match: re.Match[str]) -> str:
        slot = match.group(1)
        if extra and slot in extra:
            return extra[slot]
        return _pick(rng, tx.SYNONYMS[slot])

    return _SLOT.sub(one, text)


def _typo(rng: np.random.Generator, word: str) -> str:
    """One typing mistake inside a word: swap, drop, double or a neighbouring key."""
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    k = _KEYBOARD.find(word[i].lower())
    if k < 0:
        return word
    near = _KEYBOARD[max(0, k - 1)] if rng.random() < 0.5 else _KEYBOARD[min(len(_KEYBOARD) - 1, k + 1)]
    return word[:i] + near + word[i + 1 :]


def _with_typos(rng: np.random.Generator, text: str, rate: float) -> str:
    if rate <= 0.0:
        return text
    words = text.split(" ")
    hits = rng.random(len(words)) < rate
    return " ".join(_typo(rng, w) if h and len(w) > 3 and w.isalpha() else w for w, h in zip(words, hits))  # noqa: B905


def _luhn_card(rng: np.random.Generator) -> str:
    digits = [4 if rng.random() < 0.6 else 5, *rng.integers(0, 10, 14).tolist()]
    total = 0
    for i, d in enumerate(reversed(digits)):  # the check digit will sit to the right: double every other
        total += (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    sep = _pick(rng, (" ", "-", ""))
    return sep.join(s[i : i + 4] for i in range(0, 16, 4))


def _pii_value(rng: np.random.Generator, kind: str) -> str:
    if kind == "email":
        first, last = _pick(rng, pl.FIRST_NAMES), _pick(rng, pl.LAST_NAMES)
        sep = _pick(rng, (".", "_", ""))
        number = str(int(rng.integers(1, 99))) if rng.random() < 0.4 else ""
        return f"{first}{sep}{last}{number}@{_pick(rng, pl.EMAIL_DOMAINS)}"
    if kind == "phone":
        style = int(rng.integers(3))
        if style == 0:
            return f"(555) 01{rng.integers(0, 10)}-{rng.integers(1000, 10000)}"
        if style == 1:
            return f"+44 7700 900{rng.integers(100, 1000)}"
        return f"+49 30 {rng.integers(1000000, 10000000)}"
    return _luhn_card(rng)


def _decoy(rng: np.random.Generator) -> str:
    values = {
        "digits8": str(int(rng.integers(10_000_000, 100_000_000))),
        "digits6": str(int(rng.integers(100_000, 1_000_000))),
        "mm": f"{int(rng.integers(1, 13)):02d}",
        "dd": f"{int(rng.integers(1, 29)):02d}",
        "hh": f"{int(rng.integers(8, 20)):02d}",
    }
    return _fill(rng, _pick(rng, pl.DECOYS), values)


class _Body:
    """A body assembled sentence by sentence, remembering where PII and injected text sit."""

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[tuple[str, int, int, str]] = []  # kind, start, end, value

    def add(self, sentence: str) -> int:
        if not sentence:
            return len(self.text)
        if self.text:
            self.text += " "
        start = len(self.text)
        self.text += sentence
        return start

    def add_marked(self, template: str, value: str, kind: str) -> None:
        pre, post = template.split("{value}")
        start = self.add(pre + value + post) + len(pre)
        self.spans.append((kind, start, start + len(value), value))


def _category_draw(rng: np.random.Generator, after_launch: np.ndarray, laws: TicketsLaws) -> np.ndarray:
    before, after = laws.before_and_after()
    u = rng.random(after_launch.size)
    return np.where(
        after_launch,
        np.searchsorted(np.cumsum(after), u, side="right"),
        np.searchsorted(np.cumsum(before), u, side="right"),
    ).clip(0, len(tx.CATEGORIES) - 1)


def confusion_matrices() -> dict[str, np.ndarray]:
    """Each annotator's P(label | true category), rows and columns in ``CATEGORIES`` order.

    ``a1`` is careful (95 % right, errors spread evenly); ``a2`` reads billing into cancellations and the
    new family plan; ``a3`` is rushed (72 % right) and calls many tickets bugs.  Noise never invents the
    new category: its column is non-zero on the diagonal only.
    """
    k = len(tx.CATEGORIES)
    new = tx.CATEGORIES.index(tx.NEW_CATEGORY)
    billing, bug, access = (tx.CATEGORIES.index(c) for c in ("billing", "bug", "access"))
    cancel = tx.CATEGORIES.index("cancellation_intent")

    def spread(row: np.ndarray, true: int, rest: float) -> np.ndarray:
        others = [j for j in range(k) if j != true and j != new and row[j] == 0]
        row[others] += rest / len(others)
        return row

    out = {}
    for name, diag in (("a1", 0.95), ("a2", 0.9), ("a3", 0.72)):
        m = np.zeros((k, k))
        for t in range(k):
            row = np.zeros(k)
            row[t] = diag
            if name == "a2" and t in (cancel, new):
                row[t] = 0.68 if t == cancel else 0.62
                row[billing] = 0.28 if t == cancel else 0.3
            if name == "a3" and t != bug:
                row[bug] = 0.14
                if t == new:
                    row[access] = 0.08
            m[t] = spread(row, t, 1.0 - row.sum())
        out[name] = m
    return out


def simulate(
    seed: int,
    n_tickets: int,
    start: str,
    months: int,
    launch_month: int,
    n_customers: int,
    laws: TicketsLaws = DEFAULT_LAWS,
) -> dict[str, Any]:
    """Every table of the tickets world (see ``course.data.tickets``); ``laws``: the world parameters
    (the category mix, the new category's share, the casual share; the default world's by default)."""
    rng = np.random.default_rng([seed, 6])
    first = pd.Timestamp(start)
    end = first + pd.DateOffset(months=months)
    launch = first + pd.DateOffset(months=launch_month)
    seconds = np.sort(rng.integers(0, int((end - first).total_seconds()), n_tickets))
    created = first + pd.to_timedelta(seconds, unit="s")
    after = np.asarray(created >= launch)
    cat_idx = _category_draw(rng, after, laws)
    language = np.array(tx.LANGUAGES)[
        np.searchsorted(np.cumsum(pl.LANGUAGE_MIX), rng.random(n_tickets), side="right").clip(0, 3)
    ]
    by_category = {c: [i for i in tx.INTENTS if i.category == c] for c in tx.CATEGORIES}

    rows, spans = [], []
    for n in range(n_tickets):
        category = tx.CATEGORIES[cat_idx[n]]
        intent = _pick(rng, tuple(by_category[category]))  # type: ignore[arg-type]
        lang = str(language[n])
        casual = (
            lang == "en" and after[n] and category in tx.SHIFTED_CATEGORIES and bool(intent.casual)
            and rng.random() < laws.casual_share
        )  # fmt: skip
        injected = lang == "en" and rng.random() < INJECTION_RATE
        if injected:
            urgency = _pick(rng, ("high", "urgent"))
        else:
            urgency = tx.URGENCIES[
                int(np.searchsorted(np.cumsum(intent.urgency), rng.random(), side="right").clip(0, 3))
            ]
        typo_rate = 0.0 if rng.random() < TYPO_FREE_SHARE else float(rng.uniform(0.02, 0.1))
        if casual:
            typo_rate = max(typo_rate, 0.04)
        body = _Body()
        if lang != "en":
            subject = pl.FOREIGN_SUBJECTS[lang]
            body.add(pl.FOREIGN_GREETINGS[lang])
            body.add(_pick(rng, pl.FOREIGN[lang][category]))
            body.add(pl.FOREIGN_CLOSINGS[lang])
            register = "foreign"
        elif casual:
            subject = (
                _fill(rng, _pick(rng, intent.subjects)).lower()
                if rng.random() < 0.5
                else _pick(rng, ("help", "??", "pls help", "problem"))
            )
            body.add(_pick(rng, tx.CASUAL_GREETINGS))
            body.add(_with_typos(rng, _fill(rng, _pick(rng, intent.casual)), typo_rate))
            register = "casual"
        else:
            subject = (
                _fill(rng, _pick(rng, intent.subjects))
                if rng.random() < 0.8
                else _pick(rng, pl.GENERIC_SUBJECTS)
            )
            body.add(_pick(rng, tx.GREETINGS))
            if rng.random() < 0.35:
                body.add(_with_typos(rng, _fill(rng, _pick(rng, tx.CONTEXT)), typo_rate))
            cores = rng.permutation(len(intent.formal))[: 1 + int(rng.random() < 0.3)]
            for c in cores:
                body.add(_with_typos(rng, _fill(rng, intent.formal[int(c)]), typo_rate))
            if intent.details and rng.random() < 0.3:
                body.add(_fill(rng, _pick(rng, intent.details)))
            if rng.random() < 0.6:
                body.add(_pick(rng, tx.URGENCY_CUES[urgency]))
            register = "formal"
        has_pii = lang == "en" and rng.random() < PII_RATE
        if has_pii:
            for _ in range(1 + int(rng.random() < 0.25)):
                kind = _pick(rng, ("email", "email", "phone", "phone", "card"))
                body.add_marked(_pick(rng, pl.PII_SENTENCES[kind]), _pii_value(rng, kind), kind)
        if lang == "en" and rng.random() < DECOY_RATE:
            body.add(_decoy(rng))
        if register == "formal":
            body.add(_pick(rng, tx.CLOSINGS))
            body.add(_pick(rng, tx.SIGNATURES))
        elif register == "casual":
            body.add(_pick(rng, tx.CASUAL_CLOSINGS))
        inj_start = inj_end = -1
        inj_category = inj_urgency = None
        if injected:
            sentence, inj_category, inj_urgency = pl.INJECTIONS[int(rng.integers(len(pl.INJECTIONS)))]
            inj_start = body.add(sentence)
            inj_end = inj_start + len(sentence)
        ticket_id = f"K{n + 1:06d}"
        spans.extend((ticket_id, "body", kind, s, e, v) for kind, s, e, v in body.spans)
        rows.append(
            (ticket_id, subject, body.text, lang, category, urgency, intent.name, register, typo_rate,
             has_pii, injected, inj_start, inj_end, inj_category, inj_urgency)
        )  # fmt: skip

    cols = ["ticket_id", "subject", "body", "language", "category", "urgency", "intent", "register",
            "typo_rate", "has_pii", "injection", "injection_start", "injection_end", "injected_category",
            "injected_urgency"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=cols)
    width = max(6, len(str(n_customers)))
    customers = rng.integers(1, n_customers + 1, n_tickets)
    tickets = pd.DataFrame(
        {
            "ticket_id": frame["ticket_id"],
            "customer_id": [f"C{c:0{width}d}" for c in customers],
            "created_at": pd.Series(created).astype("datetime64[ns]"),
            "language": frame["language"],
            "subject": frame["subject"],
            "body": frame["body"],
        }
    )
    truth = frame.drop(columns=["subject", "body"])
    for col in ("injection_start", "injection_end"):
        truth[col] = truth[col].where(truth[col] >= 0).astype("Int32")
    truth["typo_rate"] = truth["typo_rate"].round(4)
    annotations, confusion = _annotate(rng, cat_idx, frame["ticket_id"].to_numpy())
    gold_idx = np.sort(rng.choice(n_tickets, size=min(N_GOLD, n_tickets), replace=False))
    gold = truth.loc[gold_idx, ["ticket_id", "category", "urgency"]].reset_index(drop=True)
    pii = pd.DataFrame(spans, columns=["ticket_id", "field", "kind", "start", "end", "text"])
    pii[["start", "end"]] = pii[["start", "end"]].astype(np.int32)
    return {
        "tickets": tickets,
        "annotations": annotations,
        "gold": gold,
        "pii_spans": pii,
        "articles": articles_table(),
        "relevance": relevance_table(truth, rng, N_JUDGED),
        "truth": truth.drop(columns=["language"]),
        "annotator_confusion": confusion,
    }


def _annotate(
    rng: np.random.Generator, cat_idx: np.ndarray, ids: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three labels per ticket drawn from each annotator's confusion matrix; the matrices as a table."""
    cats = np.array(tx.CATEGORIES, dtype=object)
    labels, conf_rows = [], []
    for name, m in confusion_matrices().items():
        cum = np.cumsum(m[cat_idx], axis=1)
        drawn = (rng.random((cat_idx.size, 1)) > cum).sum(axis=1).clip(0, len(cats) - 1)
        labels.append(pd.DataFrame({"ticket_id": ids, "annotator": name, "category": cats[drawn]}))
        conf_rows.extend(
            (name, t, lab, round(float(m[i, j]), 6)) for i, t in enumerate(cats) for j, lab in enumerate(cats)
        )
    annotations = (
        pd.concat(labels).sort_values(["ticket_id", "annotator"], kind="stable").reset_index(drop=True)
    )
    confusion = pd.DataFrame(conf_rows, columns=["annotator", "true_category", "label", "probability"])
    return annotations, confusion
