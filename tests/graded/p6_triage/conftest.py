"""Shared fixtures of project 6's graded tests: the tickets world, and the LLM vendor simulator started
inside the worker (its network namespace), so that the submission's client can reach it."""

from __future__ import annotations

import contextlib

import pytest

SIMULATOR = {
    "seed": 0,
    "requests_per_minute": 60_000,
    "tokens_per_minute": 50_000_000,
    "follow_injection_rate": 0.8,
    "faults": {
        "rate_limit": 0.0,
        "server_error": 0.0,
        "slow": 0.0,
        "malformed_json": 0.0,
        "non_schema_json": 0.0,
        "retry_after_s": 1.0,
        "slow_s": 4.0,
    },
}
"""No random faults (each test forces the one it is about), a 1 s Retry-After and 4 s slow replies."""


@pytest.fixture(scope="session")
def world():
    """The default tickets world (cached by course.data)."""
    from course.data import tickets

    return tickets.load_world(seed=0)


class Vendor:
    """The simulator running in the worker: its base URL, and its ledger and request log read there."""

    def __init__(self, project_module) -> None:
        config = project_module("course.llm.config").SimulatorConfig(**SIMULATOR)
        server = project_module("course.llm.server")
        # a Unix socket: the worker's network namespace has no loopback interface
        self.handle = server.open_simulator(config, max_lifetime_s=600, uds=True)
        self.url = self.handle.url
        self.base_url = self.handle.base_url
        self.http = self.handle.http_client()

    def client(self):
        """A fresh HTTP client to the simulator, made in the worker (for the submission's TriageClient)."""
        return self.handle.http_client()

    def ledger(self) -> dict:
        return dict(self.http.get(f"{self.url}/sim/ledger").json())

    def requests(self) -> list:
        return list(self.http.get(f"{self.url}/sim/requests").json())


@pytest.fixture(scope="session")
def vendor(project_module):
    """One simulator for the session, stopped by its pid at the end."""
    sim = Vendor(project_module)
    yield sim
    with contextlib.suppress(Exception):  # a restarted worker took its processes with it
        sim.handle.stop()


@pytest.fixture()
def make_client(project_module, vendor):
    """``make_client(**options)``: the submission's TriageClient pointed at the simulator."""

    def make(**options):
        defaults = {"timeout_s": 1.0, "backoff_s": 0.05, "requests_per_minute": 30_000}
        defaults["http_client"] = vendor.client()
        return project_module("ticket_triage.client").TriageClient(vendor.base_url, **{**defaults, **options})

    return make
