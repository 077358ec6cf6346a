"""Shared fixtures of project 6's graded tests: the tickets world, and LLM vendor simulators served in
the worker (one per fault mode), so that the submission's client can reach them."""

from __future__ import annotations

import contextlib
import time

import pytest

NO_FAULTS = {
    "rate_limit": 0.0,
    "server_error": 0.0,
    "slow": 0.0,
    "malformed_json": 0.0,
    "non_schema_json": 0.0,
}
MODES = {"none": 0, "rate_limit": 1, "server_error": 2, "slow": 1, "malformed_json": 1, "non_schema_json": 1}
"""Each vendor meets its fault on the first N attempts at every request (N here), then answers."""


@pytest.fixture(scope="session")
def world():
    """The tickets world of the learner graded (``course.worlds.current()``; cached by course.data)."""
    from course import worlds

    return worlds.current().tickets(seed=0)


class Vendor:
    """One simulator app served by uvicorn on a Unix socket, in a thread of the worker.

    The worker's network namespace has no loopback interface, so the simulator runs where the submission
    runs and is reached over a Unix socket (``httpx.HTTPTransport(uds=...)``, handed to the client).
    """

    def __init__(self, project_module, encoder, mode: str) -> None:
        faults = dict(NO_FAULTS, retry_after_s=1.0, slow_s=4.0, max_faults_per_request=MODES[mode])
        if mode != "none":
            faults[mode] = 1.0
        config = project_module("course.llm.config").SimulatorConfig(
            seed=0, requests_per_minute=60_000, tokens_per_minute=50_000_000, faults=faults
        )
        app = project_module("course.llm.simulator").create_app(config, encoder=encoder)
        self.socket = project_module("os.path").join(project_module("tempfile").mkdtemp(), "sim.sock")
        uvicorn = project_module("uvicorn")
        self.server = uvicorn.Server(
            uvicorn.Config(app, uds=self.socket, log_level="warning", access_log=False, lifespan="off")
        )
        self.thread = project_module("threading").Thread(target=self.server.run, daemon=True)
        self.thread.start()
        self.httpx = project_module("httpx")
        self.base_url = "http://simulator/v1"
        self.http = self.client()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)

    def client(self):
        """A fresh HTTP client to this vendor, made in the worker (for the submission's TriageClient)."""
        return self.httpx.Client(transport=self.httpx.HTTPTransport(uds=self.socket), timeout=60)

    def ledger(self) -> dict:
        return dict(self.http.get("http://simulator/sim/ledger").json())

    def requests(self) -> list:
        return list(self.http.get("http://simulator/sim/requests").json())

    def stop(self) -> None:
        with contextlib.suppress(Exception):  # a restarted worker took its threads with it
            self.server.should_exit = True


@pytest.fixture(scope="session")
def vendors(project_module):
    """``vendors(mode)``: the simulator that meets fault ``mode`` first (or ``none``), started when used."""
    encoder = project_module("course.models.encoder").Encoder()
    started: dict[str, Vendor] = {}

    def get(mode: str) -> Vendor:
        if mode not in started:
            started[mode] = Vendor(project_module, encoder, mode)
        return started[mode]

    yield get
    for vendor in started.values():
        vendor.stop()


@pytest.fixture()
def vendor(vendors):
    """The simulator without faults."""
    return vendors("none")


@pytest.fixture()
def make_client(project_module, vendors):
    """``make_client(**options)``: the submission's TriageClient pointed at the simulator."""

    def make(*, mode: str = "none", **options):
        sim = vendors(mode)
        defaults = {"timeout_s": 1.0, "backoff_s": 0.05, "requests_per_minute": 30_000}
        defaults["http_client"] = sim.client()
        return project_module("ticket_triage.client").TriageClient(sim.base_url, **{**defaults, **options})

    return make
