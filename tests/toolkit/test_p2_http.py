"""Project 2's service over real HTTP: a uvicorn process on a free loopback port, and schemathesis against it.

The reference solution (``solutions/p2_serving``) is trained on a small churn world into a temporary folder,
served by ``uvicorn --factory churn_service.app:create_app`` on 127.0.0.1, and stopped by its pid.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from course.paths import solutions_dir
from course.servers import free_port, serve

pytestmark = pytest.mark.slow

PROJECT = solutions_dir() / "p2_serving"
TRAIN_TOML = """seed = 0
n_customers = 400
months = 8
test_months = 2

[model]
max_iter = 30
learning_rate = 0.1
max_leaf_nodes = 8
"""
CUSTOMER = {
    "customer_id": "C-http-1", "plan": "basic", "contract": "monthly", "channel": "organic", "country": "US",
    "age_band": "25-34", "monthly_price": 9.99, "price_change_pct_90d": 0.0, "tenure_days": 120,
    "months_to_renewal": 0, "sessions_7d": 3, "minutes_7d": 40.5, "sessions_28d": 12, "minutes_28d": 180.0,
    "minutes_prev_28d": 260.0, "active_days_28d": 9, "usage_trend_28d": -0.09, "days_since_last_activity": 4,
    "failed_payments_90d": 1, "tickets_30d": 0, "tickets_90d": 1,
}  # fmt: skip


def _env(artifacts: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("CHURN_SERVICE_")}
    return {**keep, "CHURN_SERVICE_ARTIFACT_DIR": str(artifacts), "CHURN_SERVICE_LOG_LEVEL": "WARNING",
            "OMP_NUM_THREADS": "1", "PYTHONPATH": str(PROJECT)}  # fmt: skip


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    """A small model trained by the solution's own command line."""
    folder = tmp_path_factory.mktemp("p2-artifacts")
    config = folder / "train.toml"
    config.write_text(TRAIN_TOML)
    subprocess.run(
        [sys.executable, "-m", "churn_service.train", "--config", str(config), "--artifact-dir", str(folder)],
        cwd=PROJECT, env=_env(folder), check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def server(artifacts, tmp_path_factory):
    """The service under uvicorn on a free loopback port; stopped by its pid at the end of the module."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "churn_service.app:create_app",
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]  # fmt: skip
    log = tmp_path_factory.mktemp("p2-server") / "uvicorn.log"
    with serve(
        command, "/ready", port, cwd=PROJECT, env=_env(artifacts), log_path=log, timeout_s=90
    ) as running:
        yield running
    with pytest.raises(ProcessLookupError):
        os.kill(running.pid, 0)  # the process is gone once serve() has stopped it


def _call(
    url: str, body: bytes | None = None, content_type: str = "application/json"
) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if body is not None:
        request.add_header("content-type", content_type)
    request.add_header("X-Request-ID", "toolkit-http-1")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_uvicorn_serves_predictions_over_loopback(server):
    """/ready, /predict, a bad request and /metrics answer over real HTTP."""
    status, _, text = _call(server.url + "/ready")
    assert status == 200 and json.loads(text)["model_version"] == "v0001"
    status, headers, text = _call(server.url + "/predict", json.dumps(CUSTOMER).encode())
    assert status == 200, text
    answer = json.loads(text)
    assert 0.0 <= answer["churn_probability"] <= 1.0 and answer["fallback"] is False
    assert {k.lower(): v for k, v in headers.items()}["x-request-id"] == "toolkit-http-1"
    status, _, text = _call(server.url + "/predict", json.dumps({**CUSTOMER, "plan": "gold"}).encode())
    assert status == 422 and "plan" in text
    status, _, text = _call(server.url + "/predict", b"not json", content_type="text/plain")
    assert status == 415
    status, _, text = _call(server.url + "/metrics")
    assert status == 200 and 'churn_requests_total{path="/predict",status="422"} 1.0' in text


def test_schemathesis_all_checks_are_clean(server, tmp_path):
    """Schemathesis with every check (``--checks all``: server errors, status codes, content types, response
    schemas, positive data accepted, negative data rejected, unsupported methods) finds no issue.

    Bounded: at most 15 examples per operation and phase, deterministic generation, one worker, and a 15 s
    budget for the run (the coverage phase alone tries each operation's boundary values).
    """
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", server.url + "/openapi.json", "--checks", "all",
        "--max-examples", "15", "--generation-deterministic", "--workers", "1", "--max-time", "15",
        "--request-timeout", "10", "--no-color", "--report", "junit", "--report-dir", str(tmp_path),
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    summary = run.stdout[run.stdout.find("SUMMARY") :]
    assert run.returncode == 0 and "No issues found" in summary, run.stdout[-4000:] + run.stderr[-2000:]
    cases = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert cases and int(cases.group(1)) >= 100 and cases.group(1) == cases.group(2), summary
