"""Graded: which number a figure states, and requirements mapped onto evidence (portfolio.mapping)."""

from __future__ import annotations

import pytest

STATED = [
    ("0.380", 0.3796),
    ("0.38", 0.3796),
    ("0.12", 0.1249),
    ("5.2 %", 0.0517),
    ("1,966", 1966.0),
    ("-0.005", -0.005),
    ("0.2814", 0.2814),
]
NOT_STATED = [("0.39", 0.3796), ("0.4", 0.3796), ("2,750", 1966.0), ("n/a", 0.0)]

EVIDENCE = [
    {
        "project": "p1_alpha",
        "name": "models.boosting.pr_auc",
        "value": 0.3796,
        "interval": None,
        "world": "default",
    },
    {
        "project": "p1_alpha",
        "name": "headline.value",
        "value": 0.3796,
        "interval": [0.3393, 0.4308],
        "world": "default",
    },
    {"project": "p1_alpha", "name": "expected_profit", "value": 1966.0, "interval": None, "world": "default"},
    {"project": "p2_beta", "name": "batch.rows_in", "value": 400.0, "interval": None, "world": "default"},
    {"project": "p2_beta", "name": "batch.rows_scored", "value": 397.0, "interval": None, "world": "default"},
]


@pytest.mark.rubric("p8.mapping.states", points=1)
@pytest.mark.parametrize(("figure", "value"), STATED, ids=[f for f, _ in STATED])
def test_a_rounded_figure_states_its_value(project_module, figure, value):
    """states() accepts a figure rounded as written, a percentage and thousands separators"""
    mapping = project_module("portfolio.mapping")
    assert mapping.states(figure, value) is True, (
        f"states({figure!r}, {value}) should be True: the figure is the value rounded to the digits written "
        "(a percentage states the fraction; 1,966 is 1966)."
    )


@pytest.mark.rubric("p8.mapping.states", points=1)
@pytest.mark.parametrize(("figure", "value"), NOT_STATED, ids=[f for f, _ in NOT_STATED])
def test_another_figure_does_not_state_the_value(project_module, figure, value):
    """states() refuses another number, a one-digit rounding and text without a number"""
    mapping = project_module("portfolio.mapping")
    assert mapping.states(figure, value) is False, (
        f"states({figure!r}, {value}) should be False: it is not that value rounded to two or more "
        "significant digits, nor within 1 % of it."
    )


@pytest.mark.rubric("p8.mapping.requirements", points=4)
def test_a_requirement_maps_to_the_closest_evidence_of_its_project(project_module):
    """map_requirements() maps a row to the evidence of the project it names that its number states"""
    mapping = project_module("portfolio.mapping")
    rows = [{"requirement": "batch scoring", "project": "p2", "number": "397"}]
    rows += [{"requirement": "profit", "project": "Project 1", "number": "1,966"}]
    got = [row["evidence"] for row in mapping.map_requirements(rows, EVIDENCE)]
    assert got == ["batch.rows_scored", "expected_profit"], (
        f"The rows should map to batch.rows_scored and expected_profit; they map to {got}. Look only in the "
        "named project's evidence (p2 or 'Project 2'), and take the closest value when several are stated "
        "(397 is within 1 % of 400 too)."
    )


@pytest.mark.rubric("p8.mapping.requirements", points=3)
def test_a_number_from_another_project_is_no_evidence(project_module):
    """map_requirements() gives None to a number that only another project's results hold"""
    mapping = project_module("portfolio.mapping")
    rows = [{"requirement": "a model", "project": "p2", "number": "0.380"}]
    got = mapping.map_requirements(rows, EVIDENCE)[0]["evidence"]
    assert got is None, f"0.380 is a p1 number, not a p2 one, yet the row maps to {got!r}."


@pytest.mark.rubric("p8.mapping.requirements", points=3)
def test_an_unknown_project_is_no_evidence(project_module):
    """map_requirements() gives None when the row names no known project, and keeps the row's fields"""
    mapping = project_module("portfolio.mapping")
    rows = [
        {"requirement": "a model", "project": "p9", "number": "0.380"},
        {"requirement": "x", "project": "", "number": "397"},
    ]
    mapped = mapping.map_requirements(rows, EVIDENCE)
    assert [row["evidence"] for row in mapped] == [None, None], f"Rows naming p9 or nothing map to {mapped}."
    assert mapped[0]["requirement"] == "a model" and mapped[0]["number"] == "0.380", (
        "Keep each row's own fields."
    )


@pytest.mark.rubric("p8.mapping.format", points=3)
def test_a_value_is_quoted_with_its_interval(project_module):
    """format_with_interval() quotes the value and, when there is one, its interval"""
    mapping = project_module("portfolio.mapping")
    with_interval = mapping.format_with_interval(EVIDENCE[1], 3)
    without = mapping.format_with_interval(EVIDENCE[2], 0)
    assert with_interval == "0.380 [0.339, 0.431]", (
        f"headline.value should read '0.380 [0.339, 0.431]', not {with_interval!r}."
    )
    assert without == "1966", (
        f"expected_profit with 0 digits and no interval should read '1966', not {without!r}."
    )
