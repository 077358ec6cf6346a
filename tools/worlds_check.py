"""The reference solutions graded in learners' worlds (CI: ``make worlds-check``; a few minutes).

For every project whose data take world parameters, the solution is graded in learners' worlds: every
rubric item must earn full marks except the items that compare the written answers with the results
(``PROSE_ITEMS``), which must *lose* points, since the reference README quotes the default world's
numbers: a memo copied from the worked solution does not pass in a learner's world. Project 1 has two such
items: the README answers (``p1.readme.answers``) and the model card (``p1.model_card``), both
cross-checked against ``reports/metrics.json``; projects 3, 5, 6 and 7 one each, their README's answers
with the numbers of the results file; project 4 one, its design doc's threshold, cost and reviews a day
against ``reports/decision.json`` (``p4.doc.matches_decision``); project 2 one, its README's ROC-AUC
against ``reports/serving.json`` (``p2.readme.consistent``).

Projects 1, 2, 4 and 7 (``EVERY_WORLD``; projects 2 and 4 grade in about 25 s each) are graded in the
worlds of all three learner ids. To keep CI's time flat, projects 3, 5 and 6 (``ROTATING``; project 6 takes
about 5 minutes here: its LoRA fine-tune, made first in a copy of the solution as a learner makes it, about
3, and its grading about 2) are graded in one learner's world per landing, rotating with the
commit count (``make worlds-check`` passes ``git rev-list --count HEAD`` as ``WORLDS_CHECK_ROTATION``,
the count ``make mutants-ci`` picks its shard by; set ``WORLDS_CHECK_ROTATION=K`` to pick
``LEARNERS[K % 3]``, or ``all`` for every learner). Every world project's
starter must earn nothing in the first learner's world (the discrimination check of ``make test``, in
another world).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from course.grading.runner import grade_submission
from course.grading.starter_check import passing_on_starter

LEARNERS = ("alice", "bob", "carol")
EVERY_WORLD = ("p1", "p2", "p4", "p7")
ROTATING = ("p3", "p5", "p6")
PROSE_ITEMS = {
    "p1": {"p1.readme.answers", "p1.model_card"},
    "p2": {"p2.readme.consistent"},
    "p3": {"p3.readme.numbers"},
    "p4": {"p4.doc.matches_decision"},
    "p5": {"p5.docs.readme"},
    "p6": {"p6.readme.numbers"},
    "p7": {"p7.readme.numbers"},
}
FINE_TUNED = {"p6": "ticket_triage.finetune"}
"""Projects whose notebooks read a run the learner makes first in their world, and the module that makes it
(project 6's LoRA fine-tune, ``runs/finetune.json``, a few minutes on two cores): worlds-check runs it in a
copy of the solution."""
SAME_DATA = {("p3", "alice")}
"""Worlds whose data for a project are the default world's, byte for byte: alice's base rate is the default's,
and her other lessons (drift month 11, her CRM fields) lie outside project 3's raw export (6 months, no CRM
fields), so her pipeline.json equals the default's and the prose keeps its numbers: every item must earn
full marks there."""


def rotation() -> tuple[str, ...]:
    """The learners whose worlds grade the ``ROTATING`` projects in this run: one, by the commit count."""
    chosen = os.environ.get("WORLDS_CHECK_ROTATION", "").strip() or "0"  # make passes the commit count
    if chosen == "all":
        return LEARNERS
    if not chosen.isdigit():
        sys.exit(f"worlds-check: WORLDS_CHECK_ROTATION must be a number or 'all', got {chosen!r}.")
    return (LEARNERS[int(chosen) % len(LEARNERS)],)


def plan() -> list[tuple[str, str]]:
    """``(project, learner)`` pairs to grade in this run."""
    rotating = rotation()
    pairs = [(project, learner) for project in EVERY_WORLD for learner in LEARNERS]
    return pairs + [(project, learner) for project in ROTATING for learner in rotating]


def fine_tuned_copy(project: str, learner: str, scratch: Path) -> Path:
    """A copy of ``project``'s solution whose fine-tune run was made in ``learner``'s world (as a learner
    runs ``python -m`` its :data:`FINE_TUNED` module before the notebooks)."""
    from course.grading.targets import resolve_target
    from course.paths import resolve_project

    source = resolve_target("solutions", resolve_project(project))
    target = scratch / f"{project}-{learner}" / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    path = os.pathsep.join(p for p in (str(target), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "COURSE_LEARNER": learner, "PYTHONPATH": path}
    subprocess.run([sys.executable, "-m", FINE_TUNED[project]], cwd=target, env=env, check=True)
    return target


def grade_in_world(project: str, learner: str, scratch: Path, problems: list[str]) -> None:
    """Grade ``project``'s solution in ``learner``'s world; add what went wrong to ``problems``."""
    target: str | Path = "solutions"
    if project in FINE_TUNED:
        try:
            target = fine_tuned_copy(project, learner, scratch)
        except subprocess.CalledProcessError as exc:
            problems.append(f"{project} in {learner}'s world: the fine-tune failed (exit {exc.returncode})")
            return
    report = grade_submission(project, target, learner=learner)
    prose = set() if (project, learner) in SAME_DATA else PROSE_ITEMS[project]
    short = [i.id for i in report.items if i.earned < i.points and i.id not in prose]
    kept = [i.id for i in report.items if i.id in prose and i.earned == i.points]
    score = f"{report.score:g}/{report.max_score:g}"
    print(f"{project} in {learner}'s world: {score} ({report.duration_s:.0f} s)", flush=True)
    if short:
        problems.append(f"{project} in {learner}'s world: the solution loses points on {short}")
    if kept:
        problems.append(f"{project} in {learner}'s world: {kept} kept the default world's numbers")


def main() -> None:
    """Grade each world project's solution in its learners' worlds; exit 1 naming what went wrong."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="worlds-check-") as scratch:
        for project, learner in plan():
            grade_in_world(project, learner, Path(scratch), problems)
    for project in (*EVERY_WORLD, *ROTATING):
        passing = passing_on_starter(project, learner=LEARNERS[0])
        print(f"{project}'s starter in {LEARNERS[0]}'s world: {len(passing)} graded tests pass")
        if passing:
            problems.append(f"{project}'s starter in {LEARNERS[0]}'s world passes {passing}")
    if problems:
        sys.exit("worlds-check:\n  " + "\n  ".join(problems))
    print(
        "worlds-check: every solution earns every item in its learners' worlds but the prose numbers; "
        "every starter earns nothing"
    )


if __name__ == "__main__":
    main()
