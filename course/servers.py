"""Start a local server process for a test or a benchmark, wait until it answers, stop it by its pid."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError


class ServerError(CourseError):
    """Raised when a server does not come up in time or exits early."""


@dataclass(frozen=True)
class RunningServer:
    """A server started by :func:`serve`: its process id, port (0 on a Unix socket), base URL and socket."""

    pid: int
    port: int
    url: str
    uds: Path | None = None


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on ``host`` that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class _UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection over a Unix socket (the host in the URL is only a name)."""

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


def _status(url: str, uds: Path | None) -> int:
    """The HTTP status of a GET of ``url`` (over the Unix socket ``uds`` when given)."""
    if uds is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
    connection = _UnixHTTPConnection(uds, timeout=2)
    try:
        connection.request("GET", urllib.parse.urlsplit(url).path or "/")
        return int(connection.getresponse().status)
    finally:
        connection.close()


def wait_for_http(
    url: str, timeout_s: float, process: subprocess.Popen | None = None, uds: Path | None = None
) -> None:
    """Poll ``url`` (over the Unix socket ``uds`` when given) until it answers with any HTTP status below
    500, or raise :class:`ServerError`."""
    deadline = time.monotonic() + timeout_s
    last_error = "no answer yet"
    where = f"{url} on {uds}" if uds is not None else url
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerError(f"the server exited with code {process.returncode} before answering {where}")
        try:
            status = _status(url, uds)
            if status < 500:
                return
            last_error = f"HTTP {status}"
        except (
            urllib.error.URLError,
            http.client.HTTPException,
            ConnectionError,
            TimeoutError,
            OSError,
        ) as exc:
            last_error = str(exc)
        time.sleep(0.2)
    raise ServerError(f"{where} did not answer within {timeout_s:.0f} s ({last_error})")


def stop_pid(pid: int, grace_s: float = 10.0) -> None:
    """Stop the process group led by ``pid``: SIGTERM, then SIGKILL after ``grace_s`` seconds."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done == pid:
                return
            time.sleep(0.1)


@contextlib.contextmanager
def serve(
    command: Sequence[str],
    ready_path: str,
    port: int,
    *,
    host: str = "127.0.0.1",
    timeout_s: float = 60.0,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    log_path: Path | None = None,
    uds: Path | None = None,
) -> Iterator[RunningServer]:
    """Run ``command`` (which must listen on ``host:port``, or on the Unix socket ``uds`` when given: then
    ``port`` is 0) until the block ends, then stop it by its pid.

    The process starts in its own session so that it and its children stop together; its output goes to
    ``log_path`` (or is discarded) and is quoted in the error when it fails to come up.
    """
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError(f"servers started here listen on loopback only, not on {host!r}")
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://{host}:{port}" if uds is None else "http://localhost"
    try:
        try:
            wait_for_http(base + ready_path, timeout_s, process, uds=uds)
        except ServerError as exc:
            tail = log_path.read_text(errors="replace")[-2000:] if log_path else ""
            raise ServerError(f"{exc}\n{tail}".rstrip()) from None
        yield RunningServer(pid=process.pid, port=port, url=base, uds=uds)
    finally:
        stop_pid(process.pid)
        if log_path:
            log.close()
