"""Per-project facts: the values each project's stories quote, read from its results file.

Each table line is ``name key format label``; ``_p1_facts`` ... ``_p5_facts`` add the facts a table cannot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from course.stories.results import (
    FORMATS,
    Fact,
    Facts,
    Results,
    _fill,
    format_amount,
    format_quantity,
    format_score,
    format_share,
)


def _read(r: Results, table: str, **context: str) -> Facts:
    """Facts from ``name key format label`` lines; ``{field}`` in a key comes from ``context``.

    A label ``-`` marks a fact the texts quote but the numbers table leaves out.
    """
    facts: Facts = {}
    for line in filter(str.strip, table.splitlines()):
        name, key, kind, label = line.split(maxsplit=3)
        key = key.format(**context)
        value = r.get(key) if kind == "text" else r.number(key)
        facts[name] = Fact(FORMATS[kind](value), "" if label == "-" else label, f"`{key}`")
    return facts


_MODEL_NAMES = {"prior": "the prior", "rule": "the hand rule", "logistic": "logistic regression"}
_MODEL_NAMES |= {"boosting": "gradient boosting", "mlp": "the MLP"}
_P1 = """
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


def _p1_facts(r: Results) -> Facts:
    chosen, policy = str(r.get("chosen_model")), str(r.get("threshold.policy"))
    facts = _read(r, _P1, chosen=chosen, policy=policy)
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
    if lift <= 0:
        verdict = "the model does not beat the baseline, so the honest result is to ship the baseline"
    elif r.number("headline.ci_low") <= base <= r.number("headline.ci_high"):
        verdict = (
            "the baseline lies inside the model's interval, so the gain is real but modest: confirm it on "
        )
        verdict += "more months"
    else:
        verdict = (
            "the baseline lies outside the model's interval, so the gain is larger than the resampling noise"
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


_P2 = """
rows_in        batch.rows_in                 amount  batch rows in
rows_scored    batch.rows_scored             amount  batch rows scored
rows_rejected  batch.rows_rejected           amount  batch rows rejected
max_batch      max_batch_size                amount  largest request batch
served         served_version_before_rollback text   served version
rollback_from  rollback.from                 text    rollback from
rollback_to    rollback.to                   text    rollback to
roc_auc        metrics.{served}.roc_auc      score   served version's ROC-AUC
pr_auc         metrics.{served}.pr_auc       score   served version's PR-AUC
n_test         metrics.{served}.n_test       amount  test rows
base_rate      metrics.{served}.base_rate    share   churn rate of the test rows
prev_pr_auc    metrics.{previous}.pr_auc     score   previous version's PR-AUC
"""


def _p2_facts(r: Results) -> Facts:
    served, previous = str(r.get("served_version_before_rollback")), str(r.get("rollback.to"))
    facts = _read(r, _P2, served=served, previous=previous)
    facts["n_versions"] = Fact(str(len(r.listed("metrics", Mapping))), "versions trained", "`metrics`")
    rows_in, scored, rejected = (
        r.number(f"batch.{key}") for key in ("rows_in", "rows_scored", "rows_rejected")
    )
    if rows_in == scored + rejected:
        accounting = (
            f"{format_amount(rows_in)} rows in = {format_amount(scored)} scored + {format_amount(rejected)} "
        )
        accounting += "rejected, each with its reason"
    else:
        accounting = f"{format_amount(rows_in - scored - rejected)} of {format_amount(rows_in)} rows are not "
        accounting += "accounted for: find them before you tell this story"
    facts["accounting"] = Fact(accounting)
    return facts


_P3 = """
leaky_offline  auc_leaky_offline         score   ROC AUC with windows that see the future, offline
leaky_served   auc_leaky_served          score   the same model served without the future
point_in_time  auc_point_in_time         score   ROC AUC of the point-in-time model
held_back      labels_held_back          amount  rows held back (immature labels)
mature         labels_mature             amount  rows with mature labels
positive_rate  positive_rate             share   churn rate of the mature rows
run_date       run_date                  text    run date
customers      validated_rows.customers  amount  validated customers
usage          validated_rows.usage      amount  validated usage rows
invoices       validated_rows.invoices   amount  validated invoices
tickets        validated_rows.tickets    amount  validated tickets
model_version  model_version             text    model version stamped on every score
"""


def _p3_facts(r: Results) -> Facts:
    facts = _read(r, _P3)
    held, mature = r.number("labels_held_back"), r.number("labels_mature")
    share = format_share(held / (held + mature) if held + mature else 0.0)
    facts["held_share"] = Fact(share, "share of rows held back", "held back / (held back + mature)")
    return facts


_P4 = """
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


def _p4_facts(r: Results) -> Facts:
    facts = _read(r, _P4)
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


_P5 = """
champion        champion_version                 amount  champion version at the end of the year
onset           drift_onset_month                text    month the drift began
first_alarm     first_alarm_month                text    month of the first drift alarm
max_psi_stable  max_psi_stable_months            score   largest PSI on stable months
hotfix_rate     hotfix_contact_rate              share   contact rate of the bad hotfix
psi_alarm       policy.psi_alarm                 num     PSI alarm threshold
contact_share   policy.contact_share             share   contact budget
margin          policy.promotion_margin          num     promotion margin (PR-AUC)
max_cal         policy.max_calibration_increase  num     allowed rise in calibration error
max_slice       policy.max_slice_recall_drop     num     allowed drop in worst-slice recall
min_labels      policy.min_mature_labels         amount  mature labels before realized metrics count
"""
_GATE = re.compile(r"^month \d+: (?P<model>[^:]+): (?P<decision>PROMOTE|REFUSE): (?P<why>.*)$")


def _quote_first(events: list[str], none: str) -> str:
    return f"“{events[0]}”" if events else none


def _p5_facts(r: Results) -> Facts:
    facts = _read(r, _P5)
    delay = int(r.number("detection_delay_months"))
    facts["delay"] = Fact(
        f"{delay} month{'' if delay == 1 else 's'}", "detection delay", "`detection_delay_months`"
    )
    share, ratio = r.number("policy.contact_share"), r.number("policy.max_contact_ratio")
    band = f"{format_share(share / ratio)} to {format_share(share * ratio)}" if ratio else "n/a"
    facts["band"] = Fact(band, "contact-rate band", "contact_share ÷ and × max_contact_ratio")
    events = [str(event) for event in r.listed("events")]
    gates = [(event, match) for event in events if (match := _GATE.match(event))]
    promoted = [event for event, match in gates if match["decision"] == "PROMOTE"]
    refused = [event for event, match in gates if match["decision"] == "REFUSE"]
    better = [
        event for event, match in gates if match["decision"] == "REFUSE" and match["why"].startswith("ok:")
    ]
    facts["n_promoted"] = Fact(str(len(promoted)), "models promoted by the gate", "`events`")
    facts["n_refused"] = Fact(str(len(refused)), "models refused by the gate", "`events`")
    facts["promotion"] = Fact(_quote_first(promoted, "none in this run"))
    facts["refusal"] = Fact(_quote_first(refused, "none in this run"))
    facts["better_refused"] = Fact(
        _quote_first(better, "Not in this run: every refused model was also worse.")
    )
    rollbacks = [event for event in events if "rollback to" in event]
    facts["rollback"] = Fact(_quote_first(rollbacks, "no rollback in this run"))
    return facts
