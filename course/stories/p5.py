"""Project 5's interview stories: the facts they quote from its results file, and the stories."""

from __future__ import annotations

import re

from course.stories.projects import ProjectStory, read_table, readme_answer
from course.stories.results import (
    Fact,
    Facts,
    Results,
    format_share,
)

TABLE = """
champion        champion_version                 amount  champion version at the end of the year
onset           drift_onset_month                text    month the drift began
first_alarm     first_alarm_month                text    month of the first drift alarm
max_psi_stable  max_psi_stable_months            score   largest PSI on stable months
hotfix_rate     hotfix_contact_rate              share   contact rate of the bad hotfix
psi_alarm       policy.psi_alarm                 num     PSI alarm threshold
contact_share   policy.contact_share             share   contact budget
margin          policy.promotion_margin          num     margin the PR-AUC interval's low end must clear
n_boot          policy.n_boot                    amount  customer resamples of the paired bootstrap
max_cal         policy.max_calibration_increase  num     allowed rise in calibration error
max_slice       policy.max_slice_recall_drop     num     slice tolerance (interval below minus this fails)
min_slice       policy.min_slice_positives       amount  churners a slice needs to be judged
min_labels      policy.min_mature_labels         amount  mature labels before realized metrics count
"""
_GATE = re.compile(r"^month \d+: (?P<model>[^:]+): (?P<decision>PROMOTE|REFUSE): (?P<why>.*)$")


def _quote_first(events: list[str], none: str) -> str:
    return f"“{events[0]}”" if events else none


def facts(r: Results) -> Facts:
    facts = read_table(r, TABLE)
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
        _quote_first(better, "Not in this run: no refused model was credibly better on PR-AUC.")
    )
    rollbacks = [event for event in events if "rollback to" in event]
    facts["rollback"] = Fact(_quote_first(rollbacks, "no rollback in this run"))
    return facts


STORIES = (
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
            readme_answer("How to roll back", "What does one call do"),
            readme_answer("The retraining decision and its evidence", "When does `decide()` say retrain"),
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
            """The gate scores the challenger and the champion on the same month of matured labels,
            resamples those customers {n_boot} times and scores both models on every resample: the
            challenger is promoted only when the interval of the PR-AUC difference lies above {margin}, never
            on a point estimate. Its calibration error may rise by at most {max_cal}; a slice with at least
            {min_slice} churners fails only when its whole interval of recall difference lies below minus
            {max_slice}, and smaller slices are reported as too small to judge. The decision and every
            reason are written on the registry version.""",
            """Over the simulated year the gate refused {n_refused} of the models put to it and promoted
            {n_promoted}. A promotion: {promotion}. A refusal: {refusal}.""",
        ),
        (
            ("Did the gate ever refuse a model that was better on your main metric?", "{better_refused}"),
            (
                "Why a paired interval instead of a margin on 'better'?",
                """One month's PR-AUC moves by more than small gains when its customers are resampled. Scoring
                both models on the same {n_boot} resamples cancels what they share, so a small gain that holds
                on every customer shows, and a lucky month does not.""",
            ),
            (
                "Why PR-AUC as the primary metric?",
                """The decision is a ranking with a budget of {contact_share} and rare churners; PR-AUC
                measures the top of the ranking, where the contacts are.""",
            ),
        ),
        (readme_answer("How a model is promoted", "What does the gate compare"),),
    ),
)
