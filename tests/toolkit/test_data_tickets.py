"""The tickets world: determinism, and each planted lesson of project 6 shown to be there."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from course.data import tickets
from course.data._tickets_sim import confusion_matrices
from course.data._tickets_world import vocabulary_jaccard
from course.data.cache import digest_tables

SMALL = {"n_tickets": 1_500, "months": 6, "launch_month": 3}


@pytest.fixture(scope="module")
def world() -> tickets.TicketsWorld:
    return tickets.generate(seed=0)


@pytest.fixture(scope="module")
def joined(world: tickets.TicketsWorld) -> pd.DataFrame:
    return world.tickets.merge(world.truth, on="ticket_id", validate="one_to_one")


def test_same_seed_gives_identical_tables() -> None:
    a, b = tickets.generate(seed=3, **SMALL), tickets.generate(seed=3, **SMALL)
    assert digest_tables(a.tables()) == digest_tables(b.tables())


def test_different_seed_gives_different_tickets() -> None:
    a, b = tickets.generate(seed=3, **SMALL), tickets.generate(seed=4, **SMALL)
    assert not a.tickets["body"].equals(b.tickets["body"])


def test_load_world_caches_the_same_tables(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    first = tickets.load_world(seed=1, **SMALL)
    assert any((tmp_path / "cache").glob("tickets-*/tickets.parquet"))
    again = tickets.load_world(seed=1, **SMALL)
    assert digest_tables(again.tables()) == digest_tables(first.tables())
    assert digest_tables(first.tables()) == digest_tables(tickets.generate(seed=1, **SMALL).tables())


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="launch_month"):
        tickets.generate(months=6, launch_month=6)
    with pytest.raises(TypeError, match="unexpected"):
        tickets.load_world(seed=0, launch=3)


def test_tables_have_the_documented_columns(world: tickets.TicketsWorld) -> None:
    cols = {name: list(df.columns) for name, df in world.tables().items()}
    assert cols["tickets"] == ["ticket_id", "customer_id", "created_at", "language", "subject", "body"]
    assert cols["annotations"] == ["ticket_id", "annotator", "category"]
    assert cols["gold"] == ["ticket_id", "category", "urgency"]
    assert cols["pii_spans"] == ["ticket_id", "field", "kind", "start", "end", "text"]
    assert cols["articles"] == ["article_id", "category", "title", "body"]
    assert cols["relevance"] == ["ticket_id", "article_id", "grade"]
    assert cols["truth"] == [
        "ticket_id", "category", "urgency", "intent", "register", "typo_rate", "has_pii", "injection",
        "injection_start", "injection_end", "injected_category", "injected_urgency",
    ]  # fmt: skip
    assert cols["annotator_confusion"] == ["annotator", "true_category", "label", "probability"]
    assert world.tickets["ticket_id"].is_unique and world.tickets["created_at"].is_monotonic_increasing
    assert world.tickets["customer_id"].str.fullmatch(r"C\d{6}").all()  # the churn world's ids
    assert set(world.truth["category"]) == set(tickets.CATEGORIES)
    assert set(world.truth["urgency"]) == set(tickets.URGENCIES)


def test_text_has_real_variety(joined: pd.DataFrame) -> None:
    english = joined[joined["language"] == "en"]
    assert english["body"].nunique() / len(english) > 0.9, "bodies repeat: too few paraphrases"
    assert (english["typo_rate"] > 0).mean() > 0.3, "no typos planted"
    other = (joined["language"] != "en").mean()
    assert 0.02 < other < 0.08, f"{other:.1%} of tickets are not in English"
    assert english.groupby("intent")["subject"].nunique().min() >= 2


def test_shifted_categories_share_fewer_words_between_early_and_late(
    world: tickets.TicketsWorld, joined: pd.DataFrame
) -> None:
    """Vocabulary Jaccard per category, tickets before vs after the launch: low where customers changed
    register (the words change, the meaning does not), high elsewhere."""
    jaccard = vocabulary_jaccard(joined, world.launch_date)
    shifted = [jaccard[c] for c in tickets.SHIFTED_CATEGORIES]
    stable = [v for c, v in jaccard.items() if c not in tickets.SHIFTED_CATEGORIES]
    assert max(shifted) < 0.83 and max(shifted) + 0.05 < min(stable), jaccard


def test_casual_register_appears_only_after_the_launch(world: tickets.TicketsWorld, joined) -> None:
    casual = joined[joined["register"] == "casual"]
    assert len(casual) > 200 and (casual["created_at"] >= world.launch_date).all()
    assert set(casual["category"]) == set(tickets.SHIFTED_CATEGORIES)


def test_new_category_exists_only_from_the_launch_date(world: tickets.TicketsWorld, joined) -> None:
    new = joined[joined["category"] == tickets.NEW_CATEGORY]
    assert (new["created_at"] >= world.launch_date).all()
    share_after = joined.loc[joined["created_at"] >= world.launch_date, "category"] == tickets.NEW_CATEGORY
    assert 0.08 < share_after.mean() < 0.16
    labelled = world.annotations.merge(world.tickets[["ticket_id", "created_at"]], on="ticket_id")
    before = labelled[labelled["created_at"] < world.launch_date]
    assert not (before["category"] == tickets.NEW_CATEGORY).any(), "annotators used a label before it existed"


def test_each_ticket_has_three_annotators(world: tickets.TicketsWorld) -> None:
    per_ticket = world.annotations.groupby("ticket_id")["annotator"].apply(lambda s: tuple(sorted(s)))
    assert len(per_ticket) == len(world.tickets)
    assert set(per_ticket) == {("a1", "a2", "a3")}


def test_annotators_follow_their_confusion_matrices(world: tickets.TicketsWorld) -> None:
    labels = world.annotations.merge(
        world.truth[["ticket_id", "category"]], on="ticket_id", suffixes=("", "_true")
    )
    conf = world.annotator_confusion
    for name, matrix in confusion_matrices().items():
        table = conf[conf["annotator"] == name].pivot(
            index="true_category", columns="label", values="probability"
        )
        table = table.loc[list(tickets.CATEGORIES), list(tickets.CATEGORIES)].to_numpy()
        assert np.allclose(table, matrix, atol=1e-6) and np.allclose(table.sum(axis=1), 1.0)
        mine = labels[labels["annotator"] == name]
        seen = pd.crosstab(mine["category_true"], mine["category"], normalize="index")
        seen = seen.reindex(index=list(tickets.CATEGORIES), columns=list(tickets.CATEGORIES), fill_value=0)
        assert np.abs(seen.to_numpy() - matrix).max() < 0.06, f"{name}'s labels drift from its matrix"


def test_annotators_have_different_noise(world: tickets.TicketsWorld) -> None:
    labels = world.annotations.merge(
        world.truth[["ticket_id", "category"]], on="ticket_id", suffixes=("", "_true")
    )
    accuracy = (labels["category"] == labels["category_true"]).groupby(labels["annotator"]).mean()
    assert accuracy["a1"] > 0.93 and 0.8 < accuracy["a2"] < 0.9 and accuracy["a3"] < 0.78, accuracy.to_dict()
    cancel = labels[(labels["category_true"] == "cancellation_intent") & (labels["annotator"] == "a2")]
    assert (cancel["category"] == "billing").mean() > 0.2, "a2 should read billing into cancellations"


def test_gold_set_is_the_adjudicated_truth_over_the_whole_period(world: tickets.TicketsWorld) -> None:
    gold = world.gold.merge(world.truth, on="ticket_id", suffixes=("", "_true"))
    assert 400 <= len(gold) <= 1_000 and world.gold["ticket_id"].is_unique
    assert (gold["category"] == gold["category_true"]).all() and (
        gold["urgency"] == gold["urgency_true"]
    ).all()
    assert (gold["category"] == tickets.NEW_CATEGORY).sum() >= 15


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = sum(
        d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits))
    )
    return len(digits) == 16 and total % 10 == 0


def test_pii_spans_point_at_the_planted_values(world: tickets.TicketsWorld, joined: pd.DataFrame) -> None:
    bodies = world.tickets.set_index("ticket_id")["body"]
    spans = world.pii_spans
    assert all(
        bodies[t][s:e] == text
        for t, s, e, text in spans[["ticket_id", "start", "end", "text"]].itertuples(index=False)
    )
    assert set(spans["kind"]) == {"email", "phone", "card"}
    emails = spans.loc[spans["kind"] == "email", "text"]
    assert emails.str.fullmatch(r"[a-z0-9._]+@[a-z.]+\.(com|org|net)").all()
    assert spans.loc[spans["kind"] == "card", "text"].map(_luhn_ok).all(), "card-like numbers must pass Luhn"
    assert set(spans["ticket_id"]) == set(joined.loc[joined["has_pii"], "ticket_id"])
    assert 0.08 < joined["has_pii"].mean() < 0.16


def test_look_alike_numbers_are_planted_outside_pii(world: tickets.TicketsWorld) -> None:
    decoys = world.tickets["body"].str.contains(r"INV-\d{8}|#\d{8}|Ticket reference \d{6}", regex=True)
    assert decoys.sum() > 200
    spans = world.pii_spans["text"]
    assert not spans.str.contains("INV-").any()


def test_injections_are_flagged_and_located(joined: pd.DataFrame) -> None:
    injected = joined[joined["injection"]]
    assert 30 <= len(injected) <= 200
    for body, start, end in injected[["body", "injection_start", "injection_end"]].itertuples(index=False):
        assert re.search(r"ignore|disregard", body[start:end], flags=re.I)
    assert injected["injected_urgency"].eq("low").all()
    assert injected["urgency"].isin(["high", "urgent"]).all(), "an obeyed injection must do harm"
    clean = joined[~joined["injection"]]
    assert clean["injection_start"].isna().all()
    assert not clean["body"].str.contains("instructions", case=False).any()


def test_help_centre_judgements_are_graded(world: tickets.TicketsWorld, joined: pd.DataFrame) -> None:
    rel = world.relevance
    assert set(rel["grade"]) == {0, 1, 2, 3}
    judged = rel["ticket_id"].unique()
    assert 300 <= judged.size <= 500
    assert (rel.groupby("ticket_id")["article_id"].nunique() == len(world.articles)).all()
    best = rel[rel["grade"] == 3].merge(world.articles, on="article_id").merge(joined, on="ticket_id")
    assert best["ticket_id"].is_unique and len(best) == judged.size, "one perfect article per judged ticket"
    assert (best["category_x"] == best["category_y"]).all()
    assert (best["language"] == "en").all()


@pytest.mark.slow
def test_pretrained_encoder_beats_tfidf_with_few_labels_and_the_gap_closes_with_many(
    world: tickets.TicketsWorld, joined: pd.DataFrame
) -> None:
    """Train on tickets before the launch, test after it (the five old categories, 30 tickets each):
    frozen MiniLM embeddings + logistic regression against TF-IDF + logistic regression, with 3 and with
    30 labels per category (the few-label score is the mean of 5 draws)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    from course.models.encoder import Encoder

    english = joined[(joined["language"] == "en") & (joined["category"] != tickets.NEW_CATEGORY)].copy()
    english["text"] = english["subject"] + ". " + english["body"]
    late = english["created_at"] >= world.launch_date
    pool = english[~late].groupby("category").sample(30, random_state=0).reset_index(drop=True)
    test = english[late].groupby("category").sample(30, random_state=0).reset_index(drop=True)
    enc = Encoder(cache=False)
    pool_x, test_x = enc.encode(pool["text"].tolist()), enc.encode(test["text"].tolist())

    def scores(n: int, draw: int) -> tuple[float, float]:
        idx = pool.groupby("category").sample(n, random_state=draw).index
        y = pool.loc[idx, "category"]
        tfidf = TfidfVectorizer(sublinear_tf=True).fit(pool.loc[idx, "text"])
        lexical = LogisticRegression(C=10, max_iter=2000).fit(tfidf.transform(pool.loc[idx, "text"]), y)
        semantic = LogisticRegression(C=10, max_iter=2000).fit(pool_x[idx], y)
        return (
            f1_score(test["category"], lexical.predict(tfidf.transform(test["text"])), average="macro"),
            f1_score(test["category"], semantic.predict(test_x), average="macro"),
        )

    few_tfidf, few_encoder = np.mean([scores(3, draw) for draw in range(5)], axis=0)
    many_tfidf, many_encoder = scores(30, 0)
    few_gap, many_gap = few_encoder - few_tfidf, many_encoder - many_tfidf
    figures = (
        f"3 labels: {few_tfidf:.3f} vs {few_encoder:.3f}; 30 labels: {many_tfidf:.3f} vs {many_encoder:.3f}"
    )
    assert few_encoder > 0.75 and few_gap > 0.12, figures
    assert many_gap < 0.06 and many_gap < few_gap / 3, figures
