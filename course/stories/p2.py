"""Project 2's interview stories: the facts they quote from its results file, and the stories."""

from __future__ import annotations

from collections.abc import Mapping

from course.stories.projects import ProjectStory, read_table, readme_answer
from course.stories.results import (
    Fact,
    Facts,
    Results,
    format_amount,
)

TABLE = """
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
threshold      threshold.value               score   served decision threshold
rule_threshold threshold.fallback_rule       score   fallback rule's threshold
"""


def facts(r: Results) -> Facts:
    served, previous = str(r.get("served_version_before_rollback")), str(r.get("rollback.to"))
    facts = read_table(r, TABLE, served=served, previous=previous)
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


STORIES = (
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
                """The checksum does not match, so the file is never opened; `/ready` stays 200 but says
                `degraded` with the reason, `churn_model_ready` drops to 0, the fallback rule answers with
                `fallback: true`, and `churn_fallback_total` goes up: that counter is what pages. A load
                balancer keeps sending traffic, which is the point of a fallback. The rule decides at its
                own threshold, {rule_threshold} (the model's is {threshold}): training fits it by the same
                contact policy on the months before the test and writes it next to the versions, where the
                service finds it without the model.""",
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
            readme_answer("Failure modes and the fallback", "List the ways serving can fail"),
            readme_answer("Rollback", "How do you roll back, how long does it take"),
        ),
    ),
)
