"""The simulator as a process: on 127.0.0.1 only, reached by the ``openai`` SDK over HTTP, a slow reply
beyond the client's timeout, and stopped by its pid."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import openai
import psutil
import pytest

from course.llm.config import NO_FAULTS, SimulatorConfig
from course.llm.server import HOST, open_simulator

SYSTEM = "Categories:\n- billing: charges and refunds\n- access: signing in\nReply in JSON with the category."


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    log = tmp_path_factory.mktemp("sim") / "requests.jsonl"
    config = SimulatorConfig(faults=NO_FAULTS.model_copy(update={"slow_s": 2.0}))
    running = open_simulator(config, log_path=log, max_lifetime_s=300)
    yield running
    running.stop()


def _client(sim, timeout: float = 30.0) -> openai.OpenAI:
    return openai.OpenAI(base_url=sim.base_url, api_key="sim", max_retries=0, timeout=timeout)


@pytest.mark.slow
def test_answers_the_openai_sdk_over_http(sim) -> None:
    reply = _client(sim).chat.completions.create(
        model="triage-mini",
        messages=[
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "<ticket>I cannot log in</ticket>"},
        ],
    )
    assert json.loads(reply.choices[0].message.content) == {"category": "access"}
    assert reply.usage.prompt_tokens > 0
    logged = [json.loads(line) for line in Path(sim.log_path).read_text().splitlines()]
    assert logged[-1]["status"] == 200 and "I cannot log in" in json.dumps(logged[-1]["messages"])


@pytest.mark.slow
def test_listens_on_loopback_only(sim) -> None:
    listening = [
        c.laddr for p in [psutil.Process(sim.pid), *psutil.Process(sim.pid).children(recursive=True)]
        for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN
    ]  # fmt: skip
    assert listening and all(addr.ip == HOST and addr.port == sim.port for addr in listening)
    assert sim.url == f"http://127.0.0.1:{sim.port}"


@pytest.mark.slow
def test_a_slow_reply_exceeds_the_client_timeout(sim) -> None:
    with pytest.raises(openai.APITimeoutError):
        _client(sim, timeout=0.5).chat.completions.create(
            model="triage-mini",
            messages=[{"role": "user", "content": "slow please"}],
            extra_headers={"x-simulator-fault": "slow"},
        )


@pytest.mark.slow
def test_stop_ends_the_process_and_frees_the_port(tmp_path: Path) -> None:
    running = open_simulator(SimulatorConfig(faults=NO_FAULTS), max_lifetime_s=120)
    pid, port = running.pid, running.port
    running.stop()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    with socket.socket() as s:
        assert s.connect_ex((HOST, port)) != 0


@pytest.mark.slow
def test_on_a_unix_socket_it_answers_the_sdk_through_its_http_client_and_opens_no_port() -> None:
    """``uds=True``: no TCP port at all (a worker without loopback can still reach it), the SDK through
    ``http_client()``, and ``stop()`` ends the process and removes the socket."""
    running = open_simulator(SimulatorConfig(faults=NO_FAULTS), max_lifetime_s=120, uds=True)
    try:
        assert running.uds and Path(running.uds).exists() and running.port == 0
        process = psutil.Process(running.pid)
        assert not [
            c for p in [process, *process.children(recursive=True)] for c in p.net_connections("inet")
        ]
        client = openai.OpenAI(
            base_url=running.base_url, api_key="sim", max_retries=0, http_client=running.http_client()
        )
        reply = client.chat.completions.create(
            model="triage-mini",
            messages=[
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": "<ticket>I was charged twice</ticket>"},
            ],
        )
        assert json.loads(reply.choices[0].message.content) == {"category": "billing"}
    finally:
        pid, path = running.pid, running.uds
        running.stop()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not Path(path).exists()
