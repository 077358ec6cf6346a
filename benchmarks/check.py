"""Benchmark: ``course check`` (a few rubric items, no notebooks) against a bare pytest of the same tests.

    .venv/bin/python benchmarks/check.py [--project p1] [--items split] [--target solutions] [--repeat 3]

``check_s`` is the wall time of ``course check <project> <items> --target <target>`` (copy, judge and worker,
report); ``bare_pytest_s`` is ``pytest`` of the test files that hold those items, in one process, as a
course author runs them. Each is the median of ``--repeat`` interleaved runs after one warm-up of each.
Budget (issue 19): ``check_s`` at most 5 s on a warm machine. The last line is ``check_pass: 1`` (or 0).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUDGET_S = 5.0


def timed(command: list[str]) -> float:
    """Wall seconds of ``command`` (which must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="p1")
    parser.add_argument("--items", nargs="+", default=["split"])
    parser.add_argument("--target", default="solutions")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from course.grading.check import select_items, split_by_notebooks
    from course.grading.rubric import load_rubric
    from course.projects import get_project

    manifest = get_project(args.project)
    rubric = load_rubric(manifest.folder)
    files, _ = split_by_notebooks(rubric, select_items(rubric, args.items, manifest.id))
    tests = [str(REPO / "tests" / "graded" / manifest.folder / name) for name in files]
    check = [sys.executable, "-m", "course", "check", args.project, *args.items, "--target", args.target]
    bare = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests, "--target", args.target]
    timed(check), timed(bare)  # warm-up: imports and file caches
    checks, bares = [], []
    for _ in range(args.repeat):
        checks.append(timed(check))
        bares.append(timed(bare))
    check_s, bare_s = statistics.median(checks), statistics.median(bares)
    print(f"items: {manifest.id} {' '.join(args.items)} -> test files {files}")
    print(f"check_s: {check_s:.2f} (runs {[round(t, 2) for t in checks]})")
    print(f"bare_pytest_s: {bare_s:.2f} (runs {[round(t, 2) for t in bares]})")
    print(f"check_over_bare: {check_s / bare_s:.2f}")
    ok = check_s <= BUDGET_S
    print(f"check_pass: {int(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
