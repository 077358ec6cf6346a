"""Stage `ingest`: land the upstream export (the churn world's daily Parquet partitions) in ``data/raw``.

In production this step copies what the source system dropped in a bucket; here the source system is the
course's simulated churn world, exported with :func:`course.data.churn.export_raw`.
"""

from __future__ import annotations

from pathlib import Path

from churn_pipeline.config import WorldParams


def export_world(raw_dir: Path, world: WorldParams) -> Path:
    """Export the world described by ``world`` (seed, n_customers, start, months, schema_version), drawn
    with the learner's world parameters (``course.worlds.current()``: ``learner.toml``, or the default world).

    The export replaces ``raw_dir`` atomically and is byte-identical for the same parameters and learner.
    """
    from course import worlds
    from course.data import churn

    generated = churn.load_world(
        seed=world.seed,
        n_customers=world.n_customers,
        months=world.months,
        start=world.start.isoformat(),
        world=worlds.current().params("churn"),
    )
    return churn.export_raw(generated, Path(raw_dir), schema_version=world.schema_version)
