"""Graded: OPERATING.md and the README answers, by course's prose linter (structure and consistency).

The linter checks what a machine can check fairly; whether the note would get a colleague through a 3 a.m.
incident is for a human reader, with the rubric on the project's docs page.
"""

from __future__ import annotations

import json
import math
import re

import pytest

from course.grading.doclint import (
    DocSpec,
    NumberRule,
    SectionSpec,
    cross_check,
    format_findings,
    lint,
    parse_sections,
)

PSI = NumberRule(
    r"PSI[^.\n]{0,40}?0?\.\d+|0?\.\d+[^.\n]{0,20}PSI", "the PSI alarm threshold (e.g. 'PSI >= 0.2')"
)

OPERATING = DocSpec(
    name="OPERATING.md",
    sections=(
        SectionSpec("What can fail", 80, (("drift",), ("label",), ("rollback", "roll back")),
                    guidance="list the failures: data drift, a bad model, a failing batch, late labels"),
        SectionSpec("Alerts and thresholds", 50, (("PSI",), ("contact",)), (PSI,),
                    guidance="state every alert with its threshold as a number"),
        SectionSpec("Who investigates", 30, (("owner", "on-call"),), guidance="name the owner of each alert"),
        SectionSpec("When to retrain", 40, (("retrain",),), (NumberRule(r"\d", "a threshold"),),
                    guidance="say which evidence triggers a retrain and what the gate checks"),
        SectionSpec("When to roll back", 40, (("rollback", "roll back"),),
                    guidance="say which evidence triggers a rollback"),
        SectionSpec("Commands", 20, (("rollback", "roll back"),),
                    guidance="give the exact commands, copy-pasteable"),
    ),
)  # fmt: skip

README = DocSpec(
    name="README.md",
    sections=(
        SectionSpec("What is tracked and why", 60, (("fingerprint",), ("signature",), ("owner",))),
        SectionSpec("How a model is promoted", 60, (("margin",), ("calibration",), ("slice",)),
                    (NumberRule(r"0?\.\d+", "the margin as a number"),)),
        SectionSpec("How to roll back", 40, (("rollback", "roll back"), ("alias", "champion"))),
        SectionSpec("What is monitored and the thresholds", 60, (("PSI",), ("label",), ("contact",)), (PSI,)),
        SectionSpec("The retraining decision and its evidence", 60, (("retrain",), ("month",))),
    ),
)  # fmt: skip


PSI_ALARM = re.compile(r"PSI\s*(?:>=|≥|=>|of at least|at or above)\s*(\d*\.?\d+)")


def _stale_psi_alarms(text: str, section: str, project_module) -> str | None:
    """A message when ``section`` states a PSI alarm ('PSI >= x') other than the policy's ``psi_alarm``."""
    alarm = project_module("churn_lifecycle.policy").Policy().psi_alarm
    body = parse_sections(text).get(section, "")
    stated = sorted({float(v) for v in PSI_ALARM.findall(body)})
    wrong = [v for v in stated if not math.isclose(v, alarm)]
    if not wrong:
        return None
    return (
        f"- Section '{section}' states a PSI alarm of {', '.join(f'{v:g}' for v in wrong)} but "
        f"churn_lifecycle/policy.py alarms at {alarm:g}: make the text and the policy agree (the monitor "
        "uses the policy)."
    )


def _read(project_dir, name: str) -> str:
    path = project_dir / name
    if not path.is_file():
        pytest.fail(f"{name} is missing from your project folder.", pytrace=False)
    text = path.read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


@pytest.mark.rubric("p5.docs.operating", points=4)
def test_operating_note(project_dir, project_module):
    """OPERATING.md: failures, alerts and thresholds, owners, when to retrain or roll back, commands."""
    text = _read(project_dir, "OPERATING.md")
    findings = lint(text, OPERATING)
    assert not findings, "OPERATING.md needs work:\n" + format_findings(findings)
    stale = _stale_psi_alarms(text, "alerts and thresholds", project_module)
    assert stale is None, "OPERATING.md needs work:\n" + str(stale)


@pytest.mark.rubric("p5.docs.readme", points=4)
def test_readme_answers(project_dir, project_module):
    """README answers: tracking, the gate, rollback, monitoring thresholds, the simulation's evidence."""
    text = _read(project_dir, "README.md")
    findings = lint(text, README)
    summary_path = project_dir / "reports" / "lifecycle.json"
    if not summary_path.is_file():
        pytest.fail(
            "reports/lifecycle.json is missing: run lifecycle.ipynb top to bottom first.", pytrace=False
        )
    summary = json.loads(summary_path.read_text())
    check = cross_check(
        text, "The retraining decision and its evidence", summary["max_psi_stable_months"],
        "the largest feature PSI on stable months from reports/lifecycle.json", near=("PSI",),
    )  # fmt: skip
    findings += [check] if check else []
    delay = summary.get("gradual", {}).get("detection_delay_months", {}).get("project_psi")
    if isinstance(delay, int):
        check = cross_check(
            text, "What is monitored and the thresholds", delay,
            "the gradual drift's detection delay of your PSI test from reports/lifecycle.json "
            "(gradual.detection_delay_months.project_psi)", near=("detection delay",),
        )  # fmt: skip
        findings += [check] if check else []
    assert not findings, "README.md needs work:\n" + format_findings(findings)
    stale = _stale_psi_alarms(text, "what is monitored and the thresholds", project_module)
    assert stale is None, "README.md needs work:\n" + str(stale)
