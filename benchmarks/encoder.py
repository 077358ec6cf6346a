"""Project 6: the batched, cached encode path against a bare ``SentenceTransformer.encode``.

Embeds N tickets of the tickets world (subject + body) three ways with the same loaded model: bare
``model.encode`` (batch size 64), the course's ``Encoder.encode`` with an empty cache (hashing, looking
up, encoding the missing texts, writing a shard), and the same call again, served from the cache by a
fresh ``Encoder`` that reads the shards from disk.  Bare and cold runs alternate, best of 3 each.
Targets: cold rows/s >= 0.9 x bare rows/s; cached re-run <= 5 % of the cold run's time.

    flock /tmp/course-cpu.lock .venv/bin/python benchmarks/encoder.py [--rows 1000]

Last line (machine-readable): ``encoder_throughput_ratio: <value>``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from course.data import tickets
    from course.models import encoder

    world = tickets.load_world(seed=0)
    texts = (world.tickets["subject"] + ". " + world.tickets["body"]).head(args.rows).tolist()
    model = encoder.load_model()
    model.encode(texts[:64], batch_size=64, show_progress_bar=False)  # warm-up

    bare_s, cold_s, warm_s = [], [], []
    with tempfile.TemporaryDirectory(prefix="p6-encoder-") as tmp:
        for run in range(args.repeats):
            started = time.perf_counter()
            model.encode(texts, batch_size=64, convert_to_numpy=True, show_progress_bar=False)
            bare_s.append(time.perf_counter() - started)

            cache = Path(tmp) / f"run-{run}"
            started = time.perf_counter()
            encoder.Encoder(model=model, cache_dir=cache, batch_size=64).encode(texts)
            cold_s.append(time.perf_counter() - started)

            started = time.perf_counter()
            encoder.Encoder(model=model, cache_dir=cache, batch_size=64).encode(texts)
            warm_s.append(time.perf_counter() - started)

    n = len(texts)
    bare_rate, cold_rate = n / min(bare_s), n / min(cold_s)
    ratio = cold_rate / bare_rate
    rerun = min(warm_s) / min(cold_s)
    print(f"texts: {n} tickets (subject + body), batch size 64, best of {args.repeats}")
    print(f"bare SentenceTransformer.encode: {bare_rate:,.0f} rows/s")
    print(f"course Encoder.encode, empty cache: {cold_rate:,.0f} rows/s ({ratio:.2f}x bare; target >= 0.9)")
    warm_ms = min(warm_s) * 1000
    print(f"course Encoder.encode, cached re-run: {warm_ms:.1f} ms ({rerun:.2%} of cold; target <= 5 %)")
    print(f"encoder_cache_rerun_fraction: {rerun:.4f}")
    print(f"encoder_throughput_ratio: {ratio:.3f}")


if __name__ == "__main__":
    main()
