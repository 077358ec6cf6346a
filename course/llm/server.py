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
) -> Iterator[RunningSimulator]:
    """Start the simulator on ``127.0.0.1`` (a free port by default) until the block ends."""
    sim = open_simulator(
        config,
        log_path=log_path,
        port=port,
        startup_timeout_s=startup_timeout_s,
        max_lifetime_s=max_lifetime_s,
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
) -> RunningSimulator:
    """Like :func:`start_simulator` without the block: call ``stop()`` on the result."""
    from course.servers import free_port, serve

    config = config or SimulatorConfig()
    port = port or free_port(HOST)
    stack = contextlib.ExitStack()
    try:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="course-llm-sim-")))
        config_path = folder / "config.json"
        config_path.write_text(config.model_dump_json(), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "course.llm.server",
            "--port",
            str(port),
            "--config",
            str(config_path),
        ]
        command += ["--max-lifetime-s", str(max_lifetime_s)]
        if log_path is not None:
            command += ["--log", str(Path(log_path).resolve())]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        running = stack.enter_context(
            serve(
                command,
                "/health",
                port,
                host=HOST,
                timeout_s=startup_timeout_s,
                env=env,
                log_path=folder / "out.log",
            )
        )
    except BaseException:
        stack.close()
        raise
    return RunningSimulator(running.pid, port, running.url, Path(log_path) if log_path else None, stack)


def _load_config(path: str | None) -> SimulatorConfig:
    if path is None:
        return SimulatorConfig()
    if path.endswith(".json"):
        return SimulatorConfig.model_validate_json(Path(path).read_text(encoding="utf-8"))
    return SimulatorConfig.from_toml(path)


def main(argv: list[str] | None = None) -> None:
    """Serve the simulator on 127.0.0.1 until stopped or ``--max-lifetime-s`` has passed."""
    parser = argparse.ArgumentParser(prog="python -m course.llm.server", description=main.__doc__)
    parser.add_argument("--port", type=int, required=True)
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
    uvicorn.run(app, host=HOST, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
