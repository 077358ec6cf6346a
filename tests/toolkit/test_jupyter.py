"""JupyterLab from the course environment starts on loopback and answers its API."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

import pytest

from course.servers import free_port, serve

pytestmark = pytest.mark.slow


def test_jupyterlab_answers_its_api_on_loopback(tmp_path: Path) -> None:
    """`make start` runs this same command; here it must come up, answer /api/status, and stop by pid."""
    port = free_port()
    token = "course-test-token"
    jupyter = Path(sys.executable).parent / "jupyter"
    command = [
        str(jupyter), "lab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
        "--ServerApp.open_browser=False", "--allow-root", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    env = {"PATH": str(jupyter.parent), "HOME": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    with serve(command, f"/api/status?token={token}", port, env=env, log_path=tmp_path / "lab.log") as srv:
        with urllib.request.urlopen(f"{srv.url}/api/status?token={token}", timeout=10) as response:
            status = json.load(response)
        with urllib.request.urlopen(f"{srv.url}/lab?token={token}", timeout=10) as response:
            page = response.read().decode()
    assert "started" in status, f"/api/status answered {status}"
    assert "JupyterLab" in page, "the /lab page did not come from JupyterLab"
