"""The five story templates: what interviewers ask, the STAR shape, the numbers, follow-ups, weak answers.

Texts are data: triple-quoted strings whose line breaks are folded into spaces when they are rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

STAR = ("Situation", "Task", "Action", "Result")


@dataclass(frozen=True)
class Template:
    """One story template: the interviewer's prompt and what a strong STAR answer contains."""

    key: str
    title: str
    prompt: str
    also_asked: tuple[str, ...]
    star: tuple[str, str, str, str]  # what goes in the Situation, Task, Action and Result
    numbers: tuple[str, ...]
    follow_ups: tuple[tuple[str, str], ...]  # (question, what a good answer covers)
    weak: tuple[tuple[str, str], ...]  # (weak answer, why it loses the interviewer)


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            key="baseline",
            title="Baseline story",
            prompt="Tell me about a time a simple baseline changed your plan.",
            also_asked=(
                "How did you know the model was worth its complexity?",
                "What did you compare your model against?",
            ),
            star=(
                "The decision the model supports and what the team did before it (the incumbent).",
                """What 'better' had to mean, measured on data that mimic use (out of time, grouped by
                entity).""",
                """The ladder of baselines (the prior, the incumbent rule, a simple linear model) in the same
                pipeline and split as the candidate; an interval that resamples the unit that repeats; the
                more complex option tried and priced.""",
                """The lift over the strongest baseline with its interval, the gain in the decision's own
                currency, and what you shipped because of it.""",
            ),
            numbers=(
                "the metric of every baseline (prior, incumbent rule, simple model) on the same test set",
                "your model's metric with its confidence interval, and the unit the bootstrap resampled",
                "the lift over the strongest baseline, and the paired interval of the difference",
                "the gain in the decision's currency: profit or precision at capacity, against the incumbent",
                "what the complex option costs: training time, latency, maintenance",
            ),
            follow_ups=(
                (
                    "Why not ship the simpler model?",
                    """The size of the gain against its noise, and what the complex model costs to run and
                    to explain. 'The simple one, unless the paired interval of the gain excludes 0' is a
                    strong answer.""",
                ),
                (
                    "How did you compute the interval?",
                    """Bootstrap, how many resamples, and which unit you resampled: customers, not rows,
                    when a customer appears in many months.""",
                ),
                (
                    "Would deep learning do better?",
                    """What you measured, not what you believe: the comparison on the same split, and its
                    cost.""",
                ),
                (
                    "What would you have done if the baseline had won?",
                    "Ship the baseline, and spend the effort on data or on the decision policy.",
                ),
            ),
            weak=(
                ("'The model reached 0.88 AUC.'", "A number without a baseline says nothing about value."),
                ("Beating only the prior.", "Every model beats the prior; the incumbent rule is the bar."),
                (
                    "A win on a random split.",
                    "Repeated entities and time make a random split flatter the model.",
                ),
                ("A lift without an interval.", "A gain inside the noise is not a result yet."),
            ),
        ),
        Template(
            key="data",
            title="Data story",
            prompt="Tell me about a data problem you caught before it reached production.",
            also_asked=(
                "Have you ever seen leakage? How did you find it?",
                "How do you know your training data looks like what the model sees when it is used?",
            ),
            star=(
                "Where the data came from, how much of it, and why it looked ready to use.",
                """Training rows that could each have been built at prediction time, and labels that are known
                when you use them.""",
                """How you noticed (a score too good to be true, a column's fill date, a time check), the
                mechanism in one line, the fix, and the test or contract that keeps it fixed.""",
                """The inflated score against the honest one, what the flawed model would have scored in
                production, and the rows you held back or dropped.""",
            ),
            numbers=(
                "the metric with the problem and without it (the inflated and the honest)",
                "what the flawed model scores when served without the leaked information",
                "how many columns, rows or months you dropped or held back, and why",
                "the size of the data (rows, customers, period) and the label delay",
            ),
            follow_ups=(
                (
                    "How did you notice?",
                    """A concrete trigger: an implausible score for the problem, one feature dominating, a
                    column filled after the event. Name the column and when it is filled.""",
                ),
                (
                    "How do you stop it from coming back?",
                    """A test that injects future events and checks that nothing changes; a data contract;
                    point-in-time joins by construction.""",
                ),
                (
                    "Why not label the recent rows as negatives?",
                    """Their labels are not known yet; counting them as negatives teaches the model that
                    recent entities never have the outcome.""",
                ),
                (
                    "What data would you collect next?",
                    "The data that would fix your worst error, tied to a slice you measured.",
                ),
            ),
            weak=(
                ("'We cleaned the data.'", "No mechanism, no number, nothing the interviewer can probe."),
                ("Naming the leak without its fill date.", "The mechanism is the insight: when is it known?"),
                ("Ignoring label delay.", "Immature labels look like negatives and bias every metric."),
                ("A leak found after launch, told as 'caught'.", "Say what it cost and what you changed."),
            ),
        ),
        Template(
            key="evaluation",
            title="Evaluation story",
            prompt="How did you know your model was good enough, and for what?",
            also_asked=(
                "Which metric did you optimise, and why that one?",
                "How did you decide that a new model should replace the old one?",
            ),
            star=(
                "The decision, its capacity, and what each kind of error costs.",
                """A metric and a threshold (or a promotion gate) tied to that decision, and where the model
                fails.""",
                """The metric and why; how the threshold was set and on which data; calibration; slices and
                groups; for a replacement, a comparison on the same data with a margin and guardrails.""",
                """Precision and recall at the operating point, the money or workload it moves, the
                calibration error, the worst slice with its numbers, and the decisions the gate took.""",
            ),
            numbers=(
                "the capacity or budget, and the break-even point of the decision",
                "the threshold, the share it selects, precision and recall there, and the expected value",
                "the calibration error before and after calibration",
                "the worst slice: its metric, its size and its positives",
                "for a gate: the margin, the guardrails, and one promotion and one refusal with their values",
            ),
            follow_ups=(
                (
                    "Why not accuracy, or ROC-AUC?",
                    """With rare positives accuracy rewards predicting nobody, and ROC-AUC counts the many
                    easy negatives. Name the metric that matches the decision.""",
                ),
                (
                    "How did you set the threshold?",
                    """From the decision (capacity or break-even), fitted on validation data, never on the
                    test set, and re-fitted when the base rate moves.""",
                ),
                (
                    "Does calibration matter here?",
                    "Yes whenever a probability is compared with a cost; quote the error before and after.",
                ),
                (
                    "Where does the model fail?",
                    "The worst slice, with its size, and what you would do about it.",
                ),
            ),
            weak=(
                ("Accuracy with 5 % positives.", "'Nobody churns' is 95 % accurate and useless."),
                ("A threshold of 0.5 'by default'.", "The threshold follows from costs and capacity."),
                ("A threshold tuned on the test set.", "The reported number is then optimistic."),
                ("One overall number.", "Interviewers ask where it fails: have a slice ready."),
                (
                    "'The new model scored higher, so we shipped it.'",
                    """Higher on one month is noise until a margin and guardrails on the same data say
                    otherwise.""",
                ),
            ),
        ),
        Template(
            key="production",
            title="Production story",
            prompt="Tell me how you took a model to production, and how you knew it was still right.",
            also_asked=(
                "What happens when your model breaks at 3 a.m.?",
                "Tell me about a time a deployment went wrong.",
            ),
            star=(
                "Who consumes the predictions, how (online or batch), and what breaks when they are wrong.",
                """Make it reproducible, safe with bad input, observable and reversible, within the budget
                (latency, capacity, cost).""",
                """The artifact and how it is verified, the input contract, the fallback, logs and metrics,
                the rollback, and what is monitored before and after labels arrive.""",
                """Versions and their metrics, rows in and out, latency or cost against the budget, detection
                delay, and how long a rollback takes.""",
            ),
            numbers=(
                "the served version and its out-of-time metrics",
                "rows in = rows scored + rows rejected, for one batch",
                "latency (p99) or the latency budget with its headroom, and the peak load",
                "the monitoring thresholds against what stable periods showed, and the detection delay",
                "how long a rollback takes, and what it changes",
            ),
            follow_ups=(
                (
                    "What happens when the model file is corrupt?",
                    """It is never loaded (checksum), readiness says why, a documented fallback answers, and a
                    counter that an alert watches goes up.""",
                ),
                (
                    "How do you roll back, and how long does it take?",
                    """One command or call, what it moves (a pointer, an alias), and why the old version is
                    still there.""",
                ),
                (
                    "How do you know it is still right before labels arrive?",
                    """Input drift, prediction drift and a business proxy (the share selected), with
                    thresholds set against stable periods.""",
                ),
                (
                    "What changes at ten times the traffic?",
                    "Which component saturates first, by your own sizing numbers.",
                ),
            ),
            weak=(
                (
                    "'We put it in Docker behind an API.'",
                    "Packaging is not operating: say what fails and what then.",
                ),
                ("No rollback.", "Every interviewer asks; 'retrain and redeploy' is not a rollback."),
                ("'We had dashboards.'", "Name the signal, its threshold and who is paged."),
                ("No numbers.", "Versions, rows, milliseconds and months make the story credible."),
            ),
        ),
        Template(
            key="collaboration",
            title="Collaboration story",
            prompt="Tell me about a time you had to align several teams on a technical decision.",
            also_asked=(
                "Tell me about a disagreement with a stakeholder and how you resolved it.",
                "How do you explain a model's trade-offs to people who do not build models?",
            ),
            star=(
                "The teams with a stake, what each of them needed, and where those needs collided.",
                "One decision all of them could sign, with owners for what happens after launch.",
                """Assumptions in one place anyone could challenge; the trade-off translated into each team's
                currency (workload, money, milliseconds); owners, on-call and sign-off rules agreed.""",
                "The decision signed, the numbers it moved for each team, and what each team committed to.",
            ),
            numbers=(
                """the constraint that forced the trade-off (a capacity, a budget) against what the ideal
                needs""",
                "what the constraint costs, in the currency of the team that can lift it",
                "each team's commitment: workload, latency share, load",
                "how many teams and sign-offs were involved",
            ),
            follow_ups=(
                (
                    "What did you do when a team disagreed?",
                    "One real objection, the assumption behind it, and what changing it did to the numbers.",
                ),
                (
                    "Who owns the decision after launch?",
                    "Owners per component, who is paged for what, and who must agree to a change.",
                ),
                (
                    "What was your part, and what was the team's?",
                    "Say 'I' for what you did and 'we' for what the team did; both are expected.",
                ),
                ("What would you do differently?", "A concrete change of process, not 'communicate more'."),
            ),
            weak=(
                ("A story without a conflict.", "Alignment is only interesting when needs collide."),
                ("'I convinced them.'", "Say with what: which number, in whose currency."),
                ("Stakeholders named without their needs.", "Each team's constraint is the substance."),
                ("No outcome.", "End with what was signed and what it changed."),
            ),
        ),
    )
}
