"""The grader's processes: start them in their own sessions, remember them, kill them and their strays.

Every process of one grading run carries :data:`RUN_TOKEN_ENV` in its environment, so that processes it
left behind (a notebook kernel lives in its own session) can be found and killed after it ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from typing import Any

RUN_TOKEN_ENV = "COURSE_GRADING_RUN"  # marks every process of one run, so that strays can be found
MEMORY_ENV = "COURSE_GRADING_MEMORY_MB"  # the address-space limit a grading child sets for itself


_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def start(cmd: list[str], **kwargs: Any) -> subprocess.Popen:
    """Start a test process and remember it, so that ``stop_all`` can end it."""
    with _RUNNING_LOCK:
        process = subprocess.Popen(cmd, **kwargs)
        _RUNNING.add(process)
    return process


def forget(process: subprocess.Popen) -> None:
    with _RUNNING_LOCK:
        _RUNNING.discard(process)


def stop_all() -> None:
    """Kill every running test process group (an interrupted class run)."""
    with _RUNNING_LOCK:
        for process in list(_RUNNING):
            kill_group(process)


def apply_own_limits() -> None:
    """In a grading child, at its start: cap its address space (``MEMORY_ENV``) and disable core dumps.

    The child sets its own limits (inherited by everything it starts: the notebook kernel, the worker)
    instead of the parent doing it in a ``preexec_fn``, which is unsafe in a process with threads.
    """
    import resource

    megabytes = os.environ.get(MEMORY_ENV, "")
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if megabytes:
            limit = int(megabytes) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group of the test process."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def kill_strays(token: str) -> int:
    """Kill processes left by one run (a notebook kernel lives in its own session); return how many."""
    try:
        import psutil
    except ImportError:
        return 0
    killed = 0
    me = os.getpid()
    for process in psutil.process_iter(["pid"]):
        if process.pid == me:
            continue
        try:
            if process.environ().get(RUN_TOKEN_ENV) == token:
                process.kill()
                killed += 1
        except (psutil.Error, OSError):
            continue
    return killed
