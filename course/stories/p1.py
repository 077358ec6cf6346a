"""Project 1's interview stories: the facts they quote from its results file, and the stories."""

from __future__ import annotations

from collections.abc import Mapping

from course.stories.projects import ProjectStory, read_table, readme_answer
from course.stories.results import (
    Fact,
    Facts,
    Results,
    _fill,
    format_score,
    format_share,
)

_MODEL_NAMES = {"prior": "the prior", "rule": "the hand rule", "logistic": "logistic regression"}
_MODEL_NAMES |= {"boosting": "gradient boosting", "mlp": "the MLP"}
TABLE = """
capacity       decision.capacity                     share   contact capacity (share of customers)
contact_cost   decision.contact_cost                 amount  cost of one contact
saved_value    decision.saved_value                  amount  value of a saved customer
save_rate      decision.save_rate                    share   chance that a contact saves a churner
n_customers    data.n_customers                      amount  customers in the world
export_date    data.export_date                      text    export date
n_fit          data.n_fit                            amount  training rows
n_validation   data.n_validation                     amount  validation rows
n_test         data.n_test                           amount  test customer-months
base_rate      data.test_base_rate                   share   churn rate of the test months
prior          models.prior.pr_auc                   score   PR-AUC of the prior
rule           models.rule.pr_auc                    score   PR-AUC of the hand rule
logistic       models.logistic.pr_auc                score   PR-AUC of logistic regression
rule_profit    models.rule.expected_profit           amount  hand rule's profit at capacity
model_profit   models.{chosen}.expected_profit       amount  chosen model's profit at capacity
roc_auc        models.{chosen}.roc_auc               score   chosen model's ROC-AUC
model_pr_auc   headline.value                        score   chosen model's PR-AUC
ci_low         headline.ci_low                       score   95 % interval, low end
ci_high        headline.ci_high                      score   95 % interval, high end
n_bootstrap    headline.n_bootstrap                  amount  bootstrap resamples
resampled_by   headline.resampled_by                 text    -
mlp_pr_auc     mlp_vs_boosting.mlp.pr_auc            score   PR-AUC of the MLP
mlp_s          mlp_vs_boosting.mlp.train_seconds     qty     MLP training time (s)
gb_s           mlp_vs_boosting.boosting.train_seconds qty    boosting training time (s)
with_leaks     leakage.pr_auc_with_leaks             score   PR-AUC with the leaky columns
without_leaks  leakage.pr_auc_without                score   PR-AUC without them
policy         threshold.policy                      text    -
threshold      threshold.value                       score   chosen threshold
share          threshold.share_contacted             share   share contacted at the threshold
precision      policies.{policy}.precision           score   precision at the threshold
recall         policies.{policy}.recall              score   recall at the threshold
profit         expected_profit                       amount  expected profit of the chosen policy
cap_threshold  policies.capacity.threshold           score   threshold that fills the capacity
cap_profit     policies.capacity.expected_profit     amount  profit when filling the capacity
be_threshold   policies.profit.threshold             score   break-even threshold
be_profit      policies.profit.expected_profit       amount  profit of the break-even policy
cal_method     calibration.method                    text    -
ece_raw        calibration.ece_raw                   score   ECE of the class-weighted model
ece_cal        calibration.ece_calibrated            score   ECE after calibration
ece_chosen     calibration.ece_chosen_model          score   ECE of the chosen model
slice          worst_slice.slice                     text    -
slice_value    worst_slice.value                     text    -
slice_metric   worst_slice.metric                    text    -
slice_score    worst_slice.score                     score   -
slice_n        worst_slice.n                         amount  -
slice_pos      worst_slice.positives                 amount  -
group          fairness.group                        text    -
gap_metric     fairness.largest_gap.metric           text    -
gap            fairness.largest_gap.gap              score   largest gap across groups
gap_low        fairness.largest_gap.low_group        text    -
gap_high       fairness.largest_gap.high_group       text    -
"""


def facts(r: Results) -> Facts:
    chosen, policy = str(r.get("chosen_model")), str(r.get("threshold.policy"))
    facts = read_table(r, TABLE, chosen=chosen, policy=policy)
    facts["chosen"] = Fact(_MODEL_NAMES.get(chosen, chosen), "chosen model", "`chosen_model`")
    baselines = {key: r.number(f"models.{key}.pr_auc") for key in ("prior", "rule", "logistic")}
    best = max(baselines, key=baselines.__getitem__)
    base, model = baselines[best], r.number("headline.value")
    facts["best_baseline"] = Fact(
        _MODEL_NAMES[best], "strongest baseline", "best PR-AUC of prior, rule, logistic"
    )
    lift = (model - base) / base if base else 0.0
    facts["lift"] = Fact(
        format_share(lift), "lift over the strongest baseline", "(model - baseline) / baseline"
    )
    versus = next(
        (c for c in r.listed("comparisons") if isinstance(c, Mapping) and c.get("b") == "logistic"), None
    )
    if versus is None:
        verdict = "no paired comparison with the baseline is recorded, so the gain is unproven"
    else:
        span = f"{format_score(float(versus['ci_low']))} to {format_score(float(versus['ci_high']))}"
        difference = format_score(float(versus["difference"]))
        credible = versus.get("credible") and float(versus["difference"]) > 0
        verdict = f"the paired difference on the same customers, {difference} (95 % interval {span}), "
        verdict += (
            "excludes 0, so the gain is credible"
            if credible
            else "includes 0, so the honest result is to ship the simpler baseline"
        )
    facts["lift_verdict"] = Fact(verdict)
    save_value = r.number("decision.save_rate") * r.number("decision.saved_value")
    break_even = format_score(r.number("decision.contact_cost") / save_value) if save_value else "n/a"
    facts["break_even"] = Fact(
        break_even, "break-even churn probability", "contact_cost / (save_rate × saved_value)"
    )
    nobody = format_share(1 - r.number("data.test_base_rate"))
    facts["accuracy_nobody"] = Fact(nobody, "accuracy of 'nobody churns'", "1 - test_base_rate")
    tests, immature = r.listed("data.test_months"), r.listed("data.immature_months")
    facts["test_months"] = Fact(
        f"{tests[0]} to {tests[-1]}" if tests else "none", "test months", "`data.test_months`"
    )
    facts["n_immature"] = Fact(str(len(immature)), "immature months left out", "`data.immature_months`")
    facts["immature"] = Fact(", ".join(immature) or "none")
    dropped = r.listed("leakage.dropped", Mapping)
    facts["n_dropped"] = Fact(str(len(dropped)), "leaky columns dropped", "`leakage.dropped`")
    facts["dropped"] = Fact(", ".join(f"`{column}`" for column in dropped))
    first = next(iter(dropped), "")
    facts["first_leak"] = Fact(f"`{first}`: {dropped.get(first, '')}")
    facts["mlp_conclusion"] = Fact(str(r.get("mlp_vs_boosting.conclusion")))
    worst = (
        "{slice} = {slice_value}: {slice_metric} {slice_score} on {slice_pos} churners among {slice_n} rows"
    )
    facts["worst_slice"] = Fact(_fill(worst, facts), "worst slice", "`worst_slice`")
    gap = "{gap} in {gap_metric}, between {gap_low} and {gap_high}"
    facts["largest_gap"] = Fact(
        _fill(gap, facts),
        "largest gap across `{group}`".format_map({"group": facts["group"].value}),
        "`fairness.largest_gap`",
    )
    return facts


STORIES = (
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
        (readme_answer("3. Which baseline does the model beat"),),
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
            readme_answer("2. Where do the features and labels come from"),
            readme_answer("6. Which data would you collect"),
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
        (readme_answer("4. Which metric matches the decision"), readme_answer("5. Which errors matter most")),
    ),
)
