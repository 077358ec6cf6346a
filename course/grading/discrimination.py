"""The discrimination invariant: every graded test and notebook item fails on the untouched starter.

``python -m course.grading.discrimination p1`` grades ``projects/<project>`` with the runner and exits 1
when something earns points there (a vacuous test), naming it. ``make test-graded`` checks the other half:
the same tests pass on ``solutions/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.grading.runner import GradingError, Limits, grade_submission


def vacuous(project: str, root: Path | None = None, limits: Limits | None = None) -> list[str]:
    """Names of the graded tests and notebooks of ``project`` that pass on the starter in ``projects/``."""
    report = grade_submission(project, "projects", root=root, limits=limits or Limits(wall=1800.0))
    return [f"{item.id}: {test.name}" for item in report.items for test in item.tests if test.passed]


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when every graded test of the project fails on its starter, 1 when one passes, 2 on errors."""
    parser = argparse.ArgumentParser(prog="python -m course.grading.discrimination", description=__doc__)
    parser.add_argument("project", help="p1..p5 or the project folder name")
    args = parser.parse_args(argv)
    try:
        passing = vacuous(args.project)
    except GradingError as exc:
        print(f"discrimination {args.project}: grading could not run: {exc}", file=sys.stderr)
        return 2
    if passing:
        print(f"discrimination {args.project}: these pass on the untouched starter in projects/ (vacuous):")
        for name in passing:
            print(f"  - {name}")
        return 1
    print(f"discrimination {args.project}: every graded test fails on the starter")
    return 0


if __name__ == "__main__":
    sys.exit(main())
