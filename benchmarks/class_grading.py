"""Benchmark: a class graded on one machine, and as three shards run one after another, then merged.

    python benchmarks/class_grading.py                 # 12 submissions of p1, --jobs 2
    python benchmarks/class_grading.py --project p4 --size 6

The class mixes copies of the solution, of the starter, and partial ones (the solution with one module of
the package taken from the starter, a different module with solution blocks each time). It is graded with
``course grade <project> --submissions CLASS`` (one machine), then with ``--shard K/3`` for K = 0, 1, 2
one after another (three machines, timed back to back), and the shards are merged with
``course gradebook merge``. Prints the seconds per submission of each way, and checks that the merged
``grades.csv`` and ``grades.json`` are byte-identical to the one-machine run's. On real machines the
three shards run at the same time: their wall time is the slowest shard's, about a third.

Last line: ``shards_over_one_machine: <seconds per submission, 3 shards in a row / one machine>``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def build_class(project: str, klass: Path, size: int, package: str) -> dict[str, int]:
    """``size`` submissions: a third solutions, a third starters, a third partial (in blocks of names, so
    that the sorted-name shards mix the kinds); the counts by kind."""
    solution, starter = REPO / "solutions" / project, REPO / "projects" / project
    modules = sorted(  # the modules whose starter differs from the solution (they hold solution blocks)
        p.name
        for p in (starter / package).glob("*.py")
        if p.read_bytes() != (solution / package / p.name).read_bytes()
    )
    ignore = shutil.ignore_patterns("reports", "data", "mlruns", "*.db", "__pycache__")
    kinds = {"solution": 0, "starter": 0, "partial": 0}
    for number in range(size):
        kind = ("solution", "starter", "partial")[number * 3 // size]  # in blocks, so each shard mixes them
        folder = klass / f"learner-{number:02d}" / project
        shutil.copytree(starter if kind == "starter" else solution, folder, ignore=ignore)
        if kind == "partial":
            module = modules[kinds["partial"] % len(modules)]
            shutil.copy2(starter / package / module, folder / package / module)
        kinds[kind] += 1
    return kinds


def course(*args: str) -> float:
    """Wall seconds of ``python -m course ARGS``; a failure stops the benchmark with its output."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "course", *args], capture_output=True, text=True, cwd=REPO)
    if result.returncode != 0:
        raise SystemExit(f"course {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Print both ways' seconds per submission, the byte comparison, and the ratio last."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--project", default="p1", help="p1..p7 (default p1)")
    parser.add_argument("--size", type=int, default=12, help="submissions in the class (default 12)")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at once on each machine")
    args = parser.parse_args(argv)

    from course.paths import resolve_project
    from course.projects import get_project

    project = resolve_project(args.project)
    with tempfile.TemporaryDirectory(prefix="bench-class-") as scratch:
        tmp = Path(scratch)
        kinds = build_class(project, tmp / "class", args.size, get_project(project).package)
        grade = ["grade", project, "--submissions", str(tmp / "class"), "--jobs", str(args.jobs)]
        one = course(*grade, "--out", str(tmp / "one"))
        shards = [course(*grade, "--shard", f"{k}/3", "--out", str(tmp / f"shard-{k}")) for k in range(3)]
        merge = course(
            "gradebook", "merge", *(str(tmp / f"shard-{k}") for k in range(3)), "--out", str(tmp / "m")
        )
        same = all(
            (tmp / "m" / n).read_bytes() == (tmp / "one" / n).read_bytes()
            for n in ("grades.csv", "grades.json")
        )
        scores = (tmp / "one" / "grades.csv").read_text().splitlines()
    print(f"project: {project}; class: {args.size} submissions {kinds}; --jobs {args.jobs}")
    print("one machine: " + ", ".join(line.split(",")[1] for line in scores[1:]) + " (scores, by name)")
    print(f"one_machine_s: {one:.1f} ({one / args.size:.2f} s per submission)")
    print("shards_s: " + ", ".join(f"{s:.1f}" for s in shards) + f" (slowest {max(shards):.1f})")
    print(f"three_shards_in_a_row_s: {sum(shards):.1f} ({sum(shards) / args.size:.2f} s per submission)")
    print(f"merge_s: {merge:.1f}")
    print(f"merged gradebook byte-identical to one machine's: {'yes' if same else 'NO'}")
    print(f"shards_over_one_machine: {sum(shards) / one:.3f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
