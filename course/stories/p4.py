"""Project 4's interview stories: the facts they quote from its results file, and the stories."""

from __future__ import annotations

from collections.abc import Mapping

from course.stories.projects import ProjectStory, read_table, readme_answer
from course.stories.results import (
    FORMATS,
    Answer,
    Fact,
    Facts,
    Results,
    format_quantity,
)

TABLE = """
threshold      threshold                                 score   chosen threshold
cost           expected_cost_per_day                     usd     expected cost per day
reviews        reviews_per_day                           amount  reviews per day
capacity       review_capacity_per_day                   amount  review capacity per day
missed         cost_breakdown_per_day.missed_fraud_usd   usd     missed fraud per day
review_usd     cost_breakdown_per_day.review_usd         usd     cost of reviews per day
friction       cost_breakdown_per_day.friction_usd       usd     false-decline friction per day
u_threshold    unconstrained.threshold                   score   unconstrained cheapest threshold
u_cost         unconstrained.expected_cost_per_day       usd     cost a day at the unconstrained threshold
u_reviews      unconstrained.reviews_per_day             amount  reviews a day at the unconstrained threshold
daily          daily_transactions                        amount  transactions per day
peak_qps       peak_qps                                  qty     peak QPS
reads          feature_reads_per_second                  amount  feature-store reads per second at peak
gb_day         storage_gb_per_day                        qty     storage per day (GB)
tb             storage_tb_retained                       qty     storage retained (TB)
budget_ms      latency_budget.budget_ms                  qty     latency budget (ms)
total_ms       latency_budget.total_ms                   qty     latency of the components (ms)
headroom_ms    latency_budget.headroom_ms                qty     latency headroom (ms)
"""


def facts(r: Results) -> Facts:
    facts = read_table(r, TABLE)
    gap = r.number("expected_cost_per_day") - r.number("unconstrained.expected_cost_per_day")
    facts["capacity_cost"] = Fact(
        FORMATS["usd"](gap), "what the review capacity costs per day", "cost - unconstrained cost"
    )
    components = r.listed("latency_budget.components_ms", Mapping)
    if not components:
        raise r.error("has no components in 'latency_budget.components_ms'")
    largest = max(components, key=lambda name: r.number(f"latency_budget.components_ms.{name}"))
    facts["largest"] = Fact(f"`{largest}`")
    ms = format_quantity(r.number(f"latency_budget.components_ms.{largest}"))
    facts["largest_ms"] = Fact(
        ms, f"largest latency component: {largest} (ms)", "`latency_budget.components_ms`"
    )
    return facts


STORIES = (
    ProjectStory(
        "production",
        "Tell me about a system you designed that had to decide under a latency and a capacity limit.",
        (
            """A card issuer's rules engine holds suspicious payments for a fraud analyst: {daily}
            authorisations a day, analysts who can review {capacity} a day, and fraud that slips through comes
            back weeks later as chargebacks.""",
            """A design for a model in the authorisation path that a senior reviewer would sign: the decision
            rule, its cost, the capacity, the latency, and what happens when it fails.""",
            """I priced each error (a missed fraud costs its amount, a review an analyst's time, a false
            decline the customer's friction), computed the daily cost at every threshold on labels old enough
            to be complete, chose the cheapest threshold whose reviews fit the capacity, sized the system at
            peak, and built a latency budget from its components, with the rules as the fallback on
            timeout.""",
            """A threshold of {threshold}: {reviews} reviews a day within the capacity of {capacity}, at an
            expected cost of {cost} a day ({missed} missed fraud, {review_usd} reviews, {friction} friction).
            At peak the system serves {peak_qps} QPS and {reads} feature-store reads a second and stores
            {gb_day} GB a day ({tb} TB retained); the components take {total_ms} ms of the {budget_ms} ms
            budget, leaving {headroom_ms} ms.""",
        ),
        (
            (
                "Why not the cheapest threshold overall?",
                """It is {u_threshold}, at {u_cost} a day, but it needs {u_reviews} reviews a day against
                {capacity}: the queue would never clear. The capacity costs {capacity_cost} a day, which is a
                hiring question, not a model question.""",
            ),
            (
                "Which part of the latency would you watch first?",
                """The largest and least stable: {largest} at {largest_ms} ms, under {reads} reads a second at
                peak.""",
            ),
            (
                "What happens when the scorer is too slow?",
                """It times out and the rules decide, within the {budget_ms} ms budget; the fallback rate is
                alerted on.""",
            ),
        ),
        (
            readme_answer("Q3. Your latency budget has headroom"),
            Answer("DESIGN_DOC.md", "10. Fallback and rollback", "## 10. Fallback and rollback"),
        ),
    ),
    ProjectStory(
        "collaboration",
        "Tell me about a time you had to align several teams on a technical decision.",
        (
            """A fraud model's threshold sets the analysts' workload (Fraud Operations), the scorer sits on
            the payments team's critical path, and the features belong to the data platform team; each of them
            had to sign the design.""",
            """One threshold and one operating model that all of them could sign, with owners for what happens
            after launch.""",
            """I put every assumption in one file (`assumptions.toml`) the teams could challenge and
            translated the design into each team's currency: reviews a day for Fraud Operations, milliseconds
            and QPS for payments, reads a second for the data platform. We agreed owners and on-call per
            component, and that a threshold change needs both the ML lead and the Fraud Operations lead.""",
            """Fraud Operations got a plan of {reviews} reviews a day within its capacity of {capacity}, and a
            hiring case: the unconstrained optimum would need {u_reviews} reviews a day, and the capacity
            limit costs {capacity_cost} a day. Payments got a design using {total_ms} ms of its {budget_ms} ms
            budget, {headroom_ms} ms of headroom; the data platform a peak load of {reads} reads a second at
            {peak_qps} QPS.""",
        ),
        (
            (
                "What did you do when a team disagreed?",
                """Pick one assumption a team challenged (the friction cost of a false decline is the least
                certain) and say what changing it in `assumptions.toml` did to the threshold ({threshold}) and
                the cost ({cost} a day).""",
            ),
            (
                "How did you make the case for more analysts?",
                """In money per day: the capacity limit costs {capacity_cost} a day over the unconstrained
                {u_cost}; divide by the reviews one analyst adds, and compare with what an analyst costs.""",
            ),
            (
                "Who owns the threshold after launch?",
                """The ML team proposes and Fraud Operations signs, because it moves their workload: quote
                your ownership table.""",
            ),
        ),
        (
            readme_answer("Q1. Your review capacity binds"),
            Answer("DESIGN_DOC.md", "13. Ownership and on-call", "## 13. Ownership and on-call"),
        ),
    ),
)
