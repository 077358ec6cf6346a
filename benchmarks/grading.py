"""Benchmark: grading one project vs running its notebooks and its tests bare.

    python benchmarks/grading.py                              # the grader's tiny sample course
    python benchmarks/grading.py --project p1 --target solutions

Measures, in one run and with the same interpreter:

- ``bare_notebooks_s``: every notebook of the project's rubric.toml executed with nbclient, one process each;
- ``bare_pytest_s``: ``pytest tests/graded/<project> --target <target>``;
- ``grading_s``: ``course grade <project> --target <target>`` (copy, isolation, the notebooks and the tests
  that read their files in one pytest process, the ``beside_notebooks`` tests in a second one at the same
  time, report).

The budget (benchmarks/README.md): ``grading_s`` under 30 s on 2 cores for any project.

Each part is the median of ``--repeat`` runs (interleaved, so that load drifts affect all parts alike). The
last line is ``grading_overhead_ratio: grading_s / (bare_notebooks_s + bare_pytest_s)``; the budget is at
most 1.0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_COURSE = REPO / "tests" / "toolkit" / "fixtures" / "sample_course"
GRADING_BUDGET_S = 30.0  # benchmarks/README.md: any project, 2 cores
EXECUTE_NOTEBOOK = """
import sys, nbformat, nbclient
nb = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
"""


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall seconds of one command; a failure to run is an error (a failing test is not)."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(
            f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr}"
        )
    return seconds


def bare_notebooks(project_folder: Path, notebooks: list[str], env: dict[str, str]) -> float:
    """Execute each notebook in a scratch copy of the project folder, one fresh process per notebook."""
    total = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-nb-") as tmp:
        copy = Path(tmp) / project_folder.name
        shutil.copytree(project_folder, copy, ignore=shutil.ignore_patterns("data", "mlruns", "*.db"))
        for rel in notebooks:
            path = copy / rel
            total += timed([sys.executable, "-c", EXECUTE_NOTEBOOK, str(path), str(path.parent)], copy, env)
    return total


def main(argv: list[str] | None = None) -> int:
    """Print the parts, then ``grading_overhead_ratio: <value>`` last."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--project", default=None, help="p1..p5 (default: the sample course's p1_baseline)")
    parser.add_argument("--target", default="solutions", help="solutions, projects or a path")
    parser.add_argument("--repeat", type=int, default=3, help="runs per part; the median is reported")
    args = parser.parse_args(argv)

    from course.grading.rubric import load_rubric
    from course.grading.targets import resolve_target
    from course.paths import repo_root, resolve_project

    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="bench-course-") as scratch:
        if args.project is None:
            root = Path(scratch) / "sample_course"
            shutil.copytree(SAMPLE_COURSE, root)
            env["COURSE_ROOT"] = str(root)
            project = "p1_baseline"
        else:
            root = repo_root()
            project = resolve_project(args.project)
        folder = resolve_target(args.target, project, root)
        rubric = load_rubric(project, root)
        notebooks = [nb.path for nb in rubric.notebooks if (folder / nb.path).is_file()]
        pytest_cmd = [
            sys.executable,
            "-m",
            "pytest",
            f"tests/graded/{project}",
            "--target",
            str(folder),
            "-q",
        ]
        pytest_cmd += ["-p", "no:cacheprovider"]
        grade_cmd = [
            sys.executable,
            "-m",
            "course",
            "grade",
            project,
            "--target",
            str(folder),
            "--format",
            "json",
        ]
        parts: dict[str, list[float]] = {"bare_notebooks_s": [], "bare_pytest_s": [], "grading_s": []}
        for _ in range(max(1, args.repeat)):
            parts["bare_notebooks_s"].append(bare_notebooks(folder, notebooks, env))
            parts["bare_pytest_s"].append(timed(pytest_cmd, root, env))
            parts["grading_s"].append(timed(grade_cmd, Path(scratch), env))
    medians = {name: statistics.median(values) for name, values in parts.items()}
    print(f"project: {project} (target {folder})")
    print(f"notebooks: {len(notebooks)}; graded tests: {sum(t.cases for i in rubric.items for t in i.tests)}")
    for name, value in medians.items():
        print(f"{name}: {value:.2f}")
    met = "yes" if medians["grading_s"] < GRADING_BUDGET_S else "no"
    print(f"grading_s under the {GRADING_BUDGET_S:g} s budget: {met}")
    ratio = medians["grading_s"] / (medians["bare_notebooks_s"] + medians["bare_pytest_s"])
    print(f"grading_overhead_ratio: {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
