"""Graded: PORTFOLIO.md, checked against your own results (course.portfolio.doc, on the prose linter)."""

from __future__ import annotations

import pytest

from course.grading.doclint import format_findings
from course.portfolio import doc


@pytest.mark.rubric("p8.doc.sections", points=8)
def test_portfolio_has_every_section(portfolio_text):
    """PORTFOLIO.md has a target role, job descriptions, the translation, CV bullets and no placeholder"""
    findings = doc.check_sections(portfolio_text)
    assert not findings, format_findings(findings)


@pytest.mark.rubric("p8.doc.role", points=4)
def test_portfolio_names_one_role(portfolio_text):
    """The target role is one of: ML engineer, MLOps / platform engineer, data scientist, AI engineer"""
    findings = doc.check_role(portfolio_text)
    assert not findings, format_findings(findings)


@pytest.mark.rubric("p8.doc.jobs", points=8)
def test_portfolio_decomposes_three_job_descriptions(portfolio_text):
    """Exactly three job descriptions, each decomposed into at least three requirement rows"""
    findings = doc.check_jobs(portfolio_text)
    assert not findings, format_findings(findings)


@pytest.mark.rubric("p8.doc.numbers", points=10)
def test_every_requirement_quotes_a_number_from_your_results(portfolio_text, evidence):
    """Every requirement names a project and a number that project's results hold (rounding as written)"""
    rows = [row for title, text in doc.jobs(portfolio_text).items() for row in doc.requirements(title, text)]
    assert rows, "PORTFOLIO.md has no requirement rows yet: decompose each job description into a table."
    findings = doc.check_requirements(portfolio_text, evidence)
    assert not findings, format_findings(findings)


@pytest.mark.rubric("p8.doc.translate", points=6)
def test_portfolio_translates_the_background(portfolio_text):
    """The translation table maps APIs, tests, CI/CD and monitoring onto ML engineering"""
    findings = doc.check_translations(portfolio_text)
    assert not findings, format_findings(findings)


@pytest.mark.rubric("p8.doc.cv", points=6)
def test_every_cv_bullet_quotes_your_number(portfolio_text, evidence):
    """At least three CV bullets, each quoting a number from your own results"""
    findings = doc.check_bullets(portfolio_text, evidence)
    assert not findings, format_findings(findings)
