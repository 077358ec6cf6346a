"""Project 3's interview stories: the facts they quote from its results file, and the stories."""

from __future__ import annotations

from course.stories.projects import ProjectStory, read_table, readme_answer
from course.stories.results import (
    Fact,
    Facts,
    Results,
    format_score,
    format_share,
)

TABLE = """
leaky_offline  auc_leaky_offline         score   ROC AUC with windows that see the future, offline
leaky_served   auc_leaky_served          score   the same model served without the future
point_in_time  auc_point_in_time         score   ROC AUC of the point-in-time model
churners       evaluation.churners       amount  churners in the evaluation snapshot
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


def facts(r: Results) -> Facts:
    facts = read_table(r, TABLE)
    held, mature = r.number("labels_held_back"), r.number("labels_mature")
    share = format_share(held / (held + mature) if held + mature else 0.0)
    facts["held_share"] = Fact(share, "share of rows held back", "held back / (held back + mature)")
    low, high = r.listed("auc_intervals.point_in_time")
    facts["pit_interval"] = Fact(
        f"{format_score(float(low))} to {format_score(float(high))}",
        "95 % interval of the point-in-time AUC",
        "bootstrap over the evaluation snapshot's customers",
    )
    return facts


STORIES = (
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
            {point_in_time} (95 % interval {pit_interval}, on {churners} churners). On the run of
            {run_date}, {mature} labelled rows were mature ({positive_rate} churners) and {held_back}
            ({held_share}) were held back instead of being labelled 0.""",
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
            readme_answer("Which features could leak future information"),
            readme_answer("How labels are created and when they mature"),
        ),
    ),
)
