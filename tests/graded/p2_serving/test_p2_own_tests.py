"""Your own tests (tests/ in the project folder), graded by the course's mutants of a correct package.

The mutants live with the instructor-only material (tests/mutants/p2_serving/learner-suite/); the report
names the kind of mistake a case is about, never the mutant's code (course.grading.learner_suite).
"""

import pytest

from course.grading import learner_suite

MUTANTS = 8  # the catalogue's size: one case, and half a point, per mutant


@pytest.fixture(scope="module")
def own_suite(request, project_dir):
    """The learner's suite run on their package, the reference and each mutant (None: not gradable here)."""
    return learner_suite.suite_for(request, "p2_serving", project_dir, MUTANTS)


@pytest.mark.rubric("p2.tests.mutation", points=0.5)
@pytest.mark.parametrize("number", range(8))
def test_your_tests_catch_mistakes(own_suite, number):
    """Your tests (tests/) pass on your package and on a correct one, and catch its mutants (0.5 per mutant).

    Case ``number`` passes when the learner's suite fails on mutant ``number`` of the catalogue.
    """
    learner_suite.check_case(own_suite, number)
