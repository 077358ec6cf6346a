"""The reference solutions graded in learners' worlds (CI: ``make worlds-check``; a few minutes).

For every project whose data take world parameters (``WORLD_PROJECTS``), the solution is graded in the
worlds of three learner ids: every rubric item must earn full marks except the items that compare the
written answers with the results (``PROSE_ITEMS``), which must *lose* points, since the reference README
quotes the default world's numbers: a memo copied from the worked solution does not pass in a learner's
world. Project 1 has two such items: the README answers (``p1.readme.answers``) and the model card
(``p1.model_card``), both cross-checked against ``reports/metrics.json``. The same projects' starters must
earn nothing in the first learner's world (the discrimination check of ``make test``, in another world).
"""

from __future__ import annotations

import sys

from course.grading.runner import grade_submission
from course.grading.starter_check import passing_on_starter

LEARNERS = ("alice", "bob", "carol")
WORLD_PROJECTS = ("p1", "p7")
PROSE_ITEMS = {"p1": {"p1.readme.answers", "p1.model_card"}, "p7": {"p7.readme.numbers"}}


def main() -> None:
    """Grade each world project's solution in each learner's world; exit 1 naming what went wrong."""
    problems = []
    for project in WORLD_PROJECTS:
        for learner in LEARNERS:
            report = grade_submission(project, "solutions", learner=learner)
            prose = PROSE_ITEMS[project]
            short = [i.id for i in report.items if i.earned < i.points and i.id not in prose]
            kept = [i.id for i in report.items if i.id in prose and i.earned == i.points]
            score = f"{report.score:g}/{report.max_score:g}"
            print(f"{project} in {learner}'s world: {score} ({report.duration_s:.0f} s)")
            if short:
                problems.append(f"{project} in {learner}'s world: the solution loses points on {short}")
            if kept:
                problems.append(f"{project} in {learner}'s world: {kept} kept the default world's numbers")
    for project in WORLD_PROJECTS:
        passing = passing_on_starter(project, learner=LEARNERS[0])
        print(f"{project}'s starter in {LEARNERS[0]}'s world: {len(passing)} graded tests pass")
        if passing:
            problems.append(f"{project}'s starter in {LEARNERS[0]}'s world passes {passing}")
    if problems:
        sys.exit("worlds-check:\n  " + "\n  ".join(problems))
    print(
        "worlds-check: every solution earns every item in every learner's world but the prose numbers; "
        "every starter earns nothing"
    )


if __name__ == "__main__":
    main()
