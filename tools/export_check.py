"""The learner repository, tried as a learner would: export it, clone it, run its two commands.

``make export-check`` (CI runs it after ``make test``): ``course export`` writes the learner repository with
one commit, ``git clone`` makes a clean clone of it, and in the clone ``make test`` must pass (it installs
its own ``.venv``, generates the data, lints and grades every project: the command passes whatever the
scores), every project must have its reports in ``grades/`` and every untouched starter must score 0 there
(``grades/<project>/grade.json``; the course's discrimination check, graded as a learner's submission with
its notebooks: ``make test`` of the course runs only the graded tests on the starters, in one pytest
session), and ``make start`` must bring JupyterLab up on 127.0.0.1 (polled at ``/api``, then stopped with its
whole process group).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".cache" / "export-check"
START_TIMEOUT_S = 300


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    """Run ``args`` in ``cwd``, streaming its output; exit with its status when it fails."""
    print(f"$ {' '.join(args)}  (in {cwd})", flush=True)
    done = subprocess.run(args, cwd=cwd, env=env)
    if done.returncode != 0:
        sys.exit(f"export-check: `{' '.join(args)}` failed with status {done.returncode} in {cwd}")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def jupyter_answers(port: int) -> bool:
    """Whether a Jupyter server answers ``/api`` on ``port``."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2) as response:
            return "version" in json.loads(response.read())
    except (OSError, ValueError):
        return False


def check_start(clone: Path, env: dict[str, str]) -> float:
    """``make start`` in ``clone`` until JupyterLab answers; the seconds it took. Always stopped."""
    port = free_port()
    started = time.monotonic()
    log = (WORK / "make-start.log").open("w")
    process = subprocess.Popen(
        ["make", "start", f"JUPYTER_PORT={port}"],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while time.monotonic() - started < START_TIMEOUT_S:
            if jupyter_answers(port):
                return time.monotonic() - started
            if process.poll() is not None:
                break
            time.sleep(1)
        log.close()
        tail = (WORK / "make-start.log").read_text()[-3000:]
        sys.exit(f"export-check: `make start` did not bring JupyterLab up on port {port}:\n{tail}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def main() -> None:
    """Export, clone, ``make test`` and ``make start`` in the clone; print what each took."""
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    export, clone = WORK / "export", WORK / "clone"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "VIRTUAL_ENV", "MAKE"))}
    env.pop("MFLAGS", None)
    run([str(ROOT / ".venv" / "bin" / "course"), "export", str(export), "--git"], ROOT)
    run(["git", "clone", "-q", str(export), str(clone)], WORK)
    started = time.monotonic()
    run(["make", "test"], clone, env)
    test_s = time.monotonic() - started
    projects = sorted(p.name for p in (clone / "projects").iterdir() if p.is_dir())
    reports = {p: clone / "grades" / p / "grade.json" for p in projects}
    missing = [p for p in projects if not ((clone / "grades" / f"{p}.md").is_file() and reports[p].is_file())]
    if missing:
        sys.exit(f"export-check: make test wrote no report for {', '.join(missing)} in grades/")
    earning = [p for p, path in reports.items() if json.loads(path.read_text())["score"] != 0]  # grade.json
    if earning:  # the full discrimination check: graded as a learner's submission, notebooks included
        sys.exit(f"export-check: the untouched starter earns points in {', '.join(earning)} (see grades/)")
    start_s = check_start(clone, env)
    print(
        f"export-check: the learner repository's `make test` passed in {test_s:.0f} s "
        f"({len(projects)} projects graded) and `make start` served JupyterLab after {start_s:.0f} s"
    )


if __name__ == "__main__":
    main()
