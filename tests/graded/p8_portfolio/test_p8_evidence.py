"""Graded: reading every results file into flat evidence, with intervals and worlds (portfolio.evidence)."""

from __future__ import annotations

import pytest

NESTED = {
    "schema_version": 1,
    "models": {"boosting": {"pr_auc": 0.38, "name": "boosting"}},
    "credible": True,
    "gates": [{"difference": -0.005}, 3],
    "note": "text",
}


def _by_name(found: list[dict]) -> dict[str, dict]:
    return {item["name"]: item for item in found}


@pytest.mark.rubric("p8.evidence.flatten", points=4)
def test_flatten_names_every_number_by_its_dotted_path(project_module):
    """flatten_results() turns every number into evidence named by its dotted path, lists by position"""
    evidence = project_module("portfolio.evidence")
    found = _by_name(evidence.flatten_results(NESTED, "p1_alpha"))
    expected = {
        "schema_version": 1.0,
        "models.boosting.pr_auc": 0.38,
        "gates.0.difference": -0.005,
        "gates.1": 3.0,
    }
    got = {name: item["value"] for name, item in found.items()}
    assert got == expected, (
        f"flatten_results() on a nested results object should give {expected}; it gave {got}. Name each "
        "number by its dotted path (models.boosting.pr_auc), list positions from 0 (gates.0.difference)."
    )
    assert all(item["project"] == "p1_alpha" for item in found.values()), (
        "Each item's project is the one given."
    )


@pytest.mark.rubric("p8.evidence.flatten", points=3)
def test_flatten_leaves_out_booleans_and_text(project_module):
    """flatten_results() leaves out booleans and text: they are not numbers a portfolio can quote"""
    evidence = project_module("portfolio.evidence")
    names = set(_by_name(evidence.flatten_results(NESTED, "p1_alpha")))
    wrong = sorted(names & {"credible", "note", "models.boosting.name"})
    assert not wrong, f"{wrong} are booleans or text, not evidence: True is not the number 1."


INTERVALS = [
    (
        {"headline": {"metric": "pr_auc", "value": 0.38, "ci_low": 0.34, "ci_high": 0.43}},
        "headline.value",
        [0.34, 0.43],
    ),
    (
        {"arm": {"estimate": 0.055, "low": 0.039, "high": 0.071, "p_value": 0.01}},
        "arm.estimate",
        [0.039, 0.071],
    ),
    ({"gap": 0.17, "gap_low": 0.11, "gap_high": 0.35}, "gap", [0.11, 0.35]),
    (
        {"auc_point_in_time": 0.84, "auc_intervals": {"point_in_time": [0.79, 0.88]}},
        "auc_point_in_time",
        [0.79, 0.88],
    ),
]


@pytest.mark.rubric("p8.evidence.intervals", points=2)
@pytest.mark.parametrize(("data", "name", "interval"), INTERVALS, ids=["ci_low", "low", "name_low", "listed"])
def test_flatten_keeps_each_interval_with_its_value(project_module, data, name, interval):
    """Evidence keeps the interval the results give a value (ci_low/high, low/high, name_low, *_intervals)"""
    evidence = project_module("portfolio.evidence")
    found = _by_name(evidence.flatten_results(data, "p1_alpha"))
    got = found.get(name, {}).get("interval")
    assert got is not None and list(got) == pytest.approx(interval), (
        f"In {data}, {name} has the interval {interval}; your evidence gives {got}. A number quoted without "
        "its interval is a claim, not a measurement: see find_interval()'s docstring for the shapes."
    )


@pytest.mark.rubric("p8.evidence.intervals", points=2)
def test_only_the_point_estimate_takes_the_interval(project_module):
    """The interval goes to the point estimate only, not to the bounds or the other numbers beside it"""
    evidence = project_module("portfolio.evidence")
    data = {"headline": {"value": 0.38, "ci_low": 0.34, "ci_high": 0.43, "n_bootstrap": 200}}
    found = _by_name(evidence.flatten_results(data, "p1_alpha"))
    wrong = sorted(
        n
        for n in ("headline.ci_low", "headline.ci_high", "headline.n_bootstrap")
        if found.get(n, {}).get("interval")
    )
    assert not wrong, f"{wrong} got the interval of headline.value: only the point estimate has it."


@pytest.mark.rubric("p8.evidence.world", points=5)
def test_evidence_records_the_world_of_its_results(project_module):
    """Evidence records the world its results file names, and "default" when the file names none"""
    evidence = project_module("portfolio.evidence")
    learner = {item["world"] for item in evidence.flatten_results({"world": "bob", "x": 1.5}, "p7_online")}
    default = {item["world"] for item in evidence.flatten_results({"x": 1.5}, "p1_alpha")}
    assert learner == {"bob"}, (
        f'A results file with "world": "bob" gave worlds {learner}: your numbers come from your own world, '
        'and the portfolio must say so (read the file\'s "world").'
    )
    assert default == {"default"}, f"A results file without a world gave {default}; it should be 'default'."


@pytest.mark.rubric("p8.evidence.collect", points=4)
def test_collect_reads_each_projects_results_file(project_module, made_up_projects):
    """collect_evidence() reads the results file each other project's manifest names, itself left out"""
    evidence = project_module("portfolio.evidence")
    found = evidence.collect_evidence(str(made_up_projects), exclude="p8_portfolio")
    projects = sorted({item["project"] for item in found["evidence"]})
    assert projects == ["p1_alpha", "p4_delta"], (
        f"Of the folder's projects, p1_alpha and p4_delta have results; your evidence comes from {projects}. "
        "Read the file named by `results` in each project.toml, and leave the portfolio project out."
    )
    worlds = {item["world"] for item in found["evidence"] if item["project"] == "p4_delta"}
    assert worlds == {"bob"}, f"p4_delta's results say world 'bob'; your evidence says {worlds}."


@pytest.mark.rubric("p8.evidence.collect", points=4)
def test_collect_lists_projects_without_results_instead_of_failing(project_module, made_up_projects):
    """collect_evidence() lists a project with no or broken results, naming its file, instead of failing"""
    evidence = project_module("portfolio.evidence")
    found = evidence.collect_evidence(str(made_up_projects), exclude="p8_portfolio")
    missing = found["missing"]
    assert sorted(missing) == ["p2_beta", "p3_gamma"], (
        f"p2_beta has no results file and p3_gamma's is not valid JSON; `missing` lists {sorted(missing)}."
    )
    for project, name in (("p2_beta", "reports/beta.json"), ("p3_gamma", "reports/gamma.json")):
        assert name in missing[project], f"The reason for {project} should name {name}: {missing[project]!r}."
