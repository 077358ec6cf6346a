"""Seeded faults and the rate limits of the simulator.

A fault is drawn from ``SHA-256(seed, request bytes, attempt)``: the same request sent again is a new
attempt with its own draw, and no draw depends on the order or timing of other requests, so a seed
replays the same faults for the same traffic.  Rate limits are token buckets that hold one second's
worth of the per-minute limits and refill continuously: those 429s depend on timing, by nature.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass

from course.llm.config import FaultProfile

FAULTS = ("rate_limit", "server_error", "slow", "malformed_json", "non_schema_json")
"""The fault modes, in the order their probabilities are stacked."""


def unit_draw(*parts: object) -> float:
    """A number in [0, 1) determined by ``parts`` (SHA-256 of their text)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def draw_fault(profile: FaultProfile, seed: int, request_hash: str, attempt: int) -> str | None:
    """The fault of one attempt at a request, or None; never one past ``max_faults_per_request``."""
    if attempt >= profile.max_faults_per_request:
        return None
    u = unit_draw(seed, request_hash, attempt, "fault")
    edge = 0.0
    for name in FAULTS:
        edge += getattr(profile, name)
        if u < edge:
            return name
    return None


@dataclass
class _Bucket:
    rate: float  # units per second
    capacity: float
    level: float
    stamp: float

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_for(self, amount: float) -> float:
        return max(0.0, (min(amount, self.capacity) - self.level) / self.rate)


class RateLimiter:
    """Requests and tokens per minute, each a bucket holding one second of its limit (thread-safe)."""

    def __init__(self, requests_per_minute: int, tokens_per_minute: int) -> None:
        now = time.monotonic()
        self.limits = {"requests": requests_per_minute, "tokens": tokens_per_minute}
        self._buckets = {
            name: _Bucket(
                rate=limit / 60, capacity=max(1.0, limit / 60), level=max(1.0, limit / 60), stamp=now
            )
            for name, limit in self.limits.items()
        }
        self._lock = threading.Lock()

    def acquire(self, tokens: int) -> float:
        """Take one request and ``tokens`` tokens; 0.0 when granted, else the seconds to wait first."""
        with self._lock:
            now = time.monotonic()
            need = {"requests": 1.0, "tokens": float(tokens)}
            waits = []
            for name, bucket in self._buckets.items():
                bucket.refill(now)
                waits.append(bucket.wait_for(need[name]))
            if max(waits) > 0:
                return max(waits)
            for name, bucket in self._buckets.items():
                bucket.level -= min(need[name], bucket.capacity)
            return 0.0

    def remaining(self) -> dict[str, int]:
        """What is left in each bucket now (for the ``x-ratelimit-remaining-*`` headers)."""
        with self._lock:
            now = time.monotonic()
            for bucket in self._buckets.values():
                bucket.refill(now)
            return {name: math.floor(b.level) for name, b in self._buckets.items()}
