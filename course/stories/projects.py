"""Which stories each project tells, with ``{fact}`` fields, and where its results and answers are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from course.stories.facts import _p1_facts, _p2_facts, _p3_facts, _p4_facts, _p5_facts
from course.stories.results import Answer, Facts, Results


@dataclass(frozen=True)
class ProjectStory:
    """A template told about one project: the prompt, the STAR text, follow-ups with what to say, answers."""

    story: str
    prompt: str
    star: tuple[str, str, str, str]
    follow_ups: tuple[tuple[str, str], ...]
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class ProjectSpec:
    """Where a project's results are, what writes them, how to read its facts, and its stories."""

    results: str
    producer: str
    facts: Callable[[Results], Facts]
    stories: tuple[ProjectStory, ...]


def _readme(question: str, locate: str = "") -> Answer:
    return Answer("README.md", question, locate or question)


_P1_STORIES = (
    ProjectStory(
        "baseline",
        "Tell me about a time a simple baseline changed your plan.",
        (
            """A subscription business's retention team can contact {capacity} of active customers a month; a
            contact costs {contact_cost} units and a saved customer is worth about {saved_value} units. The
            team picked whom to call with a hand rule (a failed payment, a usage drop, two inactive
            weeks).""",
            """Show, on data that mimic use, whether a model picks better customers than the rule: out-of-time
            test months {test_months} ({n_test} customer-months, churn rate {base_rate}), validation grouped
            by customer.""",
            """I built a ladder of baselines in the same pipeline and split: the prior, the team's rule and a
            logistic regression, then gradient boosting. I compared them on PR-AUC (ranking among rare
            churners) and on the profit of the contact list at capacity, with a {n_bootstrap}-resample
            bootstrap by `{resampled_by}` for the interval, and tried a PyTorch MLP on the same split.""",
            """The prior reaches a PR-AUC of {prior}, the hand rule {rule}, logistic regression {logistic};
            {chosen} reaches {model_pr_auc} (95 % interval {ci_low} to {ci_high}), a lift of {lift} over
            {best_baseline}; {lift_verdict}. At capacity the rule's contact list earns {rule_profit} and
            {chosen}'s {model_profit}. The MLP reached {mlp_pr_auc} and trained in {mlp_s} s against {gb_s} s
            for boosting.""",
        ),
        (
            (
                "Is the gain over the baseline real?",
                """A lift of {lift} over {best_baseline}; {lift_verdict}. The interval comes from
                {n_bootstrap} resamples by `{resampled_by}`.""",
            ),
            (
                "Why resample customers and not rows?",
                """The same customer appears in many months; resampling rows treats those months as
                independent and makes the interval too narrow.""",
            ),
            ("Would deep learning help here?", "Your notebook's conclusion: {mlp_conclusion}"),
        ),
        (_readme("3. Which baseline does the model beat"),),
    ),
    ProjectStory(
        "data",
        "Tell me about a data problem you caught before it reached production.",
        (
            """A monthly export of {n_customers} customers (features as of each month start, a churn label),
            exported on {export_date}, looked ready to train on.""",
            """Make every training row one that could have been built at prediction time, and a test that
            mimics use.""",
            """I asked of every column when it is filled. {n_dropped} columns are filled on the export date or
            after the month we predict, so they carry the outcome: I dropped {dropped}. I left out the
            {n_immature} months whose labels were not known at export ({immature}) instead of counting them as
            'no churn', split out of time, and grouped validation by customer ({n_fit} training and
            {n_validation} validation rows).""",
            """With the leaky columns the model reached a PR-AUC of {with_leaks}, too good to be true for
            churn; without them {without_leaks}, the number the model can keep in production.""",
        ),
        (
            (
                "How did you notice the leak?",
                """A PR-AUC of {with_leaks} at a churn rate of {base_rate} is implausible. Then ask when each
                top column is filled, for example {first_leak}""",
            ),
            (
                "Why not count the recent months as 'no churn'?",
                """Their labels arrive later. Counting {immature} as 'no churn' teaches the model that recent
                customers never leave, and flatters any evaluation on those months.""",
            ),
            (
                "Which data would you collect next?",
                "Data for the slice the model misses most: {worst_slice}.",
            ),
        ),
        (
            _readme("2. Where do the features and labels come from"),
            _readme("6. Which data would you collect"),
        ),
    ),
    ProjectStory(
        "evaluation",
        "How did you know your model was good enough, and for what?",
        (
            """The retention team can contact {capacity} of customers a month. A contact costs {contact_cost}
            units; a contacted would-be churner is saved {save_rate} of the time and is worth {saved_value}
            units, so a contact pays off above a churn probability of {break_even}.""",
            "Choose the metric and the threshold that match that decision, and show where the model fails.",
            """I evaluated out of time on {test_months}: PR-AUC for the ranking; precision, recall and
            expected profit for the contact list; log-loss and ECE for calibration. I compared two policies
            fitted on validation customers: fill the capacity (threshold {cap_threshold}) or contact only
            above break-even (threshold {be_threshold}). I calibrated the class-weighted model ({cal_method}),
            looked for the worst slice and compared recall across `{group}` with Fairlearn.""",
            """The chosen policy ({policy}) uses a threshold of {threshold}: it contacts {share} of customers
            with a precision of {precision} and a recall of {recall}, for an expected profit of {profit} on
            the test months (filling the capacity: {cap_profit}; the hand rule: {rule_profit}). Class
            weighting pushed the calibration error to {ece_raw}, calibration brought it to {ece_cal}, and the
            chosen model has {ece_chosen}. The worst slice is {worst_slice}; the largest gap across
            `{group}` is {largest_gap}.""",
        ),
        (
            (
                "Why not accuracy, or ROC-AUC?",
                """At a churn rate of {base_rate}, 'nobody churns' is {accuracy_nobody} accurate. A ROC-AUC of
                {roc_auc} counts the many easy non-churners; PR-AUC ({model_pr_auc}) and the precision at the
                threshold ({precision}) describe the contact list.""",
            ),
            (
                "How did you pick the threshold?",
                """On validation customers, never on the test months. Then compare the policies on the test
                months ({be_profit} for break-even, {cap_profit} for filling the capacity), say which won, and
                why the threshold must be re-fitted when the churn rate moves.""",
            ),
            (
                "Where does the model fail?",
                """The worst slice, {worst_slice}. The gap across `{group}` ({largest_gap}) sits on small
                groups: say how much of it is noise.""",
            ),
        ),
        (_readme("4. Which metric matches the decision"), _readme("5. Which errors matter most")),
    ),
)
_P2_STORIES = (
    ProjectStory(
        "production",
        "Tell me how you took a model to production.",
        (
            """A churn model that worked in a notebook had two consumers: an HTTP service answering for one
            customer at a time (or up to {max_batch} per request) and a batch job scoring files.""",
            """Make it software a platform team would run: a reproducible build, a verifiable artifact, a
            strict input contract, a fallback, logs and metrics, and a one-command rollback.""",
            """A training command writes every model to a new version folder ({n_versions} in this run) with
            its metadata and SHA-256; the service checks the checksum before loading; pydantic models refuse
            bad input with a 422 that names the field; the batch job validates every row with the same schema;
            a documented rule-based fallback answers when no verified model can; a `CURRENT` pointer names the
            serving version, and rollback moves it back.""",
            """Version {served} served with an out-of-time ROC-AUC of {roc_auc} and a PR-AUC of {pr_auc} on
            {n_test} rows (churn rate {base_rate}), against a PR-AUC of {prev_pr_auc} for {rollback_to}. The
            batch job accounted for every row: {accounting}. One command rolled `CURRENT` back from
            {rollback_from} to {rollback_to}.""",
        ),
        (
            (
                "What happens when the model file is corrupt at 3 a.m.?",
                """The checksum does not match, so the file is never opened; `/ready` answers 503 with the
                reason, the fallback rule answers with `fallback: true`, and `churn_fallback_total` goes up:
                that counter is what pages.""",
            ),
            (
                "How do you roll back, and how long does it take?",
                """`make rollback` moves `CURRENT` from {rollback_from} to {rollback_to} atomically, and a
                restart serves it. Training never overwrites a version, so the old one is still there with its
                checksum.""",
            ),
            (
                "How fast is it?",
                """Measure before you claim: `benchmarks/p2_latency.py` prints the p99 of `/predict` over
                loopback and `benchmarks/p2_batch.py` the batch throughput against a bare `predict_proba`;
                quote both, with the machine they ran on.""",
            ),
        ),
        (
            _readme("Failure modes and the fallback", "List the ways serving can fail"),
            _readme("Rollback", "How do you roll back, how long does it take"),
        ),
    ),
)
_P3_STORIES = (
    ProjectStory(
        "data",
        "Tell me about a data problem you caught before it reached production.",
        (
            """Raw daily exports had to become training data and daily scores: {customers} customers, {usage}
            usage rows, {invoices} invoices and {tickets} tickets after validation, with churn known only
            weeks after it happens.""",
            """Features computed as of each snapshot date, labels used only once they are known, and the same
            features for training and serving.""",
            """I wrote point-in-time feature windows in DuckDB SQL that end strictly before the as-of date, an
            online Python path checked against them, labels marked mature only once the churn window and the
            reporting delay have passed, and pandera contracts that stop a run before it writes anything.""",
            """Letting the windows see past the as-of date lifted the offline ROC AUC to {leaky_offline};
            served without the future, that model scores {leaky_served}, below the honest model's
            {point_in_time}. On the run of {run_date}, {mature} labelled rows were mature ({positive_rate}
            churners) and {held_back} ({held_share}) were held back instead of being labelled 0.""",
        ),
        (
            (
                "How do you prove there is no leak?",
                """Tests inject events on and after the as-of date and check that no feature changes; the skew
                test checks that the SQL and the online path agree on every sampled customer.""",
            ),
            (
                "What does holding back {held_back} rows cost you?",
                """The most recent {held_share} of the rows. Labelling them 0 instead would teach the model
                that recent customers never churn.""",
            ),
            (
                "What happens when upstream changes the schema?",
                """A version the pipeline does not accept is refused before anything is written, with the list
                of changes; an accepted one goes through a versioned adapter. Every score row names its model
                version ({model_version}) and its input snapshot.""",
            ),
        ),
        (
            _readme("Which features could leak future information"),
            _readme("How labels are created and when they mature"),
        ),
    ),
)
_P4_STORIES = (
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
            _readme("Q3. Your latency budget has headroom"),
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
            _readme("Q1. Your review capacity binds"),
            Answer("DESIGN_DOC.md", "13. Ownership and on-call", "## 13. Ownership and on-call"),
        ),
    ),
)
_P5_STORIES = (
    ProjectStory(
        "production",
        "Tell me about a model you ran in production and how you knew it was still right.",
        (
            """A monthly churn model picks the {contact_share} of customers the retention team contacts;
            labels arrive weeks after each month ends, and prices changed during the year.""",
            """Make promotion, rollback and retraining explicit, auditable decisions, and know whether the
            model is still right before the labels arrive.""",
            """I tracked every run in MLflow with its data fingerprint, time window, code version and owner;
            served the version behind a `champion` alias with a promotion gate in front; monitored input PSI,
            prediction drift, the contact rate and batch errors every month, and realized performance once at
            least {min_labels} labels had matured; `decide()` turns them into retrain, hold or roll back, with
            reasons.""",
            """The stable months peaked at a PSI of {max_psi_stable}, against an alarm at {psi_alarm}. The
            drift that began in {onset} raised its first alarm in {first_alarm}, a detection delay of {delay}.
            A hotfix forced over the gate contacted {hotfix_rate} of customers, outside the {band} band, and
            one call rolled it back. Version {champion} serves at the end of the year.""",
        ),
        (
            (
                "Tell me about a deployment that went wrong.",
                """The registry's record: {rollback}. The contact rate ({hotfix_rate}) left the {band} band on
                the first batch while the inputs were stable: the model, not the world, had changed.""",
            ),
            (
                "How do you avoid false alarms?",
                """The threshold ({psi_alarm}) sits far above the largest PSI of the stable months
                ({max_psi_stable}), and the drift still crossed it with a delay of {delay}.""",
            ),
            (
                "Which alarms fire before labels arrive, and which after?",
                """Before: input PSI, prediction PSI, the contact rate, batch errors. After: realized PR-AUC,
                once at least {min_labels} labels have matured.""",
            ),
        ),
        (
            _readme("How to roll back", "What does one call do"),
            _readme("The retraining decision and its evidence", "When does `decide()` say retrain"),
        ),
    ),
    ProjectStory(
        "evaluation",
        "How did you decide that a new model should replace the old one?",
        (
            """Every month a retrained challenger could replace the champion that picks the {contact_share} of
            customers to contact; a model that looks better on a lucky month, or better on average but worse
            for one group, should not.""",
            "A promotion gate that compares like with like, and writes down why.",
            """The gate scores the challenger and the champion on the same month of matured labels. The
            challenger must beat the champion's PR-AUC by at least {margin}, its calibration error may rise by
            at most {max_cal}, and recall on the worst slice may fall by at most {max_slice}. The decision and
            every reason are written on the registry version.""",
            """Over the simulated year the gate refused {n_refused} of the models put to it and promoted
            {n_promoted}. A promotion: {promotion}. A refusal: {refusal}.""",
        ),
        (
            ("Did the gate ever refuse a model that was better on your main metric?", "{better_refused}"),
            (
                "Why a margin on top of 'better'?",
                """One month's PR-AUC moves by more than small gains; a margin of {margin} keeps the champion
                from changing on noise.""",
            ),
            (
                "Why PR-AUC as the primary metric?",
                """The decision is a ranking with a budget of {contact_share} and rare churners; PR-AUC
                measures the top of the ranking, where the contacts are.""",
            ),
        ),
        (_readme("How a model is promoted", "What does the gate compare"),),
    ),
)

PROJECTS: dict[str, ProjectSpec] = {
    "p1_baseline": ProjectSpec(
        "reports/metrics.json", "run baseline.ipynb top to bottom", _p1_facts, _P1_STORIES
    ),
    "p2_serving": ProjectSpec(
        "reports/serving.json", "run serving.ipynb top to bottom", _p2_facts, _P2_STORIES
    ),
    "p3_pipeline": ProjectSpec(
        "reports/pipeline.json", "run pipeline.ipynb top to bottom", _p3_facts, _P3_STORIES
    ),
    "p4_design": ProjectSpec(
        "reports/decision.json", "run cost_and_capacity.ipynb top to bottom", _p4_facts, _P4_STORIES
    ),
    "p5_lifecycle": ProjectSpec(
        "reports/lifecycle.json", "run lifecycle.ipynb top to bottom", _p5_facts, _P5_STORIES
    ),
}
