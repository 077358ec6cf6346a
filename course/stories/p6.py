"""Project 6's interview story, "a buy-vs-build decision with numbers": facts from reports/ladder.json."""

from __future__ import annotations

from course.stories.projects import ProjectStory, readme_answer
from course.stories.results import Fact, Facts, Results, format_score, format_share

NAMES = {
    "keyword_rules": "keyword rules",
    "tfidf_logreg": "TF-IDF with logistic regression",
    "pytorch_from_scratch": "a small PyTorch model trained from scratch",
    "embeddings_logreg": "frozen pre-trained embeddings with logistic regression",
    "lora_finetune": "a LoRA fine-tune of the encoder",
    "llm_zero_shot": "a zero-shot LLM",
    "llm_few_shot": "a few-shot LLM",
}


def _rung(r: Results, name: str) -> dict:
    for row in r.listed("ladder"):
        if row.get("rung") == name:
            return row
    return {}


def facts(r: Results) -> Facts:
    best = str(r.get("best_local_rung"))
    shipped, zero = _rung(r, best), _rung(r, "llm_zero_shot")
    rules, lora = _rung(r, "keyword_rules"), _rung(r, "lora_finetune")
    curve = r.listed("learning_curve")
    sizes = sorted({row["labels"] for row in curve})
    at = {(row["rung"], row["labels"]): row["macro_f1"] for row in curve}
    few, many = sizes[0], sizes[-1]
    low, high = shipped.get("macro_f1_ci", [0.0, 0.0])
    return {
        "shipped": Fact(NAMES.get(best, best), "the rung shipped", "`best_local_rung`"),
        "shipped_f1": Fact(format_score(shipped["macro_f1"]), "its macro-F1", "`ladder`"),
        "shipped_ci": Fact(f"{format_score(low)} to {format_score(high)}", "its 95 % interval", "`ladder`"),
        "llm_f1": Fact(format_score(zero["macro_f1"]), "zero-shot LLM macro-F1", "`ladder`"),
        "llm_cost": Fact(f"${zero['cost_per_1k_usd']:.3f}", "LLM cost per 1,000 tickets", "`ladder`"),
        "rules_f1": Fact(format_score(rules["macro_f1"]), "keyword rules macro-F1", "`ladder`"),
        "lora_f1": Fact(format_score(lora["macro_f1"]), "LoRA fine-tune macro-F1", "`ladder`"),
        "few": Fact(str(few), "fewest labels on the learning curve", "`learning_curve`"),
        "many": Fact(f"{many:,}", "most labels on the learning curve", "`learning_curve`"),
        "emb_few": Fact(
            format_score(at["embeddings_logreg", few]),
            "embeddings with the fewest labels",
            "`learning_curve`",
        ),
        "tfidf_few": Fact(
            format_score(at["tfidf_logreg", few]), "TF-IDF with the fewest labels", "`learning_curve`"
        ),
        "emb_many": Fact(
            format_score(at["embeddings_logreg", many]), "embeddings with the most labels", "`learning_curve`"
        ),
        "tfidf_many": Fact(
            format_score(at["tfidf_logreg", many]), "TF-IDF with the most labels", "`learning_curve`"
        ),
        "naive": Fact(
            format_share(r.number("injection.success_naive")),
            "injection success, no guardrails",
            "`injection.success_naive`",
        ),
        "guarded": Fact(
            format_share(r.number("injection.success_guarded")),
            "injection success, guarded",
            "`injection.success_guarded`",
        ),
    }


STORIES = (
    ProjectStory(
        "baseline",
        "Tell me about a buy-vs-build decision you made, with numbers.",
        (
            """Support routed every ticket by hand into six categories, one of them launched
            mid-year; we could call an LLM API, download a pre-trained model, fine-tune one or train our
            own.""",
            """Pick the rung that routes well enough at the lowest cost and risk, measured on the same tickets
            from after the launch, with an interval, a price per 1,000 tickets and whether text leaves us.""",
            """I built every rung on one split: keyword rules, TF-IDF, a small PyTorch model, frozen
            embeddings from a pinned pre-trained encoder, a LoRA fine-tune and an LLM behind a client with
            retries, a budget and guardrails; bootstrap intervals and paired differences on 240 gold
            tickets; a learning curve from {few} to {many} labels.""",
            """We shipped {shipped}: macro-F1 {shipped_f1} ({shipped_ci}), at a fraction of a cent per 1,000
            tickets, with no text leaving the company. The zero-shot LLM scored {llm_f1} at {llm_cost} per
            1,000 tickets, the LoRA fine-tune {lora_f1}, rules {rules_f1}.""",
        ),
        (
            (
                "When would you pick the LLM instead?",
                """For a category we have no labels for: only the zero-shot LLM names the new family plan,
                so it is the fallback until we have labelled its tickets.""",
            ),
            (
                "How many labels did you need?",
                """With {few} labels the embeddings scored {emb_few} against {tfidf_few} for TF-IDF;
                with {many} they scored {emb_many} against {tfidf_many}: pre-training matters most when
                labels are
                few.""",
            ),
            (
                "Is an LLM safe on customer text?",
                """Only behind guardrails: an injected instruction lowered urgency {naive} of the time with a
                naive prompt and {guarded} with redaction, a data block and an urgency floor.""",
            ),
        ),
        (
            readme_answer("Which rung would you ship and why"),
            readme_answer("When does that answer change"),
        ),
    ),
)
