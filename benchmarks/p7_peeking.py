"""Project 7's A/A peeking simulation: the vectorised path against a loop over experiments, same inputs.

The inputs are drawn once (``online_eval.peeking.draw_aa``: daily conversions of two identical arms for
``--experiments`` experiments and ``--looks`` daily looks). The vectorised path computes every z statistic
and both stopping rules (naive peeking and the mSPRT) on whole arrays; the loop path does the same one
experiment at a time, as a first version usually does. Both must reach the same decisions.

    .venv/bin/python benchmarks/p7_peeking.py [--experiments 10000] [--looks 28] [--per-look 200]

Prints both times and the ratio; the last line is ``p7_peeking_pass: 1`` (or 0). Target: ratio >= 50.
Exit status 1 when the target is missed or the two paths disagree.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

RATIO_TARGET = 50.0
ROOT = Path(__file__).resolve().parents[1]


def loop_decisions(a, b, per_look: int, alpha: float = 0.05, tau: float = 0.1):
    """Naive and mSPRT decisions one experiment and one look at a time (the baseline)."""
    import numpy as np

    crit = 1.959964
    naive = np.zeros(len(a), dtype=bool)
    msprt = np.zeros(len(a), dtype=bool)
    for i in range(len(a)):
        sa = sb = 0.0
        for k in range(a.shape[1]):
            sa += a[i, k]
            sb += b[i, k]
            n = per_look * (k + 1)
            pooled = (sa + sb) / (2 * n)
            var = 2 * pooled * (1 - pooled) / n
            z = (sa - sb) / n / math.sqrt(var) if var > 0 else 0.0
            v = 2.0 / n
            log_lambda = 0.5 * math.log(v / (v + tau**2)) + tau**2 * z**2 / (2 * (v + tau**2))
            naive[i] |= abs(z) >= crit
            msprt[i] |= log_lambda >= math.log(1 / alpha)
    return naive, msprt


def best_of(function, repeats: int):
    """(result, best wall time in seconds of ``repeats`` calls), after one untimed warm-up call."""
    result = function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--looks", type=int, default=28)
    parser.add_argument("--per-look", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "solutions" / "p7_online"))
    import numpy as np
    from online_eval import peeking

    a, b = peeking.draw_aa(args.experiments, args.looks, args.per_look, p=0.1, seed=0)
    n = args.per_look * np.arange(1, args.looks + 1)

    def vectorised():
        z = peeking.z_paths(a, b, args.per_look)
        return peeking.naive_rejections(z), peeking.msprt_rejections(z, n)

    fast, vectorised_s = best_of(vectorised, 5)  # after one warm-up call, like the loop's first call
    slow, loop_s = best_of(lambda: loop_decisions(a, b, args.per_look), 2)
    same = all((x == y).all() for x, y in zip(fast, slow, strict=True))
    ratio = loop_s / vectorised_s
    print(f"experiments x looks: {args.experiments:,} x {args.looks}")
    print(f"vectorised: {vectorised_s:.4f} s; loop over experiments: {loop_s:.3f} s (best of 5 and 2 runs)")
    print(f"ratio: {ratio:.0f}x (target >= {RATIO_TARGET:.0f}x)")
    print(f"false positives: naive {fast[0].mean():.4f}, mSPRT {fast[1].mean():.4f}; paths agree: {same}")
    ok = same and ratio >= RATIO_TARGET
    print(f"p7_peeking_pass: {int(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
