"""Benchmark project 3's pipeline: full-run time as customers double, and a no-op re-run against a full run.

    python benchmarks/p3_pipeline.py            # 5,000, 10,000 and 20,000 customers
    python benchmarks/p3_pipeline.py --sizes 2000 4000

For each size the upstream export is written once (not timed: it is the source system's work); then the
pipeline runs from ``validate`` to ``score`` for a run date (the "full run", best of ``--repeat`` runs from
empty outputs), and once more with nothing changed (the "no-op re-run"). Both wall and CPU seconds (all
threads) are printed; the ratios use CPU seconds, which a busy machine distorts far less than wall time.
Targets (benchmarks/README.md): time ratio per doubling of customers <= 2.3, no-op re-run <= 5 % of a full
run. The last line is machine-readable: ``p3_pipeline_noop_fraction: <ratio>``.

``--dvc`` also times ``dvc repro`` at the largest size (wall seconds: every stage is its own process): a
full run from empty outputs, then a no-op ``dvc repro``; ``p3_dvc_noop_fraction`` is their ratio (same
target: at most 5 %).
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "solutions" / "p3_pipeline"
GROWTH_TARGET = 2.3
NOOP_TARGET = 0.05
PARAMS = """
world: {{seed: 0, n_customers: {n}, start: "2024-01-01", months: 6, schema_version: 1}}
validate: {{accept_schema_versions: [1, 2]}}
features: {{first_as_of: "2024-02-01"}}
labels: {{horizon_days: 30, delay_days: 45}}
run: {{as_of: "2024-06-25"}}
train: {{c: 1.0, seed: 0}}
"""
DERIVED = ("data/validated", "data/features", "data/labels", "data/scores", "artifacts")


def _clear_outputs(folder: Path) -> None:
    """Remove every output after the raw export (and the stamps of those steps)."""
    for name in DERIVED:
        shutil.rmtree(folder / name, ignore_errors=True)
    for stamp in (folder / "data" / "_stamps").glob("*.json"):
        if stamp.name != "ingest.json":
            stamp.unlink()


def _timed(fn):
    """(result, wall seconds, CPU seconds of the process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def measure_size(n: int, workdir: Path, repeat: int) -> dict[str, float]:
    """Best full-run and no-op re-run seconds (wall and CPU) for ``n`` customers."""
    from churn_pipeline.run import Pipeline

    folder = workdir / f"n{n}"
    folder.mkdir()
    (folder / "params.yaml").write_text(PARAMS.format(n=n), encoding="utf-8")
    pipeline = Pipeline.from_folder(folder)
    pipeline.ingest()
    walls, cpus = [], []
    for _ in range(repeat):
        _clear_outputs(folder)
        report, wall, cpu = _timed(pipeline.run)
        walls.append(wall)
        cpus.append(cpu)
        assert "validate" in report.computed, "the full run skipped validate: outputs were not cleared"
    noops = [_timed(pipeline.run) for _ in range(repeat)]
    assert all(r.computed == [] for r, _, _ in noops), "a no-op re-run recomputed something"
    return {
        "full_wall": min(walls),
        "full_cpu": min(cpus),
        "noop_wall": min(w for _, w, _ in noops),
        "noop_cpu": min(c for _, _, c in noops),
    }


def measure_dvc(n: int, tmp: Path) -> tuple[float, float]:
    """(full, no-op) wall seconds of ``dvc repro`` on a copy of the project with ``n`` customers."""
    import subprocess

    folder = tmp / f"dvc-{n}"
    shutil.copytree(
        PROJECT, folder, ignore=shutil.ignore_patterns("data", "artifacts", "reports", "dvc.lock")
    )
    (folder / "params.yaml").write_text(PARAMS.format(n=n), encoding="utf-8")
    (folder / ".dvc").mkdir(exist_ok=True)
    (folder / ".dvc" / "config").write_text(
        "[core]\n    no_scm = true\n    check_update = false\n    analytics = false\n", encoding="utf-8"
    )
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "DVC_NO_ANALYTICS": "true",
        "HOME": str(tmp),
    }
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "dvc", "repro"], cwd=folder, env=env, check=True, capture_output=True
        )
        seconds.append(time.perf_counter() - start)
    return seconds[0], seconds[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 10_000, 20_000])
    parser.add_argument("--repeat", type=int, default=3, help="full runs per size (the best one counts)")
    parser.add_argument("--dvc", action="store_true", help="also time dvc repro (full and no-op)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT))

    import duckdb  # noqa: F401  (warm the imports so the first size does not pay for them)
    import pandera.pandas  # noqa: F401
    import sklearn.linear_model  # noqa: F401

    results = {}
    with tempfile.TemporaryDirectory(prefix="p3-bench-") as tmp:
        for n in args.sizes:
            results[n] = measure_size(n, Path(tmp), args.repeat)
            r = results[n]
            print(
                f"{n:>7,} customers: full run {r['full_wall']:6.2f} s wall / {r['full_cpu']:6.2f} s CPU, "
                f"no-op re-run {r['noop_wall']:5.2f} s wall / {r['noop_cpu']:5.2f} s CPU"
            )
    sizes = sorted(results)
    ratios = [results[b]["full_cpu"] / results[a]["full_cpu"] for a, b in itertools.pairwise(sizes)]
    for (a, b), ratio in zip(itertools.pairwise(sizes), ratios, strict=True):
        verdict = "ok" if ratio <= GROWTH_TARGET * (b / a) / 2 else "TOO STEEP"
        print(f"growth {a:,} -> {b:,}: x{ratio:.2f} (target <= {GROWTH_TARGET} per doubling) {verdict}")
    largest = sizes[-1]
    noop_fraction = results[largest]["noop_cpu"] / results[largest]["full_cpu"]
    print(
        f"no-op re-run at {largest:,} customers: {noop_fraction:.1%} of a full run "
        f"(target <= {NOOP_TARGET:.0%})"
    )
    if args.dvc:
        with tempfile.TemporaryDirectory(prefix="p3-bench-dvc-") as tmp:
            full, noop = measure_dvc(sizes[-1], Path(tmp))
        print(f"dvc repro at {sizes[-1]:,} customers: full {full:.2f} s, no-op {noop:.2f} s wall")
        print(f"p3_dvc_noop_fraction: {noop / full:.4f} (target <= {NOOP_TARGET:.0%})")
    print(f"p3_pipeline_growth_max: {max(ratios):.3f}" if ratios else "p3_pipeline_growth_max: nan")
    print(f"p3_pipeline_noop_fraction: {noop_fraction:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
