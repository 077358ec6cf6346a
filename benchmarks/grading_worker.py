"""Benchmark: what the judge/worker split costs, and how long a hang at import takes to grade.

    python benchmarks/grading_worker.py                 # the sample course, 3 runs per mode
    python benchmarks/grading_worker.py --project p4    # a course project (the mode flipped in a copy)

Measures, with ``course.grading.runner.grade_submission``:

- ``process_s`` and ``worker_s``: the same submission graded with ``isolation = "process"`` and
  ``isolation = "worker"`` (medians, interleaved); ``worker_over_process`` is their ratio (budget: at
  most 1.2, benchmarks/README.md);
- ``hang_s``: the sample course's starter with ``while True: pass`` at import, graded with a 10 s per-item
  timeout; ``hang_over_timeout`` is its ratio to the timeout (budget: at most 2).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_COURSE = REPO / "tests" / "toolkit" / "fixtures" / "sample_course"
RATIO_BUDGET = 1.2
HANG_BUDGET = 2.0


def with_isolation(course: Path, project: str, mode: str) -> None:
    """Set ``isolation`` in the copy's rubric.toml of ``project``."""
    rubric = course / "tests" / "graded" / project / "rubric.toml"
    lines = [line for line in rubric.read_text().splitlines() if not line.startswith("isolation =")]
    rubric.write_text(f'isolation = "{mode}"\n' + "\n".join(lines) + "\n")


def graded_seconds(course: Path, project: str, target: Path, timeout: float = 60.0) -> tuple[float, float]:
    """(wall seconds, score) of one grading."""
    from course.grading.runner import Limits, grade_submission

    start = time.perf_counter()
    report = grade_submission(project, target, root=course, limits=Limits(timeout=timeout, wall=900))
    return time.perf_counter() - start, report.score


def main(argv: list[str] | None = None) -> int:
    """Print the medians and the two ratios (the last two lines)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--project", default=None, help="p1..p5 (default: the sample course)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from course.paths import resolve_project

    with tempfile.TemporaryDirectory(prefix="bench-worker-") as scratch:
        if args.project is None:
            course, project = Path(shutil.copytree(SAMPLE_COURSE, Path(scratch) / "course")), "p1_baseline"
        else:
            project = resolve_project(args.project)
            course = Path(scratch) / "course"
            shutil.copytree(
                REPO,
                course,
                symlinks=True,
                ignore=shutil.ignore_patterns(".venv", ".git", ".cache", "site", "data"),
            )
        target = course / "solutions" / project
        times: dict[str, list[float]] = {"process": [], "worker": []}
        for _ in range(max(1, args.repeat)):
            for mode in times:
                with_isolation(course, project, mode)
                seconds, score = graded_seconds(course, project, target)
                times[mode].append(seconds)
                print(f"{mode}: {seconds:.1f} s, score {score:g}", file=sys.stderr)
        hang_course = Path(shutil.copytree(SAMPLE_COURSE, Path(scratch) / "hang"))
        with_isolation(hang_course, "p1_baseline", "worker")
        starter = hang_course / "projects" / "p1_baseline"
        module = starter / "tinypkg" / "mathops.py"
        module.write_text(module.read_text() + "\nwhile True:\n    pass\n")
        hang_s, _ = graded_seconds(hang_course, "p1_baseline", starter, timeout=10.0)
    process_s, worker_s = statistics.median(times["process"]), statistics.median(times["worker"])
    print(f"project: {project}")
    print(f"process_s: {process_s:.2f}")
    print(f"worker_s: {worker_s:.2f}")
    print(f"hang_s (timeout 10 s): {hang_s:.2f}")
    print(f"worker_over_process: {worker_s / process_s:.3f} (budget <= {RATIO_BUDGET})")
    print(f"hang_over_timeout: {hang_s / 10.0:.2f} (budget <= {HANG_BUDGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
