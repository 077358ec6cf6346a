"""Stage `ingest`: land the upstream export (the churn world's daily Parquet partitions) in ``data/raw``.

In production this step copies what the source system dropped in a bucket; here the source system is the
course's simulated churn world, exported with :func:`course.data.churn.export_raw`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def export_world(raw_dir: Path, world: dict[str, Any]) -> Path:
    """Export the world described by ``world`` (seed, n_customers, start, months, schema_version).

    The export replaces ``raw_dir`` atomically and is byte-identical for the same parameters.
    """
    from course.data import churn

    generated = churn.load_world(
        seed=int(world["seed"]),
        n_customers=int(world["n_customers"]),
        months=int(world["months"]),
        start=str(world.get("start", "2024-01-01")),
    )
    return churn.export_raw(generated, Path(raw_dir), schema_version=int(world.get("schema_version", 1)))


def main() -> None:
    """``python -m churn_pipeline.ingest``: params.yaml ``world`` -> data/raw."""
    from churn_pipeline.run import Pipeline

    pipeline = Pipeline.from_folder(Path("."))
    pipeline.ingest(force=True)
    print(f"ingest: raw export written to {pipeline.layout.raw.relative_to(pipeline.root)}")


if __name__ == "__main__":
    main()
