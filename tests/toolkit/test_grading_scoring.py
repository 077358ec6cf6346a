"""Scoring is a pure function of what a run recorded: no process, no file."""

from __future__ import annotations

from course.grading.rubric import NotebookEntry, Rubric, RubricItem, RubricTest
from course.grading.scoring import RunRecord, score

NOTEBOOK = NotebookEntry(path="nb.ipynb", id="p9.nb", points=2, text="runs", writes=("reports/out.json",))
RUBRIC = Rubric(
    project="p9_demo",
    items=[
        RubricItem(id="p9.a", text="a", tests=[RubricTest("test_a.py::test_a", 3, cases=2)]),
        RubricItem(id="p9.nb", text="runs", notebooks=[NOTEBOOK]),
    ],
)


def _test(name: str) -> dict:
    return {"kind": "test", "key": "test_a.py::test_a", "name": name}


def _cell(number: int) -> dict:
    return {"kind": "cell", "notebook": "nb.ipynb", "cell": number}


def _record(**changes: object) -> RunRecord:
    base = RunRecord(
        rubric=RUBRIC,
        records={"a[1]": _test("a[1]"), "a[2]": _test("a[2]"), "c0": _cell(0), "c1": _cell(1)},
        results={key: {"outcome": "passed"} for key in ("a[1]", "a[2]", "c0", "c1")},
        written={"reports/out.json"},
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def _earned(record: RunRecord) -> dict[str, float]:
    return {item.id: item.earned for item in score(record)}


def test_every_case_and_cell_passing_earns_every_point() -> None:
    assert _earned(_record()) == {"p9.a": 6.0, "p9.nb": 2.0}


def test_a_failing_case_costs_its_points_with_its_message() -> None:
    record = _record()
    record.results["a[2]"] = {"outcome": "failed", "message": "wrong"}
    (item, _) = score(record)
    assert item.earned == 3.0 and item.message == "wrong"


def test_a_case_that_never_ran_gets_zero_with_the_reason() -> None:
    record = _record(stop_reason="not run: out of time")
    del record.results["a[2]"]
    (item, _) = score(record)
    assert item.earned == 3.0 and "out of time" in item.tests[1].message


def test_a_notebook_earns_nothing_when_one_cell_failed() -> None:
    record = _record()
    record.results["c1"] = {"outcome": "failed", "message": "NameError"}
    assert _earned(record)["p9.nb"] == 0.0


def test_a_notebook_earns_nothing_when_it_did_not_write_its_file_in_this_run() -> None:
    assert _earned(_record(written=set()))["p9.nb"] == 0.0


def test_a_notebook_without_code_cells_earns_nothing() -> None:
    record = _record(records={"a[1]": _test("a[1]"), "a[2]": _test("a[2]")})
    (_, notebook) = score(record)
    assert notebook.earned == 0.0 and "no code cell" in notebook.tests[0].message
