"""Graded: the results file tells a consistent story, and the README's answers quote it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from course import worlds
from course.grading.doclint import DocSpec, NumberRule, SectionSpec, cross_check, format_findings, lint

PEEKING, BANDIT = "Why not stop as soon as it is significant", "When is a bandit the wrong tool"
PRE_PERIOD = {"revenue_pre_90d", "minutes_pre_28d"}
NUMBER = NumberRule(r"-?\d+(?:\.\d+)?", "a number from reports/online.json")

README = DocSpec(
    name="README.md",
    sections=(
        SectionSpec("Ship or not: the memo", 80, (("primary",), ("guardrail",), ("interval",)), (NUMBER,),
                    guidance="the pre-registered metrics, each offer's effect and interval, the decision"),
        SectionSpec("What the experiment proves and what it does not", 60, (("coverage", "contained"),
                    ("interference",), ("novelty",)), (NUMBER,)),
        SectionSpec("How long must the experiment run", 40, (("MDE", "minimum detectable"), ("delay",)),
                    (NUMBER,)),
        SectionSpec("Why not stop as soon as it is significant", 30,
                    (("A/A",), ("mSPRT", "sequential", "always-valid")), (NUMBER,)),
        SectionSpec("Who to target with the discount", 40, (("uplift",), ("risk",), ("Qini",)), (NUMBER,)),
        SectionSpec("When is a bandit the wrong tool", 40, (("regret",), ("delay", "late")), (NUMBER,)),
    ),
)  # fmt: skip


def _results(project_dir) -> dict:
    path = project_dir / "reports" / "online.json"
    if not path.is_file():
        pytest.fail("reports/online.json is missing: run online.ipynb.", pytrace=False)
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.rubric("p7.results.report", points=4)
def test_results_file_tells_a_consistent_story(project_dir):
    """reports/online.json: SRM flagged, CUPED on a pre-period covariate, honest uplift and bandit figures"""
    r = _results(project_dir)
    graded_in = worlds.current().learner
    assert r.get("world") == graded_in, (
        f"reports/online.json says it was written in world {r.get('world')!r}, and you are graded in world "
        f"{graded_in!r}: build the data with worlds.current().churn() (your learner.toml), as the first "
        "cell of online.ipynb does, and keep its results['world']."
    )
    assert r["srm"]["srm"]["mismatch"] and not r["srm"]["clean"]["mismatch"], (
        "flag the srm log, pass the clean one."
    )
    cuped = r["last_test"]["cuped"]
    assert cuped["covariate"] in PRE_PERIOD, (
        f"CUPED used {cuped['covariate']!r}; the covariate must be measured before assignment "
        f"({sorted(PRE_PERIOD)}): usage after the offer is moved by the offer and removes part of its effect."
    )
    assert cuped["se_ratio"] == pytest.approx(np.sqrt(1 - cuped["rho"] ** 2), abs=0.03)
    assert 0.88 <= r["coverage"]["plain"] <= 1 and 0.88 <= r["coverage"]["cuped"] <= 1
    peek = r["peeking"]
    assert peek["fpr_naive"] > 0.15 and peek["fpr_msprt"] <= 0.055 and peek["n_experiments"] >= 10_000
    up = r["uplift"]
    assert up["qini_holdout"] < up["qini_train"], (
        "score the Qini on held-out customers: the training customers' Qini flatters the model."
    )
    assert up["profit_uplift"] > up["profit_risk"]
    regret = r["bandit"]["mean_regret"]
    assert regret["thompson"] < regret["equal_split"] and regret["epsilon_greedy"] < regret["equal_split"]


def _follows_the_rule(effects: dict, cost: float) -> bool:
    """The pre-registered rule: ship only on a credible gain over the contact cost, no guardrail breached."""
    breached = effects["complaints"]["low"] > 0 or effects["retention"]["high"] < 0
    return not breached and effects["revenue"]["low"] > cost


@pytest.mark.rubric("p7.results.decisions", points=1)
def test_every_offer_has_the_verdict_its_intervals_support(project_module, project_dir):
    """reports/online.json records a verdict per offer that its own intervals, cost and guardrails support"""
    from course.data import offers

    experiment = _results(project_dir).get("experiment", {})
    decisions, arms = experiment.get("decisions", {}), experiment.get("arms", {})
    missing = [offer for offer in offers.OFFERS if offer not in decisions or offer not in arms]
    assert not missing, (
        f"reports/online.json has no verdict or no effects for {missing} under experiment.decisions / "
        "experiment.arms: record, for every offer, 'ship' or 'no-ship: <why>'."
    )
    for offer in offers.OFFERS:
        ships = _follows_the_rule(arms[offer], offers.CONTACT_COST[offer])
        said = str(decisions[offer])
        assert said == "ship" if ships else said.startswith("no-ship: "), (
            f"{offer}: your results say {said!r}, but its recorded revenue interval "
            f"[{arms[offer]['revenue']['low']:.3f}, {arms[offer]['revenue']['high']:.3f}] against a contact "
            f"cost of {offers.CONTACT_COST[offer]} and its guardrails say it should "
            f"{'ship' if ships else 'not ship'}."
        )


@pytest.mark.rubric("p7.readme.answers", points=3)
def test_readme_answers(project_dir):
    """README answers each question: the memo, what it proves, how long, peeking, targeting, bandits"""
    text = (project_dir / "README.md").read_text(encoding="utf-8")
    findings = lint(text, README)
    assert not findings, format_findings(findings)


@pytest.mark.rubric("p7.readme.numbers", points=4)
def test_readme_quotes_the_results(project_dir):
    """README quotes the effect, coverage, MDE, false-positive rates, profit, Qini and regret"""
    r = _results(project_dir)
    text = (project_dir / "README.md").read_text(encoding="utf-8")
    discount = r["experiment"]["arms"]["discount"]["revenue"]
    checks = [
        ("Ship or not: the memo", discount["estimate"], "the discount's CUPED revenue effect", 0.002),
        ("What the experiment proves and what it does not", r["coverage"]["plain"], "the coverage", 0.002),
        ("How long must the experiment run", r["design"]["mde_month"], "one month's MDE", 0.002),
        (PEEKING, r["peeking"]["fpr_naive"], "naive peeking's false-positive rate", 0.002),
        (PEEKING, r["peeking"]["fpr_msprt"], "the mSPRT's false-positive rate", 0.002),
        ("Who to target with the discount", r["uplift"]["profit_uplift"], "the uplift list's profit", 0.002),
        ("Who to target with the discount", r["uplift"]["qini_holdout"], "the held-out Qini", 0.002),
        (BANDIT, r["bandit"]["mean_regret"]["thompson"], "Thompson sampling's mean regret", 0.002),
    ]  # fmt: skip
    findings = [cross_check(text, section, value, f"{what} in reports/online.json", rel_tol=tol)
                for section, value, what, tol in checks]  # fmt: skip
    findings = [f for f in findings if f is not None]
    assert not findings, format_findings(findings)
