"""The prose linter: sections, placeholders, substance, terms, numbers and cross-checks."""

from __future__ import annotations

import pytest

from course.grading.doclint import (
    DocSpec,
    NumberRule,
    SectionSpec,
    count_words,
    cross_check,
    format_findings,
    lint,
    mentions_value,
    normalise_title,
    numbers_in,
    parse_sections,
    quoted_figures,
)

METRIC_ANSWER = """The retention team can call 500 customers a month, so what matters is how many real
churners
are in the 500 highest scores. We report precision at that capacity and PR-AUC across thresholds,
because churners are about 8 % of customers and accuracy would reward predicting that nobody churns.
"""

GOOD = f"""# Churn model: answers

## Q1. Which metric matches the decision?

{METRIC_ANSWER}
## Threshold

We call customers whose score is above 0.31; at that threshold recall is 62 % on the test months.

## Latency budget

The scoring service must answer in 50 ms at p99.

```python
# TODO: this comment in code is not a placeholder in the prose
```
"""

SPEC = DocSpec(
    sections=[
        SectionSpec(
            "Which metric matches the decision",
            min_words=30,
            required_terms=[("precision", "recall", "PR-AUC"), ("capacity", "budget")],
            guidance="say which metric matches the decision and why.",
        ),
        SectionSpec("Threshold", required_numbers=[NumberRule(r"0?\.\d+", "the threshold as a number")]),
        SectionSpec("Latency budget", required_numbers=[NumberRule(r"\d+\s*ms", "a latency budget in ms")]),
    ],
    name="The README",
)


def _kinds(markdown: str, spec: DocSpec = SPEC) -> list[str]:
    return [finding.kind for finding in lint(markdown, spec)]


def test_complete_document_has_no_findings():
    assert lint(GOOD, SPEC) == []


def test_parse_sections_keys_are_normalised_titles():
    sections = parse_sections(GOOD)
    assert list(sections) == [
        "",
        "churn model: answers",
        "which metric matches the decision",
        "threshold",
        "latency budget",
    ]
    assert sections["threshold"].startswith("We call customers")


def test_section_body_includes_subsections():
    sections = parse_sections("## Plan\n\nIntro.\n\n### Detail\n\nMore.\n\n## Next\n\nOther.\n")
    assert sections["plan"] == "Intro.\n\n### Detail\n\nMore."


def test_headings_inside_code_fences_are_not_sections():
    assert "not a heading" not in parse_sections("## Real\n\n```\n## not a heading\n```\n")


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Q1. Which metric?", "which metric"), ("2.1 Goals", "goals"), ("**Rollback**:", "rollback")],
)
def test_normalise_title(title, expected):
    assert normalise_title(title) == expected


def test_missing_section_names_it_and_lists_the_headings():
    text = GOOD.replace("## Latency budget", "## Speed")
    (finding,) = lint(text, SPEC)
    assert finding.kind == "missing_section"
    assert finding.section == "Latency budget"
    assert "The README has no section 'Latency budget'" in finding.message
    assert "'Speed'" in finding.message


def test_spec_title_matches_a_heading_that_starts_with_it():
    spec = DocSpec([SectionSpec("Threshold")])
    assert lint("## Threshold and its cost\n\nWe pick 0.3.\n", spec) == []


def test_answer_prompt_is_a_placeholder_attributed_to_its_section():
    text = GOOD.replace("We call customers whose score is above 0.31", "_Your answer here._ 0.31")
    (finding,) = lint(text, SPEC)
    assert (finding.kind, finding.section) == ("placeholder", "Threshold")
    assert "still has the placeholder" in finding.message


@pytest.mark.parametrize("placeholder", ["TODO", "TBD", "<your metric>", "Lorem ipsum dolor"])
def test_template_leftovers_are_placeholders(placeholder):
    text = GOOD.replace("The scoring service", f"{placeholder} The scoring service")
    assert _kinds(text) == ["placeholder"]


def test_html_tags_and_comments_are_not_placeholders():
    text = GOOD.replace(
        "The scoring service", "<details><summary>Why</summary>x</details> <br> <!-- TODO -->"
    )
    assert _kinds(text) == []


def test_short_section_says_how_many_words_and_what_to_write():
    text = GOOD.replace(METRIC_ANSWER, "PR-AUC, given our capacity.\n")
    (finding,) = lint(text, SPEC)
    assert finding.kind == "too_short"
    assert finding.message == (
        "Section 'Which metric matches the decision' has 4 words; write at least 30: "
        "say which metric matches the decision and why."
    )


def test_missing_term_lists_the_accepted_terms():
    text = GOOD.replace("capacity", "ability")
    (finding,) = lint(text, SPEC)
    assert finding.kind == "missing_term"
    assert "does not mention any of 'capacity', 'budget'" in finding.message


def test_terms_match_at_word_start_case_insensitively():
    spec = DocSpec([SectionSpec("A", required_terms=[("calibrat",)])])
    assert lint("## A\n\nThe scores are well CALIBRATED.\n", spec) == []


def test_missing_number_describes_the_figure():
    text = GOOD.replace("50 ms", "fifty milliseconds")
    (finding,) = lint(text, SPEC)
    assert (finding.kind, finding.message) == (
        "missing_number",
        "Section 'Latency budget' does not state a latency budget in ms.",
    )


def test_plain_regex_number_rule_is_accepted():
    spec = DocSpec([SectionSpec("Budget", required_numbers=[r"\d+\s*ms"])])
    assert _kinds("## Budget\n\nfast\n", spec) == ["missing_number"]


def test_words_in_code_and_comments_do_not_count():
    assert count_words("Two words.\n\n```\nmany many many words\n```\n<!-- hidden words -->\n`code`") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5 and -3", [1234.5, -3.0]),
        ("8 % of 31%", [0.08, 0.31]),
        ("12k rows, 1.5M events", [12000.0, 1_500_000.0]),
        ("0.31, 3e-4", [0.31, 0.0003]),
        ("p99 under 10ms with F1", [10.0]),
    ],
)
def test_numbers_in(text, expected):
    assert numbers_in(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["0.31", "0.310", "31 %", "31.0%", "a 31 percent cut-off"])
def test_mentions_value_accepts_equivalent_forms(text):
    assert mentions_value(f"The threshold is {text}.", 0.31)


def test_mentions_value_accepts_rounding_to_the_written_digits():
    assert mentions_value("threshold 0.31", 0.3127)


@pytest.mark.parametrize("text", ["threshold 0.3", "threshold 0.25", "no number at all"])
def test_mentions_value_rejects_other_values(text):
    assert not mentions_value(text, 0.3127)


def test_cross_check_passes_when_the_doc_states_the_value():
    assert cross_check(GOOD, "Threshold", 0.3109, "the threshold in reports/metrics.json") is None


def test_cross_check_mismatch_says_what_the_doc_states():
    finding = cross_check(GOOD, "Threshold", 0.45, "the threshold in reports/metrics.json")
    assert finding is not None and finding.kind == "mismatch"
    assert "should state the threshold in reports/metrics.json, 0.45; it states 0.31, 0.62" in finding.message


NEAR_DOC = (
    "## Results\n\nBoosting reaches a PR-AUC of 0.380 [0.339, 0.423]; logistic regression gets 0.371.\n"
    "Precision is 0.41 at a threshold of 0.23.\n"
)


@pytest.mark.parametrize(
    ("names", "value"), [(("PR-AUC",), 0.380), (("logistic",), 0.371), (("threshold",), 0.23)]
)
def test_cross_check_near_a_name_finds_the_figure_quoted_for_it(names, value):
    assert cross_check(NEAR_DOC, "Results", value, "the figure", near=names) is None


@pytest.mark.parametrize(
    ("names", "value"),
    [(("PR-AUC",), 0.339), (("PR-AUC",), 0.423), (("threshold",), 0.41), (("PR-AUC",), 0.371)],
)
def test_cross_check_near_a_name_ignores_interval_bounds_and_other_figures(names, value):
    finding = cross_check(NEAR_DOC, "Results", value, "the figure", near=names)
    assert finding is not None and finding.kind == "mismatch"
    assert f"next to '{names[0]}'" in finding.message


def test_the_figures_of_a_markdown_table_belong_to_their_row_and_column():
    table = (
        "| model | PR-AUC | ROC-AUC |\n|---|---:|---:|\n"
        "| boosting | 0.380 | 0.71 |\n| logistic | 0.371 | 0.69 |\n"
    )
    assert quoted_figures(table, ["PR-AUC"]) == ["0.380", "0.371"]
    assert quoted_figures(table, ["logistic"]) == ["0.371"]
    assert quoted_figures("| threshold | 0.23 |\n|---|---|\n| cost | 5 |\n", ["threshold"]) == ["0.23"]


def test_the_nearest_figure_in_the_sentence_belongs_to_the_name():
    assert quoted_figures("We chose 0.23 as the threshold. Recall is 0.5.", ["threshold"]) == ["0.23"]
    text = "within 1,500 reviews a day is threshold 0.26: 1,474 reviews a day and a cost of $975,948 a day"
    assert quoted_figures(text, ["reviews a day"]) == ["1,500", "1,474"]


def test_format_findings_is_a_bulleted_list():
    findings = lint("# Nothing here\n", DocSpec([SectionSpec("A"), SectionSpec("B")]))
    assert format_findings(findings).count("\n- ") == 1
    assert format_findings(findings).startswith("- The document has no section 'A'")


def test_block_quoted_prompt_does_not_count_as_the_answer():
    spec = DocSpec([SectionSpec("Retraining", min_words=5, required_terms=[("retrain",)])])
    starter = "## Retraining\n\n> Which evidence triggers a retrain, and what must be true first?\n\nSoon.\n"
    assert [finding.kind for finding in lint(starter, spec)] == ["too_short", "missing_term"]


def test_block_quoted_prompt_does_not_state_the_value():
    text = "## Threshold\n\n> The notebook picked 0.31: say why.\n\nWe chose it for recall.\n"
    assert cross_check(text, "Threshold", 0.31, "the threshold").kind == "mismatch"


def test_placeholder_words_are_not_substance():
    spec = DocSpec([SectionSpec("Plan", min_words=1)])
    kinds = [finding.kind for finding in lint("## Plan\n\n_Your answer here._\n", spec)]
    assert kinds == ["placeholder", "too_short"]
