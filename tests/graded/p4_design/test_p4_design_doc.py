"""Graded: the design doc's structure and its agreement with reports/decision.json (course's doc linter).

The linter checks what a machine can check fairly; the quality of the argument is graded by a human with the
rubric on the project's docs page. Lines starting with ``>`` are the template's prompts: they are removed
before linting, so only your own answer counts.
"""

from __future__ import annotations

import json
import re
import tomllib

import pytest

from course.grading.doclint import DocSpec, NumberRule, SectionSpec, cross_check, format_findings, lint

DOC = "DESIGN_DOC.md"
ASSUMPTIONS = "Assumptions and constraints"
NAME = "DESIGN_DOC.md"

# (title, minimum words of substance)
SECTIONS: tuple[tuple[str, int], ...] = (
    ("Problem and decision", 60),
    ("Goals and non-goals", 50),
    ("Assumptions and constraints", 80),
    ("Data", 100),
    ("Baseline", 50),
    ("Metrics", 100),
    ("Serving", 100),
    ("Validation and launch", 70),
    ("Monitoring and alerts", 70),
    ("Fallback and rollback", 60),
    ("Retraining", 50),
    ("Risks", 80),
    ("Ownership and on-call", 40),
    ("Alternatives considered", 50),
    ("Milestones", 40),
)
MS = r"\d[\d,.]*\s*ms\b"
USD = r"\$\s?\d|\d[\d,.]*\s*(?:k\s*)?(?:usd|dollars)\b"
NUMBERS = (
    SectionSpec(
        "Assumptions and constraints",
        required_numbers=(
            NumberRule(MS, "the end-to-end latency budget in ms (e.g. '100 ms')"),
            NumberRule(
                r"\d[\d,.]*k?\s*(?:manual\s+)?reviews?\b",
                "the manual-review capacity per day (e.g. '1,500 reviews a day')",
            ),
            NumberRule(
                r"\d[\d,.]*\s*[kM]?\s*(?:card\s+)?(?:transactions|payments|authori[sz]ations)\b",
                "the daily volume",
            ),
        ),
        guidance="state volume, peak factor, latency budget, review capacity and budget as numbers",
    ),
    SectionSpec(
        "Metrics",
        required_numbers=(
            NumberRule(r"(?<![\d.])0?\.\d+", "the score threshold of the policy (e.g. 'threshold 0.62')"),
            NumberRule(USD, "the expected cost per day in dollars (e.g. '$41,200 a day')"),
        ),
        guidance="tie the threshold to the cost of a missed fraud, a false decline and a review",
    ),
    SectionSpec(
        "Serving",
        required_numbers=(NumberRule(MS, "the latency of each component in ms, summed against the budget"),),
        guidance="break the latency budget down per component",
    ),
)
CHECKLIST = (
    SectionSpec(
        "Fallback and rollback",
        required_terms=(("fallback", "fall back"), ("rollback", "roll back")),
        guidance="say what serves when the model or a feature is down, and how a bad model is rolled back",
    ),
    SectionSpec(
        "Retraining",
        required_terms=(("signal", "trigger"),),
        guidance="name the signals that trigger retraining (not only a calendar) and the cadence",
    ),
    SectionSpec(
        "Ownership and on-call",
        required_terms=(("owner", "owns", "owned"),),
        guidance="name who owns the model, the features, the rules and the pager",
    ),
)

#: The names a figure is quoted next to (doclint's cross_check(near=...)): the figure must stand by its name.
COST = ("expected cost", "cost a day", "cost per day")
REVIEWS = ("reviews a day", "reviews per day", "reviews/day")
VOLUME = ("volume", "transactions a day", "transactions per day", "authorisations a day")
REVIEW_COST = ("review cost", "per review", "cost of a review")


def read_answers(project_dir) -> str:
    """The design doc without the template's prompt lines (Markdown quotes starting with '>')."""
    path = project_dir / DOC
    assert path.is_file(), f"{DOC} is missing from your project folder: write the design doc there."
    text = path.read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not re.match(r"^ {0,3}>", line))


def findings_of(kinds: set[str], markdown: str, spec: DocSpec) -> list:
    return [finding for finding in lint(markdown, spec) if finding.kind in kinds]


@pytest.mark.rubric("p4.doc.sections", points=3)
def test_every_section_is_present_and_answered(project_dir):
    """Every section of the template is present under its heading and answered (at least a sentence)."""
    spec = DocSpec([SectionSpec(title, min_words=8) for title, _ in SECTIONS], placeholders=(), name=NAME)
    problems = findings_of({"missing_section", "too_short"}, read_answers(project_dir), spec)
    assert not problems, "Answer every section of the design doc:\n" + format_findings(problems)


@pytest.mark.rubric("p4.doc.no_placeholder", points=3)
def test_no_template_placeholder_is_left(project_dir):
    """No template placeholder (Your answer here, TODO, TBD, a bracketed template slot) is left in the doc."""
    problems = findings_of({"placeholder"}, read_answers(project_dir), DocSpec([], name=NAME))
    assert not problems, "Replace the template's placeholders with your answers:\n" + format_findings(
        problems
    )


@pytest.mark.rubric("p4.doc.substance", points=3)
def test_each_section_has_substance(project_dir):
    """Each section has a minimum of substance (40 to 100 words of your own, depending on the section)."""
    spec = DocSpec(
        [SectionSpec(title, min_words=words) for title, words in SECTIONS], placeholders=(), name=NAME
    )
    problems = findings_of({"too_short"}, read_answers(project_dir), spec)
    missing = findings_of({"missing_section"}, read_answers(project_dir), spec)
    assert not problems and not missing, "Say more where the doc is thin:\n" + format_findings(
        problems + missing
    )


@pytest.mark.rubric("p4.doc.required_numbers", points=5)
def test_required_numbers_are_stated(project_dir):
    """The doc states latency budget in ms, review capacity, volume, threshold and expected cost."""
    problems = findings_of(
        {"missing_number", "missing_section"}, read_answers(project_dir), DocSpec(NUMBERS, name=NAME)
    )
    assert not problems, "State these numbers in the doc:\n" + format_findings(problems)


@pytest.mark.rubric("p4.doc.matches_decision", points=5)
def test_doc_agrees_with_decision_json(project_dir):
    """The doc's threshold, expected cost a day, reviews a day, peak QPS and the A/B test's minimum
    detectable effect match reports/decision.json."""
    path = project_dir / "reports" / "decision.json"
    assert path.is_file(), "reports/decision.json is missing: run cost_and_capacity.ipynb to write it."
    decision = json.loads(path.read_text(encoding="utf-8"))
    markdown = read_answers(project_dir)
    checks = [
        (
            "Metrics",
            "threshold",
            "the threshold your notebook wrote to reports/decision.json",
            ("threshold",),
        ),
        ("Metrics", "expected_cost_per_day", "the expected cost per day in reports/decision.json", COST),
        ("Metrics", "reviews_per_day", "the reviews per day in reports/decision.json", REVIEWS),
        ("Serving", "peak_qps", "the peak QPS in reports/decision.json", ("QPS", "peak")),
    ]
    problems = []
    for section, key, what, names in checks:
        assert key in decision, f"reports/decision.json has no '{key}': let the notebook write it."
        finding = cross_check(markdown, section, float(decision[key]), what, rel_tol=0.01, near=names)
        if finding is not None:
            problems.append(finding)
    # the launch plan quotes what its A/B test can detect: one of the minimum detectable effects written
    ab_test = decision.get("ab_test")
    assert isinstance(ab_test, dict), "reports/decision.json has no 'ab_test': let the notebook write it."
    mdes = [float(v) for k, v in ab_test.items() if k.startswith("mde_per_day")]
    assert mdes, "reports/decision.json's 'ab_test' has no mde_per_day_* value: let the notebook write one."
    quoted = [
        cross_check(
            markdown,
            "Validation and launch",
            mde,
            "a minimum detectable effect a day in reports/decision.json (ab_test)",
            rel_tol=0.01,
            near=("detectable", "detect", "MDE"),
        )
        for mde in mdes
    ]
    if all(finding is not None for finding in quoted):
        problems.append(quoted[0])
    assert not problems, "Make the doc agree with your notebook:\n" + format_findings(problems)


@pytest.mark.rubric("p4.doc.checklist", points=4)
def test_production_checklist_terms_are_addressed(project_dir):
    """The production checklist is addressed: fallback, rollback, retraining signals, a named owner."""
    problems = findings_of(
        {"missing_term", "missing_section"}, read_answers(project_dir), DocSpec(CHECKLIST, name=NAME)
    )
    assert not problems, "Address the production checklist:\n" + format_findings(problems)


@pytest.mark.rubric("p4.doc.matches_assumptions", points=4)
def test_doc_agrees_with_assumptions_toml(project_dir):
    """The doc's volume, peak factor, review capacity, costs and latency budget match assumptions.toml."""
    path = project_dir / "assumptions.toml"
    assert path.is_file(), (
        "assumptions.toml is missing from your project folder: the doc's numbers rest on it."
    )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        volume, costs, latency = raw["volume"], raw["costs"], raw["latency"]
        checks = [
            (
                ASSUMPTIONS,
                volume["daily_transactions"],
                "the daily volume ([volume] daily_transactions)",
                VOLUME,
            ),
            (ASSUMPTIONS, volume["peak_factor"], "the peak factor ([volume] peak_factor)", ("peak",)),
            (
                ASSUMPTIONS,
                volume["review_capacity_per_day"],
                "the review capacity ([volume] review_capacity_per_day)",
                ("review capacity", "capacity", *REVIEWS),
            ),
            (ASSUMPTIONS, costs["review_usd"], "the cost of a review ([costs] review_usd)", REVIEW_COST),
            (
                ASSUMPTIONS,
                costs["false_decline_usd"],
                "the false-decline friction ([costs] false_decline_usd)",
                ("false-decline", "false decline", "friction"),
            ),
            (
                ASSUMPTIONS,
                latency["budget_ms"],
                "the latency budget in ms ([latency] budget_ms)",
                ("budget",),
            ),
            (
                "Serving",
                sum(float(ms) for ms in latency["components_ms"].values()),
                "the sum of the component latencies in ms ([latency.components_ms])",
                ("total", "sum", "summed"),
            ),
        ]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError) as error:
        pytest.fail(f"assumptions.toml cannot be read as the template lays it out: {error!r}.", pytrace=False)
    markdown = read_answers(project_dir)
    problems = []
    for section, value, what, names in checks:
        finding = cross_check(
            markdown, section, float(value), f"{what} from assumptions.toml", rel_tol=0.01, near=names
        )
        if finding is not None:
            problems.append(finding)
    assert not problems, (
        "The doc's assumptions must be the ones in assumptions.toml (change the file, re-run the notebook, "
        "then update the doc):\n" + format_findings(problems)
    )
