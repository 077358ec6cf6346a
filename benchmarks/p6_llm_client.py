"""Project 6: the reference LLM client against the simulator's default fault profile.

Sends N tickets (default 1,000) through ``ticket_triage.client.TriageClient`` from 16 threads that share
one client (one token bucket for requests and tokens, as the rate limits are the vendor's per account).
Every ticket must come back answered or abstained with a reason, and the vendor's bill must stay within
the budget. The wall time is compared with the best schedule the per-minute request limit allows for the
attempts that were made (the first second's burst free, then one attempt per 1/rate seconds).
Target: wall time <= 1.25 x that schedule.

    flock /tmp/course-cpu.lock .venv/bin/python benchmarks/p6_llm_client.py [--rows 1000]

Last line (machine-readable): ``llm_client_schedule_ratio: <value>``.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--budget-usd", type=float, default=1.0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "solutions" / "p6_triage"))

    import httpx
    from ticket_triage.client import TriageClient

    from course.data import tickets
    from course.llm.config import SimulatorConfig
    from course.llm.server import open_simulator

    world = tickets.load_world(seed=0)
    texts = (world.tickets["subject"] + ". " + world.tickets["body"]).tolist()[: args.rows]
    config = SimulatorConfig(seed=0)  # the default fault profile and rate limits
    sim = open_simulator(config, max_lifetime_s=900)
    try:
        rpm = config.requests_per_minute
        client = TriageClient(
            sim.base_url, requests_per_minute=rpm, tokens_per_minute=config.tokens_per_minute,
            budget_usd=args.budget_usd, timeout_s=2.0, max_retries=6,
        )  # fmt: skip
        labels = list(tickets.CATEGORIES)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            results = list(
                pool.map(
                    lambda t: client.classify(t, labels, descriptions=tickets.CATEGORY_DESCRIPTIONS), texts
                )
            )
        wall = time.perf_counter() - started
        ledger = httpx.get(f"{sim.url}/sim/ledger", timeout=30).json()
    finally:
        sim.stop()
    answered = sum(r["status"] == "ok" for r in results)
    abstained = [r for r in results if r["status"] != "ok"]
    unexplained = sum(not r["reason"] for r in abstained)
    burst = rpm / 60
    best = max(ledger["requests"] - burst, 0) / (rpm / 60)
    print(
        f"tickets {len(results)}: answered {answered}, abstained {len(abstained)}, unexplained {unexplained}"
    )
    print(f"attempts sent {ledger['requests']}, billed {ledger['billed']}, retries {client.usage.retries}")
    bill, counted = ledger["cost_usd"], client.spent_usd
    print(f"vendor bill ${bill:.6f}, budget ${args.budget_usd:.2f}, the client counted ${counted:.6f}")
    print(f"wall time {wall:.1f} s; best schedule at {rpm} requests a minute {best:.1f} s")
    print(f"llm_client_schedule_ratio: {wall / best:.3f}")


if __name__ == "__main__":
    main()
