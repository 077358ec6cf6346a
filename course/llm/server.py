"""Run the simulator on 127.0.0.1 in its own process, bounded in time, and stop it by its pid.

>>> from course.llm.server import start_simulator
>>> with start_simulator(log_path=Path("reports/llm_requests.jsonl")) as sim:
...     client = openai.OpenAI(base_url=sim.base_url, api_key="sim")
...     client.chat.completions.create(model="triage-mini", messages=[...])

From a notebook that keeps it across cells: ``sim = open_simulator()`` ... ``sim.stop()``.  The process
also stops by itself after ``max_lifetime_s``.  Command line (what the two functions run)::

    python -m course.llm.server --port 8765 [--config sim.toml|sim.json] [--log requests.jsonl]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from course.llm.config import SimulatorConfig

HOST = "127.0.0.1"


@dataclass
class RunningSimulator:
    """A simulator process: its pid, port, URLs and request log; ``stop()`` ends it by its pid."""

    pid: int
    port: int
    url: str
    log_path: Path | None
    _stack: contextlib.ExitStack = field(repr=False, default_factory=contextlib.ExitStack)
    uds: str | None = None
    """The Unix socket it listens on instead of a port (``open_simulator(uds=True)``), else None."""

    def http_client(self, timeout_s: float | None = 60.0):
        """An ``httpx.Client`` that reaches the simulator: pass it as ``openai.OpenAI(http_client=...)``.

        Needed with ``uds=True`` (a process whose network namespace has no loopback, like the grader's
        worker, can still reach a Unix socket); over TCP it is a plain client.
        """
        import httpx

        transport = httpx.HTTPTransport(uds=self.uds) if self.uds else None
        return httpx.Client(transport=transport, timeout=timeout_s)

    @property
    def base_url(self) -> str:
        """What to pass to ``openai.OpenAI(base_url=...)``."""
        return f"{self.url}/v1"

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and remove its temporary files."""
        self._stack.close()


@contextlib.contextmanager
def start_simulator(
    config: SimulatorConfig | None = None,
    *,
    log_path: Path | None = None,
    port: int | None = None,
    startup_timeout_s: float = 180.0,
    max_lifetime_s: float = 3_600.0,
    uds: bool = False,
) -> Iterator[RunningSimulator]:
    """Start the simulator on ``127.0.0.1`` (a free port by default) until the block ends."""
    sim = open_simulator(
        config,
        log_path=log_path,
        port=port,
        startup_timeout_s=startup_timeout_s,
        max_lifetime_s=max_lifetime_s,
        uds=uds,
    )
    try:
        yield sim
    finally:
        sim.stop()


def open_simulator(
    config: SimulatorConfig | None = None,
    *,
    log_path: Path | None = None,
    port: int | None = None,
    startup_timeout_s: float = 180.0,
    max_lifetime_s: float = 3_600.0,
    uds: bool = False,
) -> RunningSimulator:
    """Like :func:`start_simulator` without the block: call ``stop()`` on the result.

    ``uds=True`` serves on a Unix socket in a temporary folder instead of a TCP port: reach it through
    ``RunningSimulator.http_client()``.
    """
    from course.servers import free_port, serve

    config = config or SimulatorConfig()
    stack = contextlib.ExitStack()
    try:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="course-llm-sim-")))
        config_path = folder / "config.json"
        config_path.write_text(config.model_dump_json(), encoding="utf-8")
        socket_path = folder / "sim.sock" if uds else None
        port = 0 if uds else (port or free_port(HOST))
        where = ["--uds", str(socket_path)] if socket_path else ["--port", str(port)]
        command = [sys.executable, "-m", "course.llm.server", *where, "--config", str(config_path)]
        command += ["--max-lifetime-s", str(max_lifetime_s)]
        if log_path is not None:
            command += ["--log", str(Path(log_path).resolve())]
        toolkit = str(Path(__file__).resolve().parents[2])  # the process imports this very `course`
        paths = [toolkit, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": os.pathsep.join(paths)}
        running = stack.enter_context(
            serve(
                command,
                "/health",
                port,
                host=HOST,
                timeout_s=startup_timeout_s,
                env=env,
                log_path=folder / "out.log",
                uds=socket_path,
            )
        )
    except BaseException:
        stack.close()
        raise
    return RunningSimulator(
        running.pid,
        port,
        running.url,
        Path(log_path) if log_path else None,
        stack,
        str(socket_path) if socket_path else None,
    )


def _load_config(path: str | None) -> SimulatorConfig:
    if path is None:
        return SimulatorConfig()
    if path.endswith(".json"):
        return SimulatorConfig.model_validate_json(Path(path).read_text(encoding="utf-8"))
    return SimulatorConfig.from_toml(path)


def main(argv: list[str] | None = None) -> None:
    """Serve the simulator on 127.0.0.1 until stopped or ``--max-lifetime-s`` has passed."""
    parser = argparse.ArgumentParser(prog="python -m course.llm.server", description=main.__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", type=int)
    where.add_argument("--uds", default=None, help="serve on this Unix socket instead of a port")
    parser.add_argument("--config", default=None, help="a TOML or JSON file of SimulatorConfig fields")
    parser.add_argument("--log", default=None, help="append one JSON line per request to this file")
    parser.add_argument("--max-lifetime-s", type=float, default=3_600.0)
    args = parser.parse_args(argv)

    import uvicorn

    from course.llm.simulator import create_app

    app = create_app(_load_config(args.config), log_path=Path(args.log) if args.log else None)
    timer = threading.Timer(args.max_lifetime_s, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.daemon = True
    timer.start()
    if args.uds:
        uvicorn.run(app, uds=args.uds, log_level="warning", access_log=False)
    else:
        uvicorn.run(app, host=HOST, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
